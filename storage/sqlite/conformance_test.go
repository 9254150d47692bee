package sqlite_test

import (
	"testing"

	"casekit.dev/casekit/casekittest"
	"casekit.dev/storage/sqlite"

	"casekit.dev/casekit/store"
)

// The conformance suite on tenant files in a directory, with a small bound
// on open files so handles are evicted and reopened while the suite runs.
func TestConformanceOnFiles(t *testing.T) {
	casekittest.RunStoreTests(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(t.TempDir(), sqlite.WithMaxOpen(2))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// BenchmarkStore runs casekit's store benchmarks on tenant files.
func BenchmarkStore(b *testing.B) {
	casekittest.RunStoreBenchmarks(b, func(tb testing.TB) store.Store {
		s, err := sqlite.Open(tb.TempDir())
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { s.Close() })
		return s
	})
}
