package apiload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// The operations a run can measure, in the order Run measures them: reads
// before create, so that every read sees the store it was loaded with, and
// status after create, whose cases it resolves.
const (
	OpList   = "list"
	OpGet    = "get"
	OpSearch = "search"
	OpCreate = "create"
	OpStatus = "status"
)

// AllOps is every operation, in the order they are measured.
var AllOps = []string{OpList, OpGet, OpSearch, OpCreate, OpStatus}

// Config is one run.
type Config struct {
	Target Target
	// Ops are the operations to measure (AllOps when empty); Run measures
	// them in AllOps' order whatever the order here.
	Ops []string
	// Clients are the numbers of concurrent clients each operation is
	// measured at, e.g. 1 and 8.
	Clients []int
	// Duration bounds each measurement (operation × clients).
	Duration time.Duration
	// Requests, when above 0, also bounds each measurement: at most this
	// many requests (the self-test uses it to stay short).
	Requests int
	// Preload cases are created through the target's API before anything
	// is measured, PreloadClients at once. Their IDs join the cases the
	// status operation resolves.
	Preload, PreloadClients int
	// PreloadOnly stops Run after the preload and AfterPreload: the
	// command's -preload-only, for a store that is then grown by other
	// means before it is measured.
	PreloadOnly bool
	// AfterPreload, when not nil, runs after the preload and before any
	// measurement: the command runs ANALYZE there, since autovacuum may be
	// off and a table without statistics is scanned whole.
	AfterPreload func(ctx context.Context) error
	// Search is the word the search operation looks for.
	Search string
	// Progress, when not nil, gets a line per measurement and the
	// preload's progress.
	Progress io.Writer
	// Meters are read before and after each measurement: Result.CPU is
	// the CPU time per request of each, in this order. What the meters
	// count is the processes' whole use, the run's own requests and
	// whatever else they serve meanwhile.
	Meters []Meter
}

// Run measures cfg's operations against its target and returns one
// Result per operation and number of clients. A request that fails is
// counted in Result.Errors; Run itself fails only when the target cannot
// be set up or preloaded, or nothing is there to get.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	t := cfg.Target
	if err := t.Setup(ctx); err != nil {
		return nil, fmt.Errorf("setting up %s: %w", t.Name(), err)
	}
	pool := &casePool{}
	if cfg.Preload > 0 {
		start := time.Now()
		r := measure(ctx, OpCreate, cfg.PreloadClients, 0, cfg.Preload, func(ctx context.Context, n int) error {
			id, err := t.Create(ctx, n)
			if err == nil {
				pool.add(id)
			}
			return err
		})
		if r.Errors > 0 {
			return nil, fmt.Errorf("preloading %d cases: %d failed, the first: %s", cfg.Preload, r.Errors, r.FirstError)
		}
		cfg.logf("preloaded %d cases in %v (%.0f/s)", r.Requests, time.Since(start).Round(time.Millisecond), r.PerSecond())
		if cfg.AfterPreload != nil {
			if err := cfg.AfterPreload(ctx); err != nil {
				return nil, fmt.Errorf("after the preload: %w", err)
			}
		}
	}
	if cfg.PreloadOnly {
		return nil, nil
	}
	listed, err := t.List(ctx)
	if err != nil {
		return nil, err
	}
	toGet := slices.Concat(listed, pool.snapshot())
	var results []Result
	for _, op := range AllOps {
		if !slices.Contains(cfg.Ops, op) {
			continue
		}
		for _, c := range cfg.Clients {
			var do func(ctx context.Context, n int) error
			switch op {
			case OpList:
				do = func(ctx context.Context, _ int) error { _, err := t.List(ctx); return err }
			case OpGet:
				if len(toGet) == 0 {
					return results, errors.New("the get operation needs a case: the target lists none (preload some)")
				}
				do = func(ctx context.Context, n int) error { return t.Get(ctx, toGet[n%len(toGet)]) }
			case OpSearch:
				do = func(ctx context.Context, _ int) error { return t.Search(ctx, cfg.Search) }
			case OpCreate:
				do = func(ctx context.Context, _ int) error {
					id, err := t.Create(ctx, cfg.Preload+int(pool.created.Add(1)))
					if err == nil {
						pool.add(id)
					}
					return err
				}
			case OpStatus:
				do = func(ctx context.Context, _ int) error {
					id, ok := pool.take()
					if !ok {
						return errPoolEmpty
					}
					return t.Resolve(ctx, id)
				}
			}
			before, err := meterAll(ctx, cfg.Meters)
			if err != nil {
				return results, err
			}
			r := measure(ctx, op, c, cfg.Duration, cfg.Requests, do)
			after, err := meterAll(ctx, cfg.Meters)
			if err != nil {
				return results, err
			}
			for i, m := range cfg.Meters {
				r.CPU = append(r.CPU, CPUCost{Meter: m.Name, PerRequest: cpuPerRequest(after[i].Since(before[i]), r.Requests+r.Errors)})
			}
			cfg.logf("%s", r.line())
			results = append(results, r)
		}
	}
	return results, ctx.Err()
}

