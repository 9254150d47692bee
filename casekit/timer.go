package casekit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// TimerKind names what a timer does when it fires.
	TimerKind = casetype.TimerKind
	// Timer is a durable row with a due time, written in the transaction of
	// the command that sets it and fired by Kit.Run after it is due, once.
	Timer = casetype.Timer
)

const (
	// TimerSLAWarning records an SLA warning some time before a deadline.
	TimerSLAWarning = casetype.TimerSLAWarning
	// TimerSLABreach records that a deadline passed unmet.
	TimerSLABreach = casetype.TimerSLABreach
	// TimerReminder asks the customer to reevaluate a resolved case that is
	// waiting to close.
	TimerReminder = casetype.TimerReminder
	// TimerAutoClose closes a resolved case after the tenant's waiting period.
	TimerAutoClose        = casetype.TimerAutoClose
	EventSLAWarning       = casetype.EventSLAWarning
	EventSLABreached      = casetype.EventSLABreached
	EventCloseReminder    = casetype.EventCloseReminder
	EventAutoCloseSkipped = casetype.EventAutoCloseSkipped
)

// MaxTimerAttempts is how many times a timer may fail before it is dead.
const MaxTimerAttempts = 10

// sameTimer reports whether two timers do the same thing at the same time.
func sameTimer(t Timer, o Timer) bool {
	return t.CaseID == o.CaseID && t.Kind == o.Kind && t.Key == o.Key && t.Due.Equal(o.Due)
}

// scheduleTimers makes the case's pending timers the ones its state calls
// for: SLA warnings and breaches while the clock runs, and for a resolved
// case the reminders and its auto-close. A timer whose time has passed is
// kept only if it is still pending (it has not fired yet, and is not the
// one firing now, which the store has already taken away), so nothing
// fires twice; the auto-close is always kept.
// Dead timers stay. Nothing is written when nothing changes.
func (c *cmd) scheduleTimers(cs *Case) error {
	all, err := c.wantTimers(cs)
	if err != nil {
		return err
	}
	have, err := c.tx.CaseTimers(c.ctx, cs.ID)
	if err != nil {
		return err
	}
	var live []Timer
	for _, t := range have {
		if !t.Dead {
			live = append(live, t)
		}
	}
	want := c.keepTimers(all, live)
	if slices.ContainsFunc(live, func(t Timer) bool { return t.Kind == TimerTrigger }) {
		clocks, err := c.keepClocks(cs, live)
		if err != nil {
			return err
		}
		want = append(want, clocks...)
		sortTimers(want)
	}
	if slices.EqualFunc(live, want, sameTimer) {
		return nil
	}
	return c.tx.SetCaseTimers(c.ctx, cs.ID, want)
}

// newCaseTimers returns the timers a case being opened calls for: it has
// none stored yet, so there is nothing to read or replace.
func (c *cmd) newCaseTimers(cs *Case) ([]Timer, error) {
	all, err := c.wantTimers(cs)
	if err != nil {
		return nil, err
	}
	return c.keepTimers(all, nil), nil
}

// keepTimers returns the timers of all worth storing: those still to come,
// auto-close ones (due or not), and those already pending among live.
func (c *cmd) keepTimers(all, live []Timer) []Timer {
	var want []Timer
	for _, t := range all {
		if t.Due.After(c.now) || t.Kind == TimerAutoClose || slices.ContainsFunc(live, func(o Timer) bool { return sameTimer(t, o) }) {
			want = append(want, t)
		}
	}
	return want
}

