package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"casekit.dev/casekit"
)

// webFormFields are the fields the public form shows.
var webFormFields = []string{"name", "email", "subject", "description", "type", "priority"}

type webFormPage struct {
	basePage
	Form       *form
	Types      []casekit.Lookup
	Priorities []casekit.Lookup
}

func (a *app) formPage(w http.ResponseWriter, r *http.Request) {
	a.showForm(w, r, http.StatusOK, &form{Values: map[string]string{"idempotency_key": nonce()}})
}

func (a *app) showForm(w http.ResponseWriter, r *http.Request, status int, f *form) {
	s := a.session(r)
	sys := a.kit.Desk(tenant).As(casekit.System)
	p := &webFormPage{basePage: a.basePage(r, s, "Contact support"), Form: f}
	var err error
	if p.Types, err = sys.Config().Lookups(r.Context(), casekit.LookupCaseType); err == nil {
		p.Priorities, err = sys.Config().Lookups(r.Context(), casekit.LookupPriority)
	}
	if err != nil {
		a.internal(w, r, err)
		return
	}
	a.render(w, r, status, "form", p)
}

// formPost hands the post to casehttp.WebForm and shows its answer as a
// page: a 422's field errors next to their fields with what was typed,
// or, once the case is opened, the thanks page.
func (a *app) formPost(wf http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{header: http.Header{}}
		wf.ServeHTTP(rec, r)
		switch rec.status {
		case http.StatusUnprocessableEntity:
			var body struct {
				Fields []casekit.FieldError `json:"fields"`
			}
			if err := json.Unmarshal([]byte(rec.body.String()), &body); err != nil {
				a.internal(w, r, fmt.Errorf("reading the web form's answer: %w", err))
				return
			}
			f := formFrom(r.PostForm, webFormFields, &casekit.ValidationError{Fields: body.Fields})
			a.showForm(w, r, http.StatusUnprocessableEntity, f)
		case http.StatusSeeOther:
			http.Redirect(w, r, rec.header.Get("Location"), http.StatusSeeOther)
		default:
			if v := rec.header.Get("Retry-After"); v != "" { // a 429: when the sender may try again
				w.Header().Set("Retry-After", v)
			}
			msg := strings.TrimSpace(rec.body.String())
			if rec.status == http.StatusNotFound || msg == "" {
				msg = http.StatusText(rec.status)
			}
			a.fail(w, r, rec.status, "The form could not be taken: "+msg)
		}
	}
}

type thanksPage struct {
	basePage
	Number int64
}

func (a *app) formThanks(w http.ResponseWriter, r *http.Request) {
	s := a.session(r)
	n, _ := strconv.ParseInt(r.URL.Query().Get("case"), 10, 64)
	a.render(w, r, http.StatusOK, "thanks", &thanksPage{basePage: a.basePage(r, s, "Thank you"), Number: n})
}

// recorder keeps what a handler answered, for formPost to show it as a
// page.
type recorder struct {
	header http.Header
	status int
	body   strings.Builder
}

// Header implements http.ResponseWriter.
func (r *recorder) Header() http.Header { return r.header }

// WriteHeader implements http.ResponseWriter: the first status counts.
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

// Write implements http.ResponseWriter.
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
