package main

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"casekit.dev/casekit"
)

// triggerEvents are the events a trigger may fire on, as the editor
// offers them, in the order people think of a case's life.
var triggerEvents = []option{
	{string(casekit.EventCaseOpened), "Case opened"}, {string(casekit.EventCaseUpdated), "Case updated"},
	{string(casekit.EventStatusChanged), "Status changed"}, {string(casekit.EventAssigned), "Assigned"},
	{string(casekit.EventEscalated), "Escalated"}, {string(casekit.EventReclassified), "Reclassified"},
	{string(casekit.EventMessagePosted), "Message posted"}, {string(casekit.EventNoteAdded), "Note added"},
	{string(casekit.EventActivityAdded), "Activity added"}, {string(casekit.EventActivityUpdated), "Activity updated"},
	{string(casekit.EventActivityCompleted), "Activity completed"}, {string(casekit.EventActivityCanceled), "Activity canceled"},
	{string(casekit.EventWatcherAdded), "Watcher added"}, {string(casekit.EventWatcherRemoved), "Watcher removed"},
	{string(casekit.EventSLAWarning), "SLA warning"}, {string(casekit.EventSLABreached), "SLA breached"},
	{string(casekit.EventResolved), "Resolved"}, {string(casekit.EventClosed), "Closed"},
	{string(casekit.EventCloseReminder), "Auto-close reminder"}, {string(casekit.EventReopened), "Reopened"},
	{string(casekit.EventRated), "Rated"}, {string(casekit.EventCanceled), "Canceled"},
	{string(casekit.EventProcessStarted), "Process started"}, {string(casekit.EventStageChanged), "Stage changed"},
	{string(casekit.EventProcessFinished), "Process finished"}, {string(casekit.EventProcessStopped), "Process stopped"},
	{string(casekit.EventLinked), "Linked"}, {string(casekit.EventUnlinked), "Unlinked"},
	{string(casekit.EventMerged), "Merged into another"}, {string(casekit.EventMergedIn), "Duplicate merged in"},
	{string(casekit.EventPortalLinkMailed), "Portal link mailed"}, {string(casekit.EventContactVerified), "Contact verified"},
}

// conditionFields are the fields the editor suggests for a condition;
// custom.<key> of the tenant's custom fields are added, and event.<key>
// may be typed.
var conditionFields = []string{"status", "status_flags", "priority", "type", "category", "origin", "service", "queue", "team",
	"assignee", "customer", "tags", "subject", "actor", "changed", "message.direction", "message.channel", "message.public",
	"message.body", "business_hours"}

// conditionOps are a condition's operators as the editor shows them.
var conditionOps = []option{{string(casekit.OpIs), "is"}, {string(casekit.OpIsNot), "is not"}, {string(casekit.OpContains), "contains"},
	{string(casekit.OpNotContains), "does not contain"}, {string(casekit.OpSet), "is set"}, {string(casekit.OpUnset), "is not set"}}

// actionKinds are the kinds of action, and what each reads from its row;
// notify is a trigger's alone (macros.go leaves it out).
var actionKinds = []option{{"", "—"}, {string(casekit.ActionSetPriority), "Set priority (value)"}, {string(casekit.ActionSetType), "Set type (value)"},
	{string(casekit.ActionAddTags), "Add tags (values)"}, {string(casekit.ActionRemoveTags), "Remove tags (values)"},
	{string(casekit.ActionSetCustom), "Set custom field (field, value)"}, {string(casekit.ActionAssignQueue), "Assign to queue (value)"},
	{string(casekit.ActionAssignTeam), "Assign to team (value)"}, {string(casekit.ActionAssignAgent), "Assign to agent (value)"},
	{string(casekit.ActionAddWatcher), "Add watcher (value: address, field: name)"}, {string(casekit.ActionAddActivity), "Add a task (value: subject)"},
	{string(casekit.ActionNotify), "Notify (to; value: an address)"}}

