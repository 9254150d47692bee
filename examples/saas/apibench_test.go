package main

import (
	"context"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/examples/apiload"
	"casekit.dev/storage/postgres"
)

// BenchmarkAPICreate opens cases through the example's handler, in
// process, from 8 goroutines as apiload's create at 8 clients does, so
// that
//
//	go test -run '^$' -bench APICreate -cpuprofile cpu.out ./examples/saas/
//
// shows where a create's time goes (BENCHMARKS.md, "HTTP API against
// libredesk"). It also reports the SQL statements one create sends and,
// with -v, the statements that take the most time, as the client sees
// them (round trip included): pg_stat_statements is not loaded here.
func BenchmarkAPICreate(b *testing.B) {
	var next atomic.Int64
	next.Store(apiload.Customers)
	benchAPI(b, nil, func(ctx context.Context, t *apiload.Saas) error {
		_, err := t.Create(ctx, int(next.Add(1)))
		return err
	})
}

// BenchmarkAPIStatus is BenchmarkAPICreate for apiload's status change:
// each of b.N cases, opened before the timer starts, resolved once.
func BenchmarkAPIStatus(b *testing.B) {
	var (
		ids  []string
		next atomic.Int64
	)
	prepare := func(ctx context.Context, t *apiload.Saas) error {
		ids = make([]string, b.N)
		for i := range ids {
			id, err := t.Create(ctx, apiload.Customers+i)
			if err != nil {
				return err
			}
			ids[i] = id
		}
		return nil
	}
	benchAPI(b, prepare, func(ctx context.Context, t *apiload.Saas) error {
		return t.Resolve(ctx, ids[next.Add(1)-1])
	})
}

// BenchmarkAPIList is BenchmarkAPICreate for apiload's list: page 1, 30
// cases, newest first.
func BenchmarkAPIList(b *testing.B) {
	benchAPI(b, nil, func(ctx context.Context, t *apiload.Saas) error {
		_, err := t.List(ctx)
		return err
	})
}

// BenchmarkAPIGet is BenchmarkAPICreate for apiload's get: one case, by
// turns each of page 1's.
func BenchmarkAPIGet(b *testing.B) {
	var (
		ids  []string
		next atomic.Int64
	)
	prepare := func(ctx context.Context, t *apiload.Saas) (err error) {
		ids, err = t.List(ctx)
		return err
	}
	benchAPI(b, prepare, func(ctx context.Context, t *apiload.Saas) error {
		return t.Get(ctx, ids[int(next.Add(1))%len(ids)])
	})
}

// BenchmarkAPISearch is BenchmarkAPICreate for apiload's search: the
// full-text filter, page 1.
func BenchmarkAPISearch(b *testing.B) {
	benchAPI(b, nil, func(ctx context.Context, t *apiload.Saas) error {
		return t.Search(ctx, apiload.DefaultSearch)
	})
}

// benchAPI serves the example in process with a case for every customer
// (so that creates name existing ones), runs prepare untimed, then op
// b.N times from 8 goroutines, and reports the statements op sent.
func benchAPI(b *testing.B, prepare, op func(context.Context, *apiload.Saas) error) {
	// One sub-pool, so that the query hook on store.DB() sees every
	// statement: with several, a busy tenant borrows the others'.
	_, _, store, target := loadTarget(b, postgres.WithAffinityPools(1))
	ctx := context.Background()
	for n := range apiload.Customers {
		if _, err := target.Create(ctx, n); err != nil {
			b.Fatal(err)
		}
	}
	if prepare != nil {
		if err := prepare(ctx, target); err != nil {
			b.Fatal(err)
		}
	}
	db, ok := store.DB().(*bun.DB)
	if !ok {
		b.Fatalf("the store's DB is a %T, not a *bun.DB", store.DB())
	}
	stats := &statementStats{byShape: map[string]*statementStat{}}
	db.AddQueryHook(stats)
	// RunParallel starts parallelism × GOMAXPROCS goroutines: at least 8.
	b.SetParallelism((8 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(ctx, target); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	stats.report(b)
}

// statementStats is a Bun query hook that counts and times the
// statements the store sends, by shape (literals taken out).
type statementStats struct {
	mu      sync.Mutex
	byShape map[string]*statementStat
	total   int
}

type statementStat struct {
	shape string
	count int
	time  time.Duration
}

// literals are what statementStats takes out of a statement to find its
// shape: strings, numbers and schema names with a test prefix.
var literals = regexp.MustCompile(`'(?:[^']|'')*'|\b\d+\b|"sa[0-9a-f]{8}_[a-z0-9_-]*"`)

func (s *statementStats) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (s *statementStats) AfterQuery(_ context.Context, ev *bun.QueryEvent) {
	shape := literals.ReplaceAllString(ev.Query, "?")
	shape = strings.Join(strings.Fields(shape), " ")
	if len(shape) > 140 {
		shape = shape[:140] + "..."
	}
	took := time.Since(ev.StartTime)
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.byShape[shape]
	if st == nil {
		st = &statementStat{shape: shape}
		s.byShape[shape] = st
	}
	st.count++
	st.time += took
	s.total++
}

// report reports statements per request as a metric and logs the
// statements with the most time.
func (s *statementStats) report(b *testing.B) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b.ReportMetric(float64(s.total)/float64(b.N), "statements/op")
	all := make([]*statementStat, 0, len(s.byShape))
	var sum time.Duration
	for _, st := range s.byShape {
		all = append(all, st)
		sum += st.time
	}
	slices.SortFunc(all, func(x, y *statementStat) int { return int(y.time - x.time) })
	var out strings.Builder
	fmt.Fprintf(&out, "%d requests, %d statements, %v in statements (client side, summed over goroutines)\n", b.N, s.total, sum.Round(time.Millisecond))
	for _, st := range all[:min(len(all), 20)] {
		fmt.Fprintf(&out, "%5.2f/op %6.2f ms mean %4.1f%%  %s\n", float64(st.count)/float64(b.N),
			float64(st.time)/float64(st.count)/1e6, 100*float64(st.time)/float64(max(sum, 1)), st.shape)
	}
	b.Log(out.String())
}
