package casekit

import (
	"casekit.dev/casekit/casetype"
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// ActionKind says what an Action does. Triggers and macros share them.
	ActionKind = casetype.ActionKind
	// NotifyTarget is who an ActionNotify tells.
	NotifyTarget = casetype.NotifyTarget
	// Action is one thing a trigger or a macro does to a case.
	Action = casetype.Action
)

// The constants of those types, as casetype names them.
const (
	ActionSetPriority     = casetype.ActionSetPriority
	ActionSetType         = casetype.ActionSetType
	ActionAddTags         = casetype.ActionAddTags
	ActionRemoveTags      = casetype.ActionRemoveTags
	ActionSetCustom       = casetype.ActionSetCustom
	ActionAssignQueue     = casetype.ActionAssignQueue
	ActionAssignTeam      = casetype.ActionAssignTeam
	ActionAssignAgent     = casetype.ActionAssignAgent
	ActionAddWatcher      = casetype.ActionAddWatcher
	ActionAddActivity     = casetype.ActionAddActivity
	ActionNotify          = casetype.ActionNotify
	ActionSetStatus       = casetype.ActionSetStatus
	ActionWebhook         = casetype.ActionWebhook
	NotifyAssignee        = casetype.NotifyAssignee
	NotifyTeam            = casetype.NotifyTeam
	NotifyOwners          = casetype.NotifyOwners
	NotifyCustomer        = casetype.NotifyCustomer
	NotifyContact         = casetype.NotifyContact
	NotifyWatchers        = casetype.NotifyWatchers
	NotifyAcknowledgement = casetype.NotifyAcknowledgement
	NotifyMail            = casetype.NotifyMail
	NotifyAddress         = casetype.NotifyAddress
)

// notifyTargets lists every NotifyTarget, for the checks on save
// (NotifyTargets).
var notifyTargets = []NotifyTarget{NotifyAssignee, NotifyTeam, NotifyOwners, NotifyCustomer, NotifyContact,
	NotifyWatchers, NotifyAcknowledgement, NotifyMail, NotifyAddress}

// NotifyTargets lists whom an ActionNotify may tell; saving refuses any
// other.
func NotifyTargets() []NotifyTarget { return slices.Clone(notifyTargets) }

// actionKinds are the kinds of action casekit does, in the order an
// editor offers them (ActionKinds): checkActions refuses any other.
var actionKinds = []ActionKind{ActionSetPriority, ActionSetType, ActionAddTags, ActionRemoveTags, ActionSetCustom,
	ActionAssignQueue, ActionAssignTeam, ActionAssignAgent, ActionAddWatcher, ActionAddActivity, ActionSetStatus,
	ActionNotify, ActionWebhook}

// ruleOnly are the kinds of action only a trigger or a process stage
// takes, with why a macro does not.
var ruleOnly = map[ActionKind]string{
	ActionSetStatus: "only a trigger or a process stage sets the status; a macro's reply follows its actions",
	ActionNotify:    "only a trigger notifies; a macro's words are its reply",
	ActionWebhook:   "only a trigger posts to a webhook: a macro's changes are events the subscriptions get",
}

// ActionKinds lists every kind of action a trigger or a process stage
// may take; saving refuses any other. MacroActionKinds are those a
// macro may take.
func ActionKinds() []ActionKind { return slices.Clone(actionKinds) }

// MacroActionKinds lists the kinds of action a macro may take:
// ActionKinds but those that set the status, notify or post to a
// webhook (a macro speaks through its reply, and its changes are events
// the subscriptions get).
func MacroActionKinds() []ActionKind {
	return keep(actionKinds, func(k ActionKind) bool { _, only := ruleOnly[k]; return !only })
}

// maxActions bounds the actions of one trigger or macro.
const maxActions = 20

