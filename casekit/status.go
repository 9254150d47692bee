package casekit

import (
	"context"
	"fmt"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// Status is one entry of a tenant's status lookup.
	Status = casetype.Status
	// Transition allows a case to move from one status to another.
	Transition = casetype.Transition
)

// The keys of the default statuses.
const (
	StatusNew        = "new"
	StatusInProgress = "in_progress"
	StatusWaiting    = "waiting_for_response"
	StatusReopened   = "reopened"
	StatusResolved   = "resolved"
	StatusClosed     = "closed"
	StatusCanceled   = "canceled"
)

// DefaultStatuses returns the status set a new tenant starts with.
func DefaultStatuses() []Status {
	return []Status{
		{Key: StatusNew, Label: "New", Order: 10, Initial: true},
		{Key: StatusInProgress, Label: "In progress", Order: 20, Progress: true},
		{Key: StatusWaiting, Label: "Waiting for response", Order: 30, Paused: true},
		{Key: StatusReopened, Label: "Reopened", Order: 40, Reopen: true},
		{Key: StatusResolved, Label: "Resolved", Order: 50, Resolved: true},
		{Key: StatusClosed, Label: "Closed", Order: 60, Final: true},
		{Key: StatusCanceled, Label: "Canceled", Order: 70, Final: true, Canceled: true},
	}
}

// DefaultTransitions returns the transition table a new tenant starts with.
func DefaultTransitions() []Transition {
	active := []string{StatusNew, StatusInProgress, StatusWaiting, StatusReopened}
	var ts []Transition
	for _, from := range active {
		for _, to := range []string{StatusInProgress, StatusWaiting, StatusResolved, StatusClosed, StatusCanceled} {
			if from != to {
				ts = append(ts, Transition{From: from, To: to})
			}
		}
	}
	ts = append(ts,
		Transition{From: StatusWaiting, To: StatusReopened},
		Transition{From: StatusResolved, To: StatusClosed},
		Transition{From: StatusResolved, To: StatusReopened},
		Transition{From: StatusClosed, To: StatusReopened},
		Transition{From: StatusCanceled, To: StatusReopened},
	)
	return ts
}

// statusSet is a tenant's statuses and transitions, loaded for one command.
// hasFlag reports whether the status has the named flag; "active" is
// neither final nor canceled.
// statusFlagNames are the flags a notification lists for the case's status.
var statusFlagNames = []string{"initial", "progress", "paused", "reopen", "resolved", "final", "canceled"}

func statusHasFlag(s Status, flag string) bool {
	switch flag {
	case "initial":
		return s.Initial
	case "progress":
		return s.Progress
	case "paused":
		return s.Paused
	case "reopen":
		return s.Reopen
	case "resolved":
		return s.Resolved
	case "final":
		return s.Final
	case "canceled":
		return s.Canceled
	case "active":
		return !s.Final && !s.Canceled
	}
	return false
}

type statusSet struct {
	byKey   map[string]Status
	list    []Status
	allowed map[Transition]bool
}

func newStatusSet(list []Status, ts []Transition) *statusSet {
	s := &statusSet{byKey: make(map[string]Status, len(list)), list: list, allowed: make(map[Transition]bool, len(ts))}
	for _, st := range list {
		s.byKey[st.Key] = st
	}
	for _, t := range ts {
		s.allowed[t] = true
	}
	return s
}

func (s *statusSet) get(key string) (Status, bool) {
	st, ok := s.byKey[key]
	return st, ok
}

func (s *statusSet) first(pred func(Status) bool) (Status, bool) {
	for _, st := range s.list {
		if pred(st) {
			return st, true
		}
	}
	return Status{}, false
}

func (s *statusSet) can(from, to string) bool { return s.allowed[Transition{From: from, To: to}] }

