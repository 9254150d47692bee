package templates

import (
	"errors"
	"strings"
	"testing"
)

// Preview renders a template as it would be saved against the sample
// data, and names the line of one that fails.
func TestPreviewRendersSampleData(t *testing.T) {
	e := New()
	p, err := e.Preview(ctx, "message/case.resolved", `{{define "subject"}}Solved: {{.Case.Subject}}{{end}}`, nil)
	if err != nil || p.Subject != `Solved: Printer <b>on fire</b> & "smoking"` || p.Text == "" || !strings.Contains(p.HTML, "&lt;b&gt;on fire") {
		t.Fatalf("message preview %+v, %v", p, err)
	}
	// The other overrides take part: the layout's greeting opens every message.
	over := map[string]string{MessageLayout: `{{define "greeting"}}Dear customer,{{end}}`}
	if p, err := e.Preview(ctx, "message/case.resolved", `{{define "subject"}}Solved{{end}}`, over); err != nil || !strings.HasPrefix(p.Text, "Dear customer,") {
		t.Errorf("preview with a layout override: %+v, %v", p, err)
	}
	p, err = e.Preview(ctx, PortalList, `{{define "title"}}Your tickets{{end}}`, nil)
	if err != nil || p.Subject != "" || !strings.Contains(p.HTML, "Your tickets") || !strings.Contains(p.HTML, "&lt;script&gt;") {
		t.Fatalf("portal page preview %+v, %v", p, err)
	}
	if p, err := e.Preview(ctx, PortalLayout, `{{define "footer"}}<footer>Acme</footer>{{end}}`, nil); err != nil || !strings.Contains(p.HTML, "<footer>Acme</footer>") {
		t.Errorf("portal layout preview %+v, %v", p, err)
	}
	_, err = e.Preview(ctx, "message/case.resolved", "{{define \"subject\"}}x{{end}}\n{{define \"body.text\"}}\n\n{{.Case.Nope}}{{end}}", nil)
	var te *Error
	if !errors.As(err, &te) || te.Line != 4 || te.Template != "message/case.resolved" {
		t.Errorf("a preview that fails: %v, want an *Error on line 4", err)
	}
	if _, err := e.Preview(ctx, "message/nope", "x", nil); err == nil {
		t.Error("a preview of no template gave no error")
	}
	if _, err := New(WithLimits(Limits{MaxSource: 10})).Preview(ctx, PortalList, strings.Repeat("x", 11), nil); !errors.As(err, &te) {
		t.Errorf("a preview past MaxSource: %v", err)
	}
}
