package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// sessionCookie holds the session. A visitor who has not signed in gets
// "anon.NONCE.MAC": a random nonce the CSRF token is made from, signed
// with the process's key, and nothing kept on the server (so strangers
// cannot fill its memory). Signing in replaces it with "sess.ID": a
// random 256-bit ID of a session kept on the server, which expires
// there and ends at sign-out.
const sessionCookie = "helpdesk_session"

const (
	kindAgent    = "agent"
	kindCustomer = "customer"
)

// Default session lifetimes: a session ends sessionIdle after its last
// request, and sessionMax after sign-in however busy it is.
const (
	sessionIdle = 2 * time.Hour
	sessionMax  = 12 * time.Hour
	// maxSessions and maxSessionsPerPerson bound the sessions kept: past
	// them, signing in ends the least recently used one.
	maxSessions          = 10_000
	maxSessionsPerPerson = 20
)

// session is who a request comes from.
type session struct {
	Kind  string // "", kindAgent or kindCustomer
	ID    string // the agent's or customer's ID in the directory
	Nonce string // the CSRF token is made from it
	sid   string // the server-side session's ID; "" when there is none
}

// serverSession is a signed-in session as the server keeps it.
type serverSession struct {
	session
	created, seen time.Time
}

// sessionStore keeps the signed-in sessions in memory: a restart signs
// everybody out.
type sessionStore struct {
	now       func() time.Time
	idle, max time.Duration
	mu        sync.Mutex
	byID      map[string]*serverSession
}

func newSessionStore(now func() time.Time, idle, max time.Duration) *sessionStore {
	if idle <= 0 {
		idle = sessionIdle
	}
	if max <= 0 {
		max = sessionMax
	}
	return &sessionStore{now: now, idle: idle, max: max, byID: map[string]*serverSession{}}
}

// start makes a session for the person, ending their least recently
// used one (or anyone's, when the store is full) to stay in bounds.
func (st *sessionStore) start(kind, id string) session {
	s := session{Kind: kind, ID: id, Nonce: nonce(), sid: randomString(32)}
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	if len(st.byID) >= maxSessions {
		for k, ss := range st.byID {
			if st.expired(ss, now) {
				delete(st.byID, k)
			}
		}
	}
	st.evictOldest(now, func(ss *serverSession) bool { return ss.Kind == kind && ss.ID == id }, maxSessionsPerPerson)
	st.evictOldest(now, func(*serverSession) bool { return true }, maxSessions)
	st.byID[s.sid] = &serverSession{session: s, created: now, seen: now}
	return s
}

// evictOldest ends the least recently used session of those that match
// while at least limit of them are kept.
func (st *sessionStore) evictOldest(now time.Time, match func(*serverSession) bool, limit int) {
	for {
		n, oldest := 0, ""
		for k, ss := range st.byID {
			if match(ss) {
				n++
				if oldest == "" || ss.seen.Before(st.byID[oldest].seen) {
					oldest = k
				}
			}
		}
		if n < limit {
			return
		}
		delete(st.byID, oldest)
	}
}

// get returns the session with the ID, marking it used, unless it has
// been idle too long or lived too long: then it is ended.
func (st *sessionStore) get(sid string) (session, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	ss, ok := st.byID[sid]
	if !ok {
		return session{}, false
	}
	now := st.now()
	if st.expired(ss, now) {
		delete(st.byID, sid)
		return session{}, false
	}
	ss.seen = now
	return ss.session, true
}

func (st *sessionStore) expired(ss *serverSession, now time.Time) bool {
	return !now.Before(ss.seen.Add(st.idle)) || !now.Before(ss.created.Add(st.max))
}

// end ends the session.
func (st *sessionStore) end(sid string) {
	st.mu.Lock()
	delete(st.byID, sid)
	st.mu.Unlock()
}

// endPerson ends every session of the person but keep (the request's
// own): after their password is changed or their account removed.
func (st *sessionStore) endPerson(id, keep string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for k, ss := range st.byID {
		if ss.ID == id && k != keep {
			delete(st.byID, k)
		}
	}
}

