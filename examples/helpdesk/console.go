package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casehttp"
)

// form is one form's typed values and errors, for showing it again after
// a refusal: Errors by field name, Other for what belongs to no field.
type form struct {
	Open   bool
	Values map[string]string
	Errors map[string]string
	Other  []string
	// Preview is what a confirmation step shows before the change.
	Preview []string
}

// Val returns the value typed in a field.
func (f *form) Val(k string) string {
	if f == nil {
		return ""
	}
	return f.Values[k]
}

// Err returns the error of a field.
func (f *form) Err(k string) string {
	if f == nil {
		return ""
	}
	return f.Errors[k]
}

// formFrom keeps what was posted and sorts err's field errors into those
// the form shows next to a field and the rest.
func formFrom(values url.Values, fields []string, err error) *form {
	f := &form{Open: true, Values: map[string]string{}, Errors: map[string]string{}}
	for k := range values {
		if k != "csrf" {
			f.Values[k] = values.Get(k)
		}
	}
	var ve *casekit.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Fields {
			if slices.Contains(fields, fe.Field) {
				if f.Errors[fe.Field] == "" {
					f.Errors[fe.Field] = fe.Message
				}
			} else {
				f.Other = append(f.Other, fe.Field+": "+fe.Message)
			}
		}
	} else if msg := explain(err); msg != "" {
		f.Other = append(f.Other, msg)
	}
	return f
}

// option is one entry of a select.
type option struct{ Value, Label string }

// listPage is the case list.
type listPage struct {
	basePage
	Filter             *form
	Notice             string
	Rows               []caseRow
	Next               string
	Statuses           []casekit.Status
	Priorities, Types  []casekit.Lookup
	Queues             []casekit.Queue
	Teams              []casekit.Team
	Agents, Customers  []option
	Sorts, StatusFlags []option
}

type caseRow struct {
	*casekit.Case
	StatusLabel, Assignee, Customer, Queue string
	Age                                    time.Duration
	Breached                               bool
}

// filterFields are the list's filter fields shown on the form; any other
// CaseFilter field may still come in the query string.
var filterFields = []string{"q", "status", "priority", "queue_id", "team_id", "assignee_id", "tag", "customer_id",
	"created_after", "created_before", "breached", "sort", "status_flags", "type", "deadline_before"}

func (a *app) listCases(w http.ResponseWriter, r *http.Request, req *request) {
	q := r.URL.Query()
	page := &listPage{basePage: a.basePage(r, req.s, "Cases"), Filter: &form{Values: map[string]string{}, Errors: map[string]string{}},
		Notice: notices[q.Get("done")]}
	q.Del("done")
	for k := range q {
		page.Filter.Values[k] = q.Get(k)
	}
	if err := a.listOptions(r, req, page); err != nil {
		a.internal(w, r, err)
		return
	}
	f, err := parseFilter(q)
	var pg *casekit.CasePage
	if err == nil {
		if f.Limit == 0 {
			f.Limit = 20
		}
		pg, err = req.desk.ListCases(r.Context(), f)
	}
	var ve *casekit.ValidationError
	if errors.As(err, &ve) {
		page.Filter = formFrom(q, filterFields, err)
		a.render(w, r, http.StatusUnprocessableEntity, "cases", page)
		return
	}
	if err != nil {
		a.internal(w, r, err)
		return
	}
	labels := map[string]string{}
	for _, s := range page.Statuses {
		labels[s.Key] = s.Label
	}
	queues := map[string]string{}
	for _, qu := range page.Queues {
		queues[qu.ID] = qu.Name
	}
	now := a.clock.Now()
	for _, c := range pg.Cases {
		row := caseRow{Case: c, StatusLabel: labels[c.Status], Queue: queues[c.QueueID], Age: c.Age(now)}
		if c.AssigneeID != "" {
			row.Assignee = a.name(r.Context(), c.AssigneeID)
		}
		switch {
		case c.CustomerID != "":
			row.Customer = a.name(r.Context(), c.CustomerID)
		case c.Contact.Name != "":
			row.Customer = c.Contact.Name
		default:
			row.Customer = c.Contact.Email
		}
		row.Breached = c.SLAPausedAt == nil && ((c.FirstResponseAt == nil && c.ResponseDue != nil && c.ResponseDue.Before(now)) ||
			(c.ResolutionDue != nil && c.ResolutionDue.Before(now) && c.ResolvedAt == nil))
		page.Rows = append(page.Rows, row)
	}
	if pg.Next != "" {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("after", pg.Next)
		page.Next = "/cases?" + nq.Encode()
	}
	a.render(w, r, http.StatusOK, "cases", page)
}

