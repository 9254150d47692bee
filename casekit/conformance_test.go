package casekit_test

import (
	"testing"

	"casekit.dev/casekit/casekittest"
	"casekit.dev/storage/sqlite"

	"casekit.dev/casekit/store"
)

// TestConformance runs the store conformance suite on an in-memory SQLite
// store, a fresh one for every test.
func TestConformance(t *testing.T) {
	casekittest.RunStoreTests(t, func(t *testing.T) store.Store {
		store, err := sqlite.Open(":memory:")
		if err != nil {
			t.Fatalf("sqlite.Open(:memory:): %v", err)
		}
		t.Cleanup(func() {
			if err := store.Close(); err != nil {
				t.Errorf("close store: %v", err)
			}
		})
		return store
	})
}
