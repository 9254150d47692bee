package casekittest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"casekit.dev/casekit"
)

// RunStoreBenchmarks runs casekit's benchmarks against the stores newStore
// returns, so every store is measured the same way. Each benchmark works in
// tenants of its own.
//
//	Pick/pickers=N: N agents pick from one queue holding b.N cases until it
//	is empty; reports picks/s.
func RunStoreBenchmarks(b *testing.B, newStore func(testing.TB) casekit.Store) {
	b.Run("Pick", func(b *testing.B) {
		for _, pickers := range []int{1, 4, 16} {
			b.Run(fmt.Sprintf("pickers=%d", pickers), func(b *testing.B) {
				benchmarkPick(b, newStore(b), pickers)
			})
		}
	})
}

func benchmarkPick(b *testing.B, store casekit.Store, pickers int) {
	e := NewEnv(b, store)
	e.places(b, []string{"support"}, casekit.Queue{ID: "inbox", Name: "Inbox", TeamID: "support"})
	FillQueue(b, e, "inbox", b.N)
	ctx := b.Context()
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		picked int
		failed error
	)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for p := range pickers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := e.Desk(casekit.Agent(fmt.Sprintf("picker-%02d", p)))
			for {
				_, err := d.Pick(ctx, "inbox")
				mu.Lock()
				switch {
				case err == nil:
					picked++
				case !errors.Is(err, casekit.ErrNotFound) && failed == nil:
					failed = err
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if failed != nil {
		b.Fatal(failed)
	}
	if picked != b.N {
		b.Fatalf("picked %d cases of %d", picked, b.N)
	}
	b.ReportMetric(float64(picked)/elapsed.Seconds(), "picks/s")
}
