package sqlstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

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
	before := sqlstore.RankedInGo()
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
	dsn := os.Getenv("CASEKIT_TEST_DATABASE_URL")
	pg := func(t *testing.T) {
		if dsn == "" {
			t.Skip("CASEKIT_TEST_DATABASE_URL is not set: skipping the PostgreSQL tests (.ci/run sets it)")
		}
		casekittest.RunReportTests(t, func(t *testing.T) store.Store {
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
		})
	}
	t.Run("postgres", pg)
	if n := sqlstore.RankedInGo() - before; n != 0 {
		t.Fatalf("Go ranked %d values with the cap at none", n)
	}
	restore()
	t.Run("postgres lists", pg)
	if dsn != "" && sqlstore.RankedInGo() == before {
		t.Fatal("Go ranked no value of PostgreSQL's lists below the cap")
	}
}
