package casekit

import (
	"context"
	"fmt"
)

// Resolution is the input to Desk.Resolve.
type Resolution struct {
	// Summary records how the case was resolved.
	Summary string `json:"summary" validate:"max=100000"`
	// CancelOpenActivities cancels the case's open activities in the same
	// transaction instead of refusing with ErrOpenActivities.
	CancelOpenActivities bool `json:"cancel_open_activities"`
}

// Closure is the input to Desk.Close: a reason from the tenant's closure
// reason lookup and a note, both required.
type Closure struct {
	Reason string `json:"reason" validate:"required,max=64"`
	Note   string `json:"note" validate:"required,max=100000"`
	// CancelOpenActivities cancels the case's open activities in the same
	// transaction instead of refusing with ErrOpenActivities.
	CancelOpenActivities bool `json:"cancel_open_activities"`
}

// Reopening is the input to Desk.Reopen: a reason from the tenant's reopen
// reason lookup and a note, both required.
type Reopening struct {
	Reason string `json:"reason" validate:"required,max=64"`
	Note   string `json:"note" validate:"required,max=100000"`
}

// Rating is a satisfaction rating of a resolved case, usually the
// customer's, from the resolution notice's links.
type Rating struct {
	// Level is the rank of one of the tenant's enabled satisfaction
	// levels (by default 1 to 5).
	Level   int    `json:"level" validate:"min=1,max=1000"`
	Comment string `json:"comment" validate:"max=5000"`
}

// SetStatus moves a case to another status along the tenant's transition
// table (ErrInvalidTransition otherwise). Moving to a status flagged
// Progress assigns the acting agent when nobody is assigned. Moving to a
// resolved status follows Resolve's rule on open activities; moving to a
// canceled status cancels them. Closing and reopening need a reason and a
// note, so SetStatus refuses them with a *ValidationError pointing to Close
// and Reopen.
func (d *Desk) SetStatus(ctx context.Context, id, status string) (*Case, error) {
	return runValue(d, ctx, "set status", staffOnly, func(c *cmd) (out *Case, err error) {
		cs, err := c.load(id, true)
		if err != nil {
			return nil, err
		}
		cur, set, err := c.status(cs)
		if err != nil {
			return nil, err
		}
		to, ok := set.get(status)
		if !ok {
			return nil, invalid("status", "known", "unknown status %q", status)
		}
		if to.Key == cur.Key {
			return cs, nil
		}
		if cur.ReadOnly() && !to.Final && !to.Reopen {
			return out, fmt.Errorf("case %s is %s; reopen it first: %w", cs.ID, cur.Key, ErrReadOnly)
		}
		if !set.can(cur.Key, to.Key) {
			return out, fmt.Errorf("case %s: %w", cs.ID, &TransitionError{From: cur.Key, To: to.Key})
		}
		switch {
		case to.Canceled:
			err = c.cancel(cs, cur, to, "")
		case to.Final:
			return out, invalid("reason", "required", "closing case %s needs a closure reason and a note: use Close", cs.ID)
		case cur.ReadOnly(): // to.Reopen, as checked above
			return out, invalid("reason", "required", "reopening case %s needs a reopen reason and a note: use Reopen", cs.ID)
		case to.Resolved:
			err = c.resolve(cs, cur, to, Resolution{})
		default:
			err = c.moveTo(cs, cur, to, EventStatusChanged, nil)
		}
		return cs, err
	})
}

// moveTo changes the status, applying the flags' side effects, saves the
// case and records ev with from/to and extra data.
func (c *cmd) moveTo(cs *Case, from, to Status, ev EventType, extra map[string]any) error {
	data := map[string]any{"from": from.Key, "to": to.Key}
	for k, v := range extra {
		data[k] = v
	}
	cs.Status = to.Key
	if to.Progress && cs.AssigneeID == "" && c.actor.Kind == KindAgent {
		cs.AssigneeID = c.actor.ID
		data["assignee_id"] = c.actor.ID
	}
	if err := c.save(cs); err != nil {
		return err
	}
	c.record(cs, ev, data)
	return nil
}

