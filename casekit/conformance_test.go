package casekit_test

import (
	"testing"

	"casekit.dev/casekit/casekittest"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/sqlite"
)

// TestConformance runs the store conformance suite on an in-memory SQLite
// store, a fresh one for every test: no other process reaches its data, and
// its pickers take turns.
func TestConformance(t *testing.T) {
	casekittest.RunStoreTests(t, casekittest.Harness{New: func(t *testing.T) store.Store {
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
