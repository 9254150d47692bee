package casekit_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/storage/sqlite"
)

// Configuration written and read again in one transaction reads back as
// written after each write, and a transaction rolled back leaves the cache
// as the store is: what it cached under its own version is never seen.
func TestConfigCacheWithinATransaction(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	kit, err := casekit.New(store, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme"}); err != nil {
		t.Fatal(err)
	}
	priority := func(tx casekit.Tx) string {
		t.Helper()
		s, err := tx.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s.DefaultPriority
	}
	set := func(tx casekit.Tx, p string) {
		t.Helper()
		s, err := tx.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.DefaultPriority = p
		if err := tx.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	rollback := errors.New("roll back")
	err = store.InTx(ctx, "acme", func(ctx context.Context, raw casekit.Tx) error {
		tx := casekit.ConfigTx(kit, "acme", raw)
		if got := priority(tx); got != "medium" {
			t.Errorf("before any write: %q, want medium", got)
		}
		set(tx, "high")
		if got := priority(tx); got != "high" {
			t.Errorf("after the first write: %q, want high", got)
		}
		set(tx, "low")
		if got := priority(tx); got != "low" {
			t.Errorf("after the second write: %q, want low", got)
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	c, err := kit.Desk("acme").As(casekit.Agent("a")).OpenCase(ctx, casekit.NewCase{Subject: "After the rollback"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Priority != "medium" {
		t.Errorf("after the rollback a case opens with priority %q, want medium", c.Priority)
	}
}
