package casekit

import (
	"casekit.dev/casekit/casetype"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// Trigger is one of a tenant's rules that act on a case when something
	Trigger = casetype.Trigger
	// ConditionOp is how a Condition compares.
	ConditionOp = casetype.ConditionOp
	// Condition is one test a trigger makes of the event and its case. Field
	Condition = casetype.Condition
)

// The constants of those types, as casetype names them.
const (
	OpIs          = casetype.OpIs
	OpIsNot       = casetype.OpIsNot
	OpContains    = casetype.OpContains
	OpNotContains = casetype.OpNotContains
	OpSet         = casetype.OpSet
	OpUnset       = casetype.OpUnset
)

// The trigger event types.
const (
	EventTriggerChanged EventType = "trigger.changed" // a definition saved or deleted
	// EventTriggerSkipped is recorded on a case when a trigger with
	// SkipFailed could not run its actions.
	EventTriggerSkipped EventType = "trigger.skipped"
)

// maxTriggerDepth bounds how often triggers fire on the events that
// triggers recorded: a command's own events are depth one.
const maxTriggerDepth = 3

// maxTriggers bounds a tenant's triggers.
const maxTriggers = 200

// triggerEvents are the events a trigger may fire on: those about one
// case, in the order of a case's life (TriggerEvents).
var triggerEvents = []EventType{EventCaseOpened, EventCaseUpdated, EventStatusChanged, EventAssigned, EventEscalated,
	EventReclassified, EventMessagePosted, EventNoteAdded, EventActivityAdded, EventActivityUpdated, EventActivityCompleted,
	EventActivityCanceled, EventWatcherAdded, EventWatcherRemoved, EventSLAWarning, EventSLABreached, EventResolved,
	EventClosed, EventCloseReminder, EventReopened, EventRated, EventCanceled, EventProcessStarted, EventStageChanged,
	EventProcessFinished, EventProcessStopped, EventLinked, EventUnlinked, EventMerged, EventMergedIn,
	EventPortalLinkMailed, EventContactVerified}

// TriggerEvents lists the events a trigger may fire on (Trigger.When),
// those about one case, in the order of a case's life. SaveTrigger
// refuses any other, so an editor that offers these offers them all.
func TriggerEvents() []EventType { return slices.Clone(triggerEvents) }

// conditionKind is how a condition field's value is compared.
type conditionKind int

const (
	scalarField conditionKind = iota
	listField
	textField // words, case-insensitive
)

// conditionField is a field a condition may test, and its kind.
type conditionField struct {
	name string
	kind conditionKind
}

// conditionFields are the fields a condition may test besides
// custom.<key> and event.<key>, in the order an editor offers them
// (ConditionFields).
var conditionFields = []conditionField{
	{"status", scalarField}, {"status_flags", listField}, {"priority", scalarField}, {"type", scalarField},
	{"category", scalarField}, {"origin", scalarField}, {"service", scalarField}, {"queue", scalarField},
	{"team", scalarField}, {"assignee", scalarField}, {"customer", scalarField}, {"tags", listField},
	{"subject", textField}, {"actor", scalarField}, {"changed", listField}, {"message.direction", scalarField},
	{"message.channel", scalarField}, {"message.public", scalarField}, {"message.body", textField},
	{"business_hours", scalarField},
}

// conditionKinds are conditionFields by name, for matching: every event
// of every command tests them.
var conditionKinds = func() map[string]conditionKind {
	m := make(map[string]conditionKind, len(conditionFields))
	for _, f := range conditionFields {
		m[f.name] = f.kind
	}
	return m
}()

// ConditionFields lists the fields a Condition may test (see Condition),
// bar the two families named by a key: custom.<key> (one of the
// tenant's custom fields) and event.<key> (a detail of the event).
// SaveTrigger refuses any other.
func ConditionFields() []string {
	out := make([]string, len(conditionFields))
	for i, f := range conditionFields {
		out[i] = f.name
	}
	return out
}

// conditionOps are the operators a condition may use (ConditionOps).
var conditionOps = []ConditionOp{OpIs, OpIsNot, OpContains, OpNotContains, OpSet, OpUnset}

// ConditionOps lists the operators a Condition may use; SaveTrigger
// refuses any other.
func ConditionOps() []ConditionOp { return slices.Clone(conditionOps) }

