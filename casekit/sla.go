package casekit

import (
	"context"
	"fmt"
	"time"

	"casekit.dev/casekit/casetype"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// SLA is a service-level policy: how soon a case must get its first
	// response and its resolution, by priority, counted in the working time of
	// a business calendar.
	SLA = casetype.SLA
	// SLATarget is an SLA's targets for one priority, in working time.
	SLATarget = casetype.SLATarget
)

// maxSLATarget bounds a target: ten years of working time.
const maxSLATarget = 10 * 365 * 24 * time.Hour

// validateSLA checks an SLA's fields and that every target is positive,
// names a known priority once, and gives a resolution no sooner than the
// first response.
func validateSLA(s SLA, prios lookupSet) error {
	var v validations
	if err := v.Merge(validateStruct(s)); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, t := range s.Targets {
		f := func(name string) string { return fmt.Sprintf("targets[%d].%s", i, name) }
		if _, ok := prios[t.Priority]; !ok && t.Priority != "" {
			v.Add(f("priority"), "known", "unknown priority %q", t.Priority)
		}
		if seen[t.Priority] {
			v.Add(f("priority"), "unique", "priority %q has two targets", t.Priority)
		}
		seen[t.Priority] = true
		for _, d := range []struct {
			name string
			val  time.Duration
		}{{"first_response", t.FirstResponse}, {"resolution", t.Resolution}} {
			switch {
			case d.val <= 0:
				v.Add(f(d.name), "gt", "must be a positive duration, not %v", d.val)
			case d.val > maxSLATarget:
				v.Add(f(d.name), "max", "must be at most %v", maxSLATarget)
			}
		}
		if t.FirstResponse > 0 && t.Resolution > 0 && t.Resolution < t.FirstResponse {
			v.Add(f("resolution"), "gtefield", "must not be sooner than the first response (%v)", t.FirstResponse)
		}
	}
	return v.Err()
}

// SLAs lists the tenant's SLA policies ordered by ID.
func (cf *Config) SLAs(ctx context.Context) ([]SLA, error) {
	return runValue(cf.d, ctx, "slas", staffRead, func(c *cmd) ([]SLA, error) {
		return c.tx.SLAs(c.ctx)
	})
}

