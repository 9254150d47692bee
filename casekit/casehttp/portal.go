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
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"casekit.dev/casekit"
	"casekit.dev/templates"
)

type customerKey struct{}

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
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 25 << 20
	}
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

// linkCookie holds a portal link visitor's session: the tenant, case and
// link, signed with the key.
const linkCookie = "casekit_link"

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

// secure says whether the portal's cookies are Secure on r: always with
// PortalConfig.SecureCookies, else when r itself came over TLS.
func (p *Portal) secure(r *http.Request) bool { return p.cfg.SecureCookies || r.TLS != nil }

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

// desk returns the desk of the request's customer.
func (p *Portal) desk(r *http.Request) (*casekit.Desk, customer) {
	tenant, id, _ := CustomerFrom(r.Context())
	return p.cfg.Kit.Desk(tenant).As(casekit.Customer(id)), customer{tenant, id}
}

func (p *Portal) page(w http.ResponseWriter, r *http.Request, who customer) templates.Page {
	pg := templates.Page{Tenant: who.tenant, Customer: who.id, Base: p.cfg.Base, CSRF: p.csrfToken(w, r, who), Notice: notices[r.URL.Query().Get("done")]}
	if dir := p.cfg.Kit.Directory(); dir != nil {
		if person, err := dir.Person(r.Context(), who.tenant, who.id); err == nil {
			pg.CustomerName = person.Name
		}
	}
	return pg
}

// notices are the messages a redirect after a post may show: fixed
// texts, so nothing typed is reflected.
var notices = map[string]string{
	"commented": "Your comment was added.",
	"closed":    "The case is closed.",
	"rated":     "Thank you for your rating.",
}

