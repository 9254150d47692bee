package casekit

import (
	"context"
	"fmt"
	"time"
)

// Calendars lists the tenant's business calendars ordered by ID.
func (d *Desk) Calendars(ctx context.Context) ([]Calendar, error) {
	var out []Calendar
	err := d.run(ctx, "calendars", staffRead, func(c *cmd) (err error) {
		out, err = c.tx.Calendars(c.ctx)
		return err
	})
	return out, err
}

// SaveCalendar adds a business calendar or replaces the one with the same
// ID. Cases whose SLA counts on it get their deadlines from the new hours
// the next time they change.
func (d *Desk) SaveCalendar(ctx context.Context, cal Calendar) error {
	return d.run(ctx, "save calendar", adminOnly, func(c *cmd) error {
		var v validations
		if !keyRE.MatchString(cal.ID) {
			v.add("id", "key", "must be 1-64 letters, digits or _ . : -, starting with a letter or digit")
		}
		if cal.Name == "" || len(cal.Name) > 200 {
			v.add("name", "required", "is required, at most 200 characters")
		}
		if err := v.merge(cal.Validate()); err != nil {
			return err
		}
		if err := v.err(); err != nil {
			return err
		}
		if err := c.tx.SaveCalendar(c.ctx, cal); err != nil {
			return fmt.Errorf("calendar %q: %w", cal.ID, err)
		}
		c.record(nil, EventCalendarChanged, map[string]any{"calendar_id": cal.ID, "name": cal.Name, "time_zone": cal.TimeZone})
		return nil
	})
}

// DeleteCalendar removes a business calendar. It is refused with
// ErrConflict while an SLA counts on it.
func (d *Desk) DeleteCalendar(ctx context.Context, id string) error {
	return d.run(ctx, "delete calendar", adminOnly, func(c *cmd) error {
		slas, err := c.tx.SLAs(c.ctx)
		if err != nil {
			return err
		}
		for _, s := range slas {
			if s.CalendarID == id {
				return fmt.Errorf("calendar %q is the calendar of SLA %q: %w", id, s.ID, ErrConflict)
			}
		}
		if err := c.tx.DeleteCalendar(c.ctx, id); err != nil {
			return fmt.Errorf("calendar %q: %w", id, err)
		}
		c.record(nil, EventCalendarChanged, map[string]any{"calendar_id": id, "deleted": true})
		return nil
	})
}

// SLAs lists the tenant's SLA policies ordered by ID.
func (d *Desk) SLAs(ctx context.Context) ([]SLA, error) {
	var out []SLA
	err := d.run(ctx, "slas", staffRead, func(c *cmd) (err error) {
		out, err = c.tx.SLAs(c.ctx)
		return err
	})
	return out, err
}

// SaveSLA adds an SLA policy or replaces the one with the same ID. Every
// target must be positive and name a priority of the tenant once; the
// calendar, when named, must exist. Cases under the SLA get deadlines from
// the new targets the next time they change.
func (d *Desk) SaveSLA(ctx context.Context, s SLA) error {
	return d.run(ctx, "save sla", adminOnly, func(c *cmd) error {
		prios, err := c.lookups(LookupPriority)
		if err != nil {
			return err
		}
		var v validations
		if err := v.merge(validateSLA(s, prios)); err != nil {
			return err
		}
		if s.CalendarID != "" {
			book, err := c.slaBook()
			if err != nil {
				return err
			}
			if _, ok := book.cals[s.CalendarID]; !ok {
				v.add("calendar_id", "known", "unknown calendar %q", s.CalendarID)
			}
		}
		if err := v.err(); err != nil {
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
func (d *Desk) DeleteSLA(ctx context.Context, id string) error {
	return d.run(ctx, "delete sla", adminOnly, func(c *cmd) error {
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

// Reclassify changes a case's type, category, service or SLA and computes
// its deadlines again from its creation under the (new) SLA's targets. The
// case must be active.
func (d *Desk) Reclassify(ctx context.Context, id string, r Reclassification) (*Case, error) {
	var out *Case
	err := d.run(ctx, "reclassify", staffOnly, func(c *cmd) error {
		var v validations
		if err := v.merge(validateStruct(r)); err != nil {
			return err
		}
		cs, err := c.loadEditable(id)
		if err != nil {
			return err
		}
		if r.Type != nil {
			if err := c.checkLookups(&v, map[LookupKind][2]string{LookupCaseType: {"type", *r.Type}}); err != nil {
				return err
			}
		}
		if r.SLA != nil && *r.SLA != "" {
			book, err := c.slaBook()
			if err != nil {
				return err
			}
			if _, ok := book.slas[*r.SLA]; !ok {
				v.add("sla", "known", "unknown SLA %q", *r.SLA)
			}
		}
		if err := v.err(); err != nil {
			return err
		}
		changes := map[string]any{}
		for _, f := range []struct {
			name string
			dst  *string
			val  *string
		}{{"type", &cs.Type, r.Type}, {"category", &cs.Category, r.Category}, {"service", &cs.Service, r.Service}, {"sla_id", &cs.SLAID, r.SLA}} {
			if f.val != nil && *f.val != *f.dst {
				changes[f.name] = []any{*f.dst, *f.val}
				*f.dst = *f.val
			}
		}
		out = cs
		if len(changes) == 0 {
			return nil
		}
		if _, ok := changes["sla_id"]; ok {
			// A new SLA counts from the case's creation, with no pause.
			cs.ResponseDue, cs.ResolutionDue, cs.SLAPausedAt, cs.SLAPausedFor = nil, nil, nil, 0
		}
		if err := c.save(cs); err != nil {
			return err
		}
		data := map[string]any{"changes": changes, "response_due": timeOrNil(cs.ResponseDue), "resolution_due": timeOrNil(cs.ResolutionDue)}
		if r.Reason != "" {
			data["reason"] = r.Reason
		}
		c.record(cs, EventReclassified, data)
		return nil
	})
	return out, err
}

// slaBook is the tenant's SLA policies and compiled calendars, loaded once
// per command.
type slaBook struct {
	slas map[string]SLA
	cals map[string]*calendar
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
	b := &slaBook{slas: map[string]SLA{}, cals: map[string]*calendar{}}
	for _, s := range slas {
		b.slas[s.ID] = s
	}
	for _, cal := range cals {
		compiled, err := cal.compile()
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
		cs.SLAPausedFor += cal.between(*cs.SLAPausedAt, c.now)
		cs.SLAPausedAt = nil
	}
	t, ok := sla.target(cs.Priority)
	if !ok {
		cs.ResponseDue, cs.ResolutionDue = nil, nil
		return nil
	}
	due := func(d time.Duration) *time.Time {
		at := cal.add(cs.CreatedAt, d+cs.SLAPausedFor).UTC().Truncate(time.Microsecond)
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
