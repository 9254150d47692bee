package sqlite_test

import (
	"testing"

	"casekit.dev/casekit/casekittest"
	"casekit.dev/storage/sqlite"
)

// TestAutoAssignFairness gives out 1,000 cases round robin and 1,000
// least open among seven agents and checks each agent ends within one
// case of the ideal.
func TestAutoAssignFairness(t *testing.T) {
	s, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	casekittest.AutoAssignFairness(t, s)
}