// notifyTargets are whom a notify action tells.
var notifyTargets = []option{{"", "—"}, {string(casekit.NotifyAssignee), "the assignee"}, {string(casekit.NotifyTeam), "the team"},
	{string(casekit.NotifyOwners), "the assignee, or else the team"}, {string(casekit.NotifyCustomer), "the customer and watchers"},
	{string(casekit.NotifyContact), "the contact alone"}, {string(casekit.NotifyWatchers), "the watchers"},
	{string(casekit.NotifyAcknowledgement), "an acknowledgement to the contact"}, {string(casekit.NotifyMail), "everyone an agent's e-mail goes to"},
	{string(casekit.NotifyAddress), "the address in value"}}

// Rows the editor adds at a time and takes at most: the library's bounds
// (30 conditions, 20 actions), so that a post cannot make the page or
// the parse grow beyond them.
const (
	maxConditionRows = 30
	maxActionRows    = 20
)

// triggersPage lists the triggers in the order they run.
type triggersPage struct {
	basePage
	Notice  string
	Problem []string // why a move, a switch or a delete was refused
	Rows    []triggerRow
}

// triggerRow is one trigger of the list, described in words.
type triggerRow struct {
	casekit.Trigger
	First, Last bool
	Events      string
	Conditions  []string
	Actions     []string
}

// triggerEditPage is the editor of one trigger.
type triggerEditPage struct {
	basePage
	Form       *form
	New        bool
	Events     []option // the events offered: triggerEvents and any other the trigger names
	Conditions []int    // the condition rows' numbers
	Actions    []int
	Fields     []string // the condition fields suggested
	Ops        []option
	Kinds      []option
	Targets    []option
	reference
}

// reference is what an action's value may name: the tenant's queues,
// teams, agents, priorities, types and custom fields, shown beside an
// editor of actions.
type reference struct {
	Queues, Teams, Agents, Priorities, Types, Custom []option
}

// loadReference fills r from the tenant's configuration and accounts.
func (a *app) loadReference(r *http.Request, req *request, ref *reference) error {
	ctx, cf := r.Context(), req.desk.Config()
	qs, err := cf.Queues(ctx)
	if err != nil {
		return err
	}
	ts, err := cf.Teams(ctx)
	if err != nil {
		return err
	}
	prios, err := cf.Lookups(ctx, casekit.LookupPriority)
	if err != nil {
		return err
	}
	types, err := cf.Lookups(ctx, casekit.LookupCaseType)
	if err != nil {
		return err
	}
	defs, err := cf.CustomFields(ctx)
	if err != nil {
		return err
	}
	ref.Queues = rowsOf(qs, func(q casekit.Queue) option { return option{q.ID, q.Name} })
	ref.Teams = rowsOf(ts, func(t casekit.Team) option { return option{t.ID, t.Name} })
	ref.Priorities = rowsOf(prios, func(l casekit.Lookup) option { return option{l.Key, l.Label} })
	ref.Types = rowsOf(types, func(l casekit.Lookup) option { return option{l.Key, l.Label} })
	ref.Custom = rowsOf(defs, func(d casekit.CustomField) option { return option{d.Key, d.Label} })
	ref.Agents, _, err = a.people(ctx)
	return err
}

func (a *app) triggerList(w http.ResponseWriter, r *http.Request, req *request) {
	a.showTriggers(w, r, req, http.StatusOK, nil)
}