// checkActions adds a failure to v for every action that is not one
// casekit can do in this tenant as it stands, naming the action's field
// under prefix ("then[2].value"): an unknown kind, a lookup key, queue,
// team, agent or custom field the tenant does not have, a bad address.
// The kinds are those of actionKinds; notify says whether those of
// ruleOnly (notify, webhook, set_status) are allowed: for triggers and
// process stages, not macros.
func (c *cmd) checkActions(v *validations, prefix string, acts []Action, notify bool) error {
	if len(acts) > maxActions {
		v.Add(prefix, "max", "at most %d actions", maxActions)
		return nil
	}
	if n := len(keep(acts, func(a Action) bool { return a.Kind == ActionSetStatus })); n > 1 {
		v.Add(prefix, "max", "at most one %s", ActionSetStatus)
	}
	var hooks []Webhook // read at the first ActionWebhook
	for i, a := range acts {
		field := func(name string) string { return fmt.Sprintf("%s[%d].%s", prefix, i, name) }
		value := field("value")
		if len(a.Value) > 320 || len(a.Field) > 200 || len(a.Values) > 50 {
			v.Add(field("value"), "max", "the action's value is too long")
			continue
		}
		if a.Template != "" && a.Kind != ActionNotify {
			v.Add(field("template"), "excluded_unless", "only a notice has a template")
		}
		if why, only := ruleOnly[a.Kind]; only && !notify {
			v.Add(field("kind"), "oneof", "%s", why)
			continue
		}
		if !slices.Contains(actionKinds, a.Kind) {
			v.Add(field("kind"), "oneof", "%q is not an action casekit knows", a.Kind)
			continue
		}
		switch a.Kind {
		case ActionSetPriority, ActionSetType:
			kind := map[ActionKind]LookupKind{ActionSetPriority: LookupPriority, ActionSetType: LookupCaseType}[a.Kind]
			if a.Value == "" {
				v.Add(value, "required", "names no %s", kind)
				continue
			}
			if err := c.checkLookups(v, map[LookupKind][2]string{kind: {value, a.Value}}); err != nil {
				return err
			}
		case ActionAddTags, ActionRemoveTags:
			if len(a.Values) == 0 || slices.ContainsFunc(a.Values, func(t string) bool { return strings.TrimSpace(t) == "" || len(t) > 100 }) {
				v.Add(field("values"), "required", "names no tags, or an empty or long one")
			}
		case ActionSetCustom:
			if !keyRE.MatchString(a.Field) {
				v.Add(field("field"), "key", "%q is not a custom field key", a.Field)
				continue
			}
			if _, err := c.checkCustom(map[string]any{a.Field: a.Value}, false); err != nil {
				var ve *ValidationError
				if !errors.As(err, &ve) {
					return err
				}
				for _, f := range ve.Fields {
					v.Add(value, f.Rule, "%s", f.Message)
				}
			}
		case ActionAssignQueue, ActionAssignTeam, ActionAssignAgent:
			if a.Value == "" {
				v.Add(value, "required", "names no one to assign to")
				continue
			}
			p := placement{queueField: field("queue"), teamField: field("team"), agentField: field("agent")}
			switch a.Kind {
			case ActionAssignQueue:
				p.queue = a.Value
			case ActionAssignTeam:
				p.team = a.Value
			default:
				p.agent = a.Value
			}
			if err := c.checkPlacement(v, &p); err != nil {
				return err
			}
		case ActionAddWatcher:
			if _, err := mail.ParseAddress(a.Value); err != nil || strings.ContainsAny(a.Value, "<> ") {
				v.Add(value, "email", "%q is not an e-mail address", a.Value)
			}
		case ActionAddActivity:
			if strings.TrimSpace(a.Value) == "" || len(a.Value) > 300 {
				v.Add(value, "required", "an activity needs a subject of up to 300 bytes")
			}
			if a.To != "" && a.To != NotifyAssignee && a.To != NotifyTeam {
				v.Add(field("to"), "oneof", "an activity is for the %s or the %s", NotifyAssignee, NotifyTeam)
			}
			if a.DueHours < 0 || a.DueHours > maxElapsedHours {
				v.Add(field("due_hours"), "range", "an activity is due 0 to %d hours after it is added", maxElapsedHours)
			}
		case ActionSetStatus:
			if err := c.checkSetStatus(v, field, a); err != nil {
				return err
			}
		case ActionNotify:
			switch {
			case !slices.Contains(notifyTargets, a.To):
				v.Add(field("to"), "oneof", "%q is not one of %v", a.To, notifyTargets)
			case a.To == NotifyAddress:
				if _, err := mail.ParseAddress(a.Value); err != nil || strings.ContainsAny(a.Value, "<> ") {
					v.Add(value, "email", "%q is not an e-mail address", a.Value)
				}
			}
			if a.Template != "" {
				if err := c.checkTemplateName(v, field("template"), a.Template); err != nil {
					return err
				}
			}
		case ActionWebhook:
			if hooks == nil {
				var err error
				if hooks, err = c.tx.Webhooks(c.ctx); err != nil {
					return err
				}
			}
			if !slices.ContainsFunc(hooks, func(w Webhook) bool { return w.Key == a.Value }) {
				v.Add(value, "exists", "%q is not one of the tenant's webhook subscriptions", a.Value)
			}
		}
	}
	return nil
}

