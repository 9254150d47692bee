package casekit

import (
	"context"
	"fmt"

	"casekit.dev/casekit/casetype"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// EventType names what happened.
	EventType = casetype.EventType
	// Event is one entry of the append-only history: who did what, when.
	Event = casetype.Event
)

const (
	EventCaseOpened         = casetype.EventCaseOpened
	EventCaseUpdated        = casetype.EventCaseUpdated
	EventCaseDeleted        = casetype.EventCaseDeleted
	EventStatusChanged      = casetype.EventStatusChanged
	EventAssigned           = casetype.EventAssigned
	EventEscalated          = casetype.EventEscalated
	EventReclassified       = casetype.EventReclassified
	EventResolved           = casetype.EventResolved
	EventClosed             = casetype.EventClosed
	EventReopened           = casetype.EventReopened
	EventRated              = casetype.EventRated
	EventCanceled           = casetype.EventCanceled
	EventActivityAdded      = casetype.EventActivityAdded
	EventActivityUpdated    = casetype.EventActivityUpdated
	EventActivityCompleted  = casetype.EventActivityCompleted
	EventActivityCanceled   = casetype.EventActivityCanceled
	EventNoteAdded          = casetype.EventNoteAdded
	EventMessagePosted      = casetype.EventMessagePosted
	EventSettingsChanged    = casetype.EventSettingsChanged
	EventStatusesChanged    = casetype.EventStatusesChanged
	EventTransitionsChanged = casetype.EventTransitionsChanged
	EventLookupChanged      = casetype.EventLookupChanged
	EventTeamChanged        = casetype.EventTeamChanged
	EventQueueChanged       = casetype.EventQueueChanged
	EventWatcherAdded       = casetype.EventWatcherAdded
	EventWatcherRemoved     = casetype.EventWatcherRemoved
	EventCalendarChanged    = casetype.EventCalendarChanged
	EventSLAChanged         = casetype.EventSLAChanged
	EventTemplateChanged    = casetype.EventTemplateChanged
)

// EventTypes lists every event type casekit records, the types a webhook
// subscription may name: those about a case first, then those about the
// tenant's configuration. A webhook with no Events gets them all.
func EventTypes() []EventType {
	return []EventType{
		EventCaseOpened, EventCaseUpdated, EventCaseDeleted, EventStatusChanged, EventAssigned, EventEscalated,
		EventReclassified, EventResolved, EventClosed, EventReopened, EventRated, EventCanceled,
		EventActivityAdded, EventActivityUpdated, EventActivityCompleted, EventActivityCanceled,
		EventNoteAdded, EventMessagePosted, EventWatcherAdded, EventWatcherRemoved,
		EventSLAWarning, EventSLABreached, EventCloseReminder, EventAutoCloseSkipped,
		EventPortalLinkCreated, EventPortalLinkRevoked, EventPortalLinkMailed, EventContactVerified, EventReplyTokensRevoked,
		EventProcessStarted, EventStageChanged, EventProcessFinished, EventProcessStopped,
		EventLinked, EventUnlinked, EventMerged, EventMergedIn, EventTriggerSkipped, EventTimeElapsed,

		EventSettingsChanged, EventStatusesChanged, EventTransitionsChanged, EventLookupChanged, EventTeamChanged,
		EventQueueChanged, EventCalendarChanged, EventSLAChanged, EventTemplateChanged, EventCustomFieldChanged,
		EventProcessChanged, EventRoleChanged, EventAgentRoleChanged, EventTriggerChanged, EventMacroChanged,
		EventWebhookChanged, EventAvailabilityChanged,
	}
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
