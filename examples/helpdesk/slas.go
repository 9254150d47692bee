package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"casekit.dev/casekit"
)

// slasPage is the SLA editor: a form per SLA with a target per priority,
// a form for a new one, and the deadline preview.
type slasPage struct {
	basePage
	Notice     string
	Forms      []*form // the saved SLAs, then the new one
	Priorities []casekit.Lookup
	Calendars  []casekit.Calendar
	SLAs       []casekit.SLA
	Preview    *form
}

// slaValues are an SLA as its form shows it; a target's fields are
// "t.<priority>.first_response" and "t.<priority>.resolution".
func slaValues(s casekit.SLA) map[string]string {
	m := map[string]string{"id": s.ID, "name": s.Name, "calendar_id": s.CalendarID, "warn_before": shortDuration(s.WarnBefore)}
	for _, t := range s.Targets {
		m["t."+t.Priority+".first_response"] = shortDuration(t.FirstResponse)
		m["t."+t.Priority+".resolution"] = shortDuration(t.Resolution)
	}
	return m
}

// shortDuration writes a duration as people type it: "4h", "1h30m".
func shortDuration(d time.Duration) string {
	if d == 0 {
		return ""
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// formDuration reads a duration such as 4h or 90m from the form's field
// k; 0 when it is empty.
func formDuration(values url.Values, k string) (time.Duration, *casekit.FieldError) {
	s := strings.TrimSpace(values.Get(k))
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, &casekit.FieldError{Field: k, Rule: "duration", Message: "is not a duration such as 4h or 90m"}
	}
	return d, nil
}

// slaFromForm reads an SLA from its form: a target for each priority
// whose first response or resolution is filled in. prios[i] is the
// priority of the SLA's i-th target.
func slaFromForm(v url.Values, priorities []casekit.Lookup) (s casekit.SLA, prios []string, err error) {
	s = casekit.SLA{ID: strings.TrimSpace(v.Get("id")), Name: v.Get("name"), CalendarID: v.Get("calendar_id")}
	var bad []casekit.FieldError
	read := func(k string) time.Duration {
		d, fe := formDuration(v, k)
		if fe != nil {
			bad = append(bad, *fe)
		}
		return d
	}
	s.WarnBefore = read("warn_before")
	for _, p := range priorities {
		first, res := "t."+p.Key+".first_response", "t."+p.Key+".resolution"
		if strings.TrimSpace(v.Get(first)) == "" && strings.TrimSpace(v.Get(res)) == "" {
			continue
		}
		s.Targets = append(s.Targets, casekit.SLATarget{Priority: p.Key, FirstResponse: read(first), Resolution: read(res)})
		prios = append(prios, p.Key)
	}
	if len(bad) > 0 {
		return s, prios, &casekit.ValidationError{Fields: bad}
	}
	return s, prios, nil
}

// targetField is the library's name of a target's field.
var targetField = regexp.MustCompile(`^targets\[(\d+)\]\.(\w+)$`)

// rewriteFields gives err's field errors the names (and, where the
// form's field holds a list, the line) of the form's fields; errors
// that land on the same field are joined, so that a field shows them
// all.
func rewriteFields(err error, rewrite func(casekit.FieldError) casekit.FieldError) error {
	var ve *casekit.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := &casekit.ValidationError{}
	at := map[string]int{}
	for _, fe := range ve.Fields {
		fe = rewrite(fe)
		if i, ok := at[fe.Field]; ok {
			out.Fields[i].Message += "; " + fe.Message
			continue
		}
		at[fe.Field] = len(out.Fields)
		out.Fields = append(out.Fields, fe)
	}
	return out
}

func (a *app) slaEditor(w http.ResponseWriter, r *http.Request, req *request) {
	a.showSLAs(w, r, req, http.StatusOK, "", nil)
}

// showSLAs renders the SLA editor; refused, when not nil, is the form of
// the SLA whose save or delete was refused (key "" for the new one).
func (a *app) showSLAs(w http.ResponseWriter, r *http.Request, req *request, status int, key string, refused *form) {
	ctx := r.Context()
	p := &slasPage{basePage: a.basePage(r, req.s, "SLAs"), Notice: adminNotices[r.URL.Query().Get("done")]}
	var err error
	load := func(f func() error) {
		if err == nil {
			err = f()
		}
	}
	load(func() (e error) { p.SLAs, e = req.desk.Config().SLAs(ctx); return })
	load(func() (e error) { p.Calendars, e = req.desk.Config().Calendars(ctx); return })
	load(func() (e error) { p.Priorities, e = req.desk.Config().Lookups(ctx, casekit.LookupPriority); return })
	if err != nil {
		a.internal(w, r, err)
		return
	}
	p.Forms = itemForms(rowsOf(p.SLAs, slaValues), "id", key, refused, map[string]string{})
	p.Preview = a.deadlinePreview(r.URL.Query(), p)
	if p.Preview.Err("start") != "" && status == http.StatusOK {
		status = http.StatusUnprocessableEntity
	}
	a.render(w, r, status, "slas", p)
}

// deadlinePreview computes, when the query asks for it, the deadlines a
// case of a priority opened at a time gets under an SLA, with the SLA's
// calendar: casekit's SLA.Deadlines counts the business hours.
func (a *app) deadlinePreview(q url.Values, p *slasPage) *form {
	f := &form{Values: map[string]string{"start": q.Get("start"), "sla": q.Get("sla"), "priority": q.Get("priority")}, Errors: map[string]string{}}
	if f.Values["start"] == "" {
		f.Values["start"] = a.clock.Now().UTC().Format("2006-01-02T15:04")
	}
	if q.Get("preview") == "" {
		return f
	}
	start, err := formTime(q, "start")
	if err != nil || start == nil {
		f.Errors["start"] = "is not a date and time such as 2026-11-23T15:00"
		return f
	}
	var sla *casekit.SLA
	for i := range p.SLAs {
		if p.SLAs[i].ID == f.Values["sla"] {
			sla = &p.SLAs[i]
		}
	}
	if sla == nil {
		f.Errors["sla"] = "Choose an SLA."
		return f
	}
	var cal *casekit.Calendar
	loc := time.UTC
	for i := range p.Calendars {
		if p.Calendars[i].ID == sla.CalendarID {
			cal = &p.Calendars[i]
			if l, err := time.LoadLocation(cal.TimeZone); err == nil {
				loc = l
			}
		}
	}
	resp, res, ok, err := sla.Deadlines(cal, f.Values["priority"], *start)
	switch {
	case err != nil:
		f.Other = []string{"The deadlines cannot be computed: " + err.Error()}
	case !ok:
		f.Preview = []string{fmt.Sprintf("%s has no target for this priority: such a case gets no deadlines.", sla.Name)}
	default:
		counted := "around the clock"
		if cal != nil {
			counted = "in the working hours of " + cal.Name
		}
		at := func(t time.Time) string {
			return t.UTC().Format("Mon 2006-01-02 15:04") + " UTC (" + t.In(loc).Format("Mon 15:04 MST") + ")"
		}
		f.Preview = []string{"Counted " + counted + ":", "First response due " + at(resp), "Resolution due " + at(res)}
	}
	return f
}

// saveSLA saves or deletes one SLA; the library's errors on a target
// are shown on its priority's fields.
func (a *app) saveSLA(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	prios, err := req.desk.Config().Lookups(ctx, casekit.LookupPriority)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	fields := []string{"id", "name", "calendar_id", "warn_before"}
	for _, p := range prios {
		fields = append(fields, "t."+p.Key+".first_response", "t."+p.Key+".resolution")
	}
	var targets []string // the priority of each target saved
	a.editItem(w, r, itemEdit{path: "/admin/slas", fields: fields,
		save: func(v url.Values) error {
			s, prios, err := slaFromForm(v, prios)
			if targets = prios; err != nil {
				return err
			}
			return req.desk.Config().SaveSLA(ctx, s)
		},
		del: func(key string) error { return req.desk.Config().DeleteSLA(ctx, key) },
		rewrite: func(fe casekit.FieldError) casekit.FieldError {
			if m := targetField.FindStringSubmatch(fe.Field); m != nil {
				if i, _ := strconv.Atoi(m[1]); i < len(targets) {
					fe.Field = "t." + targets[i] + "." + m[2]
				}
			}
			return fe
		},
		show: func(status int, key string, f *form) { a.showSLAs(w, r, req, status, key, f) },
	})
}
