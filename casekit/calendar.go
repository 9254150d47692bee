package casekit

import (
	"context"
	"fmt"

	"casekit.dev/casekit/casetype"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// Calendar is a business calendar: weekly working hours in one time zone,
	// minus holidays.
	Calendar = casetype.Calendar
	// WorkingHours is one working interval on one weekday, in local wall-clock
	// time.
	WorkingHours = casetype.WorkingHours
)

// Wall-clock times are handled as UTC times that show the local wall clock:
// the instant t has the wall time t.UTC().Add(offset).

// Calendars lists the tenant's business calendars ordered by ID.
func (cf *Config) Calendars(ctx context.Context) ([]Calendar, error) {
	return runValue(cf.d, ctx, "calendars", staffRead, func(c *cmd) ([]Calendar, error) {
		return c.tx.Calendars(c.ctx)
	})
}

// SaveCalendar adds a business calendar or replaces the one with the same
// ID. Cases whose SLA counts on it get their deadlines from the new hours
// the next time they change.
func (cf *Config) SaveCalendar(ctx context.Context, cal Calendar) error {
	return cf.d.run(ctx, "save calendar", adminOnly, func(c *cmd) error {
		var v validations
		if !keyRE.MatchString(cal.ID) {
			v.Add("id", "key", "must be 1-64 letters, digits or _ . : -, starting with a letter or digit")
		}
		if cal.Name == "" || len(cal.Name) > 200 {
			v.Add("name", "required", "is required, at most 200 characters")
		}
		if err := v.Merge(cal.Validate()); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
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
func (cf *Config) DeleteCalendar(ctx context.Context, id string) error {
	return cf.d.run(ctx, "delete calendar", adminOnly, func(c *cmd) error {
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
