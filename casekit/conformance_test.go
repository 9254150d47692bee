package casekit_test

import (
	"testing"

	"casekit.dev/casekit/casekittest"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/sqlite"
)

// TestConformance runs the store conformance suite on an in-memory SQLite
// store, a fresh one for every test: no other process reaches its data, and
// its pickers take turns. storage/sqlite runs the whole suite on files,
// through the same code but for how tenants are opened, kept and dropped;
// here the areas where that differs, and the commands every example
// runs in memory, keep the in-memory mode to the contract without
// running the suite a third time (it was a third of CI's time).
func TestConformance(t *testing.T) {
	casekittest.RunStoreTests(t, casekittest.Harness{Areas: []string{
		"tenants", "cases", "lifecycle", "isolation", "rollback", "concurrency", "picking",
	}, New: func(t *testing.T) store.Store {
		s, err := sqlite.Open(":memory:")
		if err != nil {
			t.Fatalf("sqlite.Open(:memory:): %v", err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close store: %v", err)
			}
		})
		return s
	}})
}
