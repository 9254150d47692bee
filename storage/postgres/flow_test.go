package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

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
