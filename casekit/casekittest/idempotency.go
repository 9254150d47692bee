package casekittest

import (
	"casekit.dev/casekit/store"
	"context"
	"errors"
	"testing"
	"time"

	"casekit.dev/casekit"
)

// testIdempotency checks the Tx methods the HTTP API keeps its
// Idempotency-Key records with: a key is held once while it lives, its
// response is stored and read back as it was, a failed request's record
// goes, and expired records stop counting and are deleted.
func testIdempotency(t *testing.T, newStore StoreFactory) {
	rec := func(key string, at time.Time) store.IdempotencyRecord {
		return store.IdempotencyRecord{Key: key, Fingerprint: "fp-" + key, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
	}
	runEnvTests(t, newStore, []envTest{
		{"a key is held once and keeps its response", func(t *testing.T, e *Env) {
			now := e.Now()
			e.InTx(t, func(ctx context.Context, tx store.Tx) error {
				if err := tx.InsertIdempotency(ctx, rec("k1", now)); err != nil {
					t.Fatal(err)
				}
				return nil
			})
			// A refused insert may end the transaction (PostgreSQL's do), so
			// it runs in one of its own.
			err := e.Store.InTx(t.Context(), e.Tenant, func(ctx context.Context, tx store.Tx) error {
				return tx.InsertIdempotency(ctx, rec("k1", now.Add(time.Minute)))
			})
			if !errors.Is(err, casekit.ErrConflict) {
				t.Errorf("the same key again: %v, want ErrConflict", err)
			}
			e.InTx(t, func(ctx context.Context, tx store.Tx) error {
				pending, err := tx.IdempotencyByKey(ctx, "k1", now)
				if err != nil || pending.Status != 0 || pending.Fingerprint != "fp-k1" {
					t.Fatalf("pending record %+v, %v", pending, err)
				}
				done := rec("k1", now)
				done.Status, done.Header, done.Body = 201, map[string]string{"Location": "/cases/x"}, []byte(`{"id":"x"}`)
				return tx.FinishIdempotency(ctx, done)
			})
			e.InTx(t, func(ctx context.Context, tx store.Tx) error {
				got, err := tx.IdempotencyByKey(ctx, "k1", now.Add(time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				want := rec("k1", now)
				want.Status, want.Header, want.Body = 201, map[string]string{"Location": "/cases/x"}, []byte(`{"id":"x"}`)
				wantEqual(t, want, *got, "the finished record")
				if err := tx.FinishIdempotency(ctx, rec("none", now)); !errors.Is(err, casekit.ErrNotFound) {
					t.Errorf("finishing a key never held: %v, want ErrNotFound", err)
				}
				return nil
			})
		}},
		{"a failed request's record goes, and the key may be held again", func(t *testing.T, e *Env) {
			now := e.Now()
			e.InTx(t, func(ctx context.Context, tx store.Tx) error {
				if err := tx.InsertIdempotency(ctx, rec("k2", now)); err != nil {
					t.Fatal(err)
				}
				if err := tx.FinishIdempotency(ctx, rec("k2", now)); err != nil {
					t.Fatal(err)
				}
				if _, err := tx.IdempotencyByKey(ctx, "k2", now); !errors.Is(err, casekit.ErrNotFound) {
					t.Errorf("after a failure: %v, want ErrNotFound", err)
				}
				return tx.InsertIdempotency(ctx, rec("k2", now))
			})
		}},
		{"an expired key is not found and is deleted by the next insert", func(t *testing.T, e *Env) {
			now := e.Now()
			later := now.Add(time.Hour)
			e.InTx(t, func(ctx context.Context, tx store.Tx) error {
				if err := tx.InsertIdempotency(ctx, rec("old", now)); err != nil {
					t.Fatal(err)
				}
				if _, err := tx.IdempotencyByKey(ctx, "old", later); !errors.Is(err, casekit.ErrNotFound) {
					t.Errorf("an expired key: %v, want ErrNotFound", err)
				}
				// Another key's insert deletes the expired row: finishing it
				// then finds nothing.
				if err := tx.InsertIdempotency(ctx, rec("new", later)); err != nil {
					t.Fatal(err)
				}
				if err := tx.FinishIdempotency(ctx, rec("old", now)); !errors.Is(err, casekit.ErrNotFound) {
					t.Errorf("the expired row after another insert: %v, want it deleted", err)
				}
				// And the expired key itself may be held again.
				return tx.InsertIdempotency(ctx, rec("old", later))
			})
		}},
	})
}
