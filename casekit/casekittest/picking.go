package casekittest

import (
	"context"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

// testPicking checks what Harness.SkipLocked promises: a picker passes over
// the case an open transaction has picked and takes the next one, without
// waiting for that transaction to end.
func testPicking(t *testing.T, h Harness) {
	t.Run("a case one transaction has picked is passed over by another picker", func(t *testing.T) {
		if !h.SkipLocked {
			t.Skip("Harness.SkipLocked is false: the store's pickers take turns instead")
		}
		t.Parallel()
		ctx := t.Context()
		e := NewEnv(t, h.New(t))
		e.places(t, nil, casekit.Queue{ID: "inbox", Name: "Inbox"})
		d := e.Agent()
		older := try(d.OpenCase(ctx, casekit.NewCase{Subject: "Older", QueueID: "inbox"})).get(t)
		e.Tick()
		newer := try(d.OpenCase(ctx, casekit.NewCase{Subject: "Newer", QueueID: "inbox"})).get(t)
		q := store.PickQuery{QueueID: "inbox", Statuses: []string{casekit.StatusNew}}

		held, release, firstDone := make(chan string, 1), make(chan struct{}), make(chan error, 1)
		go func() {
			firstDone <- e.Store.InTx(ctx, e.Tenant, func(ctx context.Context, tx store.Tx) error {
				c, err := tx.NextInQueue(ctx, q)
				if err != nil {
					return err
				}
				held <- c.ID
				select {
				case <-release:
				case <-time.After(30 * time.Second):
				}
				return nil
			})
		}()
		var first string
		select {
		case first = <-held:
		case err := <-firstDone:
			t.Fatalf("first pick: %v", err)
		}
		second, secondDone := "", make(chan error, 1)
		go func() {
			secondDone <- e.Store.InTx(ctx, e.Tenant, func(ctx context.Context, tx store.Tx) error {
				c, err := tx.NextInQueue(ctx, q)
				if err == nil {
					second = c.ID
				}
				return err
			})
		}()
		select {
		case err := <-secondDone:
			must(t, err, "second pick while the first transaction is open")
			wantEqual(t, older.ID, first, "first pick (the older case)")
			wantEqual(t, newer.ID, second, "second pick (the case the first did not hold)")
		case <-time.After(10 * time.Second):
			t.Error("the second picker waited for the first transaction instead of passing over its case")
		}
		close(release)
		must(t, <-firstDone, "first pick's transaction")
	})
}