// validateStatusSet checks that a status set and its transitions can drive
// every command.
func validateStatusSet(list []Status, ts []Transition) error {
	var v validations
	keys := map[string]bool{}
	count := func(pred func(Status) bool) int {
		n := 0
		for _, st := range list {
			if pred(st) {
				n++
			}
		}
		return n
	}
	for _, st := range list {
		if keys[st.Key] {
			v.Add("statuses", "unique", "status %q appears twice", st.Key)
		}
		keys[st.Key] = true
		if st.Canceled && !st.Final {
			v.Add("statuses", "flags", "canceled status %q must also be final", st.Key)
		}
		if st.Initial && (st.Resolved || st.Final) {
			v.Add("statuses", "flags", "initial status %q cannot be resolved or final", st.Key)
		}
	}
	if n := count(func(s Status) bool { return s.Initial }); n != 1 {
		v.Add("statuses", "initial", "exactly one status must be initial, found %d", n)
	}
	if count(func(s Status) bool { return s.Resolved && !s.Final }) == 0 {
		v.Add("statuses", "resolved", "a status must be flagged resolved")
	}
	if count(func(s Status) bool { return s.Final && !s.Canceled }) == 0 {
		v.Add("statuses", "final", "a final (closed) status is required")
	}
	if count(func(s Status) bool { return s.Canceled }) == 0 {
		v.Add("statuses", "canceled", "a canceled status is required")
	}
	if count(func(s Status) bool { return s.Reopen && !s.ReadOnly() }) == 0 {
		v.Add("statuses", "reopen", "a status must be flagged reopen")
	}
	for _, t := range ts {
		if !keys[t.From] || !keys[t.To] {
			v.Add("transitions", "known", "transition %s -> %s names an unknown status", t.From, t.To)
		}
	}
	return v.Err()
}

// Statuses returns the tenant's status lookup in display order.
func (cf *Config) Statuses(ctx context.Context) ([]Status, error) {
	return runValue(cf.d, ctx, "statuses", customerRead, func(c *cmd) ([]Status, error) {
		return c.tx.Statuses(c.ctx)
	})
}

// Transitions returns the tenant's allowed status transitions.
func (cf *Config) Transitions(ctx context.Context) ([]Transition, error) {
	return runValue(cf.d, ctx, "transitions", customerRead, func(c *cmd) ([]Transition, error) {
		return c.tx.Transitions(c.ctx)
	})
}

// allowedStatuses returns the statuses cs may move to from its current
// one, in display order: what a status bar should offer (CaseView.Allowed).
func (c *cmd) allowedStatuses(cs *Case) ([]Status, error) {
	_, set, err := c.status(cs)
	if err != nil {
		return nil, err
	}
	var out []Status
	for _, st := range set.list {
		if set.can(cs.Status, st.Key) {
			out = append(out, st)
		}
	}
	return out, nil
}

// ReplaceStatuses replaces the tenant's status lookup and transition table. The
// set must keep exactly one initial status and at least one resolved,
// closed, canceled and reopen status, and must keep every status that a
// case is in.
func (cf *Config) ReplaceStatuses(ctx context.Context, statuses []Status, transitions []Transition) error {
	return cf.d.run(ctx, "replace statuses", adminOnly, func(c *cmd) error {
		var v validations
		for i := range statuses {
			if err := validateStruct(statuses[i]); err != nil {
				if err := v.Merge(err); err != nil {
					return err
				}
			}
		}
		if err := v.Merge(validateStatusSet(statuses, transitions)); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		old, err := c.tx.Statuses(c.ctx)
		if err != nil {
			return err
		}
		keep := map[string]bool{}
		for _, s := range statuses {
			keep[s.Key] = true
		}
		for _, s := range old {
			if keep[s.Key] {
				continue
			}
			inUse, err := c.tx.ListCases(c.ctx, store.CaseQuery{CaseFilter: CaseFilter{Status: []string{s.Key}}, Limit: 1})
			if err != nil {
				return err
			}
			if len(inUse) > 0 {
				v.Add("statuses", "in_use", "status %q is still used by case #%d", s.Key, inUse[0].Number)
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := c.tx.ReplaceStatuses(c.ctx, statuses, transitions); err != nil {
			return err
		}
		keys := make([]string, len(statuses))
		for i, s := range statuses {
			keys[i] = s.Key
		}
		c.record(nil, EventStatusesChanged, map[string]any{"statuses": keys, "transitions": len(transitions)})
		return nil
	})
}

// statuses loads the tenant's status set once per command.
func (c *cmd) statuses() (*statusSet, error) {
	if c.set != nil {
		return c.set, nil
	}
	list, err := c.tx.Statuses(c.ctx)
	if err != nil {
		return nil, err
	}
	ts, err := c.tx.Transitions(c.ctx)
	if err != nil {
		return nil, err
	}
	c.set = newStatusSet(list, ts)
	return c.set, nil
}

// status returns the case's current status from the lookup.
func (c *cmd) status(cs *Case) (Status, *statusSet, error) {
	set, err := c.statuses()
	if err != nil {
		return Status{}, nil, err
	}
	st, ok := set.get(cs.Status)
	if !ok {
		return Status{}, nil, fmt.Errorf("case %s has status %q, which is not in the tenant's status lookup", cs.ID, cs.Status)
	}
	return st, set, nil
}
