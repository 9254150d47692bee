package main

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"casekit.dev/casekit"
)

// basePage is what every page's layout needs.
type basePage struct {
	Title string
	Who   session
	Name  string // the signed-in person's name
	CSRF  string
	Path  string
	Admin bool // the agent may configure the tenant
	// Presence is the agent's availability for the queues that assign,
	// for the header's toggle: "available", "away", or "" for others.
	Presence string
}

func (a *app) basePage(r *http.Request, s session, title string) basePage {
	p := basePage{Title: title, Who: s, CSRF: a.csrfToken(s), Path: r.URL.Path}
	if s.ID != "" {
		p.Name = a.name(r.Context(), s.ID)
	}
	if s.Kind == kindAgent {
		p.Admin, _ = a.kit.Desk(tenant).As(casekit.Agent(s.ID)).Can(r.Context(), casekit.PermConfigure)
		p.Presence = a.presence(r, s.ID)
	}
	return p
}

// name gives a person's display name, or the ID itself.
func (a *app) name(ctx context.Context, id string) string {
	if p, err := a.accounts.Person(ctx, tenant, id); err == nil && p.Name != "" {
		return p.Name
	}
	return id
}

// actorName names who did something.
func (a *app) actorName(ctx context.Context, act casekit.Actor) string {
	switch act.Kind {
	case casekit.KindSystem:
		return "System"
	case casekit.KindCustomer:
		return a.name(ctx, act.ID) + " (customer)"
	}
	return a.name(ctx, act.ID)
}

func (a *app) parsePages() error {
	funcs := template.FuncMap{
		"when": func(t any) string {
			switch t := t.(type) {
			case time.Time:
				return t.UTC().Format("2006-01-02 15:04")
			case *time.Time:
				if t == nil {
					return ""
				}
				return t.UTC().Format("2006-01-02 15:04")
			}
			return ""
		},
		"duration": humanDuration,
		"took":     func(d time.Duration) string { return d.Round(time.Millisecond).String() },
		"fld":      func(name, label string, f *form) fieldData { return fieldData{name, name, label, f} },
		"pfld": func(prefix, name, label string, f *form) fieldData {
			return fieldData{prefix + "-" + strings.ReplaceAll(name, ".", "-"), name, label, f}
		},
		"cf": func(prefix string, defs []casekit.CustomField, f *form) customData {
			return customData{prefix, defs, f}
		},
		"selected":    func(cur, v string) bool { return cur == v },
		"inc":         func(i int) int { return i + 1 },
		"pct":         func(share float64) float64 { return share * 100 },
		"accountView": func(p *accountsPage, row accountRow) accountView { return accountView{p, row} },
		"files":       func(number int64, atts []casekit.Attachment) filesData { return filesData{number, atts} },
		"in": func(list []string, v string) bool {
			for _, s := range list {
				if s == v {
					return true
				}
			}
			return false
		},
	}
	layout, err := fs.ReadFile(webFS, "web/layout.html")
	if err != nil {
		return err
	}
	names, err := fs.Glob(webFS, "web/*.html")
	if err != nil {
		return err
	}
	a.pages = map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" {
			continue
		}
		src, err := fs.ReadFile(webFS, n)
		if err != nil {
			return err
		}
		t, err := template.New("layout").Funcs(funcs).Parse(string(layout))
		if err != nil {
			return fmt.Errorf("layout: %w", err)
		}
		if _, err := t.Parse(string(src)); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		a.pages[base] = t
	}
	return nil
}

// render writes the page called name with status; a page that fails to
// render is logged and answered 500 as plain text.
func (a *app) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t := a.pages[name]
	var b bytes.Buffer
	if t == nil {
		a.log.ErrorContext(r.Context(), "helpdesk: no page", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&b, "layout", data); err != nil {
		a.log.ErrorContext(r.Context(), "helpdesk: rendering", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// fieldData is what the "field" template of a form page is given.
type fieldData struct {
	ID, Name, Label string
	Form            *form
}

// filesData is what the "files" template, a message's or note's
// attachments, is given.
type filesData struct {
	Number int64
	Files  []casekit.Attachment
}

// customData is what the "custom" template, the custom fields of a
// form, is given.
type customData struct {
	Prefix string
	Defs   []casekit.CustomField
	Form   *form
}

// humanDuration says a case's age as people do: "3d 4h", "25m".
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd %dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}
