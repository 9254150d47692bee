package templates

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"
)

// The customer portal's overridable pages. "portal/layout" defines
// "page", the whole document, around the "title" and "content" that
// "portal/list" and "portal/detail" define.
const (
	PortalLayout = "portal/layout"
	PortalList   = "portal/list"
	PortalDetail = "portal/detail"
)

// Page is what every portal page is given.
type Page struct {
	// Tenant is the tenant's ID and Customer the signed-in customer's ID.
	Tenant   string
	Customer string
	// CustomerName is the customer's name from the kit's Directory, ""
	// when it has none.
	CustomerName string
	// Base is the path the portal is mounted at, without a trailing
	// slash: links are Base + "/cases/1042".
	Base string
	// CSRF is the token every form posts as the field "csrf".
	CSRF string
	// Notice says what the last action did ("Your comment was added.").
	Notice string
}

// ListPage is the customer's list of cases.
type ListPage struct {
	Page
	// Query is the search as typed: words, "a phrase", or #1042.
	Query string
	// Status is the filter: "", "open", "resolved" or "closed".
	Status  string
	Filters []Choice
	Cases   []CaseRow
	// NextURL is the next page's address, empty on the last page.
	NextURL string
}

// CaseRow is one case in the list.
type CaseRow struct {
	Number      int64
	Subject     string
	StatusLabel string
	// State is "open", "resolved" or "closed", for styling.
	State     string
	Priority  string
	CreatedAt time.Time
	UpdatedAt time.Time
	URL       string
}

// DetailPage is one case with its public thread and the forms the
// customer may use.
type DetailPage struct {
	Page
	Case   CaseDetail
	Thread []Entry
	// Comment, Close and Rate hold what was typed into each form and the
	// errors by field, when a post was refused.
	Comment Form
	Close   Form
	Rate    Form
	// CanComment, CanClose and CanRate say which forms apply; CanUpload
	// whether the comment form takes files.
	CanComment, CanClose, CanRate, CanUpload bool
	ClosureReasons                           []Choice
	RatingLevels                             []Choice
	// Linked lists the customer's cases linked to this one; none for a
	// visitor who came by a portal link, which opens only this case.
	Linked []LinkedRow
}

// LinkedRow is a case linked to the one on the detail page.
type LinkedRow struct {
	CaseRow
	// Relation says how it stands to the page's case: "Related",
	// "Duplicate of", "Duplicated by", "Parent" or "Child".
	Relation string
}

// CaseDetail is what the detail page shows of its case.
type CaseDetail struct {
	Number        int64
	Subject       string
	Description   string
	StatusLabel   string
	State         string
	Priority      string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ResolutionDue *time.Time
	// Satisfaction is the rating given, 0 when none, with its comment.
	Satisfaction        int
	SatisfactionComment string
	URL                 string
	// MergedInto is the case this one was merged into, when the customer
	// may see it; its URL is empty when the visitor came by a portal link,
	// which opens only this case.
	MergedInto *CaseRow
}

// Entry is one item of the public thread: a message, a public note or an
// activity the customer was told of.
type Entry struct {
	// Kind is "message", "note" or "activity".
	Kind string
	// Mine is true for what the customer wrote; Author names the writer
	// ("You", or the support team).
	Mine   bool
	Author string
	// Way says which way a message went and how, e.g. "to support by
	// e-mail" or "from support by e-mail"; empty for notes and
	// activities.
	Way     string
	Subject string
	Body    string
	At      time.Time
	Files   []File
}

// File is an attachment the customer may download.
type File struct {
	Name string
	Size int64
	URL  string
}

// Form is a form's values and errors, both by field name.
type Form struct {
	Values map[string]string
	Errors map[string]string
}

// Choice is one choice of a select or radio group.
type Choice struct {
	Value    string
	Label    string
	Selected bool
}

// pageSources returns the sources of a portal page: the default layout,
// the tenant's layout, the page's default and the tenant's override.
func (e *Engine) pageSources(name string, over map[string]string) []source {
	srcs := []source{{PortalLayout, e.defs[PortalLayout]}}
	if s, ok := over[PortalLayout]; ok {
		srcs = append(srcs, source{PortalLayout, s})
	}
	srcs = append(srcs, source{name, e.defs[name]})
	if s, ok := over[name]; ok {
		srcs = append(srcs, source{name, s})
	}
	return srcs
}

