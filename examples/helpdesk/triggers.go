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

// The editor's menus are the library's lists (casekit.TriggerEvents,
// ConditionFields, ConditionOps, ActionKinds, NotifyTargets), in the
// library's order; the editor adds only the words, in maps keyed by the
// library's values. TestEditorNamesWhatTheLibraryLists fails when the
// library lists a value these do not name, or they name one it lacks.
var (
	eventNames = map[casekit.EventType]string{
		casekit.EventCaseOpened: "Case opened", casekit.EventCaseUpdated: "Case updated", casekit.EventStatusChanged: "Status changed",
		casekit.EventAssigned: "Assigned", casekit.EventEscalated: "Escalated", casekit.EventReclassified: "Reclassified",
		casekit.EventMessagePosted: "Message posted", casekit.EventNoteAdded: "Note added", casekit.EventActivityAdded: "Activity added",
		casekit.EventActivityUpdated: "Activity updated", casekit.EventActivityCompleted: "Activity completed",
		casekit.EventActivityCanceled: "Activity canceled", casekit.EventWatcherAdded: "Watcher added",
		casekit.EventWatcherRemoved: "Watcher removed", casekit.EventSLAWarning: "SLA warning", casekit.EventSLABreached: "SLA breached",
		casekit.EventResolved: "Resolved", casekit.EventClosed: "Closed", casekit.EventCloseReminder: "Auto-close reminder",
		casekit.EventReopened: "Reopened", casekit.EventRated: "Rated", casekit.EventCanceled: "Canceled",
		casekit.EventProcessStarted: "Process started", casekit.EventStageChanged: "Stage changed",
		casekit.EventProcessFinished: "Process finished", casekit.EventProcessStopped: "Process stopped", casekit.EventLinked: "Linked",
		casekit.EventUnlinked: "Unlinked", casekit.EventMerged: "Merged into another", casekit.EventMergedIn: "Duplicate merged in",
		casekit.EventPortalLinkMailed: "Portal link mailed", casekit.EventContactVerified: "Contact verified",
	}
	// fieldNames say what a condition field holds.
	fieldNames = map[string]string{
		"status": "the status's key", "status_flags": "initial, progress, paused, reopen, resolved, final, canceled, read_only",
		"priority": "the priority's key", "type": "the case type's key", "category": "the category", "origin": "web, email, portal, phone, …",
		"service": "the service", "queue": "the queue's ID", "team": "the team's ID", "assignee": "the agent's ID",
		"customer": "the customer's ID", "tags": "the case's tags", "subject": "words of the subject",
		"actor": "agent, customer or system", "changed": "the fields the event changed", "message.direction": "inbound or outbound",
		"message.channel": "email, portal, phone, …", "message.public": "true or false", "message.body": "words of the message",
		"business_hours": "true within the working hours of the case's calendar",
	}
	opNames = map[casekit.ConditionOp]string{casekit.OpIs: "is", casekit.OpIsNot: "is not", casekit.OpContains: "contains",
		casekit.OpNotContains: "does not contain", casekit.OpSet: "is set", casekit.OpUnset: "is not set"}
	// kindNames say what each kind of action reads from its row.
	kindNames = map[casekit.ActionKind]string{
		casekit.ActionSetPriority: "Set priority (value)", casekit.ActionSetType: "Set type (value)",
		casekit.ActionAddTags: "Add tags (values)", casekit.ActionRemoveTags: "Remove tags (values)",
		casekit.ActionSetCustom: "Set custom field (field, value)", casekit.ActionAssignQueue: "Assign to queue (value)",
		casekit.ActionAssignTeam: "Assign to team (value)", casekit.ActionAssignAgent: "Assign to agent (value)",
		casekit.ActionAddWatcher:  "Add watcher (value: address, field: name)",
		casekit.ActionAddActivity: "Add a task (value: subject; to: the assignee or each of the team; due in hours)",
		casekit.ActionSetStatus:   "Set status (value: status; field: closure reason)",
		casekit.ActionNotify:      "Notify (to; value: an address; template)",
		casekit.ActionWebhook:     "Post to a webhook subscription (value: its key)",
	}
	targetNames = map[casekit.NotifyTarget]string{casekit.NotifyAssignee: "the assignee", casekit.NotifyTeam: "the team",
		casekit.NotifyOwners: "the assignee, or else the team", casekit.NotifyCustomer: "the customer and watchers",
		casekit.NotifyContact: "the contact alone", casekit.NotifyWatchers: "the watchers",
		casekit.NotifyAcknowledgement: "an acknowledgement to the contact", casekit.NotifyMail: "everyone an agent's e-mail goes to",
		casekit.NotifyAddress: "the address in value"}
)

