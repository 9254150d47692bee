package casetype

import (
	"time"
)

// EventType names what happened.
type EventType string

// The event types casekit records.
const (
	EventCaseOpened         EventType = "case.opened"
	EventCaseUpdated        EventType = "case.updated"
	EventCaseDeleted        EventType = "case.deleted"
	EventStatusChanged      EventType = "case.status_changed"
	EventAssigned           EventType = "case.assigned"
	EventEscalated          EventType = "case.escalated"
	EventReclassified       EventType = "case.reclassified"
	EventResolved           EventType = "case.resolved"
	EventClosed             EventType = "case.closed"
	EventReopened           EventType = "case.reopened"
	EventRated              EventType = "case.rated"
	EventCanceled           EventType = "case.canceled"
	EventActivityAdded      EventType = "activity.added"
	EventActivityUpdated    EventType = "activity.updated"
	EventActivityCompleted  EventType = "activity.completed"
	EventActivityCanceled   EventType = "activity.canceled"
	EventNoteAdded          EventType = "note.added"
	EventMessagePosted      EventType = "message.posted"
	EventSettingsChanged    EventType = "settings.changed"
	EventStatusesChanged    EventType = "statuses.changed"
	EventTransitionsChanged EventType = "transitions.changed"
	EventLookupChanged      EventType = "lookup.changed"
	EventTeamChanged        EventType = "team.changed"
	EventQueueChanged       EventType = "queue.changed"
	EventWatcherAdded       EventType = "watcher.added"
	EventWatcherRemoved     EventType = "watcher.removed"
	EventCalendarChanged    EventType = "calendar.changed"
	EventSLAChanged         EventType = "sla.changed"
	EventTemplateChanged    EventType = "template.changed"
)

// Event is one entry of the append-only history: who did what, when.
// Events of a deleted case stay, as its audit record.
type Event struct {
	ID         string    `json:"id"`
	CaseID     string    `json:"case_id,omitempty"`
	CaseNumber int64     `json:"case_number,omitempty"`
	Type       EventType `json:"type"`
	Actor      Actor     `json:"actor"`
	At         time.Time `json:"at"`
	// Data holds the event's details, e.g. {"from": "new", "to":
	// "in_progress"} or, for an update, {"changes": {"subject": [old, new]}}.
	Data map[string]any `json:"data,omitempty"`
}

// The verification events, in the case's history.
const (
	// EventPortalLinkMailed: a portal link went to the contact's address;
	// its notification carries the link's token as "portal_token" (the
	// host's templates.Links turn it into the portal's URL).
	EventPortalLinkMailed EventType = "portal_link.mailed"
	// EventContactVerified: the contact's address became its identity.
	EventContactVerified EventType = "case.contact_verified"
)
