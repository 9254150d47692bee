package casetype

// Trigger is one of a tenant's rules that act on a case when something
// happens to it: when one of the events When names is recorded and every
// condition of If holds, its actions Then run, inside the command's
// transaction after the command's own changes. Triggers run in the order
// of Position, then Key; Stop ends the run of later triggers for that
// event. Who is told what is triggers too: a new tenant starts with
// DefaultTriggers, which it may edit, disable or delete.
type Trigger struct {
	Key      string      `json:"key" validate:"required,key"`
	Name     string      `json:"name" validate:"required,max=200"`
	Position int         `json:"position"`
	Enabled  bool        `json:"enabled"`
	When     []EventType `json:"when"`
	If       []Condition `json:"if,omitempty"`
	Then     []Action    `json:"then"`
	Stop     bool        `json:"stop,omitempty"`
	// SkipFailed makes a trigger whose actions cannot run as the tenant
	// now stands (a queue deleted since it was saved) be skipped, with a
	// trigger.skipped event in the case's history; without it the
	// command fails.
	SkipFailed bool `json:"skip_failed,omitempty"`
	// After makes the trigger a time rule: an event of When that meets
	// the conditions starts its clock on the case instead of running the
	// actions, and they run once the clock has run out (see Elapsed).
	After *Elapsed `json:"after,omitempty"`
}

// Elapsed is how long a time rule waits. Its clock is a durable timer on
// the case, set in the transaction of the command whose event started
// it; another event of When that meets the conditions starts it again.
// A command that leaves the case failing a condition on the case itself
// (its status, flags, fields, tags) stops it. When it runs out, those
// conditions are checked again against the case as it then stands (the
// ones on the event, actor, changed, message.*, event.* and
// business_hours, were checked when the clock started), and the actions
// run as System in one transaction, on a trigger.elapsed event of the
// case's history naming the trigger.
type Elapsed struct {
	// Hours is how long: 1 to 8760.
	Hours int `json:"hours"`
	// BusinessHours counts only the working time of the case's SLA
	// calendar (wall-clock hours for a case with none), as the calendar
	// stands when the clock runs out: a holiday added meanwhile puts
	// the actions off.
	BusinessHours bool `json:"business_hours,omitempty"`
}

// ConditionOp is how a Condition compares.
type ConditionOp string

// The condition operators. Is and IsNot compare the field's whole value
// with each of Values (for a list field such as tags, whether any of
// Values is in the list); Contains and NotContains look for any of Values
// as a whole word of a text field (subject, message.body), an item of a
// list field, or a part of any other; Set and Unset ask whether the field
// has a value.
const (
	OpIs          ConditionOp = "is"
	OpIsNot       ConditionOp = "is_not"
	OpContains    ConditionOp = "contains"
	OpNotContains ConditionOp = "not_contains"
	OpSet         ConditionOp = "set"
	OpUnset       ConditionOp = "unset"
)

// Condition is one test a trigger makes of the event and its case. Field
// is one of: status, status_flags (initial, progress, paused, reopen,
// resolved, final, canceled, read_only), priority, type, category,
// origin, service, queue, team, assignee, customer, tags, custom.<key>,
// subject, actor (agent, customer, system), changed (the fields the
// event changed), message.direction, message.channel, message.public,
// message.body, business_hours ("true" within the working time of the
// case's SLA calendar, always for a case with none), event.<key> (a
// detail of the event, as its history shows it).
type Condition struct {
	Field  string      `json:"field"`
	Op     ConditionOp `json:"op"`
	Values []string    `json:"values,omitempty"`
}