// labelled gives the library's values the editor's words, in the library's
// order; a value without words shows as itself.
func labelled[T ~string](values []T, names map[T]string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		out[i] = option{string(v), string(v)}
		if n, ok := names[v]; ok {
			out[i].Label = n
		}
	}
	return out
}

// blank is a select's first, empty choice: a row left blank.
var blank = []option{{"", "—"}}

// The editor's menus: triggerEvents the events a trigger fires on,
// conditionFields the fields a condition tests (with what they hold;
// custom.<key> of the tenant's custom fields are added, and event.<key>
// may be typed), conditionOps, actionKinds (a trigger's; macros.go
// offers the library's MacroActionKinds) and notifyTargets.
var (
	triggerEvents   = labelled(casekit.TriggerEvents(), eventNames)
	conditionFields = labelled(casekit.ConditionFields(), fieldNames)
	conditionOps    = labelled(casekit.ConditionOps(), opNames)
	actionKinds     = slices.Concat(blank, labelled(casekit.ActionKinds(), kindNames))
	notifyTargets   = slices.Concat(blank, labelled(casekit.NotifyTargets(), targetNames))
)

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
	Wait        string // a time rule's: "16 business hours"
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
	Fields     []option // the condition fields suggested, with what they hold
	Ops        []option
	Kinds      []option
	Targets    []option
	reference
}

// reference is what an action's value may name: the tenant's queues,
// teams, agents, priorities, types and custom fields, shown beside an
// editor of actions; for a trigger's, also the statuses and closure
// reasons of set_status, the webhook subscriptions and the message
// templates a notice may use.
type reference struct {
	Queues, Teams, Agents, Priorities, Types, Custom []option
	Rules                                            bool // a trigger's: the rest are filled
	Statuses, Closures, Webhooks                     []option
	Templates                                        []string
}

