package main

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"

	"casekit.dev/casekit"
)

type loginPage struct {
	basePage
	Demo              bool
	Agents, Customers []casekit.Person // the picker's, with -demo
	Next              string
	Login             string // what was typed, shown again after a refusal
	Problem           string
}

func (a *app) loginPage(w http.ResponseWriter, r *http.Request) {
	a.renderLogin(w, r, http.StatusOK, &loginPage{Next: safeNext(r.URL.Query().Get("next"))})
}

// renderLogin shows the sign-in page: the form for an ID or address and
// a password and, with -demo, the picker of the sample people.
func (a *app) renderLogin(w http.ResponseWriter, r *http.Request, status int, p *loginPage) {
	p.basePage, p.Demo = a.basePage(r, a.session(r), "Sign in"), a.demo
	if a.demo {
		all, err := a.accounts.everyone(r.Context())
		if err != nil {
			a.internal(w, r, err)
			return
		}
		for _, ac := range all {
			if ac.Kind == kindAgent {
				p.Agents = append(p.Agents, ac.person())
			} else {
				p.Customers = append(p.Customers, ac.person())
			}
		}
	}
	a.render(w, r, status, "login", p)
}

// readForm reads a small form and checks its CSRF token, answering the
// request itself when either fails.
func (a *app) readForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, http.StatusBadRequest, "The form could not be read.")
		return false
	}
	if !a.csrfValid(r, a.session(r)) {
		a.fail(w, r, http.StatusForbidden, "This form has expired or did not come from this site. Please go back, reload the page and try again.")
		return false
	}
	return true
}

// login signs in with an ID or e-mail address and a password. Wrong
// passwords are limited per account and per remote address (429 with
// Retry-After past the limit); an unknown login costs the same bcrypt
// comparison as a wrong password and gets the same answer.
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	if !a.readForm(w, r) {
		return
	}
	p := &loginPage{Next: safeNext(r.PostForm.Get("next")), Login: strings.TrimSpace(r.PostForm.Get("login"))}
	password := r.PostForm.Get("password")
	if p.Login == "" || password == "" || len(p.Login) > 254 || len(password) > 1024 {
		p.Problem = "Enter your ID or e-mail address and your password."
		a.renderLogin(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	ac, found, err := a.accounts.find(r.Context(), p.Login)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	who := strings.ToLower(p.Login)
	if found {
		who = ac.ID
	}
	done, wait := a.limiter.begin("account:"+who, "address:"+remoteHost(r))
	if done == nil {
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
		p.Problem = "Too many failed sign-ins. Please wait a while and try again."
		a.renderLogin(w, r, http.StatusTooManyRequests, p)
		return
	}
	ok, err := a.accounts.checkPassword(r.Context(), ac, found, password)
	done(ok || err != nil) // only a wrong password counts
	switch {
	case errors.Is(err, errBusy):
		w.Header().Set("Retry-After", "1")
		a.fail(w, r, http.StatusServiceUnavailable, "Too many people are signing in right now. Please try again in a moment.")
		return
	case err != nil:
		a.internal(w, r, err)
		return
	case !ok:
		p.Problem = "That ID or e-mail address and password do not match an account."
		a.renderLogin(w, r, http.StatusUnauthorized, p)
		return
	}
	a.signedIn(w, r, ac)
}

// pickPerson signs in as the person picked, with no password: the demo's
// sign-in, routed only with -demo.
func (a *app) pickPerson(w http.ResponseWriter, r *http.Request) {
	if !a.readForm(w, r) {
		return
	}
	ac, found, err := a.accounts.lookup(r.Context(), r.PostForm.Get("who"))
	if err != nil {
		a.internal(w, r, err)
		return
	}
	if !found {
		a.fail(w, r, http.StatusBadRequest, "There is nobody of that name here.")
		return
	}
	a.signedIn(w, r, ac)
}

// signedIn starts the session and sends an agent on to the page asked
// for (or the cases), a customer to the portal.
func (a *app) signedIn(w http.ResponseWriter, r *http.Request, ac account) {
	a.signInAs(w, r, ac.Kind, ac.ID)
	to := "/portal/"
	if ac.Kind == kindAgent {
		to = "/cases"
		if next := safeNext(r.PostForm.Get("next")); next != "" {
			to = next
		}
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// logout ends the server-side session.
func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	if !a.readForm(w, r) {
		return
	}
	if s := a.session(r); s.sid != "" {
		a.sessions.end(s.sid)
	}
	a.anonymous(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// remoteHost is the address the request came from, without the port.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
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