// openActivities returns the case's open activities, canceling them when
// cancel is set and refusing with *OpenActivitiesError otherwise.
func (c *cmd) settleActivities(cs *Case, cancel bool) ([]string, error) {
	acts, err := c.tx.Activities(c.ctx, cs.ID)
	if err != nil {
		return nil, err
	}
	var open []*Activity
	for _, a := range acts {
		if a.State == ActivityOpen {
			open = append(open, a)
		}
	}
	if len(open) == 0 {
		return nil, nil
	}
	if !cancel {
		e := &OpenActivitiesError{CaseID: cs.ID}
		for _, a := range open {
			e.Activities = append(e.Activities, ActivityRef{ID: a.ID, Subject: a.Subject})
		}
		return nil, e
	}
	ids := make([]string, 0, len(open))
	for _, a := range open {
		if err := c.finishActivity(cs, a, ActivityCanceled, ""); err != nil {
			return nil, err
		}
		ids = append(ids, a.ID)
	}
	return ids, nil
}

// Resolve marks a case resolved. It is refused with ErrOpenActivities,
// naming them, while activities are open, unless r.CancelOpenActivities
// asks for them to be canceled in the same transaction.
func (d *Desk) Resolve(ctx context.Context, id string, r Resolution) (*Case, error) {
	return runValue(d, ctx, "resolve", staffOnly, func(c *cmd) (out *Case, err error) {
		if err := validateStruct(r); err != nil {
			return nil, err
		}
		cs, err := c.load(id, true)
		if err != nil {
			return nil, err
		}
		cur, set, err := c.status(cs)
		if err != nil {
			return nil, err
		}
		if cur.ReadOnly() {
			return nil, fmt.Errorf("case %s is already %s: %w", cs.ID, cur.Key, ErrReadOnly)
		}
		to, ok := set.first(func(s Status) bool { return s.Resolved && !s.Final })
		if !ok {
			return nil, fmt.Errorf("the tenant has no resolved status")
		}
		if !set.can(cur.Key, to.Key) {
			return nil, fmt.Errorf("case %s: %w", cs.ID, &TransitionError{From: cur.Key, To: to.Key})
		}
		return cs, c.resolve(cs, cur, to, r)
	})
}

func (c *cmd) resolve(cs *Case, from, to Status, r Resolution) error {
	canceled, err := c.settleActivities(cs, r.CancelOpenActivities)
	if err != nil {
		return err
	}
	now := c.now
	cs.ResolvedAt = &now
	extra := map[string]any{}
	if r.Summary != "" {
		extra["summary"] = r.Summary
	}
	if len(canceled) > 0 {
		extra["canceled_activities"] = canceled
	}
	return c.moveTo(cs, from, to, EventResolved, extra)
}

// Close closes a case with a reason from the tenant's closure reason lookup
// and a note, both required and both kept in the history. Open activities
// refuse it as in Resolve, except when a customer closes their own case:
// then they are canceled, since the customer no longer needs the work.
func (d *Desk) Close(ctx context.Context, id string, cl Closure) (*Case, error) {
	return runValue(d, ctx, "close", customerToo, func(c *cmd) (out *Case, err error) {
		defer c.showing(&out, &err)
		cs, err := c.load(id, true)
		if err != nil {
			return out, err
		}
		if c.customer() {
			cl.CancelOpenActivities = true
		}
		return cs, c.close(cs, cl)
	})
}

