package postgres_test

import (
	"testing"

	"casekit.dev/casekit/casekittest"
)

// TestAutoAssignConcurrently opens 200 cases from 16 goroutines into a
// queue that assigns round robin, then 100 into one whose agents have
// room for 70, and checks that every case is given out exactly once and
// no capacity is passed: the tenant's assignment lock at work.
func TestAutoAssignConcurrently(t *testing.T) {
	casekittest.AutoAssignConcurrently(t, testStore(t), 200, 16)
}