// loadReference fills r from the tenant's configuration and accounts;
// rules says the actions are a trigger's.
func (a *app) loadReference(r *http.Request, req *request, ref *reference, rules bool) error {
	ctx, cf := r.Context(), req.desk.Config()
	if rules {
		if err := a.loadRuleReference(r, req, ref); err != nil {
			return err
		}
	}
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

// loadRuleReference fills what only a trigger's actions name: statuses,
// closure reasons, webhook subscriptions and message templates (the
// engine's and the tenant's own message/custom.<key>).
func (a *app) loadRuleReference(r *http.Request, req *request, ref *reference) error {
	ctx, cf := r.Context(), req.desk.Config()
	sts, err := cf.Statuses(ctx)
	if err != nil {
		return err
	}
	closures, err := cf.Lookups(ctx, casekit.LookupClosureReason)
	if err != nil {
		return err
	}
	hooks, err := cf.Webhooks(ctx)
	if err != nil {
		return err
	}
	overrides, err := cf.TemplateOverrides(ctx)
	if err != nil {
		return err
	}
	ref.Rules = true
	ref.Statuses = rowsOf(sts, func(s casekit.Status) option { return option{s.Key, s.Label} })
	ref.Closures = rowsOf(closures, func(l casekit.Lookup) option { return option{l.Key, l.Label} })
	ref.Webhooks = rowsOf(hooks, func(w casekit.Webhook) option { return option{w.Key, w.Description} })
	for _, n := range a.engine.Names() {
		if strings.HasPrefix(n, "message/") && n != "message/layout" {
			ref.Templates = append(ref.Templates, n)
		}
	}
	for _, o := range overrides {
		if strings.HasPrefix(o.Name, "message/custom.") {
			ref.Templates = append(ref.Templates, o.Name)
		}
	}
	return nil
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
		row := triggerRow{Trigger: t, First: i == 0, Last: i == len(ts)-1, Events: eventLabels(triggerEvents, t.When), Wait: describeWait(t.After)}
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

// eventLabels names events as the options opts do.
func eventLabels(opts []option, evs []casekit.EventType) string {
	names := make([]string, len(evs))
	for i, ev := range evs {
		names[i] = optionLabel(opts, string(ev))
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

// describeWait says how long a time rule waits: "16 business hours";
// "" for a trigger that acts at once.
func describeWait(el *casekit.Elapsed) string {
	switch {
	case el == nil:
		return ""
	case el.BusinessHours:
		return plural(el.Hours, "business hour")
	}
	return plural(el.Hours, "hour")
}

// plural is n and the noun, in the plural but for one.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// describeAction says an action in words: "Assign to queue: billing".
func describeAction(act casekit.Action) string {
	label, _, _ := strings.Cut(optionLabel(actionKinds, string(act.Kind)), " (")
	var parts []string
	if act.Kind == casekit.ActionNotify || (act.Kind == casekit.ActionAddActivity && act.To != "") {
		parts = append(parts, optionLabel(notifyTargets, string(act.To)))
	}
	if act.Field != "" && act.Kind != casekit.ActionSetStatus {
		parts = append(parts, act.Field)
	}
	if act.Value != "" {
		parts = append(parts, act.Value)
	}
	if act.Field != "" && act.Kind == casekit.ActionSetStatus {
		parts = append(parts, "closure reason "+act.Field)
	}
	if len(act.Values) > 0 {
		parts = append(parts, strings.Join(act.Values, ", "))
	}
	if act.Template != "" {
		parts = append(parts, "worded by "+act.Template)
	}
	if act.DueHours > 0 {
		parts = append(parts, "due in "+plural(act.DueHours, "business hour"))
	}
	if len(parts) == 0 {
		return label
	}
	return label + ": " + strings.Join(parts, " · ")
}

// triggerValues are a trigger as its form shows it: "when.<event>",
// "after.hours|business_hours" (a time rule's wait),
// "if.<n>.field|op|values", "then.<n>.kind|value|values|field|to|template|due_hours",
// the lists comma-separated.
func triggerValues(t casekit.Trigger) map[string]string {
	m := map[string]string{"key": t.Key, "name": t.Name, "enabled": checkbox(t.Enabled), "stop": checkbox(t.Stop),
		"skip_failed": checkbox(t.SkipFailed), "if_rows": strconv.Itoa(len(t.If) + 1)}
	if t.After != nil {
		m["after.hours"], m["after.business_hours"] = strconv.Itoa(t.After.Hours), checkbox(t.After.BusinessHours)
	}
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
		m[p+"template"] = act.Template
		if act.DueHours > 0 {
			m[p+"due_hours"] = strconv.Itoa(act.DueHours)
		}
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
// row of the i-th action (blank rows are skipped). A due time that is no
// whole number is a ValidationError on its row's field.
func actionsFromForm(v url.Values) (acts []casekit.Action, rows []int, err error) {
	for i := range formRows(v, "then_rows", maxActionRows) {
		p := fmt.Sprintf("then.%d.", i)
		kind := strings.TrimSpace(v.Get(p + "kind"))
		if kind == "" {
			continue
		}
		due, ok := wholeNumber(v.Get(p + "due_hours"))
		if !ok && err == nil {
			err = fieldError(p+"due_hours", "number", "is not a whole number of hours")
		}
		acts = append(acts, casekit.Action{Kind: casekit.ActionKind(kind), Value: strings.TrimSpace(v.Get(p + "value")),
			Values: commaList(v.Get(p + "values")), Field: strings.TrimSpace(v.Get(p + "field")), To: casekit.NotifyTarget(v.Get(p + "to")),
			Template: strings.TrimSpace(v.Get(p + "template")), DueHours: due})
		rows = append(rows, i)
	}
	return acts, rows, err
}

// wholeNumber reads a number field: 0 when it is empty, false when it is
// not a whole number of at most seven characters (the library's bounds
// are smaller).
func wholeNumber(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && len(s) <= 7
}

// afterFromForm reads a time rule's wait: none when its hours are
// empty and business hours unticked.
func afterFromForm(v url.Values) (*casekit.Elapsed, error) {
	hours, business := strings.TrimSpace(v.Get("after.hours")), v.Get("after.business_hours") == "on"
	n, ok := wholeNumber(hours)
	switch {
	case !ok:
		return nil, fieldError("after.hours", "number", "is not a whole number of hours")
	case hours == "" && business:
		return nil, fieldError("after.hours", "required", "how many business hours should the rule wait?")
	case hours == "":
		return nil, nil
	}
	return &casekit.Elapsed{Hours: n, BusinessHours: business}, nil
}

// triggerFromForm reads a trigger from its form; condRows and actRows
// map the library's condition and action numbers to the form's rows; err
// is what cannot be read (a number that is none).
func triggerFromForm(v url.Values) (t casekit.Trigger, condRows, actRows []int, err error) {
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
	var aerr error
	t.Then, actRows, err = actionsFromForm(v)
	t.After, aerr = afterFromForm(v)
	return t, condRows, actRows, joinInvalid(aerr, err)
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
		for _, f := range []string{"kind", "value", "values", "field", "to", "template", "due_hours"} {
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
	if err := a.loadReference(r, req, &p.reference, true); err != nil {
		a.internal(w, r, err)
		return
	}
	for k := range f.Values {
		if ev, ok := strings.CutPrefix(k, "when."); ok && !containsOption(p.Events, ev) {
			p.Events = append(p.Events, option{ev, ev})
		}
	}
	for _, c := range p.Custom {
		p.Fields = append(p.Fields, option{"custom." + c.Value, c.Label})
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
	t, condRows, actRows, unread := triggerFromForm(v)
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
	if unread != nil {
		err = joinInvalid(err, unread)
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
	f := formFrom(v, append([]string{"key", "name", "when", "after.hours", "if", "then"}, rowFieldNames(v)...), err)
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