func (c *cmd) close(cs *Case, cl Closure) error {
	var v validations
	if err := v.merge(validateStruct(cl)); err != nil {
		return err
	}
	if err := c.checkLookups(&v, map[LookupKind][2]string{LookupClosureReason: {"reason", cl.Reason}}); err != nil {
		return err
	}
	if err := v.err(); err != nil {
		return err
	}
	cur, set, err := c.status(cs)
	if err != nil {
		return err
	}
	if cur.Final {
		return fmt.Errorf("case %s is already %s: %w", cs.ID, cur.Key, ErrReadOnly)
	}
	to, ok := set.first(func(s Status) bool { return s.Final && !s.Canceled })
	if !ok {
		return fmt.Errorf("the tenant has no closed status")
	}
	if !set.can(cur.Key, to.Key) {
		return fmt.Errorf("case %s: %w", cs.ID, &TransitionError{From: cur.Key, To: to.Key})
	}
	canceled, err := c.settleActivities(cs, cl.CancelOpenActivities)
	if err != nil {
		return err
	}
	now := c.now
	cs.ClosedAt = &now
	cs.ClosureReason = cl.Reason
	extra := map[string]any{"reason": cl.Reason, "note": cl.Note}
	if len(canceled) > 0 {
		extra["canceled_activities"] = canceled
	}
	return c.moveTo(cs, cur, to, EventClosed, extra)
}

// Reopen reactivates a resolved, closed or canceled case with a reason from
// the tenant's reopen reason lookup and a note, both required and both kept
// in the history. The case becomes editable again.
func (d *Desk) Reopen(ctx context.Context, id string, r Reopening) (*Case, error) {
	return runValue(d, ctx, "reopen", staffOnly, func(c *cmd) (out *Case, err error) {
		var v validations
		if err := v.merge(validateStruct(r)); err != nil {
			return nil, err
		}
		if err := c.checkLookups(&v, map[LookupKind][2]string{LookupReopenReason: {"reason", r.Reason}}); err != nil {
			return nil, err
		}
		if err := v.err(); err != nil {
			return nil, err
		}
		cs, err := c.load(id, true)
		if err != nil {
			return nil, err
		}
		cur, set, err := c.status(cs)
		if err != nil {
			return nil, err
		}
		to, ok := set.first(func(s Status) bool { return s.Reopen && !s.ReadOnly() })
		if !ok {
			return nil, fmt.Errorf("the tenant has no reopen status")
		}
		if !cur.ReadOnly() || !set.can(cur.Key, to.Key) {
			return nil, fmt.Errorf("case %s: %w", cs.ID, &TransitionError{From: cur.Key, To: to.Key})
		}
		return cs, c.reopen(cs, cur, to, map[string]any{"reason": r.Reason, "note": r.Note})
	})
}

func (c *cmd) reopen(cs *Case, from, to Status, data map[string]any) error {
	cs.ResolvedAt, cs.ClosedAt, cs.ClosureReason = nil, nil, ""
	return c.moveTo(cs, from, to, EventReopened, data)
}

// Cancel cancels a case opened by mistake or no longer needed. Its open
// activities are canceled with it.
func (d *Desk) Cancel(ctx context.Context, id, reason string) (*Case, error) {
	return runValue(d, ctx, "cancel", staffOnly, func(c *cmd) (out *Case, err error) {
		if len(reason) > 1000 {
			return nil, invalid("reason", "max", "is longer than 1000 characters")
		}
		cs, err := c.load(id, true)
		if err != nil {
			return nil, err
		}
		cur, set, err := c.status(cs)
		if err != nil {
			return nil, err
		}
		to, ok := set.first(func(s Status) bool { return s.Canceled })
		if !ok {
			return nil, fmt.Errorf("the tenant has no canceled status")
		}
		if cur.Final {
			return nil, fmt.Errorf("case %s is already %s: %w", cs.ID, cur.Key, ErrReadOnly)
		}
		if !set.can(cur.Key, to.Key) {
			return nil, fmt.Errorf("case %s: %w", cs.ID, &TransitionError{From: cur.Key, To: to.Key})
		}
		return cs, c.cancel(cs, cur, to, reason)
	})
}

func (c *cmd) cancel(cs *Case, from, to Status, reason string) error {
	canceled, err := c.settleActivities(cs, true)
	if err != nil {
		return err
	}
	now := c.now
	cs.ClosedAt = &now
	extra := map[string]any{"reason": reason}
	if len(canceled) > 0 {
		extra["canceled_activities"] = canceled
	}
	return c.moveTo(cs, from, to, EventCanceled, extra)
}
