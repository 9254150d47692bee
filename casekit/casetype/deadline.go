package casetype

import (
	"fmt"
	"time"
)

// Add returns the instant at which work of the calendar's working time
// has passed after start, in UTC, as SLA deadlines are counted: from
// start or, when start is outside working hours, from the next working
// instant. It lets a host show a deadline before any case has one (an
// admin page's preview) without counting business hours itself. An
// invalid calendar gives its *ValidationError; work that does not pass
// within the calendar's bounds (10 years of working time) an error.
func (c Calendar) Add(start time.Time, work time.Duration) (time.Time, error) {
	cal, err := c.Clock()
	if err != nil {
		return time.Time{}, err
	}
	at := cal.Add(start, work)
	if at.IsZero() {
		return time.Time{}, fmt.Errorf("casekit: calendar %q: %v of working time does not pass within its bounds", c.ID, work)
	}
	return at, nil
}

// Deadlines returns when a case of the priority opened at opened is due
// for its first response and its resolution under the SLA, counted on
// cal, the SLA's calendar (nil: around the clock), as the kit sets them
// on a case whose clock never stopped. ok is false when the SLA has no
// target for the priority: such a case gets no deadlines.
func (s SLA) Deadlines(cal *Calendar, priority string, opened time.Time) (response, resolution time.Time, ok bool, err error) {
	t, ok := s.Target(priority)
	if !ok {
		return time.Time{}, time.Time{}, false, nil
	}
	if cal == nil {
		return opened.Add(t.FirstResponse).UTC(), opened.Add(t.Resolution).UTC(), true, nil
	}
	if response, err = cal.Add(opened, t.FirstResponse); err == nil {
		resolution, err = cal.Add(opened, t.Resolution)
	}
	return response, resolution, err == nil, err
}
