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

// lifecycleMove is one of the moves Resolve, Close, Reopen and Cancel
// make, described once so that they check a case the same way (moveFor).
type lifecycleMove struct {
	// name names the target status for a tenant that has none.
	name string
	// target picks the tenant's status the case moves to: the first that
	// matches.
	target func(Status) bool
	// done marks the statuses a case cannot leave this way: ErrReadOnly.
	done func(Status) bool
	// from, when set, marks the only statuses the move starts from; a
	// case elsewhere gives a *TransitionError.
	from func(Status) bool
}

// The four lifecycle moves: Resolve, Close, Reopen and Cancel.
var (
	resolving = lifecycleMove{name: "resolved",
		target: func(s Status) bool { return s.Resolved && !s.Final }, done: Status.ReadOnly}
	closing = lifecycleMove{name: "closed",
		target: func(s Status) bool { return s.Final && !s.Canceled }, done: func(s Status) bool { return s.Final }}
	reopening = lifecycleMove{name: "reopen",
		target: func(s Status) bool { return s.Reopen && !s.ReadOnly() }, from: Status.ReadOnly}
	canceling = lifecycleMove{name: "canceled",
		target: func(s Status) bool { return s.Canceled }, done: func(s Status) bool { return s.Final }}
)

// moveFor checks that the case may make move m and returns its current
// status and the one it moves to: ErrReadOnly for a case already done,
// a *TransitionError when the tenant's transition table (or m.from)
// forbids it.
func (c *cmd) moveFor(cs *Case, m lifecycleMove) (from, to Status, err error) {
	from, set, err := c.status(cs)
	if err != nil {
		return from, to, err
	}
	if m.done != nil && m.done(from) {
		return from, to, fmt.Errorf("case %s is already %s: %w", cs.ID, from.Key, ErrReadOnly)
	}
	to, ok := set.first(m.target)
	if !ok {
		return from, to, fmt.Errorf("the tenant has no %s status", m.name)
	}
	if (m.from != nil && !m.from(from)) || !set.can(from.Key, to.Key) {
		return from, to, fmt.Errorf("case %s: %w", cs.ID, &TransitionError{From: from.Key, To: to.Key})
	}
	return from, to, nil
}

// loadFor loads and locks a case for move m and checks it (moveFor).
func (c *cmd) loadFor(id string, m lifecycleMove) (cs *Case, from, to Status, err error) {
	if cs, err = c.load(id, true); err != nil {
		return nil, from, to, err
	}
	from, to, err = c.moveFor(cs, m)
	return cs, from, to, err
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

// settleInto deals with the case's open activities before it leaves
// the active statuses: it cancels them when cancel is set, naming them in
// the event data as "canceled_activities", and refuses with
// *OpenActivitiesError otherwise.
func (c *cmd) settleInto(data map[string]any, cs *Case, cancel bool) error {
	canceled, err := c.settleActivities(cs, cancel)
	if err != nil {
		return err
	}
	if len(canceled) > 0 {
		data["canceled_activities"] = canceled
	}
	return nil
}

// settleActivities returns the IDs of the case's open activities after
// canceling them when cancel is set, and refuses with
// *OpenActivitiesError otherwise.
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
		cs, cur, to, err := c.loadFor(id, resolving)
		if err != nil {
			return nil, err
		}
		return cs, c.resolve(cs, cur, to, r)
	})
}

// resolve moves a case to the resolved status to, which Resolve and
// SetStatus checked it may reach.
func (c *cmd) resolve(cs *Case, from, to Status, r Resolution) error {
	extra := map[string]any{}
	if r.Summary != "" {
		extra["summary"] = r.Summary
	}
	if err := c.settleInto(extra, cs, r.CancelOpenActivities); err != nil {
		return err
	}
	now := c.now
	cs.ResolvedAt = &now
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

// close is Close on a case loaded and locked, as CompleteActivity also
// closes one.
func (c *cmd) close(cs *Case, cl Closure) error {
	var v validations
	if err := v.Merge(validateStruct(cl)); err != nil {
		return err
	}
	if err := c.checkLookups(&v, map[LookupKind][2]string{LookupClosureReason: {"reason", cl.Reason}}); err != nil {
		return err
	}
	if err := v.Err(); err != nil {
		return err
	}
	cur, to, err := c.moveFor(cs, closing)
	if err != nil {
		return err
	}
	return c.closeTo(cs, cur, to, cl)
}

// closeTo moves a case to the closed status to, which the caller checked
// it may reach, with the closure cl, checked too.
func (c *cmd) closeTo(cs *Case, cur, to Status, cl Closure) error {
	extra := map[string]any{"reason": cl.Reason, "note": cl.Note}
	if err := c.settleInto(extra, cs, cl.CancelOpenActivities); err != nil {
		return err
	}
	now := c.now
	cs.ClosedAt = &now
	cs.ClosureReason = cl.Reason
	return c.moveTo(cs, cur, to, EventClosed, extra)
}

// Reopen reactivates a resolved, closed or canceled case with a reason from
// the tenant's reopen reason lookup and a note, both required and both kept
// in the history. The case becomes editable again.
func (d *Desk) Reopen(ctx context.Context, id string, r Reopening) (*Case, error) {
	return runValue(d, ctx, "reopen", staffOnly, func(c *cmd) (out *Case, err error) {
		var v validations
		if err := v.Merge(validateStruct(r)); err != nil {
			return nil, err
		}
		if err := c.checkLookups(&v, map[LookupKind][2]string{LookupReopenReason: {"reason", r.Reason}}); err != nil {
			return nil, err
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
		cs, cur, to, err := c.loadFor(id, reopening)
		if err != nil {
			return nil, err
		}
		return cs, c.reopen(cs, cur, to, map[string]any{"reason": r.Reason, "note": r.Note})
	})
}

// reopen moves a read-only case back to the active status to, clearing
// what resolving or closing it stamped.
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
		cs, cur, to, err := c.loadFor(id, canceling)
		if err != nil {
			return nil, err
		}
		return cs, c.cancel(cs, cur, to, reason)
	})
}

// cancel moves a case to the canceled status to, canceling its open
// activities with it.
func (c *cmd) cancel(cs *Case, from, to Status, reason string) error {
	extra := map[string]any{"reason": reason}
	if err := c.settleInto(extra, cs, true); err != nil {
		return err
	}
	now := c.now
	cs.ClosedAt = &now
	return c.moveTo(cs, from, to, EventCanceled, extra)
}