// SaveSLA adds an SLA policy or replaces the one with the same ID. Every
// target must be positive and name a priority of the tenant once; the
// calendar, when named, must exist. Cases under the SLA get deadlines from
// the new targets the next time they change.
func (cf *Config) SaveSLA(ctx context.Context, s SLA) error {
	return cf.d.run(ctx, "save sla", adminOnly, func(c *cmd) error {
		prios, err := c.lookups(LookupPriority)
		if err != nil {
			return err
		}
		var v validations
		if err := v.Merge(validateSLA(s, prios)); err != nil {
			return err
		}
		if s.CalendarID != "" {
			book, err := c.slaBook()
			if err != nil {
				return err
			}
			if _, ok := book.cals[s.CalendarID]; !ok {
				v.Add("calendar_id", "known", "unknown calendar %q", s.CalendarID)
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := c.tx.SaveSLA(c.ctx, s); err != nil {
			return fmt.Errorf("sla %q: %w", s.ID, err)
		}
		c.record(nil, EventSLAChanged, map[string]any{"sla_id": s.ID, "name": s.Name, "calendar_id": s.CalendarID})
		return nil
	})
}

// DeleteSLA removes an SLA policy. It is refused with ErrConflict while a
// queue defaults to it or an active case runs under it.
func (cf *Config) DeleteSLA(ctx context.Context, id string) error {
	return cf.d.run(ctx, "delete sla", adminOnly, func(c *cmd) error {
		qs, err := c.tx.Queues(c.ctx)
		if err != nil {
			return err
		}
		for _, q := range qs {
			if q.SLAID == id {
				return fmt.Errorf("sla %q is the default of queue %q: %w", id, q.ID, ErrConflict)
			}
		}
		if n, err := c.activeCase(CaseFilter{SLAID: id}); err != nil || n != nil {
			if err == nil {
				err = fmt.Errorf("sla %q runs active case #%d: reclassify it first: %w", id, n.Number, ErrConflict)
			}
			return err
		}
		if err := c.tx.DeleteSLA(c.ctx, id); err != nil {
			return fmt.Errorf("sla %q: %w", id, err)
		}
		c.record(nil, EventSLAChanged, map[string]any{"sla_id": id, "deleted": true})
		return nil
	})
}

// slaBook is the tenant's SLA policies and compiled calendars, loaded once
// per command.
type slaBook struct {
	slas map[string]SLA
	cals map[string]*casetype.CalendarClock
}

func (c *cmd) slaBook() (*slaBook, error) {
	if c.book != nil {
		return c.book, nil
	}
	slas, err := c.tx.SLAs(c.ctx)
	if err != nil {
		return nil, err
	}
	cals, err := c.tx.Calendars(c.ctx)
	if err != nil {
		return nil, err
	}
	b := &slaBook{slas: map[string]SLA{}, cals: map[string]*casetype.CalendarClock{}}
	for _, s := range slas {
		b.slas[s.ID] = s
	}
	for _, cal := range cals {
		compiled, err := cal.Clock()
		if err != nil {
			return nil, fmt.Errorf("stored calendar %q: %w", cal.ID, err)
		}
		b.cals[cal.ID] = compiled
	}
	c.book = b
	return b, nil
}

// clockStops reports whether a status stops the SLA clock.
func clockStops(s Status) bool { return s.Paused || s.Resolved || s.Final || s.Canceled }

// runSLA brings a case's SLA clock and deadlines up to date at c.now,
// before the case is written. The clock stops when the case enters a
// status that stops it and starts again when it leaves, adding the working
// time it stood still to SLAPausedFor. The deadlines are the case's
// creation plus its SLA's targets for its priority plus SLAPausedFor, in
// the SLA calendar's working time; the response deadline stays as it was
// once the first response is given, the resolution deadline once the case
// is resolved. A case with no SLA, or whose priority has no target, has no
// deadlines.
func (c *cmd) runSLA(cs *Case) error {
	if cs.SLAID == "" {
		cs.ResponseDue, cs.ResolutionDue, cs.SLAPausedAt, cs.SLAPausedFor = nil, nil, nil, 0
		return nil
	}
	book, err := c.slaBook()
	if err != nil {
		return err
	}
	sla, ok := book.slas[cs.SLAID]
	if !ok {
		return fmt.Errorf("case %s names SLA %q, which does not exist", cs.ID, cs.SLAID)
	}
	cal := book.cals[sla.CalendarID] // nil (around the clock) when none
	st, _, err := c.status(cs)
	if err != nil {
		return err
	}
	switch stops := clockStops(st); {
	case stops && cs.SLAPausedAt == nil:
		now := c.now
		cs.SLAPausedAt = &now
	case !stops && cs.SLAPausedAt != nil:
		cs.SLAPausedFor += cal.Between(*cs.SLAPausedAt, c.now)
		cs.SLAPausedAt = nil
	}
	t, ok := sla.Target(cs.Priority)
	if !ok {
		cs.ResponseDue, cs.ResolutionDue = nil, nil
		return nil
	}
	due := func(d time.Duration) *time.Time {
		at := cal.Add(cs.CreatedAt, d+cs.SLAPausedFor).UTC().Truncate(time.Microsecond)
		return &at
	}
	if cs.FirstResponseAt == nil || cs.ResponseDue == nil {
		cs.ResponseDue = due(t.FirstResponse)
	}
	if cs.ResolvedAt == nil || cs.ResolutionDue == nil {
		cs.ResolutionDue = due(t.Resolution)
	}
	return nil
}
