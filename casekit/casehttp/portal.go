// Package casehttp serves casekit over HTTP: Portal is the customer
// portal, an http.Handler the host mounts behind its own sign-in.
//
// The host authenticates the customer and says who it is with
// WithCustomer before the request reaches the portal:
//
//	portal, err := casehttp.NewPortal(casehttp.PortalConfig{Kit: kit, Templates: engine, CSRFKey: key, Base: "/support"})
//	mux.Handle("/support/", http.StripPrefix("/support", signedIn(portal)))
//
//	func signedIn(next http.Handler) http.Handler {
//		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//			user := session(r) // the host's own
//			next.ServeHTTP(w, r.WithContext(casehttp.WithCustomer(r.Context(), user.Tenant, user.CustomerID)))
//		})
//	}
//
// A portal link (casekit.Desk.CreatePortalLink) opens one case without an
// account: /link/{tenant}/{token} starts a session for that case only, and
// every request checks the link again, so revoking it ends the session.
//
// Pages come from package templates (per-tenant overrides apply). Every
// form carries a CSRF token bound to a cookie and to the customer; posts
// without it are refused with 403, and cross-origin posts are refused by
// net/http's CrossOriginProtection as well.
package casehttp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"casekit.dev/casekit"
	"casekit.dev/templates"
)

// customerKey is the context key of the customer WithCustomer names.
type customerKey struct{}

// customer is who the portal serves: a customer ID within a tenant.
type customer struct{ tenant, id string }

// WithCustomer returns ctx carrying the signed-in customer: the tenant
// and the customer's ID as casekit knows it (Case.CustomerID). The host
// calls it after its own authentication; the portal serves nobody
// without it.
func WithCustomer(ctx context.Context, tenant, customerID string) context.Context {
	return context.WithValue(ctx, customerKey{}, customer{tenant, customerID})
}

// CustomerFrom returns the customer WithCustomer put in ctx.
func CustomerFrom(ctx context.Context) (tenant, customerID string, ok bool) {
	c, ok := ctx.Value(customerKey{}).(customer)
	return c.tenant, c.id, ok && c.tenant != "" && c.id != ""
}

// PortalConfig configures a Portal.
type PortalConfig struct {
	// Kit is the casekit the portal serves.
	Kit *casekit.Kit
	// Templates renders the pages; the tenant's overrides apply.
	Templates *templates.Engine
	// CSRFKey signs the forms' tokens and the sessions of portal link
	// visitors: at least 32 random bytes, the same on every replica.
	CSRFKey []byte
	// Base is the path the portal is mounted at, e.g. "/support" (no
	// trailing slash; "" for the root); links are made with it.
	Base string
	// Logger logs failures the customer sees only as "something went
	// wrong"; slog.Default() when nil.
	Logger *slog.Logger
	// MaxBodyBytes bounds a form post without files; 1 MiB when zero.
	MaxBodyBytes int64
	// MaxUploadBytes bounds a comment with files, all together; 25 MiB
	// when zero. Each file is also held to the tenant's
	// Settings.MaxAttachmentBytes and AttachmentTypes.
	MaxUploadBytes int64
	// SecureCookies marks the portal's cookies (the CSRF seed and a link
	// visitor's session) Secure on every request, so browsers send them
	// over HTTPS only. Set it when a TLS-terminating proxy serves the
	// portal: requests then reach it without TLS, and without this option
	// cookies are Secure only on requests that came over TLS themselves.
	SecureCookies bool
}

// Portal is the customer portal: the customer's cases with search and a
// status filter, a case's public thread, and the forms to comment, close
// and rate.
type Portal struct {
	cfg     PortalConfig
	handler http.Handler
}

// NewPortal returns the portal for cfg.
func NewPortal(cfg PortalConfig) (*Portal, error) {
	switch {
	case cfg.Kit == nil:
		return nil, errors.New("casehttp: PortalConfig.Kit is required")
	case cfg.Templates == nil:
		return nil, errors.New("casehttp: PortalConfig.Templates is required")
	case len(cfg.CSRFKey) < 32:
		return nil, errors.New("casehttp: PortalConfig.CSRFKey must be at least 32 bytes")
	case strings.HasSuffix(cfg.Base, "/"):
		return nil, fmt.Errorf("casehttp: PortalConfig.Base %q must not end in a slash", cfg.Base)
	}
	cfg.Logger, cfg.MaxBodyBytes, cfg.MaxUploadBytes = withDefaults(cfg.Logger, cfg.MaxBodyBytes, cfg.MaxUploadBytes)
	p := &Portal{cfg: cfg}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", p.list)
	mux.HandleFunc("GET /cases/{number}", p.detail)
	mux.HandleFunc("GET /cases/{number}/rate", p.detail) // from the resolution notice: shows the form, changes nothing
	mux.HandleFunc("GET /cases/{number}/files/{id}", p.download)
	mux.HandleFunc("POST /cases/{number}/comment", p.comment)
	mux.HandleFunc("POST /cases/{number}/close", p.close)
	mux.HandleFunc("POST /cases/{number}/rate", p.rate)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		p.fail(w, r, http.StatusNotFound, "There is no such page.")
	})
	p.handler = http.NewCrossOriginProtection().Handler(mux)
	return p, nil
}

// ServeHTTP serves the portal to the customer in the request's context.
func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/link/") {
		p.openLink(w, r)
		return
	}
	if _, _, ok := CustomerFrom(r.Context()); !ok {
		ctx, status, msg := p.linkVisitor(w, r)
		if ctx == nil {
			p.fail(w, r, status, msg)
			return
		}
		r = r.WithContext(ctx)
	}
	p.handler.ServeHTTP(w, r)
}

// secure says whether the portal's cookies are Secure on r: always with
// PortalConfig.SecureCookies, else when r itself came over TLS.
func (p *Portal) secure(r *http.Request) bool { return p.cfg.SecureCookies || r.TLS != nil }

// desk returns the desk of the request's customer.
func (p *Portal) desk(r *http.Request) (*casekit.Desk, customer) {
	tenant, id, _ := CustomerFrom(r.Context())
	return p.cfg.Kit.Desk(tenant).As(casekit.Customer(id)), customer{tenant, id}
}

// withDefaults fills in what the portal's and the API's configurations
// leave zero: the default logger, a 1 MiB body and a 25 MiB upload.
func withDefaults(log *slog.Logger, body, upload int64) (*slog.Logger, int64, int64) {
	if log == nil {
		log = slog.Default()
	}
	if body <= 0 {
		body = 1 << 20
	}
	if upload <= 0 {
		upload = 25 << 20
	}
	return log, body, upload
}