// conditionKindOf returns the kind of a condition field, false for one
// no condition may test.
func conditionKindOf(field string) (conditionKind, bool) {
	for _, prefix := range []string{"custom.", "event."} {
		if key, ok := strings.CutPrefix(field, prefix); ok {
			return scalarField, keyRE.MatchString(key)
		}
	}
	k, ok := conditionKinds[field]
	return k, ok
}

// DefaultTriggers are the triggers a new tenant starts with: the
// notification rules casekit has always had, as data. The customer and
// the watchers hear of public replies and of what happens to their case;
// the assignee or the team of what customers do and of what is handed to
// them. What stays code (notify.go): the actor is never told of their
// own doing, save the acknowledgement that the case they opened arrived;
// an internal message is never told outside; what a customer's notice
// may say of the event.
func DefaultTriggers() []Trigger { return casetype.DefaultTriggers() }

// Triggers lists the tenant's triggers in the order they run.
func (cf *Config) Triggers(ctx context.Context) ([]Trigger, error) {
	return runValue(cf.d, ctx, "triggers", staffRead, func(c *cmd) ([]Trigger, error) {
		return c.tx.Triggers(c.ctx)
	})
}

// SaveTrigger adds or replaces a trigger. It is checked against the
// tenant as it stands: its events, its conditions' fields and operators,
// its actions' lookup keys, queues, teams, agents and custom fields; and
// a trigger whose actions record an event that leads, through the
// tenant's enabled triggers, back to itself is refused as a loop, on the
// first action on the way ("then[0]").
func (cf *Config) SaveTrigger(ctx context.Context, t Trigger) error {
	return cf.d.run(ctx, "save trigger", adminOnly, func(c *cmd) error {
		t.Name = strings.TrimSpace(t.Name)
		var v validations
		if err := v.Merge(validateStruct(t)); err != nil {
			return err
		}
		if len(t.When) == 0 || len(t.When) > len(triggerEvents) {
			v.Add("when", "required", "names no event, or too many")
		}
		for i, ev := range t.When {
			if !slices.Contains(triggerEvents, ev) {
				v.Add(fmt.Sprintf("when[%d]", i), "oneof", "%q is not an event about a case", ev)
			}
		}
		if err := c.checkConditions(&v, t.If); err != nil {
			return err
		}
		checkElapsed(&v, t)
		if len(t.Then) == 0 {
			v.Add("then", "required", "a trigger does something")
		}
		if err := c.checkActions(&v, "then", t.Then, true); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		all, err := c.tx.Triggers(c.ctx)
		if err != nil {
			return err
		}
		others := slices.DeleteFunc(all, func(o Trigger) bool { return o.Key == t.Key })
		if len(others) >= maxTriggers {
			return invalid("key", "max", "a tenant has at most %d triggers", maxTriggers)
		}
		if i := loopsAt(t, others); i >= 0 {
			return invalid(fmt.Sprintf("then[%d]", i), "loop", "its %s leads back to this trigger through the tenant's triggers", t.Then[i].Kind)
		}
		if err := c.tx.SaveTrigger(c.ctx, t); err != nil {
			return err
		}
		c.record(nil, EventTriggerChanged, map[string]any{"key": t.Key, "name": t.Name, "enabled": t.Enabled})
		return nil
	})
}

// DeleteTrigger removes a trigger; ErrNotFound if there is none.
func (cf *Config) DeleteTrigger(ctx context.Context, key string) error {
	return cf.d.run(ctx, "delete trigger", adminOnly, func(c *cmd) error {
		if err := c.tx.DeleteTrigger(c.ctx, key); err != nil {
			return fmt.Errorf("trigger %q: %w", key, err)
		}
		c.record(nil, EventTriggerChanged, map[string]any{"key": key, "deleted": true})
		return nil
	})
}