// wantTimers returns the timers a case's state calls for, by due time.
func (c *cmd) wantTimers(cs *Case) ([]Timer, error) {
	var out []Timer
	add := func(kind TimerKind, key string, due time.Time) {
		out = append(out, Timer{ID: newID(), CaseID: cs.ID, Kind: kind, Key: key, Due: due.UTC().Truncate(time.Microsecond)})
	}
	st, _, err := c.status(cs)
	if err != nil {
		return nil, err
	}
	if cs.SLAID != "" && cs.SLAPausedAt == nil && !clockStops(st) {
		book, err := c.slaBook()
		if err != nil {
			return nil, err
		}
		warn := book.slas[cs.SLAID].WarnBefore
		for _, d := range []struct {
			key  string
			due  *time.Time
			done *time.Time
		}{{"response", cs.ResponseDue, cs.FirstResponseAt}, {"resolution", cs.ResolutionDue, cs.ResolvedAt}} {
			if d.due == nil || d.done != nil {
				continue
			}
			if warn > 0 {
				add(TimerSLAWarning, d.key, d.due.Add(-warn))
			}
			add(TimerSLABreach, d.key, *d.due)
		}
	}
	if st.Resolved && !st.Final && cs.ResolvedAt != nil {
		s, err := c.tx.Settings(c.ctx)
		if err != nil {
			return nil, err
		}
		if s.AutoCloseDays > 0 {
			day := func(n int) time.Time { return cs.ResolvedAt.Add(time.Duration(n) * 24 * time.Hour) }
			if s.FirstReminderDays > 0 {
				add(TimerReminder, "1", day(s.FirstReminderDays))
			}
			if s.SecondReminderDays > 0 {
				add(TimerReminder, "2", day(s.FirstReminderDays+s.SecondReminderDays))
			}
			closeAt := day(s.AutoCloseDays)
			if closeAt.Before(c.now) {
				closeAt = c.now // the period shrank below the time already waited
			}
			add(TimerAutoClose, "", closeAt)
		}
	}
	slices.SortStableFunc(out, func(a, b Timer) int { return a.Due.Compare(b.Due) })
	return out, nil
}

// fire runs a due timer as the system, inside the transaction the store
// opened for it, and then sets the case's timers again: a timer that
// found the case changed (its deadline moved, auto-close switched off)
// does nothing but leave the right timers behind.
func (c *cmd) fire(t Timer) error {
	cs, err := c.tx.Case(c.ctx, t.CaseID, true)
	if errors.Is(err, ErrNotFound) {
		return nil // deleted with its case; nothing to do
	}
	if err != nil {
		return err
	}
	st, _, err := c.status(cs)
	if err != nil {
		return err
	}
	due := func(key string) (deadline, done *time.Time) {
		if key == "response" {
			return cs.ResponseDue, cs.FirstResponseAt
		}
		return cs.ResolutionDue, cs.ResolvedAt
	}
	switch t.Kind {
	case TimerSLAWarning, TimerSLABreach:
		deadline, done := due(t.Key)
		running := cs.SLAPausedAt == nil && !clockStops(st)
		if deadline == nil || done != nil || !running {
			break
		}
		if t.Kind == TimerSLABreach && !deadline.After(c.now) {
			c.record(cs, EventSLABreached, map[string]any{"deadline": t.Key, "due": timeOrNil(deadline), "sla_id": cs.SLAID})
		}
		if t.Kind == TimerSLAWarning && deadline.After(c.now) {
			c.record(cs, EventSLAWarning, map[string]any{"deadline": t.Key, "due": timeOrNil(deadline), "sla_id": cs.SLAID})
		}
	case TimerReminder:
		s, err := c.tx.Settings(c.ctx)
		if err != nil {
			return err
		}
		if st.Resolved && !st.Final && s.AutoCloseDays > 0 {
			n, _ := strconv.Atoi(t.Key)
			c.record(cs, EventCloseReminder, map[string]any{"reminder": n, "resolved_at": timeOrNil(cs.ResolvedAt)})
		}
	case TimerAutoClose:
		if err := c.autoClose(cs, st); err != nil {
			return err
		}
	case TimerTrigger:
		if err := c.elapse(cs, t); err != nil {
			return err
		}
	default:
		return fmt.Errorf("timer %s: unknown kind %q", t.ID, t.Kind)
	}
	return c.scheduleTimers(cs)
}

// autoClose closes a resolved case whose waiting period is over, with the
// closure reason "no_response" (or, if the tenant disabled it, its first
// enabled closure reason).
func (c *cmd) autoClose(cs *Case, st Status) error {
	if !st.Resolved || st.Final || cs.ResolvedAt == nil {
		return nil
	}
	s, err := c.tx.Settings(c.ctx)
	if err != nil {
		return err
	}
	if s.AutoCloseDays == 0 || cs.ResolvedAt.Add(time.Duration(s.AutoCloseDays)*24*time.Hour).After(c.now) {
		return nil // switched off, or the period grew: scheduleTimers sets the new time
	}
	reason, err := c.closureReason("no_response")
	if err != nil {
		return fmt.Errorf("case %s: cannot close automatically: %w", cs.ID, err)
	}
	return c.close(cs, Closure{Reason: reason, CancelOpenActivities: true,
		Note: fmt.Sprintf("Closed automatically %d days after it was resolved.", s.AutoCloseDays)})
}