// RenderPage renders the portal page called name (PortalList or
// PortalDetail) with the tenant's overrides into w. data is a *ListPage
// or a *DetailPage. Nothing is written when rendering fails.
func (e *Engine) RenderPage(ctx context.Context, w io.Writer, name string, over map[string]string, data any) error {
	switch name {
	case PortalList, PortalDetail:
	default:
		return fmt.Errorf("templates: %q is not a portal page", name)
	}
	var b bytes.Buffer
	if err := e.renderPage(ctx, &b, e.pageSources(name, over), data); err != nil {
		return err
	}
	_, err := b.WriteTo(w)
	return err
}

func (e *Engine) renderPage(ctx context.Context, w io.Writer, srcs []source, data any) error {
	c, put, err := e.get(srcs)
	if err != nil {
		return err
	}
	defer put()
	if !c.has("page", true) {
		return &Error{Template: srcs[len(srcs)-1].name, Message: `it does not define "page"`}
	}
	return c.execute(ctx, w, "page", true, data, e.loc)
}

// checkPage renders the page name with trial overrides against sample
// data.
func (e *Engine) checkPage(ctx context.Context, name string, trial map[string]string) error {
	var data []any
	switch name {
	case PortalList:
		data = []any{sampleList(), &ListPage{Page: samplePage()}}
	case PortalDetail:
		data = []any{sampleDetail(true), sampleDetail(false)}
	}
	for _, d := range data {
		if err := e.renderPage(ctx, io.Discard, e.pageSources(name, trial), d); err != nil {
			return err
		}
	}
	return nil
}

const sampleXSS = `<script>alert("x")</script> & 'quotes' {{.}}`

func samplePage() Page {
	return Page{Tenant: "acme", Customer: "cust-1", Base: "/support", CSRF: "csrf-token", Notice: "Your comment was added."}
}

func sampleList() *ListPage {
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	return &ListPage{
		Page: samplePage(), Query: sampleXSS, Status: "open",
		Filters: []Choice{{"", "All", false}, {"open", "Open", true}, {"resolved", "Resolved", false}, {"closed", "Closed", false}},
		Cases: []CaseRow{
			{Number: 1042, Subject: "Printer on fire " + sampleXSS, StatusLabel: "In progress", State: "open", Priority: "high", CreatedAt: at, UpdatedAt: at.Add(time.Hour), URL: "/support/cases/1042"},
			{Number: 1041, Subject: "Invoice", StatusLabel: "Resolved", State: "resolved", Priority: "low", CreatedAt: at, UpdatedAt: at, URL: "/support/cases/1041"},
		},
		NextURL: "/support/?after=abc&q=%3Cx%3E",
	}
}

func sampleDetail(full bool) *DetailPage {
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	due := at.Add(48 * time.Hour)
	d := &DetailPage{Page: samplePage(), Case: CaseDetail{Number: 1042, Subject: "Printer " + sampleXSS, StatusLabel: "Resolved", State: "resolved",
		Priority: "high", CreatedAt: at, UpdatedAt: at}}
	if !full {
		return d
	}
	d.Case.Description = "It smokes.\n" + sampleXSS
	d.Case.ResolutionDue = &due
	d.Case.Satisfaction, d.Case.SatisfactionComment = 2, sampleXSS
	d.Thread = []Entry{
		{Kind: "message", Mine: true, Author: "You", Body: "Hello\n" + sampleXSS, At: at, Files: []File{{Name: "photo <1>.jpg", Size: 123456, URL: "/support/cases/1042/files/x"}}},
		{Kind: "note", Author: "Support", Subject: "Diagnosis", Body: "Toner", At: at.Add(time.Hour)},
		{Kind: "activity", Author: "Support", Subject: "Call back", Body: "", At: at.Add(2 * time.Hour)},
	}
	d.CanComment, d.CanClose, d.CanRate, d.CanUpload = true, true, true, true
	d.Comment = Form{Values: map[string]string{"body": sampleXSS}, Errors: map[string]string{"body": "is required " + sampleXSS, "files": "x.exe: not accepted " + sampleXSS}}
	d.Close = Form{Values: map[string]string{"reason": "fixed", "note": sampleXSS}, Errors: map[string]string{"note": "is required"}}
	d.Rate = Form{Values: map[string]string{"level": "2", "comment": sampleXSS}, Errors: map[string]string{"level": "unknown"}}
	d.ClosureReasons = []Choice{{"fixed", "Problem solved", true}, {"answered", "Question answered", false}}
	d.RatingLevels = []Choice{{"5", "Very satisfied", false}, {"2", "Dissatisfied", true}}
	return d
}
