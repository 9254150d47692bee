package templates

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
)

var ctx = context.Background()

func TestEveryDefaultPassesItsOwnCheck(t *testing.T) {
	e := New()
	names := e.Names()
	if len(names) < 13 {
		t.Fatalf("only %d template names: %v", len(names), names)
	}
	for _, name := range names {
		src, ok := e.Default(name)
		if !ok {
			t.Errorf("%s has no default", name)
			continue
		}
		if err := e.CheckTemplate(ctx, name, src, nil); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// outboxed returns n as it comes back from the outbox: its Data through
// JSON.
func outboxed(t *testing.T, n casekit.Notification) casekit.Notification {
	b, err := json.Marshal(n.Data)
	if err != nil {
		t.Fatal(err)
	}
	n.Data = nil
	if err := json.Unmarshal(b, &n.Data); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDefaultMessagesSayWhatHappened(t *testing.T) {
	e := New(WithLinks(func(casekit.Notification) Links { return sampleLinks }), WithLocation(time.FixedZone("CET", 3600)))
	for _, tc := range []struct {
		ev                  casekit.EventType
		subject, text, html string
	}{
		{casekit.EventResolved, "— resolved", "Rate our help:", `href="https://support.example.com/acme/cases/1042/rate?level=5"`},
		{casekit.EventStatusChanged, "we are working on it", "We aim to resolve it by Wednesday, 4 March 2026 at 14:30 CET", "<strong>Wednesday, 4 March 2026 at 14:30 CET</strong>"},
		{casekit.EventMessagePosted, "New message", "  It is still smoking.\n  What now?", "It is still smoking.\nWhat now?</blockquote>"},
		{casekit.EventSLABreached, "SLA breached: resolution overdue", "it was due Wed 4 Mar 2026 14:30 CET", "has passed"},
		{casekit.EventActivityAdded, "Call back about the printer", "Call back about the printer (call)", "<strong>Call back about the printer</strong>"},
		{"case.reclassified", "case reclassified", "case reclassified", "case reclassified"},
	} {
		n := outboxed(t, sampleNotifications(tc.ev)[0])
		m, err := e.RenderNotification(ctx, n, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.ev, err)
		}
		if !strings.HasPrefix(m.Subject, "[#1042] ") || !strings.Contains(m.Subject, tc.subject) {
			t.Errorf("%s: subject %q, want %q in it", tc.ev, m.Subject, tc.subject)
		}
		if !strings.Contains(m.Text, tc.text) || !strings.HasPrefix(m.Text, "Hello Ada <Lovelace>,") {
			t.Errorf("%s: text\n%s\nwant %q in it", tc.ev, m.Text, tc.text)
		}
		if !strings.Contains(m.HTML, tc.html) {
			t.Errorf("%s: HTML\n%s\nwant %q in it", tc.ev, m.HTML, tc.html)
		}
		if strings.Contains(m.HTML, "<b>on fire</b>") || strings.Contains(m.HTML, "Ada <Lovelace>") {
			t.Errorf("%s: what the customer typed is not escaped in the HTML:\n%s", tc.ev, m.HTML)
		}
	}
}

func TestOverridesReplaceDefaults(t *testing.T) {
	e := New()
	n := sampleNotifications(casekit.EventResolved)[0]
	over := map[string]string{
		"message/case.resolved": `{{define "subject"}}Fixed:
		{{.Case.Subject | trunc 7}}{{end}}{{define "body.text"}}All good.{{end}}{{define "body.html"}}<p>All good.</p>{{end}}`,
		MessageLayout: `{{define "text"}}{{template "body.text" .}} -- ACME{{end}}{{define "html"}}<div class="acme">{{template "body.html" .}}</div>{{end}}`,
	}
	m, err := e.RenderNotification(ctx, n, over)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Fixed: Printer" || m.Text != "All good. -- ACME" || m.HTML != `<div class="acme"><p>All good.</p></div>` {
		t.Fatalf("got %+v", m)
	}
	// Another event still uses its default, inside the tenant's layout.
	m, err = e.RenderNotification(ctx, sampleNotifications(casekit.EventCanceled)[0], over)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(m.Text, " -- ACME") || !strings.Contains(m.Subject, "canceled") {
		t.Fatalf("got %+v", m)
	}
}

func TestCheckRefusesBrokenTemplatesNamingTheLine(t *testing.T) {
	e := New()
	for _, tc := range []struct {
		name, src string
		line      int
		want      string
	}{
		{"message/case.resolved", "{{define \"subject\"}}x{{end}}\n{{define \"body.text\"}}\n{{if}}{{end}}", 3, "missing value for if"},
		{"message/case.resolved", "{{define \"subject\"}}x{{end}}\n{{define \"body.text\"}}\n\n{{.Case.Nope}}{{end}}{{define \"body.html\"}}{{end}}", 4, "can't evaluate field Nope"},
		{"message/case.resolved", "{{define \"subject\"}}{{\"\\n\"}}{{end}}{{define \"body.text\"}}x{{end}}{{define \"body.html\"}}{{end}}", 0, "subject is empty"},
		{"message/case.resolved", "{{define \"subject\"}}x{{end}}{{define \"body.text\"}}x{{end}}\n{{define \"body.html\"}}<a href=\"{{.Case.URL}}{{end}}", -1, "in attribute name"},
		{"message/case.resolved", "{{define \"subject\"}}x{{end}}{{define \"body.text\"}}x{{end}}{{define \"body.html\"}}\n{{fail \"no\"}}{{end}}", 2, "no"},
		{MessageLayout, "{{define \"text\"}}\n{{template \"nope\" .}}{{end}}", 2, `template "nope" not defined`},
	} {
		err := e.CheckTemplate(ctx, tc.name, tc.src, nil)
		var te *Error
		if !errors.As(err, &te) {
			t.Errorf("%q: got %v, want an *Error", tc.src, err)
			continue
		}
		if (tc.line >= 0 && te.Line != tc.line) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v (line %d), want line %d and %q", tc.src, err, te.Line, tc.line, tc.want)
		}
	}
	// An override need define only what it changes.
	if err := e.CheckTemplate(ctx, "message/case.resolved", `{{define "subject"}}Solved{{end}}`, nil); err != nil {
		t.Errorf("subject-only override: %v", err)
	}
	if err := e.CheckTemplate(ctx, "message/nope", "x", nil); err == nil || !strings.Contains(err.Error(), "no template called") {
		t.Errorf("unknown name: %v", err)
	}
}

