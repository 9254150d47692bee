package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"casekit.dev/casekit"
)

// sessionCookie holds the session: who is signed in (nobody, an agent or
// a customer) and a random nonce the CSRF token is made from, signed
// with the process's key.
const sessionCookie = "helpdesk_session"

const (
	kindAgent    = "agent"
	kindCustomer = "customer"
)

type session struct {
	Kind  string // "", kindAgent or kindCustomer
	ID    string // the agent's or customer's ID in the directory
	Nonce string
}

// withSession gives the request its session, once, before any handler
// runs: the cookie's, or a new anonymous one (its cookie set) when the
// request has none or its cookie is not ours, so a forged or stale
// cookie signs nobody in.
func (a *app) withSession(w http.ResponseWriter, r *http.Request) *http.Request {
	s, ok := a.readSession(r)
	if !ok {
		s = session{Nonce: nonce()}
		a.setSession(w, r, s)
	}
	return r.WithContext(context.WithValue(r.Context(), sessionKey{}, s))
}

// session returns the session withSession gave the request.
func (a *app) session(r *http.Request) session {
	s, _ := r.Context().Value(sessionKey{}).(session)
	return s
}

type sessionKey struct{}

func (a *app) readSession(r *http.Request) (session, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	enc, sig, _ := strings.Cut(ck.Value, ".")
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || !hmac.Equal([]byte(sig), []byte(a.mac("session", string(raw)))) {
		return session{}, false
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 || parts[2] == "" {
		return session{}, false
	}
	s := session{Kind: parts[0], ID: parts[1], Nonce: parts[2]}
	switch s.Kind {
	case "":
	case kindAgent, kindCustomer:
		if _, err := a.dir.Person(r.Context(), tenant, s.ID); err != nil || a.isAgent(s.ID) != (s.Kind == kindAgent) {
			return session{}, false
		}
	default:
		return session{}, false
	}
	return s, true
}

func (a *app) setSession(w http.ResponseWriter, r *http.Request, s session) {
	raw := strings.Join([]string{s.Kind, s.ID, s.Nonce}, "|")
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(raw)) + "." + a.mac("session", raw),
		Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// mac signs v for purpose with the process's key.
func (a *app) mac(purpose, v string) string {
	m := hmac.New(sha256.New, a.key)
	fmt.Fprintf(m, "%s|%s", purpose, v)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func nonce() string {
	b := make([]byte, 24)
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

type loginPage struct {
	basePage
	Agents, Customers []casekit.Person
	Next              string
}

func (a *app) loginPage(w http.ResponseWriter, r *http.Request) {
	s := a.session(r)
	p := &loginPage{basePage: a.basePage(r, s, "Sign in"), Next: safeNext(r.URL.Query().Get("next"))}
	for _, person := range a.dir.People {
		if a.isAgent(person.ID) {
			p.Agents = append(p.Agents, person)
		} else {
			p.Customers = append(p.Customers, person)
		}
	}
	a.render(w, r, http.StatusOK, "login", p)
}

// login starts a session for the person picked: a new nonce, so a token
// from before does not carry over.
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	s := a.session(r)
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	if !a.csrfValid(r, s) {
		a.fail(w, r, http.StatusForbidden, "This form has expired or did not come from this site. Please go back, reload the page and try again.")
		return
	}
	id := r.PostForm.Get("who")
	if _, err := a.dir.Person(r.Context(), tenant, id); err != nil {
		a.fail(w, r, http.StatusBadRequest, "There is nobody of that name here.")
		return
	}
	ns := session{Kind: kindCustomer, ID: id, Nonce: nonce()}
	to := "/portal/"
	if a.isAgent(id) {
		ns.Kind, to = kindAgent, "/cases"
		if next := safeNext(r.PostForm.Get("next")); next != "" {
			to = next
		}
	}
	a.setSession(w, r, ns)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	s := a.session(r)
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || !a.csrfValid(r, s) {
		a.fail(w, r, http.StatusForbidden, "This form has expired or did not come from this site. Please go back, reload the page and try again.")
		return
	}
	a.setSession(w, r, session{Nonce: nonce()})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext keeps a "next" address only when it is a path on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return next
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// isAgent reports whether the directory's person is staff: a member of
// a team.
func (a *app) isAgent(id string) bool {
	for _, members := range a.dir.Teams {
		for _, m := range members {
			if m == id {
				return true
			}
		}
	}
	return false
}
