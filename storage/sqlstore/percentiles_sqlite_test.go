package sqlstore_test

import (
	"testing"

	"casekit.dev/casekit/casekittest"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/sqlite"
	"casekit.dev/storage/sqlstore"
)

// TestReportRankedInDatabase runs the report area on SQLite with every
// percentile ranked by the database, as a report over more than
// MaxRankedValues values is: the same exact values and the same
// brute-force counts as the conformance run, where Go ranks them.
func TestReportRankedInDatabase(t *testing.T) {
	t.Cleanup(sqlstore.RankInDatabase())
	casekittest.RunReportTests(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