// DefaultTriggers are the triggers a new tenant starts with: the
// notification rules casekit has always had, as data. The customer and
// the watchers hear of public replies and of what happens to their case;
// the assignee or the team of what customers do and of what is handed to
// them. What stays code (notify.go): the actor is never told of their
// own doing, save the acknowledgement that the case they opened arrived;
// an internal message is never told outside; what a customer's notice
// may say of the event.
func DefaultTriggers() []Trigger {
	notify := func(to NotifyTarget) []Action { return []Action{{Kind: ActionNotify, To: to}} }
	is := func(field string, values ...string) Condition {
		return Condition{Field: field, Op: OpIs, Values: values}
	}
	cond := func(field string, op ConditionOp, values ...string) Condition {
		return Condition{Field: field, Op: op, Values: values}
	}
	ts := []Trigger{
		{Key: "notify-owners-of-customer-message", Name: "Tell the assignee or team of a customer's public message",
			When: []EventType{EventMessagePosted}, If: []Condition{is("message.public", "true"), is("message.direction", string(Inbound))}, Then: notify(NotifyOwners)},
		{Key: "mail-agent-message", Name: "Mail an agent's public e-mail message to the customer, watchers and copies",
			When: []EventType{EventMessagePosted}, If: []Condition{is("message.public", "true"), is("message.direction", string(Outbound)), is("message.channel", string(ChannelEmail))}, Then: notify(NotifyMail)},
		{Key: "notify-owners-of-reopening", Name: "Tell the assignee or team an agent reopened the case",
			When: []EventType{EventReopened}, If: []Condition{is("actor", string(KindAgent))}, Then: notify(NotifyOwners)},
		{Key: "notify-owners-of-customer-closing", Name: "Tell the assignee or team the customer closed the case",
			When: []EventType{EventClosed}, If: []Condition{is("actor", string(KindCustomer))}, Then: notify(NotifyOwners)},
		{Key: "notify-owners-of-low-rating", Name: "Tell the assignee or team a low rating reopened the case",
			When: []EventType{EventRated}, If: []Condition{is("actor", string(KindCustomer)), is("event.action", RatingReopens)}, Then: notify(NotifyOwners)},
		{Key: "notify-new-assignee", Name: "Tell the agent a case was handed to",
			When: []EventType{EventAssigned, EventEscalated}, If: []Condition{cond("status_flags", OpNotContains, "read_only"), cond("changed", OpContains, "assignee_id"), cond("assignee", OpSet)}, Then: notify(NotifyAssignee)},
		{Key: "notify-new-team", Name: "Tell the team an unassigned case was handed to",
			When: []EventType{EventAssigned, EventEscalated}, If: []Condition{cond("status_flags", OpNotContains, "read_only"), cond("changed", OpContains, "team_id"), cond("assignee", OpUnset)}, Then: notify(NotifyTeam)},
		{Key: "notify-customer-of-progress", Name: "Tell the customer and watchers work started or waits",
			When: []EventType{EventStatusChanged}, If: []Condition{cond("status_flags", OpContains, "progress", "paused")}, Then: notify(NotifyCustomer)},
		{Key: "notify-customer-of-outcome", Name: "Tell the customer and watchers the case was resolved or canceled",
			When: []EventType{EventResolved, EventCanceled}, Then: notify(NotifyCustomer)},
		{Key: "mail-portal-link", Name: "Mail a portal link to the contact alone",
			When: []EventType{EventPortalLinkMailed}, Then: notify(NotifyContact)},
		{Key: "notify-customer-of-activity", Name: "Tell the customer and watchers of an activity for them",
			When: []EventType{EventActivityAdded}, If: []Condition{is("event.notify_contact", "true")}, Then: notify(NotifyCustomer)},
		{Key: "notify-assignee-of-new-case", Name: "Tell the assignee of a case opened on them",
			When: []EventType{EventCaseOpened}, If: []Condition{cond("assignee", OpSet)}, Then: notify(NotifyAssignee)},
		{Key: "notify-team-of-new-case", Name: "Tell the team of an unassigned case from the portal, web form or mail",
			When: []EventType{EventCaseOpened}, If: []Condition{cond("assignee", OpUnset), is("origin", "portal", "web", "email")}, Then: notify(NotifyTeam)},
		{Key: "acknowledge-new-case", Name: "Acknowledge a new case to its contact",
			When: []EventType{EventCaseOpened}, Then: notify(NotifyAcknowledgement)},
		{Key: "notify-owners-of-sla", Name: "Tell the assignee or team of an SLA warning or breach",
			When: []EventType{EventSLAWarning, EventSLABreached}, Then: notify(NotifyOwners)},
	}
	for i := range ts {
		ts[i].Position, ts[i].Enabled = (i+1)*10, true
	}
	return ts
}
