package casekit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"casekit.dev/casekit/casetype"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// ActivityKind is what sort of work an activity is.
	ActivityKind = casetype.ActivityKind
	// ActivityState is where an activity stands.
	ActivityState = casetype.ActivityState
	// Activity is a piece of work on a case: a task, call, e-mail, meeting or
	// third-party communication.
	Activity = casetype.Activity
)

const (
	ActivityTask       = casetype.ActivityTask
	ActivityCall       = casetype.ActivityCall
	ActivityEmail      = casetype.ActivityEmail
	ActivityMeeting    = casetype.ActivityMeeting
	ActivityThirdParty = casetype.ActivityThirdParty
	ActivityOpen       = casetype.ActivityOpen
	ActivityCompleted  = casetype.ActivityCompleted
	ActivityCanceled   = casetype.ActivityCanceled
)

// NewActivity is the input to Desk.AddActivity.
type NewActivity struct {
	Kind          ActivityKind `json:"kind" validate:"required,oneof=task call email meeting third_party"`
	Subject       string       `json:"subject" validate:"required,max=300"`
	Description   string       `json:"description" validate:"max=100000"`
	Due           *time.Time   `json:"due"`
	AssigneeID    string       `json:"assignee_id" validate:"max=200"`
	NotifyContact bool         `json:"notify_contact"`
}

// ActivityUpdate changes an open activity. Nil fields stay as they are.
type ActivityUpdate struct {
	Subject       *string    `json:"subject" validate:"omitempty,min=1,max=300"`
	Description   *string    `json:"description" validate:"omitempty,max=100000"`
	Due           *time.Time `json:"due"`
	ClearDue      bool       `json:"clear_due"`
	AssigneeID    *string    `json:"assignee_id" validate:"omitempty,max=200"`
	NotifyContact *bool      `json:"notify_contact"`
}

// Completion is the input to Desk.CompleteActivity.
type Completion struct {
	// Result records the outcome.
	Result string `json:"result" validate:"max=100000"`
	// CloseCase, when set, also closes the case in the same transaction
	// ("complete & close case").
	CloseCase *Closure `json:"close_case"`
}

// AddActivity adds an open activity to a case. The first activity that
// notifies the contact sets the case's FirstResponseAt, as the first public
// outbound message does.
func (d *Desk) AddActivity(ctx context.Context, caseID string, in NewActivity) (*Activity, error) {
	return runValue(d, ctx, "add activity", staffOnly, func(c *cmd) (out *Activity, err error) {
		in.Subject = strings.TrimSpace(in.Subject)
		if err := validateStruct(in); err != nil {
			return nil, err
		}
		cs, err := c.loadEditable(caseID)
		if err != nil {
			return nil, err
		}
		a := &Activity{
			ID: newID(), CaseID: cs.ID, Kind: in.Kind, Subject: in.Subject, Description: in.Description,
			State: ActivityOpen, Due: utcPtr(in.Due), AssigneeID: in.AssigneeID, NotifyContact: in.NotifyContact,
			CreatedBy: c.actor, CreatedAt: c.now, UpdatedAt: c.now, Version: 1,
		}
		if err := c.tx.InsertActivity(c.ctx, a); err != nil {
			return nil, fmt.Errorf("case %s: %w", cs.ID, err)
		}
		c.record(cs, EventActivityAdded, map[string]any{
			"activity_id": a.ID, "kind": string(a.Kind), "subject": a.Subject, "notify_contact": a.NotifyContact,
		})
		out = a
		if a.NotifyContact && cs.FirstResponseAt == nil {
			// The contact hears from us: that is the first response.
			now := c.now
			cs.FirstResponseAt = &now
			return out, c.save(cs)
		}
		return out, nil
	})
}

// loadActivity reads an activity and locks its case, which must be
// editable and, for a customer, visible.
func (c *cmd) loadActivity(id string) (*Activity, *Case, error) {
	a, err := c.tx.Activity(c.ctx, id)
	if err != nil {
		return nil, nil, fmt.Errorf("activity %s: %w", id, err)
	}
	cs, err := c.loadEditable(a.CaseID)
	if err != nil {
		return nil, nil, err
	}
	// Read again under the case lock: the first read only found the case.
	if a, err = c.tx.Activity(c.ctx, id); err != nil {
		return nil, nil, fmt.Errorf("activity %s: %w", id, err)
	}
	return a, cs, nil
}

