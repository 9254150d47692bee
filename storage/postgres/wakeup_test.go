package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// Commands that queue work later than the tenant's wakeup only read the
// wakeup row, under a lock they share: they do not wait for each other
// (a write of the row would hold every later command of the tenant until
// the writer commits), yet the mover, which finds nothing due and moves
// the wakeup on, still never moves it past work an uncommitted command
// queued, and does not wait for such a command either.
func TestWakeupsUnderConcurrentCommands(t *testing.T) {
	s, kit := testTenant(t, "busy")
	ctx := context.Background()
	d := kit.Desk("busy").As(casekit.Agent("a"))
	var ids []string
	for _, subject := range []string{"a", "b", "c"} {
		c, err := d.OpenCase(ctx, casekit.NewCase{Subject: subject})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	t0 := time.Now().UTC().Truncate(time.Second).Add(time.Hour)
	setTimer := func(ctx context.Context, tx store.Tx, caseID string, due time.Time) error {
		var timers []casetype.Timer
		if !due.IsZero() {
			timers = []casetype.Timer{{ID: "tm-" + caseID, CaseID: caseID, Kind: casetype.TimerAutoClose, Due: due}}
		}
		return tx.SetCaseTimers(ctx, caseID, timers)
	}
	wakeup := func() time.Time {
		t.Helper()
		var us int64
		if err := s.DB().NewRaw("SELECT due_us FROM ?.timer_wakeups WHERE tenant = 'busy'", bun.Ident(s.Prefix()+"control")).Scan(ctx, &us); err != nil {
			t.Fatal(err)
		}
		return time.UnixMicro(us).UTC()
	}
	// within runs a transaction that must not wait for another.
	within := func(what string, fn func(context.Context) error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := fn(ctx); err != nil {
			t.Fatalf("%s: %v (waited for the open command?)", what, err)
		}
	}
	within("case a's timer", func(ctx context.Context) error {
		return s.InTx(ctx, "busy", func(ctx context.Context, tx store.Tx) error { return setTimer(ctx, tx, ids[0], t0) })
	})

	// A command sets case b's timer an hour after the wakeup and stays
	// open until released.
	held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.InTx(ctx, "busy", func(ctx context.Context, tx store.Tx) error {
			if err := setTimer(ctx, tx, ids[1], t0.Add(time.Hour)); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	select {
	case <-held:
	case err := <-done:
		t.Fatalf("the open command: %v", err)
	}
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	within("another command meanwhile", func(ctx context.Context) error {
		return s.InTx(ctx, "busy", func(ctx context.Context, tx store.Tx) error {
			// Case c's timer, later still; case a's goes, so the earliest
			// committed timer is now c's.
			if err := setTimer(ctx, tx, ids[2], t0.Add(2*time.Hour)); err != nil {
				return err
			}
			return setTimer(ctx, tx, ids[0], time.Time{})
		})
	})
	fire := func(what string) {
		t.Helper()
		within(what, func(ctx context.Context) error {
			fired, err := s.FireTimer(ctx, t0.Add(time.Minute), func(context.Context, string, store.Tx, casetype.Timer) error {
				t.Error("a timer fired; none is due")
				return nil
			}, func(int) time.Time { return t0 })
			if fired {
				t.Error("FireTimer reports a timer fired; none is due")
			}
			return err
		})
	}
	fire("the mover while the command is open")
	if got := wakeup(); got.After(t0.Add(time.Hour)) {
		t.Fatalf("the mover moved the wakeup to %v, past the open command's timer at %v", got, t0.Add(time.Hour))
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("the open command: %v", err)
	}
	fire("the mover once the command committed")
	if got, want := wakeup(), t0.Add(time.Hour); !got.Equal(want) {
		t.Errorf("wakeup %v after the move, want %v (case b's timer, the earliest)", got, want)
	}
}
