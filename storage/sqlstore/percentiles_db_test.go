package sqlstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"casekit.dev/casekit"

	"casekit.dev/casekit/casekittest"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/postgres"
	"casekit.dev/storage/sqlite"
	"casekit.dev/storage/sqlstore"
)

// TestReportRankedInDatabase runs the report area with every percentile
// ranked by the database, as a report over more than MaxRankedValues
// values is: on SQLite in place of Go's ranking of the values it reads,
// on PostgreSQL in place of the lists the facts statement withholds past
// the cap. The same exact values and the same brute-force counts as the
// conformance run, and no value ranked by Go; then, on PostgreSQL, the
// area again below the cap, where Go ranks the lists.
func TestReportRankedInDatabase(t *testing.T) {
	restore := sqlstore.RankInDatabase()
	t.Cleanup(restore)
	before, _ := sqlstore.RankedInGo()
	t.Run("sqlite", func(t *testing.T) { casekittest.RunReportTests(t, sqliteStore) })
	// One store, one pool, for the area's parallel tests (each its own
	// tenant), as storage/postgres's harness keeps: a pool per test would
	// hold connections the server's max_connections shares with the other
	// packages' tests.
	pg := func(t *testing.T) {
		s := pgStore(t)
		casekittest.RunReportTests(t, func(*testing.T) store.Store { return s })
	}
	t.Run("postgres", pg)
	if n, _ := sqlstore.RankedInGo(); n != before {
		t.Fatalf("Go ranked %d values with the cap at none", n-before)
	}
	restore()
	t.Run("postgres lists", pg)
	if _, listed := sqlstore.RankedInGo(); os.Getenv("CASEKIT_TEST_DATABASE_URL") != "" && listed == 0 {
		t.Fatal("Go ranked no value of PostgreSQL's lists below the cap")
	}
}

// TestReportListsCap checks the cap on the values Go ranks at its edge,
// on both stores: a year grouped by priority whose three resolutions,
// held twice (their groups' and the total's), are six values is ranked
// by Go with the cap at six (on PostgreSQL from the facts statement's
// lists) and by the database with the cap at five, the same ranks either
// way.
func TestReportListsCap(t *testing.T) {
	for _, c := range []struct {
		name  string
		store func(t *testing.T) store.Store
		lists bool
	}{
		{"sqlite", sqliteStore, false},
		{"postgres", pgStore, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := t.Context()
			kit, err := casekit.New(c.store(t), casekit.WithLogger(slog.New(slog.DiscardHandler)))
			if err != nil {
				t.Fatal(err)
			}
			if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "cap"}); err != nil {
				t.Fatal(err)
			}
			d := kit.Desk("cap").As(casekit.Agent("agent-1"))
			for i := range 3 {
				cs, err := d.OpenCase(ctx, casekit.NewCase{Subject: fmt.Sprint("case ", i), CustomerID: "customer-1"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := d.Resolve(ctx, cs.ID, casekit.Resolution{Summary: "done"}); err != nil {
					t.Fatal(err)
				}
			}
			now := time.Now()
			q := casekit.ReportQuery{From: now.Add(-time.Hour), To: now.Add(time.Hour), GroupBy: casekit.GroupPriority}
			var got []casekit.Durations
			for _, limit := range []int{6, 5} {
				restore := sqlstore.CapRanked(limit)
				all, listed := sqlstore.RankedInGo()
				r, err := d.Report(ctx, q)
				restore()
				if err != nil {
					t.Fatal(err)
				}
				all2, listed2 := sqlstore.RankedInGo()
				if inGo := all2 > all; inGo != (limit == 6) {
					t.Errorf("with the cap at %d Go ranked %d values", limit, all2-all)
				}
				if fromLists := listed2 > listed; fromLists != (c.lists && limit == 6) {
					t.Errorf("with the cap at %d %d values came in lists", limit, listed2-listed)
				}
				if r.Total.Resolution.Count != 3 {
					t.Fatalf("resolutions: %d, want 3", r.Total.Resolution.Count)
				}
				got = append(got, r.Total.Resolution)
			}
			if got[0] != got[1] {
				t.Errorf("the resolution times differ: %+v ranked by Go, %+v by the database", got[0], got[1])
			}
		})
	}
}

// sqliteStore returns a SQLite store in a directory of the test's own.
func sqliteStore(t *testing.T) store.Store {
	s, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// pgStore returns a PostgreSQL store of its own schemas, dropped at the
// test's end, or skips without CASEKIT_TEST_DATABASE_URL. Four
// connections: the tests of this package run beside storage/postgres's,
// and the server's max_connections (100 by default) is shared.
func pgStore(t *testing.T) store.Store {
	dsn := os.Getenv("CASEKIT_TEST_DATABASE_URL")
	if dsn == "" {
		t.Skip("CASEKIT_TEST_DATABASE_URL is not set: skipping the PostgreSQL tests (.ci/run sets it)")
	}
	b := make([]byte, 4)
	rand.Read(b)
	s, err := postgres.Open(t.Context(), dsn, postgres.WithPrefix("rk"+hex.EncodeToString(b)+"_"), postgres.WithMaxConns(4))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.DropControl(context.Background())
		s.Close()
	})
	return s
}
