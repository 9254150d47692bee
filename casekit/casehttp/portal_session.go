package casehttp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"casekit.dev/casekit"
)

// linkCookie holds a portal link visitor's session: the tenant, case and
// link, signed with the key.
const linkCookie = "casekit_link"

// linkCaseKey is the context key of the case number a link session is for.
type linkCaseKey struct{}

// linkCase returns the one case number a link visitor may see; 0 for a
// signed-in customer.
func linkCase(ctx context.Context) int64 {
	n, _ := ctx.Value(linkCaseKey{}).(int64)
	return n
}

// openLink serves /link/{tenant}/{token}: it checks the token, starts the
// visitor's session for that one case and sends them to it, so the token
// leaves the address bar.
func (p *Portal) openLink(w http.ResponseWriter, r *http.Request) {
	tenant, token, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/link/"), "/")
	if !ok || casekit.ValidateTenantID(tenant) != nil {
		p.fail(w, r, http.StatusNotFound, "This link does not work. Please check it or ask us for a new one.")
		return
	}
	cs, l, err := p.cfg.Kit.Desk(tenant).As(casekit.System).OpenPortalLink(r.Context(), token)
	switch {
	case errors.Is(err, casekit.ErrLinkExpired):
		p.fail(w, r, http.StatusGone, "This link has expired. Please ask us for a new one.")
		return
	case errors.Is(err, casekit.ErrNotFound), errors.Is(err, casekit.ErrTenantNotFound):
		p.fail(w, r, http.StatusNotFound, "This link does not work. Please check it or ask us for a new one.")
		return
	case err != nil:
		p.internal(w, r, err)
		return
	}
	v := strings.Join([]string{tenant, cs.ID, l.ID}, "|")
	http.SetCookie(w, &http.Cookie{Name: linkCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(v)) + "." + p.mac("link", v),
		Path: p.cfg.Base + "/", HttpOnly: true, Secure: p.secure(r), SameSite: http.SameSiteLaxMode}) // a session cookie: the server checks the link every time
	w.Header().Set("Location", p.caseURL(cs.Number))
	w.WriteHeader(http.StatusSeeOther)
}

// linkVisitor returns the request's context as the customer of the link
// in its session cookie, checking the link again (revoked or expired
// links stop at once), or the status and message to answer with.
func (p *Portal) linkVisitor(w http.ResponseWriter, r *http.Request) (context.Context, int, string) {
	ck, err := r.Cookie(linkCookie)
	if err != nil {
		return nil, http.StatusUnauthorized, "Please sign in to see your cases."
	}
	enc, sig, _ := strings.Cut(ck.Value, ".")
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	parts := strings.Split(string(raw), "|")
	if err != nil || len(parts) != 3 || !hmac.Equal([]byte(sig), []byte(p.mac("link", string(raw)))) {
		return nil, http.StatusUnauthorized, "Please sign in to see your cases."
	}
	tenant, caseID, linkID := parts[0], parts[1], parts[2]
	cs, _, err := p.cfg.Kit.Desk(tenant).As(casekit.System).PortalLink(r.Context(), caseID, linkID)
	forget := func() { http.SetCookie(w, &http.Cookie{Name: linkCookie, Path: p.cfg.Base + "/", MaxAge: -1}) }
	switch {
	case errors.Is(err, casekit.ErrLinkExpired):
		forget()
		return nil, http.StatusGone, "This link has expired. Please ask us for a new one."
	case errors.Is(err, casekit.ErrNotFound), errors.Is(err, casekit.ErrTenantNotFound):
		forget()
		return nil, http.StatusForbidden, "This link no longer works. Please ask us for a new one."
	case err != nil:
		p.cfg.Logger.ErrorContext(r.Context(), "casehttp: portal link", slog.String("tenant", tenant), slog.Any("err", err))
		return nil, http.StatusInternalServerError, "Something went wrong on our side. Please try again in a moment."
	}
	ctx := WithCustomer(r.Context(), tenant, casekit.LinkCustomer(cs))
	return context.WithValue(ctx, linkCaseKey{}, cs.Number), 0, ""
}

// mac signs v for purpose with the portal's key.
func (p *Portal) mac(purpose, v string) string {
	m := hmac.New(sha256.New, p.cfg.CSRFKey)
	fmt.Fprintf(m, "%s|%s", purpose, v)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
