package casekittest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

// runDue fires the due timers at the env's clock time and wants n fired.
func (e *Env) runDue(t testing.TB, n int, what string) {
	t.Helper()
	got, err := e.Kit.RunDue(t.Context())
	must(t, err, "RunDue (%s)", what)
	if got != n {
		t.Errorf("RunDue (%s) fired %d timers, want %d", what, got, n)
	}
}

// timers lists a case's pending timers, dead ones included, by due time,
// as the store keeps them: the deadlines a desk shows are the case's own
// fields, the timers are how casekit keeps them.
func (e *Env) timers(t testing.TB, caseID string) []casekit.Timer {
	t.Helper()
	var ts []casekit.Timer
	e.InTx(t, func(ctx context.Context, tx store.Tx) (err error) {
		ts, err = tx.CaseTimers(ctx, caseID)
		return err
	})
	return ts
}

// timerKinds lists a case's pending timers as "kind/key@offset from base".
func (e *Env) timerKinds(t testing.TB, caseID string, base time.Time) []string {
	t.Helper()
	ts := e.timers(t, caseID)
	var out []string
	for _, tm := range ts {
		s := string(tm.Kind)
		if tm.Key != "" {
			s += "/" + tm.Key
		}
		out = append(out, fmt.Sprintf("%s@%v", s, tm.Due.Sub(base)))
	}
	return out
}