// parseFilter reads the filter with casehttp.ParseCaseFilter, after
// dropping the empty fields a GET form sends and reading the form's
// dates (2026-11-23) as the start of that day in UTC.
func parseFilter(q url.Values) (casekit.CaseFilter, error) {
	clean := url.Values{}
	var errs []casekit.FieldError
	for k, vs := range q {
		for _, v := range vs {
			if v = strings.TrimSpace(v); v == "" {
				continue
			}
			if k == "created_after" || k == "created_before" || k == "deadline_before" {
				if d, err := time.Parse("2006-01-02", v); err == nil {
					v = d.Format(time.RFC3339)
				} else if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
					errs = append(errs, casekit.FieldError{Field: k, Rule: "date", Message: "is not a date such as 2026-11-23"})
					continue
				}
			}
			clean.Add(k, v)
		}
	}
	f, err := casehttp.ParseCaseFilter(clean)
	var ve *casekit.ValidationError
	if errors.As(err, &ve) {
		errs = append(errs, ve.Fields...)
	} else if err != nil {
		return f, err
	}
	if len(errs) > 0 {
		return f, &casekit.ValidationError{Fields: errs}
	}
	return f, nil
}

func (a *app) listOptions(r *http.Request, req *request, p *listPage) error {
	ctx := r.Context()
	var err error
	if p.Statuses, err = req.desk.Config().Statuses(ctx); err != nil {
		return err
	}
	if p.Priorities, err = req.desk.Config().Lookups(ctx, casekit.LookupPriority); err != nil {
		return err
	}
	if p.Types, err = req.desk.Config().Lookups(ctx, casekit.LookupCaseType); err != nil {
		return err
	}
	if p.Queues, err = req.desk.Config().Queues(ctx); err != nil {
		return err
	}
	if p.Teams, err = req.desk.Config().Teams(ctx); err != nil {
		return err
	}
	if p.Agents, p.Customers, err = a.people(ctx); err != nil {
		return err
	}
	p.Sorts = []option{{"", "Newest first"}, {"created", "Oldest first"}, {"-updated", "Recently changed"}, {"priority", "Most urgent"}, {"due", "Due soonest"}}
	p.StatusFlags = []option{{"", "Any"}, {"active", "Active"}, {"initial", "New"}, {"paused", "Waiting"}, {"resolved", "Resolved"}, {"final", "Closed"}, {"canceled", "Canceled"}}
	return nil
}

// people returns the agents and the customers as options.
func (a *app) people(ctx context.Context) (agents, customers []option, err error) {
	all, err := a.accounts.everyone(ctx)
	for _, ac := range all {
		if ac.Kind == kindAgent {
			agents = append(agents, option{ac.ID, ac.Name})
		} else {
			customers = append(customers, option{ac.ID, ac.Name})
		}
	}
	return agents, customers, err
}

// casePage is a case's detail page.
type casePage struct {
	basePage
	Case          *casekit.Case
	Status        casekit.Status
	Age           time.Duration
	Notice        string
	Assignee      string
	Customer      string
	QueueName     string
	TeamName      string
	Activities    []*casekit.Activity
	Notes         []*casekit.Note
	Messages      []*casekit.Message
	Linked        []casekit.LinkedCase
	History       []historyRow
	Next          []casekit.Status // the status bar: where the case may go
	Forms         map[string]*form
	Agents        []option
	Teams         []casekit.Team
	Queues        []casekit.Queue
	SLAs          []casekit.SLA
	Types         []casekit.Lookup
	Closures      []casekit.Lookup
	Reopens       []casekit.Lookup
	NoteSubjects  []casekit.Lookup
	SupportLevels []casekit.Lookup
	ActivityKinds []string
	Names         map[string]string // actor string → name
	caseControls
}

// Form returns the named form, empty when it has nothing to show.
func (p *casePage) Form(name string) *form {
	if f := p.Forms[name]; f != nil {
		return f
	}
	return &form{}
}

type historyRow struct {
	At      time.Time
	Who     string
	What    string
	Details string
}