// render writes a page with status, or the error page when it fails.
func (p *Portal) render(w http.ResponseWriter, r *http.Request, status int, tenant, name string, data any) {
	over, err := p.cfg.Kit.Desk(tenant).As(casekit.System).TemplateSources(r.Context())
	if err != nil {
		p.internal(w, r, err)
		return
	}
	var b strings.Builder
	if err := p.cfg.Templates.RenderPage(r.Context(), &b, name, over, data); err != nil {
		p.internal(w, r, fmt.Errorf("rendering %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// filters are the list's status filters, as status flags.
var filters = []struct {
	value, label string
	flags        []string
}{
	{"", "All", nil},
	{"open", "Open", []string{"initial", "progress", "paused", "reopen"}},
	{"resolved", "Resolved", []string{"resolved"}},
	{"closed", "Closed", []string{"final", "canceled"}},
}

func (p *Portal) list(w http.ResponseWriter, r *http.Request) {
	if n := linkCase(r.Context()); n != 0 { // a link shows its one case
		w.Header().Set("Location", p.caseURL(n))
		w.WriteHeader(http.StatusSeeOther)
		return
	}
	d, who := p.desk(r)
	q := r.URL.Query()
	data := &templates.ListPage{Page: p.page(w, r, who), Query: q.Get("q"), Status: q.Get("status")}
	f := casekit.CaseFilter{Text: data.Query, After: q.Get("after"), Limit: 25}
	known := false
	for _, fl := range filters {
		data.Filters = append(data.Filters, templates.Choice{Value: fl.value, Label: fl.label, Selected: fl.value == data.Status})
		if fl.value == data.Status {
			known, f.StatusFlags = true, fl.flags
		}
	}
	if !known {
		p.fail(w, r, http.StatusBadRequest, "There is no such status filter.")
		return
	}
	pg, err := d.ListCases(r.Context(), f)
	var ve *casekit.ValidationError
	switch {
	case errors.As(err, &ve):
		p.fail(w, r, http.StatusBadRequest, "That search cannot be run: "+ve.Error())
		return
	case err != nil:
		p.internal(w, r, err)
		return
	}
	states, err := p.states(r, who.tenant)
	if err != nil {
		p.internal(w, r, err)
		return
	}
	for _, c := range pg.Cases {
		st := states[c.Status]
		data.Cases = append(data.Cases, templates.CaseRow{Number: c.Number, Subject: c.Subject, StatusLabel: st.Label, State: stateOf(st),
			Priority: c.Priority, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, URL: p.caseURL(c.Number)})
	}
	if pg.Next != "" {
		v := url.Values{"after": {pg.Next}}
		if data.Query != "" {
			v.Set("q", data.Query)
		}
		if data.Status != "" {
			v.Set("status", data.Status)
		}
		data.NextURL = p.cfg.Base + "/?" + v.Encode()
	}
	p.render(w, r, http.StatusOK, who.tenant, templates.PortalList, data)
}

// states returns the tenant's statuses by key.
func (p *Portal) states(r *http.Request, tenant string) (map[string]casekit.Status, error) {
	sts, err := p.cfg.Kit.Desk(tenant).As(casekit.System).Statuses(r.Context())
	if err != nil {
		return nil, err
	}
	out := make(map[string]casekit.Status, len(sts))
	for _, s := range sts {
		out[s.Key] = s
	}
	return out, nil
}

func stateOf(s casekit.Status) string {
	switch {
	case s.Final || s.Canceled:
		return "closed"
	case s.Resolved:
		return "resolved"
	}
	return "open"
}

func (p *Portal) caseURL(n int64) string { return p.cfg.Base + "/cases/" + strconv.FormatInt(n, 10) }

// loadCase reads the case named in the path as the customer: 404 when it
// is not theirs or not there.
func (p *Portal) loadCase(w http.ResponseWriter, r *http.Request) (*casekit.Desk, customer, *casekit.Case, bool) {
	d, who := p.desk(r)
	n, err := strconv.ParseInt(r.PathValue("number"), 10, 64)
	if err != nil || n <= 0 || (linkCase(r.Context()) != 0 && n != linkCase(r.Context())) {
		p.fail(w, r, http.StatusNotFound, "There is no such case.")
		return nil, who, nil, false
	}
	c, err := d.CaseByNumber(r.Context(), n)
	if errors.Is(err, casekit.ErrNotFound) {
		p.fail(w, r, http.StatusNotFound, "There is no such case.")
		return nil, who, nil, false
	}
	if err != nil {
		p.internal(w, r, err)
		return nil, who, nil, false
	}
	return d, who, c, true
}

func (p *Portal) detail(w http.ResponseWriter, r *http.Request) {
	d, who, c, ok := p.loadCase(w, r)
	if !ok {
		return
	}
	data, err := p.detailPage(w, r, d, who, c)
	if err != nil {
		p.internal(w, r, err)
		return
	}
	if lv := r.URL.Query().Get("level"); lv != "" && data.CanRate { // a rating link preselects its level
		data.Rate.Values = map[string]string{"level": lv}
		for i := range data.RatingLevels {
			data.RatingLevels[i].Selected = data.RatingLevels[i].Value == lv
		}
	}
	p.render(w, r, http.StatusOK, who.tenant, templates.PortalDetail, data)
}

// detailPage gathers the case's public thread and what the customer may
// do with it.
func (p *Portal) detailPage(w http.ResponseWriter, r *http.Request, d *casekit.Desk, who customer, c *casekit.Case) (*templates.DetailPage, error) {
	ctx := r.Context()
	// The case, its thread and its links as of one transaction.
	view, err := d.CaseView(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	c = view.Case
	states, err := p.states(r, who.tenant)
	if err != nil {
		return nil, err
	}
	st := states[c.Status]
	data := &templates.DetailPage{Page: p.page(w, r, who), Case: templates.CaseDetail{
		Number: c.Number, Subject: c.Subject, Description: c.Description, StatusLabel: st.Label, State: stateOf(st),
		Priority: c.Priority, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, ResolutionDue: c.ResolutionDue,
		Satisfaction: c.Satisfaction, SatisfactionComment: c.SatisfactionComment, URL: p.caseURL(c.Number)}}
	me := casekit.Customer(who.id)
	author := func(a casekit.Actor) (bool, string) {
		if a == me {
			return true, "You"
		}
		return false, "Support"
	}
	for _, m := range view.Messages {
		e := messageEntry(m, me, c.Contact.Email)
		for _, a := range m.Attachments {
			f := templates.File{Name: a.Name, Size: a.Size}
			if p.cfg.Kit.BlobStore() != nil {
				f.URL = p.caseURL(c.Number) + "/files/" + url.PathEscape(a.ID)
			}
			e.Files = append(e.Files, f)
		}
		data.Thread = append(data.Thread, e)
	}
	for _, n := range view.Notes {
		mine, who := author(n.CreatedBy)
		data.Thread = append(data.Thread, templates.Entry{Kind: "note", Mine: mine, Author: who, Body: n.Body, At: n.CreatedAt})
	}
	for _, a := range view.Activities {
		data.Thread = append(data.Thread, templates.Entry{Kind: "activity", Author: "Support", Subject: a.Subject, Body: a.Description, At: a.CreatedAt})
	}
	sortThread(data.Thread)
	onlyThis := linkCase(ctx) != 0 // a portal link opens this case and no other
	for _, l := range view.Linked {
		lst := states[l.Case.Status]
		row := templates.CaseRow{Number: l.Case.Number, Subject: l.Case.Subject, StatusLabel: lst.Label, State: stateOf(lst),
			Priority: l.Case.Priority, CreatedAt: l.Case.CreatedAt, UpdatedAt: l.Case.UpdatedAt}
		if !onlyThis {
			row.URL = p.caseURL(l.Case.Number)
		}
		if l.Case.ID == c.MergedIntoID {
			data.Case.MergedInto = &row
		}
		if !onlyThis {
			data.Linked = append(data.Linked, templates.LinkedRow{CaseRow: row, Relation: relationLabels[l.Role]})
		}
	}
	data.CanComment = !st.Final && !st.Canceled
	data.CanUpload = data.CanComment && p.cfg.Kit.BlobStore() != nil
	data.CanClose = !st.Final && !st.Canceled
	data.CanRate = c.Satisfaction == 0 && !st.Canceled && (st.Resolved || st.Final) && c.MergedIntoID == ""
	sys := p.cfg.Kit.Desk(who.tenant).As(casekit.System)
	if data.CanClose {
		ls, err := sys.Lookups(ctx, casekit.LookupClosureReason)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			if !l.Disabled {
				data.ClosureReasons = append(data.ClosureReasons, templates.Choice{Value: l.Key, Label: l.Label})
			}
		}
	}
	if data.CanRate {
		ls, err := sys.Lookups(ctx, casekit.LookupSatisfaction)
		if err != nil {
			return nil, err
		}
		for i := len(ls) - 1; i >= 0; i-- { // best first
			if !ls[i].Disabled {
				data.RatingLevels = append(data.RatingLevels, templates.Choice{Value: strconv.Itoa(ls[i].Rank), Label: ls[i].Label})
			}
		}
	}
	return data, nil
}

// post checks the CSRF token and reads the form of a post about the case
// in the path; false when it has answered already.
func (p *Portal) post(w http.ResponseWriter, r *http.Request) (*casekit.Desk, customer, *casekit.Case, bool) {
	limit := p.cfg.MaxBodyBytes
	multipart := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
	if multipart {
		limit = p.cfg.MaxUploadBytes
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	if multipart {
		err = r.ParseMultipartForm(8 << 20) // beyond 8 MiB, files wait on disk
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			p.fail(w, r, http.StatusRequestEntityTooLarge, "That is more than we can take in one go.")
			return nil, customer{}, nil, false
		}
		p.fail(w, r, http.StatusBadRequest, "The form could not be read.")
		return nil, customer{}, nil, false
	}
	_, who := p.desk(r)
	if !p.csrfValid(r, who) {
		p.fail(w, r, http.StatusForbidden, "This form has expired or did not come from this site. Please go back, reload the page and try again.")
		return nil, who, nil, false
	}
	return p.loadCase(w, r)
}

// refused re-renders the detail page with the form's values and errors,
// or answers the error when it is not about the input.
func (p *Portal) refused(w http.ResponseWriter, r *http.Request, d *casekit.Desk, who customer, c *casekit.Case, err error, set func(*templates.DetailPage, templates.Form)) {
	form := templates.Form{Values: map[string]string{}, Errors: map[string]string{}}
	for k := range r.PostForm {
		if k != "csrf" {
			form.Values[k] = r.PostForm.Get(k)
		}
	}
	var ve *casekit.ValidationError
	switch {
	case errors.As(err, &ve):
		for _, f := range ve.Fields {
			form.Errors[f.Field] = f.Message
		}
	case errors.Is(err, casekit.ErrNotFound):
		p.fail(w, r, http.StatusNotFound, "There is no such case.")
		return
	case errors.Is(err, casekit.ErrConflict), errors.Is(err, casekit.ErrInvalidTransition),
		errors.Is(err, casekit.ErrReadOnly), errors.Is(err, casekit.ErrNotResolved):
		p.fail(w, r, http.StatusConflict, "The case has changed and that cannot be done now. Please go back and reload the page.")
		return
	default:
		p.internal(w, r, err)
		return
	}
	data, derr := p.detailPage(w, r, d, who, c)
	if derr != nil {
		p.internal(w, r, derr)
		return
	}
	set(data, form)
	p.render(w, r, http.StatusUnprocessableEntity, who.tenant, templates.PortalDetail, data)
}

func (p *Portal) done(w http.ResponseWriter, c *casekit.Case, what string) {
	w.Header().Set("Location", p.caseURL(c.Number)+"?done="+what)
	w.WriteHeader(http.StatusSeeOther)
}

func (p *Portal) comment(w http.ResponseWriter, r *http.Request) {
	d, who, c, ok := p.post(w, r)
	if !ok {
		return
	}
	in := casekit.NewMessage{Direction: casekit.Inbound, Channel: casekit.ChannelPortal, Body: r.PostForm.Get("body")}
	var err error
	if r.MultipartForm != nil && len(r.MultipartForm.File["files"]) > 0 {
		in.Attachments, err = p.uploads(r, d, c)
	}
	if err == nil {
		_, err = d.PostMessage(r.Context(), c.ID, in)
	}
	if err != nil {
		// A refused comment keeps none of its files, even when the
		// customer has gone away meanwhile.
		if derr := d.DiscardUploads(context.WithoutCancel(r.Context()), c.ID, in.Attachments); derr != nil {
			p.cfg.Logger.ErrorContext(r.Context(), "casehttp: portal: discarding a refused comment's files", slog.Any("err", derr))
		}
		p.refused(w, r, d, who, c, err, func(dp *templates.DetailPage, f templates.Form) { dp.Comment = f })
		return
	}
	p.done(w, c, "commented")
}

// uploads stores the comment's files; a refused file is a ValidationError
// on "files" naming it. On an error it returns the files stored before
// it too, for the caller to discard.
func (p *Portal) uploads(r *http.Request, d *casekit.Desk, c *casekit.Case) ([]casekit.NewAttachment, error) {
	files := r.MultipartForm.File["files"]
	if len(files) > 20 {
		return nil, &casekit.ValidationError{Fields: []casekit.FieldError{{Field: "files", Rule: "max", Message: "At most 20 files at once."}}}
	}
	var out []casekit.NewAttachment
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			return out, err
		}
		a, err := d.Upload(r.Context(), c.ID, fh.Filename, fh.Header.Get("Content-Type"), f)
		f.Close()
		var ve *casekit.ValidationError
		if errors.As(err, &ve) {
			msgs := make([]string, len(ve.Fields))
			for i, fe := range ve.Fields {
				msgs[i] = fe.Message
			}
			return out, &casekit.ValidationError{Fields: []casekit.FieldError{{Field: "files", Rule: "accepted",
				Message: fh.Filename + ": " + strings.Join(msgs, "; ")}}}
		}
		if err != nil {
			return out, err
		}
		out = append(out, *a)
	}
	return out, nil
}

// download serves an attachment the customer may see, always as a
// download: never rendered in the portal's origin.
func (p *Portal) download(w http.ResponseWriter, r *http.Request) {
	d, _, c, ok := p.loadCase(w, r)
	if !ok {
		return
	}
	a, rc, err := d.OpenAttachment(r.Context(), c.ID, r.PathValue("id"))
	switch {
	case errors.Is(err, casekit.ErrNotFound), errors.Is(err, casekit.ErrNoBlobStore):
		p.fail(w, r, http.StatusNotFound, "There is no such file.")
		return
	case err != nil:
		p.internal(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	ct := "application/octet-stream"
	if safeTypes[a.ContentType] {
		ct = a.ContentType
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	if a.Size > 0 {
		h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	}
	_, _ = io.Copy(w, rc)
}

// safeTypes are the media types a download keeps; any other is sent as
// application/octet-stream.
var safeTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/pdf": true, "text/plain": true, "text/csv": true, "application/zip": true}

func (p *Portal) close(w http.ResponseWriter, r *http.Request) {
	d, who, c, ok := p.post(w, r)
	if !ok {
		return
	}
	_, err := d.Close(r.Context(), c.ID, casekit.Closure{Reason: r.PostForm.Get("reason"), Note: r.PostForm.Get("note")})
	if err != nil {
		p.refused(w, r, d, who, c, err, func(dp *templates.DetailPage, f templates.Form) {
			dp.Close = f
			for i := range dp.ClosureReasons {
				dp.ClosureReasons[i].Selected = dp.ClosureReasons[i].Value == f.Values["reason"]
			}
		})
		return
	}
	p.done(w, c, "closed")
}

func (p *Portal) rate(w http.ResponseWriter, r *http.Request) {
	d, who, c, ok := p.post(w, r)
	if !ok {
		return
	}
	level, err := strconv.Atoi(r.PostForm.Get("level"))
	if err != nil {
		err = &casekit.ValidationError{Fields: []casekit.FieldError{{Field: "level", Rule: "required", Message: "Please choose a rating."}}}
	} else {
		_, err = d.Rate(r.Context(), c.ID, casekit.Rating{Level: level, Comment: r.PostForm.Get("comment")})
	}
	if err != nil {
		p.refused(w, r, d, who, c, err, func(dp *templates.DetailPage, f templates.Form) {
			dp.Rate = f
			for i := range dp.RatingLevels {
				dp.RatingLevels[i].Selected = dp.RatingLevels[i].Value == f.Values["level"]
			}
		})
		return
	}
	p.done(w, c, "rated")
}

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

// errorPage is the portal's page for 4xx and 5xx answers: fixed, small,
// and not overridable, so that it works when a tenant's templates do not.
var errorPage = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Status}} · {{.Title}}</title>
<style>body{font:16px/1.5 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2328;background:#f6f8fa;margin:0}
main{max-width:40rem;margin:4rem auto;padding:1.5rem;background:#fff;border:1px solid #d1d9e0;border-radius:.5rem}
h1{font-size:1.25rem;margin-top:0}a{color:#0969da}</style></head>
<body><main><h1>{{.Title}}</h1><p>{{.Message}}</p><p><a href="{{.Home}}">Back to your cases</a></p></main></body></html>`))

func (p *Portal) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = errorPage.Execute(w, map[string]any{"Status": status, "Title": http.StatusText(status), "Message": msg, "Home": p.cfg.Base + "/"})
}

func (p *Portal) internal(w http.ResponseWriter, r *http.Request, err error) {
	tenant, id, _ := CustomerFrom(r.Context())
	p.cfg.Logger.ErrorContext(r.Context(), "casehttp: portal", slog.String("tenant", tenant), slog.String("customer", id),
		slog.String("path", r.URL.Path), slog.Any("err", err))
	p.fail(w, r, http.StatusInternalServerError, "Something went wrong on our side. Please try again in a moment.")
}

// sortThread orders the thread by time, keeping messages before notes
// before activities at the same instant.
// relationLabels names each link role for the customer.
var relationLabels = map[casekit.LinkRole]string{
	casekit.RoleRelated:      "Related",
	casekit.RoleDuplicateOf:  "Duplicate of",
	casekit.RoleDuplicatedBy: "Duplicated by",
	casekit.RoleParent:       "Parent",
	casekit.RoleChild:        "Child",
}

func sortThread(t []templates.Entry) {
	slices.SortStableFunc(t, func(a, b templates.Entry) int { return a.At.Compare(b.At) })
}