// eventsOf returns the events of type typ in a case's history.
func eventsOf(evs []casekit.Event, typ casekit.EventType) []casekit.Event {
	var out []casekit.Event
	for _, ev := range evs {
		if ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

const day = 24 * time.Hour

func testTimers(t *testing.T, newStore StoreFactory) {
	runSerialEnvTests(t, newStore, []envTest{
		{"a resolved case is reminded twice and closed after the waiting period", func(t *testing.T, e *Env) {
			c := e.open(t, "Printer", "cust-1")
			e.runDue(t, 0, "nothing set")
			resolved := e.Tick()
			e.into(t, c, casekit.StatusResolved)
			wantEqual(t, []string{"autoclose.reminder/1@72h0m0s", "autoclose.reminder/2@120h0m0s", "autoclose@168h0m0s"}, e.timerKinds(t, c.ID, resolved), "timers of a resolved case")

			e.Clock.Set(resolved.Add(3*day - time.Second))
			e.runDue(t, 0, "just before the first reminder")
			e.Clock.Set(resolved.Add(3 * day))
			e.runDue(t, 1, "first reminder")
			e.Clock.Set(resolved.Add(5 * day))
			e.runDue(t, 1, "second reminder")
			reminders := eventsOf(e.history(t, c.ID), casekit.EventCloseReminder)
			if len(reminders) != 2 {
				t.Fatalf("%d reminder events, want 2", len(reminders))
			}
			for i, ev := range reminders {
				wantEvent(t, ev, casekit.EventCloseReminder, casekit.System, StoredTime(resolved.Add(time.Duration(3+2*i)*day)))
				if n, _ := number(ev.Data["reminder"]); n != float64(i+1) {
					t.Errorf("reminder %d: %v", i+1, ev.Data)
				}
			}
			if got := e.reload(t, c.ID); got.Status != casekit.StatusResolved {
				t.Errorf("after the reminders the case is %s, want still resolved", got.Status)
			}
			closeAt := StoredTime(resolved.Add(7 * day))
			e.Clock.Set(closeAt)
			e.runDue(t, 1, "auto-close")
			got := e.reload(t, c.ID)
			if got.Status != casekit.StatusClosed || got.ClosureReason != "no_response" || got.ClosedAt == nil || !got.ClosedAt.Equal(closeAt) {
				t.Errorf("after the waiting period: status %s, reason %q, closed at %v; want closed, no_response, %s", got.Status, got.ClosureReason, got.ClosedAt, closeAt)
			}
			ev := eventOf(t, e.history(t, c.ID), casekit.EventClosed)
			wantEvent(t, ev, casekit.EventClosed, casekit.System, closeAt)
			if str(ev, "note") == "" {
				t.Errorf("the auto-close has no note: %v", ev.Data)
			}
			wantEqual(t, []string(nil), e.timerKinds(t, c.ID, resolved), "timers of the closed case")
			e.Clock.Set(resolved.Add(30 * day))
			e.runDue(t, 0, "after everything fired")
		}},
		{"auto-close switched off, reopening, or deleting the case leaves no timer", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			c := e.open(t, "Reopened", "cust-1")
			start := e.Now()
			e.into(t, c, casekit.StatusResolved)
			try(d.Reopen(ctx, c.ID, casekit.Reopening{Reason: "not_fixed", Note: "again"})).get(t)
			wantEqual(t, []string(nil), e.timerKinds(t, c.ID, start), "timers after reopening")

			gone := e.into(t, e.open(t, "Deleted", "cust-1"), casekit.StatusResolved)
			must(t, d.DeleteCase(ctx, gone.ID, "test"), "DeleteCase")

			late := e.into(t, e.open(t, "Resolved before the switch", "cust-1"), casekit.StatusResolved)
			must(t, d.Config().SaveSettings(ctx, casekit.Settings{DefaultPriority: "medium"}), "switch auto-close off")
			off := e.into(t, e.open(t, "Resolved after the switch", "cust-1"), casekit.StatusResolved)
			wantEqual(t, []string(nil), e.timerKinds(t, off.ID, start), "timers with auto-close off")

			e.Clock.Set(start.Add(8 * day))
			// The first timer set before the switch fires, finds auto-close
			// off, does nothing and takes the others away; the deleted
			// case's timers went with it.
			e.runDue(t, 1, "timers set before the switch")
			if evs := eventsOf(e.history(t, late.ID), casekit.EventCloseReminder); len(evs) != 0 {
				t.Errorf("a reminder was sent with auto-close off: %v", evs)
			}
			for _, id := range []string{late.ID, off.ID} {
				if got := e.reload(t, id); got.Status != casekit.StatusResolved {
					t.Errorf("case %s is %s with auto-close off, want resolved", id, got.Status)
				}
			}
			wantEqual(t, []string(nil), e.timerKinds(t, late.ID, start), "timers left after firing with auto-close off")
		}},
		{"reminder settings must come before the auto-close", func(t *testing.T, e *Env) {
			d := e.Agent()
			before := e.tenantState(t)
			for _, tc := range []struct {
				s     casekit.Settings
				field string
			}{
				{casekit.Settings{DefaultPriority: "medium", AutoCloseDays: 5, FirstReminderDays: 3, SecondReminderDays: 2}, "first_reminder_days"},
				{casekit.Settings{DefaultPriority: "medium", AutoCloseDays: 5, FirstReminderDays: 6}, "first_reminder_days"},
				{casekit.Settings{DefaultPriority: "medium", AutoCloseDays: 5, SecondReminderDays: 2}, "second_reminder_days"},
				{casekit.Settings{DefaultPriority: "medium", FirstReminderDays: 1}, "first_reminder_days"},
				{casekit.Settings{DefaultPriority: "medium", AutoCloseDays: 5, FirstReminderDays: -1}, "first_reminder_days"},
			} {
				wantInvalid(t, d.Config().SaveSettings(t.Context(), tc.s), fmt.Sprintf("UpdateSettings(%+v)", tc.s), tc.field)
			}
			wantEqual(t, before, e.tenantState(t), "tenant after refused settings")
			must(t, d.Config().SaveSettings(t.Context(), casekit.Settings{DefaultPriority: "medium", AutoCloseDays: 2, FirstReminderDays: 1}), "one reminder")
		}},
		{"SLA warnings and breaches fire once, at their times, and follow pauses", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.slaSetup(t)
			must(t, d.Config().SaveSLA(ctx, casekit.SLA{ID: "warned", Name: "Warned", WarnBefore: 30 * time.Minute, Targets: targets()}), "SaveSLA")
			t0 := e.Now()
			h := func(x float64) time.Time { return t0.Add(time.Duration(x * float64(time.Hour))) }
			c := openWith(t, d, casekit.NewCase{Subject: "Watched", Priority: "high", SLAID: "warned"})
			wantEqual(t, []string{"sla.warning/response@3h30m0s", "sla.breach/response@4h0m0s", "sla.warning/resolution@15h30m0s", "sla.breach/resolution@16h0m0s"},
				e.timerKinds(t, c.ID, t0), "timers of a new case")
			e.Clock.Set(h(3.5))
			e.runDue(t, 1, "response warning")
			e.runDue(t, 0, "again at the same time")
			e.Clock.Set(h(4))
			e.runDue(t, 1, "response breach")
			e.Clock.Set(h(5))
			try(d.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "On it"})).get(t)
			e.Clock.Set(h(6))
			try(d.SetStatus(ctx, c.ID, casekit.StatusWaiting)).get(t)
			wantEqual(t, []string(nil), e.timerKinds(t, c.ID, t0), "timers while paused")
			e.Clock.Set(h(8))
			try(d.SetStatus(ctx, c.ID, casekit.StatusInProgress)).get(t)
			wantEqual(t, []string{"sla.warning/resolution@17h30m0s", "sla.breach/resolution@18h0m0s"}, e.timerKinds(t, c.ID, t0), "timers after a 2h pause")
			e.Clock.Set(h(20))
			e.runDue(t, 2, "late: the warning and the breach together")

			evs := e.history(t, c.ID)
			warnings, breaches := eventsOf(evs, casekit.EventSLAWarning), eventsOf(evs, casekit.EventSLABreached)
			if len(warnings) != 1 || str(warnings[0], "deadline") != "response" {
				t.Errorf("warnings: %v, want one, for the response (the resolution's came after its deadline)", warnings)
			}
			if len(breaches) != 2 || str(breaches[0], "deadline") != "response" || str(breaches[1], "deadline") != "resolution" {
				t.Fatalf("breaches: %v, want the response's and the resolution's", breaches)
			}
			wantEvent(t, warnings[0], casekit.EventSLAWarning, casekit.System, StoredTime(h(3.5)))
			wantEvent(t, breaches[0], casekit.EventSLABreached, casekit.System, StoredTime(h(4)))
			wantEvent(t, breaches[1], casekit.EventSLABreached, casekit.System, StoredTime(h(20)))
		}},
		{"a failing timer is put off with backoff and dies after MaxTimerAttempts", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			for _, l := range try(d.Config().Lookups(ctx, casekit.LookupClosureReason)).get(t) {
				l.Disabled = true
				must(t, d.Config().SaveLookup(ctx, l), "disable closure reason %s", l.Key)
			}
			must(t, d.Config().SaveSettings(ctx, casekit.Settings{DefaultPriority: "medium", AutoCloseDays: 1}), "auto-close after a day")
			c := e.into(t, e.open(t, "Cannot close", "cust-1"), casekit.StatusResolved)
			at := e.Now().Add(day)
			e.Clock.Set(at)
			for i := 1; i <= casekit.MaxTimerAttempts; i++ {
				n, err := e.Kit.RunDue(ctx)
				if n != 0 || err == nil {
					t.Fatalf("attempt %d: RunDue = %d, %v; want 0 and the failure", i, n, err)
				}
				ts := e.timers(t, c.ID)
				if len(ts) != 1 || ts[0].Attempts != i || ts[0].LastError == "" {
					t.Fatalf("after attempt %d: timers %+v", i, ts)
				}
				if i < casekit.MaxTimerAttempts {
					if wait := ts[0].Due.Sub(e.Now()); wait != time.Minute<<(i-1) {
						t.Errorf("after attempt %d the timer waits %v, want %v", i, wait, time.Minute<<(i-1))
					}
					e.runDue(t, 0, "before the retry is due")
					e.Clock.Set(ts[0].Due)
				} else if !ts[0].Dead {
					t.Errorf("after %d attempts the timer is not dead: %+v", i, ts[0])
				}
			}
			e.Clock.Advance(30 * day)
			e.runDue(t, 0, "a dead timer")
			if got := e.reload(t, c.ID); got.Status != casekit.StatusResolved {
				t.Errorf("case is %s, want still resolved", got.Status)
			}
		}},
		{"runners at once fire every timer exactly once", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.slaSetup(t)
			t0 := e.Now()
			const cases = 40
			for i := range cases {
				openWith(t, d, casekit.NewCase{Subject: fmt.Sprintf("Case %d", i), Priority: "critical", SLAID: "round"})
			}
			e.Clock.Set(t0.Add(5 * time.Hour)) // both deadlines of every case passed
			var (
				wg    sync.WaitGroup
				mu    sync.Mutex
				total int
			)
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					n, err := e.Kit.RunDue(ctx)
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					total += n
					mu.Unlock()
				}()
			}
			wg.Wait()
			if total != 2*cases {
				t.Errorf("runners fired %d timers, want %d", total, 2*cases)
			}
			page := try(d.ListCases(ctx, casekit.CaseFilter{Limit: cases})).get(t)
			for _, c := range page.Cases {
				if n := len(eventsOf(e.history(t, c.ID), casekit.EventSLABreached)); n != 2 {
					t.Errorf("case #%d has %d breach events, want 2", c.Number, n)
				}
			}
		}},
	})
}