// notices are what a redirect after a post may say: fixed texts, so
// nothing typed is reflected.
var notices = map[string]string{
	"status": "The status was changed.", "closed": "The case is closed.", "reopened": "The case is reopened.",
	"resolved": "The case is resolved.", "assigned": "The case was assigned.", "picked": "The case is yours now.",
	"escalated": "The case was escalated.", "reclassified": "The case was reclassified.", "activity": "The activity was added.",
	"completed": "The activity was completed.", "note": "The note was added.", "reply": "The message was posted.",
	"opened": "The case is opened.", "edited": "The case was saved.", "deleted": "The case was deleted.",
	"completed-closed": "The activity was completed and the case closed.",
	"tagged":           "The tag was added.", "untagged": "The tag was removed.", "watching": "The watcher was added.",
	"unwatched": "The watcher was removed.", "linked": "The cases are linked.", "unlinked": "The link was removed.",
	"merged": "The duplicate was merged into this case.", "revoked": "The portal link was revoked.",
	"process-started": "The process is started.", "stage": "The case moved to another stage of its process.",
	"process-stopped": "The process is stopped.", "macro": "The macro was applied.",
}

func (a *app) loadCase(w http.ResponseWriter, r *http.Request, req *request) (*casekit.Case, bool) {
	n, err := strconv.ParseInt(r.PathValue("number"), 10, 64)
	if err != nil || n <= 0 {
		a.fail(w, r, http.StatusNotFound, "There is no such case.")
		return nil, false
	}
	c, err := req.desk.CaseByNumber(r.Context(), n)
	if errors.Is(err, casekit.ErrNotFound) {
		a.fail(w, r, http.StatusNotFound, "There is no such case: it may have been deleted, or never existed.")
		return nil, false
	}
	if err != nil {
		a.internal(w, r, err)
		return nil, false
	}
	return c, true
}

func (a *app) caseDetail(w http.ResponseWriter, r *http.Request, req *request) {
	c, ok := a.loadCase(w, r, req)
	if !ok {
		return
	}
	a.showCase(w, r, req, c, http.StatusOK, nil)
}

// showCase renders the case's page with status, and with forms holding
// what a refused post typed.
func (a *app) showCase(w http.ResponseWriter, r *http.Request, req *request, c *casekit.Case, status int, forms map[string]*form) {
	ctx := r.Context()
	d := req.desk
	p := &casePage{basePage: a.basePage(r, req.s, fmt.Sprintf("#%d %s", c.Number, c.Subject)), Case: c, Forms: forms,
		Age: c.Age(a.clock.Now()), Notice: notices[r.URL.Query().Get("done")], Names: map[string]string{},
		ActivityKinds: []string{"task", "call", "email", "meeting", "third_party"}}
	if status != http.StatusOK {
		p.Notice = ""
	}
	if c.AssigneeID != "" {
		p.Assignee = a.name(ctx, c.AssigneeID)
	}
	if err := a.controls(r, req, c, forms, &p.caseControls); err != nil {
		a.internal(w, r, err)
		return
	}
	p.Customer = c.Contact.Name
	if c.CustomerID != "" {
		p.Customer = a.name(ctx, c.CustomerID)
	}
	statuses, err := d.Config().Statuses(ctx)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	transitions, err := d.Config().Transitions(ctx)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	for _, s := range statuses {
		if s.Key == c.Status {
			p.Status = s
		}
	}
	for _, s := range statuses { // in display order
		if s.Reopen && !p.Status.ReadOnly() {
			continue // an active case moves there only by a customer's reply
		}
		if slices.Contains(transitions, casekit.Transition{From: c.Status, To: s.Key}) {
			p.Next = append(p.Next, s)
		}
	}
	load := func(f func() error) {
		if err == nil {
			err = f()
		}
	}
	load(func() error { // the thread and the links as of one transaction
		v, err := d.CaseView(ctx, c.ID)
		if err == nil {
			p.Activities, p.Notes, p.Messages, p.Linked = v.Activities, v.Notes, v.Messages, v.Linked
		}
		return err
	})
	load(func() (e error) { p.Teams, e = d.Config().Teams(ctx); return })
	load(func() (e error) { p.Queues, e = d.Config().Queues(ctx); return })
	load(func() (e error) { p.SLAs, e = d.Config().SLAs(ctx); return })
	load(func() (e error) { p.Types, e = d.Config().Lookups(ctx, casekit.LookupCaseType); return })
	load(func() (e error) { p.Closures, e = d.Config().Lookups(ctx, casekit.LookupClosureReason); return })
	load(func() (e error) { p.Reopens, e = d.Config().Lookups(ctx, casekit.LookupReopenReason); return })
	load(func() (e error) { p.NoteSubjects, e = d.Config().Lookups(ctx, casekit.LookupNoteSubject); return })
	load(func() (e error) { p.SupportLevels, e = d.Config().Lookups(ctx, casekit.LookupSupportLevel); return })
	load(func() (e error) { p.Agents, _, e = a.people(ctx); return })
	var events []casekit.Event
	load(func() (e error) { events, e = d.History(ctx, c.ID); return })
	if err != nil {
		a.internal(w, r, err)
		return
	}
	for _, q := range p.Queues {
		if q.ID == c.QueueID {
			p.QueueName = q.Name
		}
	}
	for _, tm := range p.Teams {
		if tm.ID == c.TeamID {
			p.TeamName = tm.Name
		}
	}
	for _, e := range events {
		p.History = append(p.History, historyRow{At: e.At, Who: a.actorName(ctx, e.Actor), What: string(e.Type), Details: describe(e)})
	}
	for _, act := range p.Activities {
		p.Names[act.CreatedBy.String()] = a.actorName(ctx, act.CreatedBy)
	}
	for _, n := range p.Notes {
		p.Names[n.CreatedBy.String()] = a.actorName(ctx, n.CreatedBy)
	}
	for _, m := range p.Messages {
		p.Names[m.CreatedBy.String()] = a.actorName(ctx, m.CreatedBy)
	}
	a.render(w, r, status, "case", p)
}

