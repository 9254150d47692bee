package sqlite_test

import (
	"sync"
	"testing"

	"casekit.dev/casekit/casekittest"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/sqlite"
)

// The conformance suite on tenant files in a directory, with a small bound
// on open files so handles are evicted and reopened while the suite runs.
// Another store on the same directory is another process; transactions on
// a tenant's file run one at a time, so pickers take turns.
func TestConformanceOnFiles(t *testing.T) {
	var dirs sync.Map // store.Store -> its directory
	open := func(t *testing.T, dir string) store.Store {
		s, err := sqlite.Open(dir, sqlite.WithMaxOpen(2))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	casekittest.RunStoreTests(t, casekittest.Harness{
		New: func(t *testing.T) store.Store {
			dir := t.TempDir()
			s := open(t, dir)
			dirs.Store(s, dir)
			return s
		},
		OpenAgain: func(t *testing.T, s store.Store) store.Store {
			dir, _ := dirs.Load(s)
			return open(t, dir.(string))
		},
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
