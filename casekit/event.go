package casekit

import (
	"context"
	"fmt"
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

// History returns every event of a case in the order they happened. The
// history of a deleted case stays readable: it is the deletion's audit
// record. Customers may not read history.
func (d *Desk) History(ctx context.Context, id string) ([]Event, error) {
	return runValue(d, ctx, "history", staffRead, func(c *cmd) (out []Event, err error) {
		if id == "" { // not the tenant-level events: see Config.History
			return nil, fmt.Errorf("case %q: %w", id, ErrNotFound)
		}
		evs, err := c.tx.Events(c.ctx, id)
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", id, err)
		}
		if len(evs) == 0 {
			if _, err := c.load(id, false); err != nil {
				return nil, err
			}
		}
		return evs, nil
	})
}

// History returns the tenant-level events: changes to settings,
// statuses, transitions and lookups, oldest first.
func (cf *Config) History(ctx context.Context) ([]Event, error) {
	return runValue(cf.d, ctx, "config history", staffRead, func(c *cmd) ([]Event, error) {
		return c.tx.Events(c.ctx, "")
	})
}