// showTriggers renders the list; problem, when set, says why the last
// post changed nothing.
func (a *app) showTriggers(w http.ResponseWriter, r *http.Request, req *request, status int, problem []string) {
	ts, err := req.desk.Config().Triggers(r.Context())
	if err != nil {
		a.internal(w, r, err)
		return
	}
	p := &triggersPage{basePage: a.basePage(r, req.s, "Triggers"), Problem: problem}
	if status == http.StatusOK {
		p.Notice = triggerNotices[r.URL.Query().Get("done")]
	}
	for i, t := range ts {
		row := triggerRow{Trigger: t, First: i == 0, Last: i == len(ts)-1, Events: eventLabels(t.When)}
		for _, c := range t.If {
			row.Conditions = append(row.Conditions, describeCondition(c))
		}
		for _, act := range t.Then {
			row.Actions = append(row.Actions, describeAction(act))
		}
		p.Rows = append(p.Rows, row)
	}
	a.render(w, r, status, "triggers", p)
}

// triggerNotices are what the list says after a change.
var triggerNotices = map[string]string{"saved": "Saved.", "deleted": "Deleted.", "moved": "Moved.", "enabled": "Enabled.", "disabled": "Disabled."}

// eventLabels names events as the editor does.
func eventLabels(evs []casekit.EventType) string {
	names := make([]string, len(evs))
	for i, ev := range evs {
		names[i] = optionLabel(triggerEvents, string(ev))
	}
	return strings.Join(names, ", ")
}

// optionLabel is the label of the option with value v, or v.
func optionLabel(opts []option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

// describeCondition says a condition in words: "origin is web".
func describeCondition(c casekit.Condition) string {
	s := c.Field + " " + optionLabel(conditionOps, string(c.Op))
	if len(c.Values) > 0 {
		s += " " + strings.Join(c.Values, " or ")
	}
	return s
}

// describeAction says an action in words: "Assign to queue: billing".
func describeAction(act casekit.Action) string {
	label, _, _ := strings.Cut(optionLabel(actionKinds, string(act.Kind)), " (")
	var parts []string
	if act.Kind == casekit.ActionNotify {
		parts = append(parts, optionLabel(notifyTargets, string(act.To)))
	}
	if act.Field != "" {
		parts = append(parts, act.Field)
	}
	if act.Value != "" {
		parts = append(parts, act.Value)
	}
	if len(act.Values) > 0 {
		parts = append(parts, strings.Join(act.Values, ", "))
	}
	if len(parts) == 0 {
		return label
	}
	return label + ": " + strings.Join(parts, " · ")
}

// triggerValues are a trigger as its form shows it: "when.<event>",
// "if.<n>.field|op|values", "then.<n>.kind|value|values|field|to", the
// lists comma-separated.
func triggerValues(t casekit.Trigger) map[string]string {
	m := map[string]string{"key": t.Key, "name": t.Name, "enabled": checkbox(t.Enabled), "stop": checkbox(t.Stop),
		"skip_failed": checkbox(t.SkipFailed), "if_rows": strconv.Itoa(len(t.If) + 1)}
	for _, ev := range t.When {
		m["when."+string(ev)] = "on"
	}
	for i, c := range t.If {
		p := fmt.Sprintf("if.%d.", i)
		m[p+"field"], m[p+"op"], m[p+"values"] = c.Field, string(c.Op), strings.Join(c.Values, ", ")
	}
	maps.Copy(m, actionValues(t.Then))
	return m
}

// actionValues are actions as their rows show them, and the number of
// rows: one more than there are actions, for a new one.
func actionValues(acts []casekit.Action) map[string]string {
	m := map[string]string{"then_rows": strconv.Itoa(len(acts) + 1)}
	for i, act := range acts {
		p := fmt.Sprintf("then.%d.", i)
		m[p+"kind"], m[p+"value"], m[p+"values"], m[p+"field"], m[p+"to"] = string(act.Kind), act.Value, strings.Join(act.Values, ", "), act.Field, string(act.To)
	}
	return m
}

// commaList splits a comma-separated field into its trimmed, non-empty
// items.
func commaList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// formRows reads a row count the form posted, bounded by limit; at
// least one.
func formRows(v url.Values, name string, limit int) int {
	n, err := strconv.Atoi(v.Get(name))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, limit)
}

