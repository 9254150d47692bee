package main

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"casekit.dev/casekit"
	"casekit.dev/templates"
)

// templateRow is one template in the list: the default or the tenant's
// override of it.
type templateRow struct {
	Name       string
	Overridden bool
	By, At     string
}

// templateListPage lists the templates a tenant may override.
type templateListPage struct {
	basePage
	Notice           string
	Messages, Portal []templateRow
}

// templateEditPage edits one template: its source, the preview against
// sample data, and the error with its line when it fails.
type templateEditPage struct {
	basePage
	Template   string // the template's name
	Overridden bool
	Source     string
	Notice     string
	Problem    string       // why the template does not parse or render
	ErrLine    int          // the line the problem is on; 0 when unknown
	Lines      []sourceLine // the source by line, when it fails
	Preview    *templates.Preview
}

func (a *app) templateList(w http.ResponseWriter, r *http.Request, req *request) {
	overrides, err := req.desk.Config().TemplateOverrides(r.Context())
	if err != nil {
		a.internal(w, r, err)
		return
	}
	p := &templateListPage{basePage: a.basePage(r, req.s, "Templates"), Notice: templateNotices[r.URL.Query().Get("done")]}
	for _, n := range a.engine.Names() {
		row := templateRow{Name: n}
		for _, o := range overrides {
			if o.Name == n {
				row.Overridden, row.By, row.At = true, a.actorName(r.Context(), o.UpdatedBy), o.UpdatedAt.UTC().Format("2006-01-02 15:04")
			}
		}
		if strings.HasPrefix(n, "portal/") {
			p.Portal = append(p.Portal, row)
		} else {
			p.Messages = append(p.Messages, row)
		}
	}
	a.render(w, r, http.StatusOK, "templates", p)
}

// templateNotices are what the template pages say after a change.
var templateNotices = map[string]string{"saved": "The template is saved: it applies from now on.",
	"reverted": "The template is back to the default."}

// templateName reads the template's name from the query or the form; ok
// false when it is none of the engine's (the 404 is answered).
func (a *app) templateName(w http.ResponseWriter, r *http.Request, name string) bool {
	if slices.Contains(a.engine.Names(), name) {
		return true
	}
	a.fail(w, r, http.StatusNotFound, "There is no such template.")
	return false
}

// templateEditor shows a template's source: the tenant's override, or
// the default.
func (a *app) templateEditor(w http.ResponseWriter, r *http.Request, req *request) {
	name := r.URL.Query().Get("name")
	if !a.templateName(w, r, name) {
		return
	}
	over, err := req.desk.Config().TemplateSources(r.Context())
	if err != nil {
		a.internal(w, r, err)
		return
	}
	p := a.newTemplateEditPage(r, req, name, over)
	p.Notice = templateNotices[r.URL.Query().Get("done")]
	if src, ok := over[name]; ok {
		p.Source = src
	} else {
		p.Source, _ = a.engine.Default(name)
	}
	a.render(w, r, http.StatusOK, "template", p)
}

func (a *app) newTemplateEditPage(r *http.Request, req *request, name string, over map[string]string) *templateEditPage {
	_, overridden := over[name]
	return &templateEditPage{basePage: a.basePage(r, req.s, "Template "+name), Template: name, Overridden: overridden}
}

// sourceLine is a line of a template's source as the editor lists it.
type sourceLine struct {
	N    int
	Text string
	Bad  bool // the error is on this line
}

// templateLine finds the line in the library's message about a template
// that does not parse or render ("template NAME, line N: ...").
var templateLine = regexp.MustCompile(`template (\S+), line (\d+):`)

// templateAction previews, saves or reverts a template. A preview renders
// the source as typed with the tenant's other overrides against sample
// data, in the engine's sandbox, and changes nothing; a save goes
// through Config.SaveTemplateOverride, which checks the same way; a revert deletes
// the override. A source that fails comes back as typed with the error
// and its line highlighted.
func (a *app) templateAction(w http.ResponseWriter, r *http.Request, req *request) {
	ctx, name, source := r.Context(), r.PostForm.Get("name"), r.PostForm.Get("source")
	if !a.templateName(w, r, name) {
		return
	}
	var err error
	switch r.PathValue("op") {
	case "preview":
	case "save":
		_, err = req.desk.Config().SaveTemplateOverride(ctx, name, source)
		if err == nil {
			http.Redirect(w, r, "/admin/templates/edit?done=saved&name="+url.QueryEscape(name), http.StatusSeeOther)
			return
		}
	case "revert":
		err = req.desk.Config().DeleteTemplateOverride(ctx, name)
		if err == nil || errors.Is(err, casekit.ErrNotFound) {
			http.Redirect(w, r, "/admin/templates/edit?done=reverted&name="+url.QueryEscape(name), http.StatusSeeOther)
			return
		}
	default:
		a.fail(w, r, http.StatusNotFound, "There is no such page.")
		return
	}
	var ve *casekit.ValidationError
	if err != nil && !errors.As(err, &ve) {
		if errors.Is(err, casekit.ErrForbidden) {
			a.forbidden(w, r, err)
			return
		}
		a.internal(w, r, err)
		return
	}
	over, oerr := req.desk.Config().TemplateSources(ctx)
	if oerr != nil {
		a.internal(w, r, oerr)
		return
	}
	p := a.newTemplateEditPage(r, req, name, over)
	p.Source = source
	status := http.StatusOK
	if ve != nil {
		status = http.StatusUnprocessableEntity
		p.Problem = ve.Error()
		for _, fe := range ve.Fields {
			if fe.Field == "source" {
				p.Problem = fe.Message
			}
		}
		if m := templateLine.FindStringSubmatch(p.Problem); m != nil && m[1] == name {
			p.ErrLine, _ = strconv.Atoi(m[2])
		}
	} else {
		p.Preview, err = a.engine.Preview(ctx, name, source, over)
		var te *templates.Error
		switch {
		case errors.As(err, &te):
			status, p.Problem = http.StatusUnprocessableEntity, te.Error()
			if te.Template == name {
				p.ErrLine = te.Line
			}
		case err != nil:
			status, p.Problem = http.StatusUnprocessableEntity, err.Error()
		}
	}
	if p.Problem != "" {
		for i, l := range strings.Split(source, "\n") {
			p.Lines = append(p.Lines, sourceLine{N: i + 1, Text: l, Bad: i+1 == p.ErrLine})
		}
	}
	a.render(w, r, status, "template", p)
}