// describe gives the details of an event worth a glance.
func describe(e casekit.Event) string {
	var parts []string
	for _, k := range []string{"from", "to", "agent", "team", "queue", "level", "reason", "note", "subject", "summary", "result", "excerpt", "rating", "trigger_name", "macro_name"} {
		if v, ok := e.Data[k]; ok && v != "" && v != nil {
			parts = append(parts, fmt.Sprintf("%s: %v", k, v))
		}
	}
	return strings.Join(parts, " · ")
}

// actionFields are the fields each action's form shows, for putting its
// errors next to them.
var actionFields = map[string][]string{
	"status":     {"to"},
	"resolve":    {"summary", "cancel_open_activities"},
	"close":      {"reason", "note", "cancel_open_activities"},
	"reopen":     {"reason", "note"},
	"assign":     {"agent", "team", "queue"},
	"take":       {},
	"escalate":   {"level", "agent", "team", "reason"},
	"reclassify": {"type", "category", "service", "sla", "reason"},
	"activity":   {"kind", "subject", "description", "due", "assignee_id", "notify_contact"},
	"note":       {"subject", "body", "public", "files"},
	"reply":      {"body", "internal", "files"},
	"edit":       editFields,
	"delete":     {"reason"},
	// The process bar's: NextStage's errors name the case's fields, which
	// the bar lists above its buttons.
	"process-start": {"process"},
	"process-next":  {},
	"process-back":  {},
	"process-stop":  {},
	"macro":         {"macro"},
}