// actionsFromForm reads the action rows of a form; rows[i] is the form
// row of the i-th action (blank rows are skipped).
func actionsFromForm(v url.Values) (acts []casekit.Action, rows []int) {
	for i := range formRows(v, "then_rows", maxActionRows) {
		p := fmt.Sprintf("then.%d.", i)
		kind := strings.TrimSpace(v.Get(p + "kind"))
		if kind == "" {
			continue
		}
		acts = append(acts, casekit.Action{Kind: casekit.ActionKind(kind), Value: strings.TrimSpace(v.Get(p + "value")),
			Values: commaList(v.Get(p + "values")), Field: strings.TrimSpace(v.Get(p + "field")), To: casekit.NotifyTarget(v.Get(p + "to"))})
		rows = append(rows, i)
	}
	return acts, rows
}

// triggerFromForm reads a trigger from its form; condRows and actRows
// map the library's condition and action numbers to the form's rows.
func triggerFromForm(v url.Values) (t casekit.Trigger, condRows, actRows []int) {
	t = casekit.Trigger{Key: strings.TrimSpace(v.Get("key")), Name: v.Get("name"), Enabled: v.Get("enabled") == "on",
		Stop: v.Get("stop") == "on", SkipFailed: v.Get("skip_failed") == "on"}
	// The events in the editor's order, then any other posted.
	var evs []string
	for k := range v {
		if ev, ok := strings.CutPrefix(k, "when."); ok && v.Get(k) == "on" {
			evs = append(evs, ev)
		}
	}
	slices.SortFunc(evs, func(x, y string) int {
		ix, iy := optionIndex(triggerEvents, x), optionIndex(triggerEvents, y)
		if ix != iy {
			return ix - iy
		}
		return strings.Compare(x, y)
	})
	for _, ev := range evs {
		t.When = append(t.When, casekit.EventType(ev))
	}
	for i := range formRows(v, "if_rows", maxConditionRows) {
		p := fmt.Sprintf("if.%d.", i)
		field, values := strings.TrimSpace(v.Get(p+"field")), commaList(v.Get(p+"values"))
		if field == "" && len(values) == 0 {
			continue
		}
		t.If = append(t.If, casekit.Condition{Field: field, Op: casekit.ConditionOp(v.Get(p + "op")), Values: values})
		condRows = append(condRows, i)
	}
	t.Then, actRows = actionsFromForm(v)
	return t, condRows, actRows
}

// optionIndex is the index of the option with value v; past the end when
// there is none.
func optionIndex(opts []option, v string) int {
	for i, o := range opts {
		if o.Value == v {
			return i
		}
	}
	return len(opts)
}

// ruleField is the library's name of a condition's or an action's field:
// "if[2].values", "then[0].queue", "then[1]" (the whole action).
var ruleField = regexp.MustCompile(`^(if|then|actions|when)\[(\d+)\](?:\.(\w+))?$`)

// rowFields gives the library's field errors on conditions and actions
// the form's names: "if[i].x" the row's x, an action's queue, team or
// agent its value, a whole action (a loop) its row, an event "when".
func rowFields(condRows, actRows []int) func(casekit.FieldError) casekit.FieldError {
	return func(fe casekit.FieldError) casekit.FieldError {
		m := ruleField.FindStringSubmatch(fe.Field)
		if m == nil {
			return fe
		}
		if m[1] == "when" {
			fe.Field = "when"
			return fe
		}
		i, _ := strconv.Atoi(m[2])
		rows, prefix := actRows, "then"
		if m[1] == "if" {
			rows, prefix = condRows, "if"
		}
		if i >= len(rows) {
			return fe
		}
		switch m[3] {
		case "":
			fe.Field = fmt.Sprintf("%s.%d", prefix, rows[i])
		case "queue", "team", "agent":
			fe.Field = fmt.Sprintf("%s.%d.value", prefix, rows[i])
		default:
			fe.Field = fmt.Sprintf("%s.%d.%s", prefix, rows[i], m[3])
		}
		return fe
	}
}

