package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/sqlstore"
	"casekit.dev/storage/sqlstore/rows"
)

// Two commands resolving cases of one tenant on the same day move the
// same counts of case_flow (today's total among them). In different
// slots they write different rows and neither waits for the other to
// commit; in the same slot the second waits, which is what the slots are
// for (and what shows this test can fail).
func TestFlowSlotsDoNotWait(t *testing.T) {
	s, _ := testTenant(t, "flow")
	ctx := context.Background()
	schema := bun.Ident(s.Schema("flow"))
	now := time.Now().UTC().Truncate(time.Microsecond)
	resolved := func(id string) (was, after *rows.CaseFact) {
		open := &rows.CaseFact{ID: id, Status: "in_progress", Priority: "high", CreatedAt: now.Add(-time.Hour)}
		done := *open
		done.Status, done.ResolvedAt, done.EndedAt = "resolved", &now, &now
		return open, &done
	}
	// move runs MoveFlow of a resolution in slot in a transaction that
	// stays open until release is closed.
	move := func(ctx context.Context, id string, slot int, held chan<- struct{}, release <-chan struct{}) error {
		return s.DB().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			was, done := resolved(id)
			if err := sqlstore.MoveFlow(ctx, tx, schema, slot, was, done); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}
	held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() { done <- move(ctx, "a", 0, held, release) }()
	select {
	case <-held:
	case err := <-done:
		t.Fatalf("the open command: %v", err)
	}
	for _, c := range []struct {
		slot int
		wait bool
	}{{1, false}, {0, true}} {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		free := make(chan struct{})
		close(free)
		err := move(ctx, "b", c.slot, make(chan struct{}), free)
		cancel()
		if waited := err != nil; waited != c.wait {
			t.Errorf("a second resolution in slot %d beside an open one in slot 0: waited %v (%v), want %v", c.slot, waited, err, c.wait)
		}
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var total int
	if err := s.DB().NewRaw("SELECT SUM(ended) FROM ?.case_flow WHERE dim = '' AND day = ?", schema, now.Unix()/86400).Scan(ctx, &total); err != nil {
		t.Fatal(err)
	}
	if total != 2 {
		t.Errorf("%d cases ended today over the slots, want 2", total)
	}
}

// The store's own transactions on one tenant take different case_flow
// slots while one is free (sqlstore.Slots): as many status changes as
// there are slots, each held open after its UPDATE, all get through
// without waiting for one another. Drawn at random, eight of eight
// would nearly always repeat a slot (all different 0.2% of the time), and
// one would wait for the other's commit. A slot given back is taken
// again: a second round does as well.
func TestFlowSlotsTakenApart(t *testing.T) {
	const n = 8 // postgres.Dialect's FlowSlots
	s := driverStore(t, "pgx", n+2)
	kit := newKit(t, s)
	ctx := context.Background()
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "apart"}); err != nil {
		t.Fatal(err)
	}
	d := kit.Desk("apart").As(casekit.System)
	ids := make([]string, 2*n)
	for i := range ids {
		c, err := d.OpenCase(ctx, casekit.NewCase{Subject: "apart", CustomerID: "customer-1"})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = c.ID
	}
	for round := range 2 {
		held, release, done := make(chan struct{}, n), make(chan struct{}), make(chan error, n)
		for _, id := range ids[round*n : (round+1)*n] {
			go func() {
				done <- s.InTx(ctx, "apart", func(ctx context.Context, tx store.Tx) error {
					c, err := tx.Case(ctx, id, true)
					if err != nil {
						return err
					}
					c.Status, c.Version = "in_progress", c.Version+1
					if err := tx.UpdateCase(ctx, c, c.Version-1); err != nil {
						return err
					}
					held <- struct{}{}
					<-release
					return nil
				})
			}()
		}
		got, timeout := 0, time.After(10*time.Second)
		for got < n {
			select {
			case <-held:
				got++
				continue
			case err := <-done:
				t.Errorf("round %d: a status change ended before the others got through: %v", round, err)
			case <-timeout:
				t.Errorf("round %d: %d of %d status changes got through at once; the others wait for a case_flow slot", round, got, n)
			}
			break
		}
		close(release) // the waiting ones then go through too
		for range n {
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
		if t.Failed() {
			return
		}
	}
}