// caseAction runs one of the case page's forms.
func (a *app) caseAction(w http.ResponseWriter, r *http.Request, req *request) {
	action := r.PathValue("action")
	if _, ok := relationFields[action]; ok {
		a.caseRelation(w, r, req, action)
		return
	}
	fields, known := actionFields[action]
	if action == "edit" {
		fields = slices.Concat(fields, postedCustom(r.PostForm))
	}
	if !known {
		a.fail(w, r, http.StatusNotFound, "There is no such page.")
		return
	}
	c, ok := a.loadCase(w, r, req)
	if !ok {
		return
	}
	ctx, d, v := r.Context(), req.desk, r.PostForm.Get
	checked := func(k string) bool { return v(k) == "on" || v(k) == "true" }
	var err error
	done := action
	switch action {
	case "status":
		_, err = d.SetStatus(ctx, c.ID, v("to"))
	case "resolve":
		_, err = d.Resolve(ctx, c.ID, casekit.Resolution{Summary: v("summary"), CancelOpenActivities: checked("cancel_open_activities")})
		done = "resolved"
	case "close":
		_, err = d.Close(ctx, c.ID, casekit.Closure{Reason: v("reason"), Note: v("note"), CancelOpenActivities: checked("cancel_open_activities")})
		done = "closed"
	case "reopen":
		_, err = d.Reopen(ctx, c.ID, casekit.Reopening{Reason: v("reason"), Note: v("note")})
		done = "reopened"
	case "assign":
		as := casekit.Assignment{Agent: v("agent"), Team: v("team"), Queue: v("queue")}
		if as.Agent == "-" {
			as.Agent, as.ClearAgent = "", true
		}
		_, err = d.Assign(ctx, c.ID, as)
		done = "assigned"
	case "take":
		_, err = d.PickCase(ctx, c.ID)
		done = "picked"
	case "escalate":
		e := casekit.Escalation{Agent: v("agent"), Team: v("team"), Reason: v("reason")}
		if e.Level, err = strconv.Atoi(v("level")); err != nil {
			err = fieldError("level", "required", "Choose a support level.")
		} else {
			_, err = d.Escalate(ctx, c.ID, e)
		}
		done = "escalated"
	case "reclassify":
		rc := casekit.Reclassification{Reason: v("reason")}
		changed := func(k, cur string) *string {
			if nv, ok := r.PostForm[k]; ok && nv[0] != cur {
				return &nv[0]
			}
			return nil
		}
		rc.Type, rc.Category, rc.Service, rc.SLA = changed("type", c.Type), changed("category", c.Category), changed("service", c.Service), changed("sla", c.SLAID)
		_, err = d.Reclassify(ctx, c.ID, rc)
		done = "reclassified"
	case "activity":
		in := casekit.NewActivity{Kind: casekit.ActivityKind(v("kind")), Subject: v("subject"), Description: v("description"),
			AssigneeID: v("assignee_id"), NotifyContact: checked("notify_contact")}
		if due := v("due"); due != "" {
			t, perr := time.Parse("2006-01-02T15:04", due)
			if perr != nil {
				err = fieldError("due", "datetime", "is not a date and time such as 2026-11-23T15:00")
			}
			in.Due = &t
		}
		if err == nil {
			_, err = d.AddActivity(ctx, c.ID, in)
		}
	case "note", "reply":
		var ups []casekit.NewAttachment
		if ups, err = upload(r, d, c); err == nil && action == "note" {
			_, err = d.AddNote(ctx, c.ID, casekit.NewNote{Subject: v("subject"), Body: v("body"), Public: checked("public"), Attachments: ups})
		} else if err == nil {
			_, err = d.PostMessage(ctx, c.ID, casekit.NewMessage{Direction: casekit.Outbound, Body: v("body"), Internal: checked("internal"), Attachments: ups})
		}
		if err != nil && len(ups) > 0 {
			// A refused post leaves no file behind.
			if derr := d.DiscardUploads(context.WithoutCancel(ctx), c.ID, ups); derr != nil {
				a.log.WarnContext(ctx, "helpdesk: discarding the files of a refused post", "case", c.Number, "err", derr)
			}
		}
	case "edit":
		done, err = a.editCase(r, req, c)
	case "delete":
		done, err = a.deleteCase(r, req, c)
	case "process-start":
		_, err = d.StartProcess(ctx, c.ID, v("process"))
		done = "process-started"
	case "process-next":
		_, err = d.NextStage(ctx, c.ID)
		done = "stage"
	case "process-back":
		_, err = d.PreviousStage(ctx, c.ID)
		done = "stage"
	case "process-stop":
		_, err = d.StopProcess(ctx, c.ID)
		done = "process-stopped"
	case "macro":
		a.applyMacro(w, r, req, c)
		return
	}
	if err != nil {
		a.refused(w, r, req, c, action, fields, err)
		return
	}
	if done == "deleted" {
		http.Redirect(w, r, "/cases?done=deleted", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/cases/%d?done=%s", c.Number, done), http.StatusSeeOther)
}

func fieldError(field, rule, msg string) error {
	return &casekit.ValidationError{Fields: []casekit.FieldError{{Field: field, Rule: rule, Message: msg}}}
}

// refused shows the case again with the form as it was typed and what was
// wrong: 422 for bad input, 409 for a rule of the case; 404 and 403 get
// their pages.
func (a *app) refused(w http.ResponseWriter, r *http.Request, req *request, c *casekit.Case, name string, fields []string, err error) {
	var ve *casekit.ValidationError
	var stale *staleEdit
	status := http.StatusConflict
	switch {
	case errors.As(err, &stale):
	case errors.As(err, &ve):
		status = http.StatusUnprocessableEntity
	case errors.Is(err, casekit.ErrNotFound):
		a.fail(w, r, http.StatusNotFound, "There is no such case or activity.")
		return
	case errors.Is(err, casekit.ErrForbidden):
		a.forbidden(w, r, err)
		return
	case explain(err) == "":
		a.internal(w, r, err)
		return
	}
	// Read the case again: the command changed nothing, but the page
	// should show the case as it is now.
	if fresh, ferr := req.desk.Case(r.Context(), c.ID); ferr == nil {
		c = fresh
	}
	f := formFrom(r.PostForm, fields, err)
	if stale != nil {
		f.Other = append([]string{"Someone else changed the case while you were editing it, so nothing was saved. Since you opened the form:"},
			stale.changes...)
		f.Other = append(f.Other, "Your typing is kept below: check it against the changes and save again.")
	}
	a.showCase(w, r, req, c, status, map[string]*form{name: f})
}

func (a *app) completeActivity(w http.ResponseWriter, r *http.Request, req *request) {
	c, ok := a.loadCase(w, r, req)
	if !ok {
		return
	}
	acts, err := req.desk.Activities(r.Context(), c.ID)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	id := r.PathValue("id")
	if !slices.ContainsFunc(acts, func(act *casekit.Activity) bool { return act.ID == id }) {
		a.fail(w, r, http.StatusNotFound, "There is no such activity on this case.")
		return
	}
	in, done := casekit.Completion{Result: r.PostForm.Get("result")}, "completed"
	if r.PostForm.Get("close_case") == "on" {
		in.CloseCase, done = &casekit.Closure{Reason: r.PostForm.Get("reason"), Note: r.PostForm.Get("result")}, "completed-closed"
	}
	if _, err := req.desk.CompleteActivity(r.Context(), id, in); err != nil {
		a.refused(w, r, req, c, "complete-"+id, []string{"result", "reason"}, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/cases/%d?done=%s", c.Number, done), http.StatusSeeOther)
}

// queuesPage lists the queues with what waits in each.
type queuesPage struct {
	basePage
	Queues  []queueRow
	Message string
}

type queueRow struct {
	casekit.Queue
	Team            string
	Waiting, Active int
	More            bool
}

func (a *app) queues(w http.ResponseWriter, r *http.Request, req *request) {
	a.showQueues(w, r, req, http.StatusOK, "")
}

func (a *app) showQueues(w http.ResponseWriter, r *http.Request, req *request, status int, msg string) {
	ctx := r.Context()
	qs, err := req.desk.Config().Queues(ctx)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	teams, err := req.desk.Config().Teams(ctx)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	p := &queuesPage{basePage: a.basePage(r, req.s, "Queues"), Message: msg}
	for _, q := range qs {
		row := queueRow{Queue: q}
		for _, t := range teams {
			if t.ID == q.TeamID {
				row.Team = t.Name
			}
		}
		pg, err := req.desk.ListCases(ctx, casekit.CaseFilter{QueueID: q.ID, StatusFlags: []string{"active"}, Limit: 500})
		if err != nil {
			a.internal(w, r, err)
			return
		}
		row.Active, row.More = len(pg.Cases), pg.Next != ""
		for _, c := range pg.Cases {
			if c.AssigneeID == "" {
				row.Waiting++
			}
		}
		p.Queues = append(p.Queues, row)
	}
	a.render(w, r, status, "queues", p)
}

// pick gives the agent the next case waiting in the queue.
func (a *app) pick(w http.ResponseWriter, r *http.Request, req *request) {
	c, err := req.desk.Pick(r.Context(), r.PathValue("id"))
	var ve *casekit.ValidationError
	switch {
	case errors.Is(err, casekit.ErrNotFound):
		a.showQueues(w, r, req, http.StatusConflict, "No case is waiting in that queue.")
		return
	case errors.Is(err, casekit.ErrForbidden):
		a.showQueues(w, r, req, http.StatusForbidden, "You may pick only from the queues of your teams.")
		return
	case errors.As(err, &ve):
		a.showQueues(w, r, req, http.StatusUnprocessableEntity, "There is no such queue.")
		return
	case err != nil:
		a.internal(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/cases/%d?done=picked", c.Number), http.StatusSeeOther)
}
