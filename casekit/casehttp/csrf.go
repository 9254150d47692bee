package casehttp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
)

// csrfCookie holds a random value the form tokens are bound to.
const csrfCookie = "casekit_csrf"

// csrfToken returns the token for the request's forms, setting the
// cookie it is bound to when the browser has none.
func (p *Portal) csrfToken(w http.ResponseWriter, r *http.Request, who customer) string {
	seed := ""
	if ck, err := r.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
		seed = ck.Value
	} else {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		seed = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: seed, Path: p.cfg.Base + "/", HttpOnly: true,
			Secure: p.secure(r), SameSite: http.SameSiteLaxMode})
	}
	return p.sign(seed, who)
}

// sign binds a cookie's seed to the customer, so that a token taken from
// one customer's page is worth nothing in another's session.
func (p *Portal) sign(seed string, who customer) string {
	m := hmac.New(sha256.New, p.cfg.CSRFKey)
	fmt.Fprintf(m, "%d:%s|%d:%s|%s", len(who.tenant), who.tenant, len(who.id), who.id, seed)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfValid reports whether the post carries the token of its cookie and
// customer.
func (p *Portal) csrfValid(r *http.Request, who customer) bool {
	ck, err := r.Cookie(csrfCookie)
	if err != nil || len(ck.Value) < 32 {
		return false
	}
	got := r.PostForm.Get("csrf")
	return got != "" && hmac.Equal([]byte(got), []byte(p.sign(ck.Value, who)))
}
