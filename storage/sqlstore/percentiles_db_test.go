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
	t.Run("sqlite", func(t *testing.T) {
		casekittest.RunReportTests(t, func(t *testing.T) store.Store {
			s, err := sqlite.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
	pg := func(t *testing.T) {
		casekittest.RunReportTests(t, func(t *testing.T) store.Store { return pgStore(t) })
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

// TestReportListsCap checks the lists' cap at its edge on PostgreSQL: a
// year grouped by priority whose three resolutions, held twice (their
// groups' and the total's), are six values gets its ranks from lists
// with the cap at six, and from values read apart with the cap at five,
// the same ranks either way.
func TestReportListsCap(t *testing.T) {
	ctx := t.Context()
	kit, err := casekit.New(pgStore(t), casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "cap"}); err != nil {
		t.Fatal(err)
	}
	d := kit.Desk("cap").As(casekit.Agent("agent-1"))
	for i := range 3 {
		c, err := d.OpenCase(ctx, casekit.NewCase{Subject: fmt.Sprint("case ", i), CustomerID: "customer-1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Resolve(ctx, c.ID, casekit.Resolution{Summary: "done"}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	q := casekit.ReportQuery{From: now.Add(-time.Hour), To: now.Add(time.Hour), GroupBy: casekit.GroupPriority}
	var reports []*casekit.Report
	for _, c := range []struct {
		cap    int
		listed bool
	}{{6, true}, {5, false}} {
		t.Cleanup(sqlstore.CapRanked(c.cap))
		_, before := sqlstore.RankedInGo()
		r, err := d.Report(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if _, after := sqlstore.RankedInGo(); (after > before) != c.listed {
			t.Errorf("with the cap at %d, values listed: %d; want lists %v", c.cap, after-before, c.listed)
		}
		if r.Total.Resolution.Count != 3 {
			t.Fatalf("resolutions: %d, want 3", r.Total.Resolution.Count)
		}
		reports = append(reports, r)
	}
	if a, b := reports[0].Total.Resolution, reports[1].Total.Resolution; a != b {
		t.Errorf("the resolution times differ: %+v from lists, %+v read apart", a, b)
	}
}

// pgStore returns a PostgreSQL store of its own schemas, dropped at the
// test's end, or skips without CASEKIT_TEST_DATABASE_URL.
func pgStore(t *testing.T) store.Store {
	dsn := os.Getenv("CASEKIT_TEST_DATABASE_URL")
	if dsn == "" {
		t.Skip("CASEKIT_TEST_DATABASE_URL is not set: skipping the PostgreSQL tests (.ci/run sets it)")
	}
	b := make([]byte, 4)
	rand.Read(b)
	s, err := postgres.Open(t.Context(), dsn, postgres.WithPrefix("rk"+hex.EncodeToString(b)+"_"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.DropControl(context.Background())
		s.Close()
	})
	return s
}