// check fills in defaults and refuses a config that cannot run.
func (cfg *Config) check() error {
	if cfg.Target == nil {
		return errors.New("apiload: no target")
	}
	if len(cfg.Ops) == 0 {
		cfg.Ops = AllOps
	}
	for _, op := range cfg.Ops {
		if !slices.Contains(AllOps, op) {
			return fmt.Errorf("apiload: unknown operation %q (list, get, search, create, status)", op)
		}
	}
	if len(cfg.Clients) == 0 {
		cfg.Clients = []int{1, 8}
	}
	for _, c := range cfg.Clients {
		if c < 1 || c > 256 {
			return fmt.Errorf("apiload: clients must be 1 to 256, not %d", c)
		}
	}
	if cfg.Duration <= 0 && cfg.Requests <= 0 {
		return errors.New("apiload: give a duration or a number of requests per measurement")
	}
	if cfg.Preload < 0 || cfg.Preload > 10_000_000 {
		return fmt.Errorf("apiload: preload must be 0 to 10,000,000, not %d", cfg.Preload)
	}
	cfg.PreloadClients = max(cfg.PreloadClients, 1)
	if cfg.Search == "" {
		cfg.Search = DefaultSearch
	}
	return nil
}

func (cfg *Config) logf(format string, args ...any) {
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, "apiload: "+format+"\n", args...)
	}
}

// errPoolEmpty ends a status measurement that resolved every case it had.
var errPoolEmpty = errors.New("no unresolved case left")

// casePool holds the cases this run created and not resolved yet.
type casePool struct {
	mu      sync.Mutex
	ids     []string
	created atomic.Int64 // cases the create operation asked for, to number them
}

func (p *casePool) add(id string) {
	p.mu.Lock()
	p.ids = append(p.ids, id)
	p.mu.Unlock()
}

// take removes and returns the newest case, so that each is resolved once.
func (p *casePool) take() (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.ids) == 0 {
		return "", false
	}
	id := p.ids[len(p.ids)-1]
	p.ids = p.ids[:len(p.ids)-1]
	return id, true
}

func (p *casePool) snapshot() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.ids)
}

// measure runs do from clients goroutines until d has passed (when d > 0)
// or limit requests were sent (when limit > 0), each call timed, and
// returns what it saw. do gets the request's number across workers. errPoolEmpty stops the measurement without
// counting as an error.
func measure(ctx context.Context, op string, clients int, d time.Duration, limit int, do func(ctx context.Context, n int) error) Result {
	var (
		next     atomic.Int64
		stop     atomic.Bool
		mu       sync.Mutex
		r        = Result{Op: op, Clients: clients}
		wg       sync.WaitGroup
		deadline time.Time
	)
	start := time.Now()
	if d > 0 {
		deadline = start.Add(d)
	}
	for range clients {
		wg.Go(func() {
			var lat []time.Duration
			var errs int
			var first string
			for !stop.Load() && ctx.Err() == nil {
				n := int(next.Add(1)) - 1
				if (limit > 0 && n >= limit) || (d > 0 && time.Now().After(deadline)) {
					break
				}
				t0 := time.Now()
				err := do(ctx, n)
				took := time.Since(t0)
				switch {
				case errors.Is(err, errPoolEmpty):
					stop.Store(true)
				case err != nil:
					errs++
					if first == "" {
						first = err.Error()
					}
				default:
					lat = append(lat, took)
				}
			}
			mu.Lock()
			r.latencies = append(r.latencies, lat...)
			r.Errors += errs
			if r.FirstError == "" {
				r.FirstError = first
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	r.Elapsed = time.Since(start)
	r.Requests = len(r.latencies)
	r.Exhausted = stop.Load()
	slices.Sort(r.latencies)
	return r
}
