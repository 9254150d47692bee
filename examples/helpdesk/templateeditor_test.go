package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

// The template editor lists the templates, previews what was typed
// against sample data without saving it, highlights the line of one that
// fails, saves through Config.SaveTemplateOverride and reverts to the default.
func TestTemplateEditor(t *testing.T) {
	a, srv := testApp(t, false)
	ctx := context.Background()
	d := a.kit.Desk(tenant).As(casekit.System)
	ava := onlyTheAdmin(t, srv.URL, []string{"/admin/templates", "/admin/templates/edit?name=message/case.resolved"},
		map[string]url.Values{"/admin/templates/save": {"name": {"message/case.resolved"}, "source": {"x"}}})
	_, page := ava.get("/admin/templates")
	// setUp overrides the portal's layout; the rest are the defaults.
	for _, want := range []string{`href="/admin/templates/edit?name=message%2fcase.resolved">message/case.resolved</a>
<span class="meta">default</span>`, `name=portal%2flayout">portal/layout</a>
<span class="badge">changed</span>`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the list lacks %q:\n%s", want, page)
		}
	}
	if status, _ := ava.get("/admin/templates/edit?name=message/nope"); status != http.StatusNotFound {
		t.Errorf("an unknown template: %d, want 404", status)
	}
	const name = "message/case.resolved"
	if _, page := ava.get("/admin/templates/edit?name=" + name); !strings.Contains(page, "{{define &#34;subject&#34;}}") || !strings.Contains(page, `id="whoami">Ava Martin<`) {
		t.Fatalf("the editor does not show the default source:\n%s", page)
	}
	good := `{{define "subject"}}Solved: {{.Case.Subject}}{{end}}`
	status, page, _ := ava.post("/admin/templates/preview", url.Values{"name": {name}, "source": {good}})
	if status != http.StatusOK || !strings.Contains(page, `<span id="preview-subject">Solved: Printer &lt;b&gt;on fire`) || !strings.Contains(page, `id="preview-html"`) {
		t.Fatalf("preview: %d\n%s", status, page)
	}
	if over, _ := d.Config().TemplateSources(ctx); over[name] != "" {
		t.Fatal("the preview saved the template")
	}
	bad := "{{define \"subject\"}}x{{end}}\n{{define \"body.text\"}}\n\n{{.Case.Nope}}{{end}}"
	for _, op := range []string{"preview", "save"} {
		status, page, _ := ava.post("/admin/templates/"+op, url.Values{"name": {name}, "source": {bad}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, `<li class="bad" id="error-line" aria-current="true"><code>{{.Case.Nope}}{{end}}</code></li>`) ||
			!strings.Contains(page, "can&#39;t evaluate field Nope") || !strings.Contains(page, "{{.Case.Nope}}{{end}}</textarea>") {
			t.Fatalf("%s of a template that fails on line 4: %d\n%s", op, status, page)
		}
	}
	if over, _ := d.Config().TemplateSources(ctx); over[name] != "" {
		t.Fatal("a refused template was saved")
	}
	posts(t, ava, []step{
		{"/admin/templates/save", url.Values{"name": {name}, "source": {good}}, http.StatusSeeOther, []string{"The template is saved", `id="revert-button"`}},
		{"/admin/templates/nothing", url.Values{"name": {name}}, http.StatusNotFound, nil},
		{"/admin/templates/save", url.Values{"name": {"message/nope"}, "source": {good}}, http.StatusNotFound, nil},
	})
	if over, _ := d.Config().TemplateSources(ctx); over[name] != good {
		t.Fatalf("saved %q", over[name])
	}
	posts(t, ava, []step{{"/admin/templates/revert", url.Values{"name": {name}}, http.StatusSeeOther, []string{"back to the default", `<span class="badge">default</span>`}}})
	if over, _ := d.Config().TemplateSources(ctx); over[name] != "" {
		t.Fatal("the revert left the override")
	}
	// The portal's pages preview as whole pages.
	status, page, _ = ava.post("/admin/templates/preview", url.Values{"name": {"portal/list"}, "source": {`{{define "title"}}Your tickets{{end}}`}})
	if status != http.StatusOK || !strings.Contains(page, "&lt;title&gt;Your tickets") {
		t.Fatalf("portal preview: %d\n%s", status, page)
	}
}