// actionResult is what a list of actions does to one case, worked out on
// a copy before anything is written, so that actions that fail leave no
// trace (plan), then written (apply).
type actionResult struct {
	// Case is the case as the actions leave it.
	Case *Case `json:"case"`
	// Changes are the case's changed fields, as a case.updated event
	// holds them: field → [old, new]; Placed those of its assignment.
	Changes map[string]any `json:"changes,omitempty"`
	Placed  map[string]any `json:"placed,omitempty"`
	// Watchers and Activities are those the actions add.
	Watchers   []Watcher   `json:"watchers,omitempty"`
	Activities []*Activity `json:"activities,omitempty"`
	// Status is the status a set_status action moves the case to, after
	// the other actions; closure the closure reason it closes with.
	Status  string `json:"status,omitempty"`
	closure string
	// notices are the actions that notify or post to a webhook, for the
	// event's notifications and webhook deliveries.
	notices []Action
}

// plan checks acts against the tenant as it stands (a failure names the
// action under prefix) and works out what they do to cs, changing
// nothing: the case in the result is a copy.
func (c *cmd) plan(cs *Case, prefix string, acts []Action, notify bool) (*actionResult, error) {
	var v validations
	if err := c.checkActions(&v, prefix, acts, notify); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	next := deepCopy(cs)
	r := &actionResult{Case: next, Changes: map[string]any{}, Placed: map[string]any{}}
	set := func(changes map[string]any, name string, dst *string, val string) {
		if *dst != val {
			old := *dst
			if prev, ok := changes[name].([]any); ok { // changed twice: from the first old
				old, _ = prev[0].(string)
			}
			changes[name] = []any{old, val}
			*dst = val
		}
	}
	oldTags := next.Tags
	for i, a := range acts {
		switch a.Kind {
		case ActionSetPriority:
			set(r.Changes, "priority", &next.Priority, a.Value)
		case ActionSetType:
			set(r.Changes, "type", &next.Type, a.Value)
		case ActionAddTags:
			next.Tags = normalizeTags(append(slices.Clone(next.Tags), a.Values...))
		case ActionRemoveTags:
			drop := normalizeTags(a.Values)
			next.Tags = slices.DeleteFunc(slices.Clone(next.Tags), func(t string) bool { return slices.Contains(drop, t) })
		case ActionSetCustom:
			checked, err := c.checkCustom(map[string]any{a.Field: a.Value}, false)
			if err != nil {
				return nil, err
			}
			custom := maps.Clone(next.Custom)
			if custom == nil {
				custom = map[string]any{}
			}
			maps.Copy(custom, checked)
			if fmt.Sprint(next.Custom[a.Field]) != fmt.Sprint(custom[a.Field]) || next.Custom == nil {
				r.Changes["custom"] = []any{cs.Custom, custom}
				next.Custom = custom
			}
		case ActionAssignQueue:
			p := placement{queue: a.Value, queueTeam: true}
			if err := c.checkPlacement(&v, &p); err != nil {
				return nil, err
			}
			set(r.Placed, "queue_id", &next.QueueID, p.queue)
			if p.team != "" {
				set(r.Placed, "team_id", &next.TeamID, p.team)
			}
		case ActionAssignTeam:
			set(r.Placed, "team_id", &next.TeamID, a.Value)
		case ActionAssignAgent:
			set(r.Placed, "assignee_id", &next.AssigneeID, a.Value)
		case ActionAddWatcher:
			r.Watchers = append(r.Watchers, Watcher{ID: newID(), CaseID: cs.ID, Name: a.Field, Email: strings.ToLower(a.Value), AddedBy: c.actor, AddedAt: c.now})
		case ActionAddActivity:
			acts, err := c.planActivities(next, a)
			if err != nil {
				return nil, err
			}
			r.Activities = append(r.Activities, acts...)
		case ActionSetStatus:
			if err := c.planStatus(r, next, a, fmt.Sprintf("%s[%d].value", prefix, i)); err != nil {
				return nil, err
			}
		case ActionNotify, ActionWebhook:
			r.notices = append(r.notices, a)
		}
	}
	if len(next.Tags) == 0 {
		next.Tags = nil
	}
	if !slices.Equal(oldTags, next.Tags) {
		r.Changes["tags"] = []any{oldTags, next.Tags}
	}
	if len(r.Changes) > 0 && len(next.Tags) > 50 {
		return nil, invalid(prefix, "max", "a case has at most 50 tags")
	}
	return r, nil
}