// UpdateActivity changes an open activity. A completed or canceled
// activity gives ErrReadOnly.
func (d *Desk) UpdateActivity(ctx context.Context, id string, u ActivityUpdate) (*Activity, error) {
	return runValue(d, ctx, "update activity", staffOnly, func(c *cmd) (out *Activity, err error) {
		if u.Subject != nil {
			trimmed := strings.TrimSpace(*u.Subject)
			u.Subject = &trimmed
		}
		if err := validateStruct(u); err != nil {
			return nil, err
		}
		if u.Subject != nil && *u.Subject == "" {
			return nil, invalid("subject", "required", "is required")
		}
		if u.Due != nil && u.ClearDue {
			return nil, invalid("due", "excluded_with", "set a due time or clear it, not both")
		}
		a, cs, err := c.loadActivity(id)
		if err != nil {
			return nil, err
		}
		if a.State != ActivityOpen {
			return nil, fmt.Errorf("activity %s is %s: %w", a.ID, a.State, ErrReadOnly)
		}
		changes := map[string]any{}
		if u.Subject != nil && *u.Subject != a.Subject {
			changes["subject"] = []any{a.Subject, *u.Subject}
			a.Subject = *u.Subject
		}
		if u.Description != nil && *u.Description != a.Description {
			changes["description"] = []any{a.Description, *u.Description}
			a.Description = *u.Description
		}
		if u.AssigneeID != nil && *u.AssigneeID != a.AssigneeID {
			changes["assignee_id"] = []any{a.AssigneeID, *u.AssigneeID}
			a.AssigneeID = *u.AssigneeID
		}
		if u.NotifyContact != nil && *u.NotifyContact != a.NotifyContact {
			changes["notify_contact"] = []any{a.NotifyContact, *u.NotifyContact}
			a.NotifyContact = *u.NotifyContact
		}
		if due := utcPtr(u.Due); due != nil && (a.Due == nil || !a.Due.Equal(*due)) {
			changes["due"] = []any{timeOrNil(a.Due), due.Format(time.RFC3339Nano)}
			a.Due = due
		}
		if u.ClearDue && a.Due != nil {
			changes["due"] = []any{timeOrNil(a.Due), nil}
			a.Due = nil
		}
		out = a
		if len(changes) == 0 {
			return out, nil
		}
		a.Version++
		a.UpdatedAt = c.now
		if err := c.tx.UpdateActivity(c.ctx, a); err != nil {
			return out, fmt.Errorf("activity %s: %w", a.ID, err)
		}
		c.record(cs, EventActivityUpdated, map[string]any{"activity_id": a.ID, "changes": changes})
		return out, nil
	})
}

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Format(time.RFC3339Nano)
}

// finishActivity completes or cancels an open activity and records it.
func (c *cmd) finishActivity(cs *Case, a *Activity, state ActivityState, result string) error {
	if a.State != ActivityOpen {
		return fmt.Errorf("activity %s: %w", a.ID, &TransitionError{From: string(a.State), To: string(state)})
	}
	now := c.now
	a.State, a.Result, a.DoneAt = state, result, &now
	a.Version++
	a.UpdatedAt = now
	if err := c.tx.UpdateActivity(c.ctx, a); err != nil {
		return fmt.Errorf("activity %s: %w", a.ID, err)
	}
	ev := EventActivityCompleted
	if state == ActivityCanceled {
		ev = EventActivityCanceled
	}
	data := map[string]any{"activity_id": a.ID, "subject": a.Subject}
	if result != "" {
		data["result"] = result
	}
	c.record(cs, ev, data)
	return nil
}

// CompleteActivity completes an open activity and returns its case. With
// CloseCase set it also closes the case in the same transaction ("complete
// & close case"); if closing is refused, the activity stays open.
func (d *Desk) CompleteActivity(ctx context.Context, id string, in Completion) (*Case, error) {
	return runValue(d, ctx, "complete activity", staffOnly, func(c *cmd) (out *Case, err error) {
		if err := validateStruct(in); err != nil {
			return nil, err
		}
		a, cs, err := c.loadActivity(id)
		if err != nil {
			return nil, err
		}
		if err := c.finishActivity(cs, a, ActivityCompleted, in.Result); err != nil {
			return nil, err
		}
		out = cs
		if in.CloseCase == nil {
			return out, nil
		}
		return out, c.close(cs, *in.CloseCase)
	})
}

// CancelActivity cancels an open activity.
func (d *Desk) CancelActivity(ctx context.Context, id, reason string) (*Activity, error) {
	return runValue(d, ctx, "cancel activity", staffOnly, func(c *cmd) (out *Activity, err error) {
		if len(reason) > 1000 {
			return nil, invalid("reason", "max", "is longer than 1000 characters")
		}
		a, cs, err := c.loadActivity(id)
		if err != nil {
			return nil, err
		}
		return a, c.finishActivity(cs, a, ActivityCanceled, reason)
	})
}

// Activities lists a case's activities, oldest first. A customer sees only
// those marked NotifyContact.
func (d *Desk) Activities(ctx context.Context, caseID string) ([]*Activity, error) {
	return ofCase(d, ctx, "activities", customerRead, caseID, (*cmd).activitiesOf)
}

// activitiesOf lists the case's activities the actor may see: a
// customer only those the contact was told of.
func (c *cmd) activitiesOf(cs *Case) ([]*Activity, error) {
	all, err := c.tx.Activities(c.ctx, cs.ID)
	return shownList(c, keep(all, func(a *Activity) bool { return !c.customer() || a.NotifyContact }), hideActivity), err
}