// ReorderTriggers sets the order the tenant's triggers run in: keys
// names every trigger, each once, the first to run first, and their
// Positions become 10, 20, 30 and so on, all in one transaction. A list
// that names a trigger twice or one the tenant lacks, or leaves one out
// (it was read before someone added or deleted a trigger), is a
// ValidationError on "keys" and nothing moves.
func (cf *Config) ReorderTriggers(ctx context.Context, keys []string) error {
	return cf.d.run(ctx, "reorder triggers", adminOnly, func(c *cmd) error {
		all, err := c.tx.Triggers(c.ctx)
		if err != nil {
			return err
		}
		byKey := make(map[string]Trigger, len(all))
		for _, t := range all {
			byKey[t.Key] = t
		}
		seen := make(map[string]bool, len(keys))
		for _, k := range keys {
			if _, ok := byKey[k]; !ok || seen[k] {
				return invalid("keys", "oneof", "%q is not a trigger of the tenant, or is named twice", k)
			}
			seen[k] = true
		}
		if len(keys) != len(all) {
			return invalid("keys", "len", "names %d of the tenant's %d triggers; reload and try again", len(keys), len(all))
		}
		for i, k := range keys {
			t := byKey[k]
			if t.Position == (i+1)*10 {
				continue
			}
			t.Position = (i + 1) * 10
			if err := c.tx.SaveTrigger(c.ctx, t); err != nil {
				return err
			}
		}
		c.record(nil, EventTriggerChanged, map[string]any{"order": keys})
		return nil
	})
}

// maxConditionValues and maxConditionValue bound what one condition
// compares with, since every command's events test it.
const (
	maxConditionValues = 50
	maxConditionValue  = 200
)

// checkConditions adds a failure for each condition on a field no
// condition may test, with an unknown operator or without the values its
// operator compares with.
func (c *cmd) checkConditions(v *validations, conds []Condition) error {
	if len(conds) > 30 {
		v.Add("if", "max", "at most 30 conditions")
		return nil
	}
	var defs []CustomField
	for i, cd := range conds {
		field := func(name string) string { return fmt.Sprintf("if[%d].%s", i, name) }
		if len(cd.Values) > maxConditionValues || slices.ContainsFunc(cd.Values, func(s string) bool { return len(s) > maxConditionValue }) {
			v.Add(field("values"), "max", "at most %d values of %d bytes each", maxConditionValues, maxConditionValue)
			continue
		}
		if _, ok := conditionKindOf(cd.Field); !ok {
			v.Add(field("field"), "known", "%q is not a field a condition can test", cd.Field)
			continue
		}
		if key, ok := strings.CutPrefix(cd.Field, "custom."); ok {
			if defs == nil {
				var err error
				if defs, err = c.tx.CustomFields(c.ctx); err != nil {
					return err
				}
			}
			if len(defs) > 0 && !slices.ContainsFunc(defs, func(d CustomField) bool { return d.Key == key }) {
				v.Add(field("field"), "known", "%q is not one of the tenant's custom fields", key)
			}
		}
		switch {
		case !slices.Contains(conditionOps, cd.Op):
			v.Add(field("op"), "oneof", "%q is not an operator", cd.Op)
		case cd.Op == OpSet || cd.Op == OpUnset:
			if len(cd.Values) > 0 {
				v.Add(field("values"), "excluded_with", "%s compares with no value", cd.Op)
			}
		case len(cd.Values) == 0:
			v.Add(field("values"), "required", "%s compares with 1 to %d values of up to %d bytes", cd.Op, maxConditionValues, maxConditionValue)
		}
	}
	return nil
}

// produces lists the events an action records when it changes something.
func produces(a Action) []EventType {
	switch a.Kind {
	case ActionSetPriority, ActionSetType, ActionAddTags, ActionRemoveTags, ActionSetCustom:
		return []EventType{EventCaseUpdated}
	case ActionAssignQueue, ActionAssignTeam, ActionAssignAgent:
		return []EventType{EventAssigned}
	case ActionAddWatcher:
		return []EventType{EventWatcherAdded}
	case ActionAddActivity:
		return []EventType{EventActivityAdded}
	case ActionSetStatus:
		return []EventType{EventStatusChanged, EventResolved, EventClosed, EventCanceled}
	}
	return nil
}

// loopsAt returns the index of the first action of t whose event leads,
// through enabled triggers (t among them, others the rest), back to t;
// -1 when none does or t is disabled. Conditions are not looked at: a
// loop is refused whether or not the case would meet them. A time rule
// is no link of a loop: an event only starts its clock, and its actions
// run later, in a command of their own.
func loopsAt(t Trigger, others []Trigger) int {
	if !t.Enabled || t.After != nil {
		return -1
	}
	all := append(keep(others, func(o Trigger) bool { return o.Enabled && o.After == nil }), t)
	for i, a := range t.Then {
		seen := map[string]bool{}
		queue := produces(a)
		for len(queue) > 0 {
			ev := queue[0]
			queue = queue[1:]
			for _, o := range all {
				if !slices.Contains(o.When, ev) || seen[o.Key] {
					continue
				}
				if o.Key == t.Key {
					return i
				}
				seen[o.Key] = true
				for _, oa := range o.Then {
					queue = append(queue, produces(oa)...)
				}
			}
		}
	}
	return -1
}