// withSession gives the request its session, once, before any handler
// runs: the front proxy's person when the operator trusts its header,
// else the cookie's, else a new anonymous one (its cookie set), so a
// forged, stale or expired cookie signs nobody in.
func (a *app) withSession(w http.ResponseWriter, r *http.Request) *http.Request {
	s, ok := a.readSession(r)
	if !ok {
		s = a.anonymous(w, r)
	}
	if p := a.proxyPerson(r); p.ID != "" && (p.Kind != s.Kind || p.ID != s.ID) {
		s = session{Kind: p.Kind, ID: p.ID, Nonce: s.Nonce}
	}
	return r.WithContext(context.WithValue(r.Context(), sessionKey{}, s))
}

// anonymous gives the visitor a new anonymous session and its cookie.
func (a *app) anonymous(w http.ResponseWriter, r *http.Request) session {
	s := session{Nonce: nonce()}
	a.setCookie(w, r, "anon."+s.Nonce+"."+a.mac("session", s.Nonce))
	return s
}

// proxyPerson is the person the trusted proxy header names (by ID or
// e-mail address), when the operator named one and it names someone.
func (a *app) proxyPerson(r *http.Request) account {
	if a.proxyHeader == "" {
		return account{}
	}
	login := r.Header.Get(a.proxyHeader)
	if login == "" {
		return account{}
	}
	ac, found, err := a.accounts.lookup(r.Context(), login)
	if err != nil {
		a.log.ErrorContext(r.Context(), "helpdesk: proxy sign-in", "err", err)
	}
	if !found {
		return account{}
	}
	return ac
}

// session returns the session withSession gave the request.
func (a *app) session(r *http.Request) session {
	s, _ := r.Context().Value(sessionKey{}).(session)
	return s
}

type sessionKey struct{}

// readSession reads the cookie: an anonymous nonce with a good
// signature, or a live server-side session of a person the directory
// still knows as the same kind.
func (a *app) readSession(r *http.Request) (session, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	if rest, ok := strings.CutPrefix(ck.Value, "anon."); ok {
		n, sig, _ := strings.Cut(rest, ".")
		return session{Nonce: n}, n != "" && hmac.Equal([]byte(sig), []byte(a.mac("session", n)))
	}
	sid, ok := strings.CutPrefix(ck.Value, "sess.")
	if !ok {
		return session{}, false
	}
	s, ok := a.sessions.get(sid)
	if !ok {
		return session{}, false
	}
	if ac, found, err := a.accounts.lookup(r.Context(), s.ID); err != nil || !found || ac.Kind != s.Kind || ac.ID != s.ID {
		a.sessions.end(sid)
		return session{}, false
	}
	return s, true
}

// signInAs starts a server-side session for the person and sets its
// cookie; a new nonce, so a token from before does not carry over. The
// session the request had, if any (switching user), ends.
func (a *app) signInAs(w http.ResponseWriter, r *http.Request, kind, id string) {
	if old := a.session(r); old.sid != "" {
		a.sessions.end(old.sid)
	}
	s := a.sessions.start(kind, id)
	a.setCookie(w, r, "sess."+s.sid)
}

// setCookie sets the session cookie: HttpOnly, SameSite=Lax, and Secure
// over TLS or, with -secure-cookies, always (behind a proxy that ends
// TLS, the request the helpdesk sees is plain HTTP).
func (a *app) setCookie(w http.ResponseWriter, r *http.Request, value string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: value, Path: "/", HttpOnly: true,
		Secure: a.secureCookies || r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// mac signs v for purpose with the process's key.
func (a *app) mac(purpose, v string) string {
	m := hmac.New(sha256.New, a.key)
	fmt.Fprintf(m, "%s|%s", purpose, v)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// nonce is a random 192-bit value for CSRF tokens.
func nonce() string { return randomString(24) }

// randomString is n random bytes in base64url: 32 make a session ID.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// csrfToken is the token every form of the session posts as "csrf".
func (a *app) csrfToken(s session) string { return a.mac("csrf", s.Nonce) }

// csrfValid checks the posted token against the session's.
func (a *app) csrfValid(r *http.Request, s session) bool {
	got := r.PostForm.Get("csrf")
	return got != "" && hmac.Equal([]byte(got), []byte(a.csrfToken(s)))
}