func TestCheckUsesTheTenantsOtherOverrides(t *testing.T) {
	e := New()
	layout := `{{define "text"}}{{template "body.text" .}}{{template "sig" .}}{{end}}{{define "html"}}{{template "body.html" .}}{{end}}{{define "sig"}} -- us{{end}}`
	if err := e.CheckTemplate(ctx, MessageLayout, layout, nil); err != nil {
		t.Fatal(err)
	}
	// A message override that calls "sig" passes only with that layout.
	msg := `{{define "subject"}}s{{end}}{{define "body.text"}}{{template "sig2" .}}{{end}}{{define "body.html"}}{{end}}{{define "sig2"}}{{template "sig" .}}{{end}}`
	if err := e.CheckTemplate(ctx, "message/case.closed", msg, map[string]string{MessageLayout: layout}); err != nil {
		t.Fatal(err)
	}
	if err := e.CheckTemplate(ctx, "message/case.closed", msg, nil); err == nil {
		t.Fatal("a template calling a definition the default layout lacks passed")
	}
}

func TestPortalPagesAndOverrides(t *testing.T) {
	e := New()
	var b strings.Builder
	if err := e.RenderPage(ctx, &b, PortalList, nil, sampleList()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "<title>Your cases · Support</title>") || strings.Contains(b.String(), "<script>") {
		t.Fatalf("list page:\n%s", b.String())
	}
	over := map[string]string{PortalLayout: `{{define "brand"}}ACME Help{{end}}`}
	if err := e.CheckTemplate(ctx, PortalLayout, over[PortalLayout], nil); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := e.RenderPage(ctx, &b, PortalDetail, over, sampleDetail(true)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "· ACME Help</title>") || !strings.Contains(b.String(), `name="csrf" value="csrf-token"`) {
		t.Fatalf("detail page with the tenant's brand:\n%s", b.String())
	}
	// A page that fails writes nothing.
	b.Reset()
	bad := map[string]string{PortalList: `{{define "content"}}<p>{{.Nope}}</p>{{end}}`}
	if err := e.RenderPage(ctx, &b, PortalList, bad, sampleList()); err == nil || b.Len() != 0 {
		t.Fatalf("a failing page: %v, wrote %d bytes", err, b.Len())
	}
	err := e.CheckTemplate(ctx, PortalList, "{{define \"content\"}}\n<p>{{.Nope}}</p>{{end}}", nil)
	var te *Error
	if !errors.As(err, &te) || te.Line != 2 {
		t.Fatalf("check of a failing page: %v", err)
	}
	if err := e.RenderPage(ctx, &b, "message/case.resolved", nil, nil); err == nil {
		t.Fatal("RenderPage rendered a message template")
	}
}
