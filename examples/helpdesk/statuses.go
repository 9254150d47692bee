package main

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"casekit.dev/casekit"
)

// statusFlags are the flags of a status as the editor's columns show
// them, with what each does.
var statusFlags = []option{{"initial", "Initial: new cases start here"}, {"progress", "In progress: assigns the agent who moves a case here"},
	{"paused", "Paused: the SLA clock stops"}, {"reopen", "Reopen: where reopened cases go"}, {"resolved", "Resolved: read-only until reopened"},
	{"final", "Final: closed"}, {"canceled", "Canceled"}}

// maxStatusRows bounds the rows the status editor takes in one post.
const maxStatusRows = 100

// statusRow is one row of the status editor as shown or as posted.
type statusRow struct {
	Key, Label, Order string
	Flags             map[string]bool
	Saved             bool // the key is fixed once saved
	Remove            bool
	Errors            []string // the library's errors about this status
	OrderErr          string
}

// statusesPage is the status and transition editor.
type statusesPage struct {
	basePage
	Notice string
	Rows   []statusRow
	Flags  []option
	// Keys are the saved statuses' keys, the matrix's rows and columns,
	// with their labels.
	Keys    []option
	Allowed map[string]bool // "from>to"
	// TableErrors are the errors about the set of statuses as a whole,
	// ColErrors those about a column, TransErrors those about the
	// transitions.
	TableErrors []string
	ColErrors   map[string]string
	TransErrors []string
}

// transitionValue names a cell of the matrix: keys cannot hold ">".
func transitionValue(from, to string) string { return from + ">" + to }

func (a *app) statusesEditor(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	list, err := req.desk.Config().Statuses(ctx)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	ts, err := req.desk.Config().Transitions(ctx)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	p := a.newStatusesPage(r, req)
	p.Notice = adminNotices[r.URL.Query().Get("done")]
	for _, s := range list {
		row := statusRow{Key: s.Key, Label: s.Label, Order: strconv.Itoa(s.Order), Saved: true, Flags: map[string]bool{}}
		for i, f := range flagsOf(&s) {
			row.Flags[statusFlags[i].Value] = *f
		}
		p.Rows = append(p.Rows, row)
	}
	for _, t := range ts {
		p.Allowed[transitionValue(t.From, t.To)] = true
	}
	p.finish()
	a.render(w, r, http.StatusOK, "statuses", p)
}

func (a *app) newStatusesPage(r *http.Request, req *request) *statusesPage {
	return &statusesPage{basePage: a.basePage(r, req.s, "Statuses and transitions"), Flags: statusFlags,
		Allowed: map[string]bool{}, ColErrors: map[string]string{}}
}

// finish lists the matrix's statuses and adds the empty row for a new
// status.
func (p *statusesPage) finish() {
	p.Keys = nil
	for _, row := range p.Rows {
		if row.Saved {
			p.Keys = append(p.Keys, option{row.Key, row.Label})
		}
	}
	if len(p.Rows) == 0 || p.Rows[len(p.Rows)-1].Saved {
		p.Rows = append(p.Rows, statusRow{Flags: map[string]bool{}})
	}
}

// flagsOf are a status's flags in the order of statusFlags, for reading
// and setting them by column.
func flagsOf(s *casekit.Status) []*bool {
	return []*bool{&s.Initial, &s.Progress, &s.Paused, &s.Reopen, &s.Resolved, &s.Final, &s.Canceled}
}

// saveStatuses reads the editor's rows and ticked transitions and gives
// them to Config.ReplaceStatuses in one go; a refusal shows the table as it
// was posted with the library's errors next to the rows and columns
// they are about, and changes nothing.
func (a *app) saveStatuses(w http.ResponseWriter, r *http.Request, req *request) {
	v := r.PostForm
	n, err := strconv.Atoi(v.Get("rows"))
	if err != nil || n < 0 || n > maxStatusRows {
		a.fail(w, r, http.StatusBadRequest, fmt.Sprintf("The form is incomplete or has more than %d statuses; reload the page.", maxStatusRows))
		return
	}
	p := a.newStatusesPage(r, req)
	var statuses []casekit.Status
	removed := map[string]bool{}
	var orderErrs []casekit.FieldError
	for i := range n {
		k := func(name string) string { return fmt.Sprintf("s%d.%s", i, name) }
		row := statusRow{Key: strings.TrimSpace(v.Get(k("key"))), Label: v.Get(k("label")), Order: strings.TrimSpace(v.Get(k("order"))),
			Saved: v.Get(k("saved")) == "on", Remove: v.Get(k("remove")) == "on", Flags: map[string]bool{}}
		s := casekit.Status{Key: row.Key, Label: row.Label}
		for j, f := range flagsOf(&s) {
			row.Flags[statusFlags[j].Value] = v.Get(k(statusFlags[j].Value)) == "on"
			*f = row.Flags[statusFlags[j].Value]
		}
		if !row.Saved && row.Key == "" && row.Label == "" && row.Order == "" {
			continue // the empty row for a new status, left empty
		}
		if row.Order != "" {
			if s.Order, err = strconv.Atoi(row.Order); err != nil {
				row.OrderErr = "is not a whole number"
				orderErrs = append(orderErrs, casekit.FieldError{Field: k("order"), Rule: "number", Message: row.OrderErr})
			}
		}
		p.Rows = append(p.Rows, row)
		if row.Remove {
			removed[row.Key] = true
			continue
		}
		statuses = append(statuses, s)
	}
	var ts []casekit.Transition
	for _, t := range v["t"] {
		from, to, ok := strings.Cut(t, ">")
		if !ok {
			continue
		}
		p.Allowed[t] = true
		if !removed[from] && !removed[to] {
			ts = append(ts, casekit.Transition{From: from, To: to})
		}
	}
	if len(orderErrs) > 0 {
		err = &casekit.ValidationError{Fields: orderErrs}
	} else {
		err = req.desk.Config().ReplaceStatuses(r.Context(), statuses, ts)
	}
	var ve *casekit.ValidationError
	switch {
	case err == nil:
		http.Redirect(w, r, "/admin/statuses?done=saved", http.StatusSeeOther)
		return
	case errors.Is(err, casekit.ErrForbidden):
		a.forbidden(w, r, err)
		return
	case !errors.As(err, &ve):
		a.internal(w, r, err)
		return
	}
	p.place(ve)
	p.finish()
	a.render(w, r, http.StatusUnprocessableEntity, "statuses", p)
}

// quotedKey finds the status a message of the library names, as in
// `status "x" appears twice`.
var quotedKey = regexp.MustCompile(`status "([^"]*)"`)

// place puts each of the library's field errors where it belongs: next
// to the row of the status its message names, under the column it is
// about, above the matrix for transitions, or above the table.
func (p *statusesPage) place(ve *casekit.ValidationError) {
	for _, fe := range ve.Fields {
		switch {
		case strings.HasSuffix(fe.Field, ".order"):
			continue // already next to its field
		case fe.Field == "transitions":
			p.TransErrors = append(p.TransErrors, fe.Message)
			continue
		case fe.Field != "statuses":
			if p.ColErrors[fe.Field] == "" {
				p.ColErrors[fe.Field] = fe.Message
			}
			continue
		}
		placed := false
		if m := quotedKey.FindStringSubmatch(fe.Message); m != nil {
			for i := range p.Rows {
				if p.Rows[i].Key == m[1] && !placed {
					p.Rows[i].Errors = append(p.Rows[i].Errors, fe.Message)
					placed = true
				}
			}
		}
		if !placed {
			p.TableErrors = append(p.TableErrors, fe.Message)
		}
	}
}