// writes reports whether the result changes anything stored.
func (r *actionResult) writes() bool {
	return len(r.Changes) > 0 || len(r.Placed) > 0 || len(r.Watchers) > 0 || len(r.Activities) > 0 || r.Status != ""
}

// apply writes what plan worked out onto cs, the case as loaded (locked),
// recording each change with data (which trigger or macro did it) added
// to its event: case.updated for the fields, case.assigned for the
// placement, watcher.added and activity.added. A watcher already
// watching the case is left as it is.
func (c *cmd) apply(cs *Case, r *actionResult, data map[string]any) error {
	with := func(m map[string]any) map[string]any {
		maps.Copy(m, data)
		return m
	}
	if len(r.Changes) > 0 || len(r.Placed) > 0 {
		version := cs.Version
		*cs = *deepCopy(r.Case)
		cs.Version = version
		if err := c.save(cs); err != nil {
			return err
		}
		if len(r.Changes) > 0 {
			c.record(cs, EventCaseUpdated, with(map[string]any{"changes": r.Changes}))
		}
		if len(r.Placed) > 0 {
			c.record(cs, EventAssigned, with(map[string]any{"changes": r.Placed}))
		}
	}
	if len(r.Watchers) > 0 {
		have, err := c.tx.Watchers(c.ctx, cs.ID)
		if err != nil {
			return err
		}
		for _, w := range r.Watchers {
			if slices.ContainsFunc(have, func(h Watcher) bool { return sameAddress(h.Email, w.Email) }) {
				continue
			}
			if err := c.tx.AddWatcher(c.ctx, w); err != nil {
				return fmt.Errorf("case %s: watcher %s: %w", cs.ID, w.Email, err)
			}
			have = append(have, w)
			delete(c.watchers, cs.ID)
			c.record(cs, EventWatcherAdded, with(map[string]any{"watcher_id": w.ID, "email": w.Email, "name": w.Name}))
		}
	}
	for _, a := range r.Activities {
		if err := c.tx.InsertActivity(c.ctx, a); err != nil {
			return fmt.Errorf("case %s: %w", cs.ID, err)
		}
		c.record(cs, EventActivityAdded, with(map[string]any{
			"activity_id": a.ID, "kind": string(a.Kind), "subject": a.Subject, "notify_contact": false,
		}))
	}
	if r.Status != "" {
		return c.applyStatus(cs, r, data)
	}
	return nil
}

// maxTeamActivities bounds the activities one add_activity action adds
// for a team's members.
const maxTeamActivities = 20

// planActivities returns the tasks an add_activity action adds to the
// case as next stands: one for its assignee, or one for each member of
// its team (for no one in particular without a Directory or members),
// due DueHours later in the case's business hours.
func (c *cmd) planActivities(next *Case, a Action) ([]*Activity, error) {
	var due *time.Time
	if a.DueHours > 0 {
		at, err := c.clockDue(next, a.DueHours, true, c.now)
		if err != nil {
			return nil, err
		}
		if !at.IsZero() {
			due = &at
		}
	}
	people := []string{next.AssigneeID}
	if a.To == NotifyTeam {
		rs, err := c.team(next.TeamID)
		if err != nil {
			return nil, err
		}
		people = nil
		for _, r := range rs {
			if r.Kind == RecipientAgent && len(people) < maxTeamActivities {
				people = append(people, r.ID)
			}
		}
		if len(people) == 0 {
			people = []string{""}
		}
	}
	out := make([]*Activity, len(people))
	for i, p := range people {
		out[i] = &Activity{ID: newID(), CaseID: next.ID, Kind: ActivityTask, Subject: strings.TrimSpace(a.Value), State: ActivityOpen,
			Due: due, AssigneeID: p, CreatedBy: c.actor, CreatedAt: c.now, UpdatedAt: c.now, Version: 1}
	}
	return out, nil
}