// rowFieldNames are the names of a form's condition and action rows, for
// placing errors next to them.
func rowFieldNames(v url.Values) []string {
	var out []string
	for i := range formRows(v, "if_rows", maxConditionRows) {
		for _, f := range []string{"field", "op", "values"} {
			out = append(out, fmt.Sprintf("if.%d.%s", i, f))
		}
	}
	for i := range formRows(v, "then_rows", maxActionRows) {
		out = append(out, fmt.Sprintf("then.%d", i))
		for _, f := range []string{"kind", "value", "values", "field", "to"} {
			out = append(out, fmt.Sprintf("then.%d.%s", i, f))
		}
	}
	return out
}

// triggerEditor shows the editor of the trigger ?key= names, or of a new
// one.
func (a *app) triggerEditor(w http.ResponseWriter, r *http.Request, req *request) {
	key := r.URL.Query().Get("key")
	f := &form{Values: map[string]string{"enabled": "on", "if_rows": "2", "then_rows": "2"}}
	if key != "" {
		ts, err := req.desk.Config().Triggers(r.Context())
		if err != nil {
			a.internal(w, r, err)
			return
		}
		i := slices.IndexFunc(ts, func(t casekit.Trigger) bool { return t.Key == key })
		if i < 0 {
			a.fail(w, r, http.StatusNotFound, "There is no such trigger: it may have been deleted.")
			return
		}
		f = &form{Open: true, Values: triggerValues(ts[i])}
	}
	a.showTriggerEditor(w, r, req, http.StatusOK, f)
}

// showTriggerEditor renders the editor with f, Open for a saved trigger
// (its key fixed).
func (a *app) showTriggerEditor(w http.ResponseWriter, r *http.Request, req *request, status int, f *form) {
	title := "New trigger"
	if f.Open {
		title = "Trigger " + f.Val("key")
	}
	p := &triggerEditPage{basePage: a.basePage(r, req.s, title), Form: f, New: !f.Open, Events: slices.Clone(triggerEvents),
		Fields: slices.Clone(conditionFields), Ops: conditionOps, Kinds: actionKinds, Targets: notifyTargets}
	if err := a.loadReference(r, req, &p.reference); err != nil {
		a.internal(w, r, err)
		return
	}
	for k := range f.Values {
		if ev, ok := strings.CutPrefix(k, "when."); ok && !containsOption(p.Events, ev) {
			p.Events = append(p.Events, option{ev, ev})
		}
	}
	for _, c := range p.Custom {
		p.Fields = append(p.Fields, "custom."+c.Value)
	}
	p.Conditions = rowNumbers(f.Val("if_rows"), maxConditionRows)
	p.Actions = rowNumbers(f.Val("then_rows"), maxActionRows)
	a.render(w, r, status, "trigger", p)
}

// rowNumbers are 0..n-1 for the row count n a form holds, bounded.
func rowNumbers(n string, limit int) []int {
	out := make([]int, formRows(url.Values{"n": {n}}, "n", limit))
	for i := range out {
		out[i] = i
	}
	return out
}