// RunDue fires every timer of every tenant due at the kit's clock time,
// then delivers every due notification (with WithNotifier), and returns
// how many timers it fired and notifications it delivered. Any number of
// processes may run it at once: each timer fires once. A timer that fails
// is put off (a minute, doubling up to a day) and counted; after
// MaxTimerAttempts failures it is dead and stays on its case for a human
// to see. Failures are logged and the first is returned after the rest
// have run.
func (k *Kit) RunDue(ctx context.Context) (int, error) {
	fired, first := k.fireDue(ctx)
	delivered, err := k.deliverDue(ctx)
	if first == nil {
		first = err
	}
	return fired + delivered, first
}

// fireDue fires due timers, at most maxFiresPerRun, and returns how many
// fired and the first failure.
func (k *Kit) fireDue(ctx context.Context) (int, error) {
	fired, failed := 0, 0
	var first error
	for range maxFiresPerRun {
		now := k.now()
		ok, err := k.store.FireTimer(ctx, now, func(ctx context.Context, tenant string, tx store.Tx, t Timer) error {
			c := &cmd{ctx: ctx, tenant: tenant, dir: k.dir, tx: k.configTx(tenant, tx), actor: System, now: now, notify: k.notifier != nil,
				templates: k.templates}
			if err := c.fire(t); err != nil {
				return err
			}
			return c.finish()
		}, retryAt(now))
		if err != nil {
			if ctx.Err() != nil {
				return fired, ctx.Err()
			}
			k.logger.LogAttrs(ctx, slog.LevelError, "casekit: timer failed", slog.Any("err", err))
			if first == nil {
				first = err
			}
			// A failed timer is put off, so the next try finds another;
			// failures in a row mean the store itself is failing (the
			// database is down): wait for the next round.
			if failed++; failed >= maxFailuresInARow {
				break
			}
			continue
		}
		failed = 0
		if !ok {
			break
		}
		fired++
	}
	return fired, first
}

// maxFiresPerRun bounds the timers one RunDue fires, so that it returns
// even if timers kept falling due (Run calls it again at once).
const maxFiresPerRun = 10_000

// maxFailuresInARow is how many timers in a row may fail before one round
// of firing gives up until the next.
const maxFailuresInARow = 5

// retryAt returns when a timer that failed for the n-th time fires again:
// a minute after now, doubling up to a day; the zero time once it has
// failed MaxTimerAttempts times, which makes it dead.
func retryAt(now time.Time) func(attempts int) time.Time {
	return func(attempts int) time.Time {
		if attempts >= MaxTimerAttempts {
			return time.Time{}
		}
		d := time.Minute << min(attempts-1, 11)
		return now.Add(min(d, 24*time.Hour))
	}
}

// Run fires timers and delivers notifications as they fall due until ctx
// ends, then returns nil. Run as many as you like, in one process or many:
// each timer fires once and each notification is delivered by one runner
// at a time. Timers and deliveries run side by side, so a burst of timers
// coming due never holds notifications back. Each looks for due work every
// poll interval (WithPollInterval, a second by default); one query finds
// it in every tenant at once.
func (k *Kit) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	// Failures are logged, and each failed timer or notification waits
	// for its retry; Run itself goes on.
	wg.Go(func() { k.every(ctx, func() { _, _ = k.fireDue(ctx) }) })
	wg.Go(func() {
		k.every(ctx, func() {
			if _, err := k.deliverDue(ctx); err != nil && ctx.Err() == nil {
				k.logger.LogAttrs(ctx, slog.LevelError, "casekit: delivery failed", slog.Any("err", err))
			}
		})
	})
	wg.Wait()
	return nil
}

// every runs fn at once and then every poll interval until ctx ends.
func (k *Kit) every(ctx context.Context, fn func()) {
	tick := time.NewTicker(k.poll)
	defer tick.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