// runTriggers runs the tenant's enabled triggers on the command's events
// about cases, and again on the events their actions record, down to
// maxTriggerDepth; before each depth, auto-assignment (autoassign.go) on
// its events. What a trigger changes is recorded with its key and
// name; its notices are kept per event for notifications.
func (c *cmd) runTriggers() error {
	all, err := c.readTriggers()
	if err != nil {
		return err
	}
	// The disabled ones are skipped by fireTriggers rather than filtered
	// out here: a filtered copy of the set cost every command a few
	// allocations of whole Trigger values.
	ts := all
	if !slices.ContainsFunc(ts, func(t Trigger) bool { return t.Enabled }) {
		ts = nil
	}
	start := 0
	for depth := 0; depth < maxTriggerDepth && start < len(c.events); depth++ {
		// Auto-assignment goes first, so that the triggers see the cases
		// as it leaves them and fire on its assignments at this depth.
		if err := c.autoAssign(start); err != nil {
			return err
		}
		end := len(c.events)
		for i := start; i < end && len(ts) > 0; i++ {
			if err := c.fireTriggers(ts, i); err != nil {
				return err
			}
		}
		start = end
	}
	// What the deepest triggers placed is assigned too, without
	// triggers.
	return c.autoAssign(start)
}

// readTriggers reads the tenant's triggers to run them, through the
// configuration cache without its copy: running only reads them.
func (c *cmd) readTriggers() ([]Trigger, error) {
	if ct, ok := c.tx.(*configTx); ok {
		return ct.runningTriggers(c.ctx)
	}
	return c.tx.Triggers(c.ctx)
}

// fireTriggers runs the enabled ones of the triggers ts on the command's
// i-th event: a time rule starts its clock on an event of When, and runs
// its actions on the EventTimeElapsed that names it.
func (c *cmd) fireTriggers(ts []Trigger, i int) error {
	ev, cs := c.events[i], c.caseOf(i)
	if cs == nil || ev.Type == EventCaseDeleted {
		return nil
	}
	for _, t := range ts {
		if !t.Enabled {
			continue
		}
		elapsed := t.After != nil && ev.Type == EventTimeElapsed && str(ev.Data["trigger"]) == t.Key
		if !elapsed && !slices.Contains(t.When, ev.Type) {
			continue
		}
		conds := t.If
		if elapsed {
			conds = caseConditions(conds)
		}
		ok, err := c.matches(conds, ev, cs)
		if err != nil {
			return fmt.Errorf("trigger %q: %w", t.Key, err)
		}
		if !ok {
			continue
		}
		if t.After != nil && !elapsed {
			if err := c.startClock(cs, t); err != nil {
				return fmt.Errorf("trigger %q (%s) on %s: %w", t.Key, t.Name, ev.Type, err)
			}
			continue
		}
		r, err := c.plan(cs, "then", t.Then, true)
		var ve *ValidationError
		switch {
		case errors.As(err, &ve) && t.SkipFailed:
			c.record(cs, EventTriggerSkipped, map[string]any{"trigger": t.Key, "trigger_name": t.Name, "event": string(ev.Type), "error": ve.Error()})
			continue
		case err != nil:
			return fmt.Errorf("trigger %q (%s) on %s: %w", t.Key, t.Name, ev.Type, err)
		}
		if err := c.apply(cs, r, map[string]any{"trigger": t.Key, "trigger_name": t.Name}); err != nil {
			return fmt.Errorf("trigger %q (%s) on %s: %w", t.Key, t.Name, ev.Type, err)
		}
		c.addNotices(i, r.notices)
		if t.Stop {
			break
		}
	}
	return nil
}

// addNotices keeps notify and webhook actions for the command's i-th event, whose
// notifications they make.
func (c *cmd) addNotices(i int, acts []Action) {
	if len(acts) == 0 {
		return
	}
	if c.notices == nil {
		c.notices = map[int][]Action{}
	}
	c.notices[i] = append(c.notices[i], acts...)
}

