package casekit_test

import (
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/storage/sqlite"
)

// casekit's rules are tested through the conformance suite on the SQLite
// in-memory store: a real store, a fresh one per test, no hand-written fake.
func TestRules(t *testing.T) {
	casekittest.RunStoreTests(t, func(t *testing.T) casekit.Store {
		s, err := sqlite.Open(sqlite.Memory)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
