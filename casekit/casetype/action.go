package casetype

// ActionKind says what an Action does. Triggers and macros share them.
type ActionKind string

// The kinds of action.
const (
	// ActionSetPriority and ActionSetType set the case's priority or type
	// to Value, a key of the tenant's lookup.
	ActionSetPriority ActionKind = "set_priority"
	ActionSetType     ActionKind = "set_type"
	// ActionAddTags and ActionRemoveTags add or remove the tags in Values.
	ActionAddTags    ActionKind = "add_tags"
	ActionRemoveTags ActionKind = "remove_tags"
	// ActionSetCustom sets the custom field Field to Value.
	ActionSetCustom ActionKind = "set_custom"
	// ActionAssignQueue, ActionAssignTeam and ActionAssignAgent place the
	// case in the queue, team or on the agent Value names (a queue with a
	// team gives the case its team).
	ActionAssignQueue ActionKind = "assign_queue"
	ActionAssignTeam  ActionKind = "assign_team"
	ActionAssignAgent ActionKind = "assign_agent"
	// ActionAddWatcher makes the address Value a watcher of the case,
	// named Field; an address already watching stays as it is.
	ActionAddWatcher ActionKind = "add_watcher"
	// ActionAddActivity adds an open task with the subject Value, for the
	// case's assignee; with To NotifyTeam, one for each member of the
	// case's team (the Directory's, up to 20; one for no one in
	// particular without a Directory). DueHours, when set, makes it due
	// that many hours later, counted as Elapsed counts business hours.
	ActionAddActivity ActionKind = "add_activity"
	// ActionNotify tells To of the event through the outbox, rendered
	// with the event's template as every notice is. Only triggers notify:
	// a macro's words go in its Reply.
	ActionNotify ActionKind = "notify"
	// ActionSetStatus moves the case to the status Value along the
	// tenant's transition table, as Desk.SetStatus, Resolve, Close or
	// Cancel would: open activities are canceled on the way to a
	// resolved or final status, and closing takes the closure reason
	// Field with a note naming the rule. Triggers and process stages
	// set statuses; macros do not (their reply follows their actions).
	ActionSetStatus ActionKind = "set_status"
	// ActionWebhook posts the event to the tenant's webhook subscription
	// whose key is Value, whatever event types it subscribes to (once,
	// should it subscribe to this one too). Only triggers post.
	ActionWebhook ActionKind = "webhook"
)

// NotifyTarget is who an ActionNotify tells.
type NotifyTarget string

// The targets of ActionNotify.
const (
	NotifyAssignee NotifyTarget = "assignee"
	NotifyTeam     NotifyTarget = "team"
	// NotifyOwners is the assignee or, for a case with none, its team.
	NotifyOwners NotifyTarget = "owners"
	// NotifyCustomer is the case's customer contact and its watchers.
	NotifyCustomer NotifyTarget = "customer"
	// NotifyContact is the case's contact alone.
	NotifyContact  NotifyTarget = "contact"
	NotifyWatchers NotifyTarget = "watchers"
	// NotifyAcknowledgement is the contact of a case just opened, when
	// the tenant's mail settings acknowledge its origin and the address
	// is within its hourly limit (MailSettings.Acknowledge, AckLimit).
	NotifyAcknowledgement NotifyTarget = "acknowledgement"
	// NotifyMail is everyone an agent's public e-mail message goes to:
	// the customer, the watchers and the message's To and Cc, never the
	// agent's own address.
	NotifyMail NotifyTarget = "mail"
	// NotifyAddress is the address in Value, told what a watcher is.
	NotifyAddress NotifyTarget = "address"
)

// Action is one thing a trigger or a macro does to a case.
type Action struct {
	Kind   ActionKind `json:"kind"`
	Value  string     `json:"value,omitempty"`
	Values []string   `json:"values,omitempty"`
	// Field is the custom field of ActionSetCustom and the watcher's name
	// of ActionAddWatcher.
	Field string       `json:"field,omitempty"`
	To    NotifyTarget `json:"to,omitempty"`
	// Template, for ActionNotify, is the message template that words the
	// notice instead of the event's own: one the kit's TemplateEngine
	// has, or a template override of the tenant ("message/custom.<key>").
	Template string `json:"template,omitempty"`
	// DueHours is the due time of ActionAddActivity's task, in hours from
	// when it is added: 0 for none, at most 8760.
	DueHours int `json:"due_hours,omitempty"`
}