// caseOf returns the case the command's i-th event is about, nil for a
// tenant-level event. A command may have loaded the case more than once:
// it is the copy the command wrote last, whose version is the stored one.
func (c *cmd) caseOf(i int) *Case {
	cs := c.eventCases[i]
	if cs == nil {
		return nil
	}
	for j := len(c.eventCases) - 1; j > i; j-- {
		if o := c.eventCases[j]; o != nil && o.ID == cs.ID && o.Version > cs.Version {
			return o
		}
	}
	return cs
}

// matches reports whether every condition holds for ev on cs.
func (c *cmd) matches(conds []Condition, ev Event, cs *Case) (bool, error) {
	for _, cd := range conds {
		kind, _ := conditionKindOf(cd.Field)
		one, many, err := c.conditionValue(cd.Field, ev, cs)
		if err != nil {
			return false, err
		}
		if kind == textField {
			many = words(one)
		}
		if kind == scalarField && one != "" {
			many = []string{one}
		}
		has := func(fold bool) bool {
			return slices.ContainsFunc(cd.Values, func(want string) bool {
				if fold {
					return slices.Contains(many, strings.ToLower(want))
				}
				return slices.Contains(many, want)
			})
		}
		var ok bool
		switch cd.Op {
		case OpSet, OpUnset:
			ok = (len(many) > 0) == (cd.Op == OpSet)
		case OpIs, OpIsNot:
			ok = (kind == listField && has(false)) || (kind != listField && slices.Contains(cd.Values, one))
			ok = ok == (cd.Op == OpIs)
		case OpContains, OpNotContains:
			switch kind {
			case textField:
				ok = has(true)
			case listField:
				ok = has(false)
			default:
				ok = slices.ContainsFunc(cd.Values, func(want string) bool { return strings.Contains(strings.ToLower(one), strings.ToLower(want)) })
			}
			ok = ok == (cd.Op == OpContains)
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// words splits text into its lower-case words.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// conditionValue reads a condition field of ev on cs: one value, or
// many for a list field.
func (c *cmd) conditionValue(field string, ev Event, cs *Case) (string, []string, error) {
	if key, ok := strings.CutPrefix(field, "custom."); ok {
		return anyString(cs.Custom[key]), nil, nil
	}
	if key, ok := strings.CutPrefix(field, "event."); ok {
		return anyString(ev.Data[key]), nil, nil
	}
	switch field {
	case "status":
		return cs.Status, nil, nil
	case "status_flags":
		st, _, err := c.status(cs)
		if err != nil {
			return "", nil, err
		}
		flags := keep(statusFlagNames, func(f string) bool { return statusHasFlag(st, f) })
		if st.ReadOnly() {
			flags = append(flags, "read_only")
		}
		return "", flags, nil
	case "priority":
		return cs.Priority, nil, nil
	case "type":
		return cs.Type, nil, nil
	case "category":
		return cs.Category, nil, nil
	case "origin":
		return cs.Origin, nil, nil
	case "service":
		return cs.Service, nil, nil
	case "queue":
		return cs.QueueID, nil, nil
	case "team":
		return cs.TeamID, nil, nil
	case "assignee":
		return cs.AssigneeID, nil, nil
	case "customer":
		return cs.CustomerID, nil, nil
	case "tags":
		return "", cs.Tags, nil
	case "subject":
		return cs.Subject, nil, nil
	case "actor":
		return string(ev.Actor.Kind), nil, nil
	case "changed":
		ch, _ := ev.Data["changes"].(map[string]any)
		return "", sortedKeys(ch), nil
	case "message.direction", "message.channel", "message.public":
		if ev.Type != EventMessagePosted {
			return "", nil, nil
		}
		return anyString(ev.Data[strings.TrimPrefix(field, "message.")]), nil, nil
	case "message.body":
		if m := c.posted[str(ev.Data["message_id"])]; m != nil {
			return m.Body, nil, nil
		}
		return str(ev.Data["excerpt"]), nil, nil
	case "business_hours":
		open, err := c.businessHours(cs)
		return fmt.Sprint(open), nil, err
	}
	return "", nil, fmt.Errorf("condition on %q: no such field", field)
}

// anyString is an event or custom field value as a condition compares
// it: "" for none.
func anyString(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// businessHours reports whether now is within the working time of the
// case's SLA calendar; always for a case without one.
func (c *cmd) businessHours(cs *Case) (bool, error) {
	cal, err := c.caseCalendar(cs)
	if err != nil || cal == nil {
		return err == nil, err
	}
	return cal.Between(c.now, c.now.Add(time.Second)) > 0, nil
}