// saveTrigger saves the trigger the editor posted, or, when the post
// asks for another condition or action row, shows the editor again with
// one more and saves nothing.
func (a *app) saveTrigger(w http.ResponseWriter, r *http.Request, req *request) {
	ctx, v := r.Context(), r.PostForm
	key := v.Get("row") // the saved trigger's key; "" for a new one
	if key != "" {
		v.Set("key", key)
	}
	if add := v.Get("add"); add == "if" || add == "then" {
		a.showTriggerEditor(w, r, req, http.StatusOK, moreRows(v, add, key != ""))
		return
	}
	t, condRows, actRows := triggerFromForm(v)
	ts, err := req.desk.Config().Triggers(ctx)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	i := slices.IndexFunc(ts, func(o casekit.Trigger) bool { return o.Key == t.Key })
	switch {
	case key == "" && i >= 0:
		err = fieldError("key", "unique", "is the key of another trigger; choose another")
	case key != "" && i < 0:
		a.fail(w, r, http.StatusNotFound, "There is no such trigger: it may have been deleted meanwhile.")
		return
	case i >= 0:
		t.Position = ts[i].Position
	case len(ts) > 0:
		t.Position = ts[len(ts)-1].Position + 10
	default:
		t.Position = 10
	}
	if err == nil {
		err = req.desk.Config().SaveTrigger(ctx, t)
	}
	if err == nil {
		http.Redirect(w, r, "/admin/triggers?done=saved", http.StatusSeeOther)
		return
	}
	status, err, ok := a.adminRefusal(w, r, err)
	if !ok {
		return
	}
	err = rewriteFields(err, rowFields(condRows, actRows))
	f := formFrom(v, append([]string{"key", "name", "when", "if", "then"}, rowFieldNames(v)...), err)
	f.Open = key != ""
	a.showTriggerEditor(w, r, req, status, f)
}

// moreRows is the posted form again with one more blank row of
// conditions ("if") or actions ("then").
func moreRows(v url.Values, which string, saved bool) *form {
	f := formFrom(v, nil, nil)
	f.Open = saved
	limit := maxConditionRows
	if which == "then" {
		limit = maxActionRows
	}
	f.Values[which+"_rows"] = strconv.Itoa(min(formRows(v, which+"_rows", limit)+1, limit))
	return f
}

// triggerAction moves, switches on or off, or deletes the trigger the
// post's "row" names; a refusal shows the list with why.
func (a *app) triggerAction(w http.ResponseWriter, r *http.Request, req *request) {
	ctx, op, key := r.Context(), r.PathValue("op"), r.PostForm.Get("row")
	if op == "save" {
		a.saveTrigger(w, r, req)
		return
	}
	if !slices.Contains([]string{"up", "down", "enable", "disable", "delete"}, op) {
		a.fail(w, r, http.StatusNotFound, "There is no such page.")
		return
	}
	cf := req.desk.Config()
	ts, err := cf.Triggers(ctx)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	i := slices.IndexFunc(ts, func(t casekit.Trigger) bool { return t.Key == key })
	if i < 0 {
		a.showTriggers(w, r, req, http.StatusNotFound, []string{"There is no such trigger: it may have been deleted meanwhile."})
		return
	}
	done := op + "d"
	switch op {
	case "up", "down":
		j, end := i-1, "first"
		if op == "down" {
			j, end = i+1, "last"
		}
		if j < 0 || j >= len(ts) {
			a.showTriggers(w, r, req, http.StatusConflict, []string{"That trigger is already " + end + "."})
			return
		}
		keys := rowsOf(ts, func(t casekit.Trigger) string { return t.Key })
		keys[i], keys[j] = keys[j], keys[i]
		err, done = cf.ReorderTriggers(ctx, keys), "moved"
	case "enable", "disable":
		ts[i].Enabled = op == "enable"
		err = cf.SaveTrigger(ctx, ts[i])
	case "delete":
		err, done = cf.DeleteTrigger(ctx, key), "deleted"
	}
	if err == nil {
		http.Redirect(w, r, "/admin/triggers?done="+done, http.StatusSeeOther)
		return
	}
	status, err, ok := a.adminRefusal(w, r, err)
	if !ok {
		return
	}
	var ve *casekit.ValidationError
	problem := []string{"Refused: " + commandRE.ReplaceAllString(err.Error(), "") + "."}
	if errors.As(err, &ve) {
		problem = []string{fmt.Sprintf("“%s” was not changed:", ts[i].Name)}
		for _, fe := range ve.Fields {
			problem = append(problem, fe.Field+": "+fe.Message)
		}
	}
	a.showTriggers(w, r, req, status, problem)
}
