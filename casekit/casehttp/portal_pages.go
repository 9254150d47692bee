package casehttp

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/template"

	"casekit.dev/casekit"
	"casekit.dev/templates"
)

// page returns what every page shows: the tenant, the customer and their
// name, the form token and the notice of what a post just did.
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
	over, err := p.cfg.Kit.Desk(tenant).As(casekit.System).Config().TemplateSources(r.Context())
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

// list serves the customer's cases, filtered by status and searched; a
// link visitor goes to their one case instead.
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
	sts, err := p.cfg.Kit.Desk(tenant).As(casekit.System).Config().Statuses(r.Context())
	if err != nil {
		return nil, err
	}
	out := make(map[string]casekit.Status, len(sts))
	for _, s := range sts {
		out[s.Key] = s
	}
	return out, nil
}

// stateOf is how the portal groups a status for the customer: open,
// resolved or closed, whatever the tenant calls it.
func stateOf(s casekit.Status) string {
	switch {
	case s.Final || s.Canceled:
		return "closed"
	case s.Resolved:
		return "resolved"
	}
	return "open"
}

// caseURL is the address of the case page for case number n.
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

// detail serves a case's page: its public thread and the forms the
// customer may use on it.
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
		choose(data.RatingLevels, lv)
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
		ls, err := sys.Config().Lookups(ctx, casekit.LookupClosureReason)
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
		ls, err := sys.Config().Lookups(ctx, casekit.LookupSatisfaction)
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

// errorPage is the portal's page for 4xx and 5xx answers: fixed, small,
// and not overridable, so that it works when a tenant's templates do not.
var errorPage = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Status}} · {{.Title}}</title>
<style>body{font:16px/1.5 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2328;background:#f6f8fa;margin:0}
main{max-width:40rem;margin:4rem auto;padding:1.5rem;background:#fff;border:1px solid #d1d9e0;border-radius:.5rem}
h1{font-size:1.25rem;margin-top:0}a{color:#0969da}</style></head>
<body><main><h1>{{.Title}}</h1><p>{{.Message}}</p><p><a href="{{.Home}}">Back to your cases</a></p></main></body></html>`))

// fail answers status with the fixed error page, which works whatever
// the tenant's templates are.
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = errorPage.Execute(w, map[string]any{"Status": status, "Title": http.StatusText(status), "Message": msg, "Home": p.cfg.Base + "/"})
}

// internal logs err with who and what was asked, and shows the customer a
// 500 page that tells nothing of it.
func (p *Portal) internal(w http.ResponseWriter, r *http.Request, err error) {
	tenant, id, _ := CustomerFrom(r.Context())
	p.cfg.Logger.ErrorContext(r.Context(), "casehttp: portal", slog.String("tenant", tenant), slog.String("customer", id),
		slog.String("path", r.URL.Path), slog.Any("err", err))
	p.fail(w, r, http.StatusInternalServerError, "Something went wrong on our side. Please try again in a moment.")
}

// choose marks the choice of value selected and the others not, so that a
// form shown again keeps what the customer picked.
func choose(cs []templates.Choice, value string) {
	for i := range cs {
		cs[i].Selected = cs[i].Value == value
	}
}
