package casekit

import (
	"slices"
	"strings"
	"time"

	"casekit.dev/casekit/casetype"
)

// Elapsed is how long a time rule waits (Trigger.After). Its clock is a
// durable timer on the case; see casetype.Elapsed.
type Elapsed = casetype.Elapsed

// TimerTrigger is the clock of a time rule: its Key is the trigger's key.
const TimerTrigger = casetype.TimerTrigger

// EventTimeElapsed is recorded on a case when a time rule's clock ran out
// and the case still met the rule's conditions: the rule's actions run
// on it, and its data names the trigger, when the clock started and how
// long it ran.
const EventTimeElapsed EventType = "trigger.elapsed"

// maxElapsedHours bounds a time rule's wait and an activity's due time:
// a year.
const maxElapsedHours = 8760

// checkElapsed adds a failure for a time rule whose wait is out of
// bounds.
func checkElapsed(v *validations, t Trigger) {
	if t.After != nil && (t.After.Hours < 1 || t.After.Hours > maxElapsedHours) {
		v.Add("after.hours", "range", "a time rule waits 1 to %d hours", maxElapsedHours)
	}
}

// eventCondition reports whether a condition field is about the event
// or its moment rather than the case: a time rule checks it when its
// clock starts, never again.
func eventCondition(field string) bool {
	return field == "actor" || field == "changed" || field == "business_hours" ||
		strings.HasPrefix(field, "message.") || strings.HasPrefix(field, "event.")
}

// caseConditions are the conditions of conds on the case itself, which a
// time rule's clock must keep meeting.
func caseConditions(conds []Condition) []Condition {
	return keep(conds, func(cd Condition) bool { return !eventCondition(cd.Field) })
}

// caseCalendar returns the compiled calendar of the case's SLA, nil
// (around the clock) for a case without one.
func (c *cmd) caseCalendar(cs *Case) (*casetype.CalendarClock, error) {
	if cs.SLAID == "" {
		return nil, nil
	}
	book, err := c.slaBook()
	if err != nil {
		return nil, err
	}
	return book.cals[book.slas[cs.SLAID].CalendarID], nil
}

// clockDue returns when hours counted from since run out on cs: in
// working time of its calendar when business is set, else on the wall
// clock. It is the zero time when they never do (a calendar without
// working hours).
func (c *cmd) clockDue(cs *Case, hours int, business bool, since time.Time) (time.Time, error) {
	d := time.Duration(hours) * time.Hour
	var cal *casetype.CalendarClock
	if business {
		var err error
		if cal, err = c.caseCalendar(cs); err != nil {
			return time.Time{}, err
		}
	}
	at := cal.Add(since, d)
	if at.IsZero() {
		return at, nil
	}
	return at.UTC().Truncate(time.Microsecond), nil
}

// timeRule returns the enabled time rule with the key, false when there
// is none (deleted, disabled or no longer a time rule since its clock
// started).
func (c *cmd) timeRule(key string) (Trigger, bool, error) {
	all, err := c.readTriggers()
	if err != nil {
		return Trigger{}, false, err
	}
	i := slices.IndexFunc(all, func(t Trigger) bool { return t.Key == key })
	if i < 0 || !all[i].Enabled || all[i].After == nil {
		return Trigger{}, false, nil
	}
	return all[i], true, nil
}

// startClock starts time rule t's clock on cs now, in place of one it
// started before.
func (c *cmd) startClock(cs *Case, t Trigger) error {
	since := c.now.UTC().Truncate(time.Microsecond)
	return c.setClock(cs, Timer{ID: newID(), CaseID: cs.ID, Kind: TimerTrigger, Key: t.Key, Since: since}, *t.After)
}

// setClock stores a time rule's clock tm on cs, due when el runs out
// from tm.Since, in place of the rule's other clock on the case; it
// stores none when el never runs out.
func (c *cmd) setClock(cs *Case, tm Timer, el Elapsed) error {
	due, err := c.clockDue(cs, el.Hours, el.BusinessHours, tm.Since)
	if err != nil {
		return err
	}
	have, err := c.tx.CaseTimers(c.ctx, cs.ID)
	if err != nil {
		return err
	}
	timers := keep(have, func(o Timer) bool { return !o.Dead && (o.Kind != TimerTrigger || o.Key != tm.Key) })
	if !due.IsZero() {
		tm.Due = due
		timers = append(timers, tm)
	}
	sortTimers(timers)
	return c.tx.SetCaseTimers(c.ctx, cs.ID, timers)
}

// keepClocks returns the time rules' clocks among live that still run on
// cs: their trigger is still an enabled time rule and cs still meets its
// conditions on the case. Each is due again as the rule and the calendar
// now say, however near: a clock past due fires at the next run.
func (c *cmd) keepClocks(cs *Case, live []Timer) ([]Timer, error) {
	var out []Timer
	for _, tm := range live {
		if tm.Kind != TimerTrigger {
			continue
		}
		t, ok, err := c.timeRule(tm.Key)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if ok, err = c.matches(caseConditions(t.If), Event{Type: EventTimeElapsed}, cs); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		due, err := c.clockDue(cs, t.After.Hours, t.After.BusinessHours, tm.Since)
		if err != nil {
			return nil, err
		}
		if !due.IsZero() {
			tm.Due = due
			out = append(out, tm)
		}
	}
	return out, nil
}

// elapse is a time rule's clock tm running out on cs (the timer firing,
// already taken from the store). When the rule's hours, counted on the
// calendar as it stands now, have not all passed (a holiday was added),
// the clock is set again for the new time; when they have and cs still
// meets the rule's conditions on the case, it records EventTimeElapsed,
// on which runTriggers runs the rule's actions.
func (c *cmd) elapse(cs *Case, tm Timer) error {
	t, ok, err := c.timeRule(tm.Key)
	if err != nil || !ok {
		return err
	}
	due, err := c.clockDue(cs, t.After.Hours, t.After.BusinessHours, tm.Since)
	if err != nil || due.IsZero() {
		return err
	}
	ok, err = c.matches(caseConditions(t.If), Event{Type: EventTimeElapsed}, cs)
	if err != nil || !ok {
		return err
	}
	if due.After(c.now) {
		return c.setClock(cs, tm, *t.After)
	}
	c.record(cs, EventTimeElapsed, map[string]any{"trigger": t.Key, "trigger_name": t.Name, "since": timeOrNil(&tm.Since),
		"hours": t.After.Hours, "business_hours": t.After.BusinessHours})
	return nil
}

// sortTimers orders timers as a store lists a case's: by due time, kind
// and key.
func sortTimers(ts []Timer) {
	slices.SortStableFunc(ts, func(a, b Timer) int {
		if n := a.Due.Compare(b.Due); n != 0 {
			return n
		}
		return strings.Compare(string(a.Kind)+"\x00"+a.Key, string(b.Kind)+"\x00"+b.Key)
	})
}
