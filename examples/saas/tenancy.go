package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
	"casekit.dev/storage/postgres"
)

// -tenancy N measures one PostgreSQL holding N tenants (issue 24): it
// provisions tenant-0001 ... tenant-N (those missing), reporting the rate
// per thousand; ANALYZEs the catalogs; then runs the same mixed load over
// all N twice, on a fresh pool each time, without the pool's memory
// bounds and with them, reporting each request's latency (the first
// request to a tenant apart from the others) and the memory of the
// pool's backends and of the whole cluster, read from /proc. It must run
// on the server's machine, as a user that may read the server's
// /proc/PID/status (root or the server's user).

// catalogs are the system catalogs a tenant's relations fill; with
// autovacuum off nothing analyzes them, and the planner's lookups in them
// slow down as they grow.
var catalogs = []string{"pg_class", "pg_attribute", "pg_attrdef", "pg_index", "pg_depend", "pg_type",
	"pg_constraint", "pg_namespace", "pg_trigger", "pg_proc", "pg_sequence", "pg_shdepend", "pg_init_privs"}

// loadVariant is one pass of the load: a name and the pool options.
type loadVariant struct {
	name string
	opts []postgres.Option
}

// tenancyVariants are the two pools compared: no budget, no lifetime, no
// affinity (the pool before issue 24), and the defaults.
var tenancyVariants = []loadVariant{
	{"without", []postgres.Option{postgres.WithTenantBudget(0), postgres.WithConnLifetime(0), postgres.WithAffinityPools(1)}},
	{"with", nil},
}

// loadResult is what one pass measured.
type loadResult struct {
	cold, warm        []time.Duration // sorted
	errors            int
	elapsed           time.Duration
	backends          int    // the pool's backends at the end
	rss, anon         uint64 // their VmRSS and RssAnon at the end, bytes
	largest           uint64 // the largest RssAnon of one of them
	peakRSS, peakAno  uint64 // the most seen while the load ran
	cluster, clusterA uint64 // VmRSS and RssAnon of every process of the cluster at the end
	stats             postgres.PoolStats
}

// tenancy is -tenancy: provision, analyze, then each variant's load.
func tenancy(ctx context.Context, c config, kit *casekit.Kit, store *postgres.Store, stdout, stderr io.Writer) error {
	for first := 1; first <= c.tenancy; first += 1000 {
		n := min(1000, c.tenancy-first+1)
		res, err := provision(ctx, kit, first, n, c.concurrency, stderr)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "tenants %d-%d: made %d (%d existed) in %v, %.1f tenants/s; per tenant p50 %v, p95 %v\n",
			first, first+n-1, res.Created, res.Existing, res.Total.Round(time.Millisecond),
			float64(res.Created)/res.Total.Seconds(), res.percentile(50).Round(time.Millisecond), res.percentile(95).Round(time.Millisecond))
	}
	t0 := time.Now()
	if _, err := store.DB().NewRaw("ANALYZE " + strings.Join(prefixed("pg_catalog.", catalogs), ", ")).Exec(ctx); err != nil {
		return fmt.Errorf("analyze the catalogs: %w", err)
	}
	fmt.Fprintf(stdout, "ANALYZE of %d catalogs: %v\n", len(catalogs), time.Since(t0).Round(time.Millisecond))
	requests := c.requests
	if requests == 0 {
		requests = 4 * c.tenancy
	}
	plan := loadPlan(c.tenancy, requests)
	for _, v := range tenancyVariants {
		res, err := runLoad(ctx, c, v, plan)
		if err != nil {
			return fmt.Errorf("load %s the memory bounds: %w", v.name, err)
		}
		fmt.Fprint(stdout, res.report(v.name, c))
	}
	return nil
}

// prefixed returns each name with p before it.
func prefixed(p string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = p + n
	}
	return out
}

// loadPlan returns the tenants (1-based numbers) of the load's requests,
// in order: every fourth one is the next tenant of a shuffled sweep over
// all n, so every tenant gets a first request, the others follow a Zipf
// law (s = 1.1), so a few tenants are busy and most are quiet. The seed
// is fixed: both variants get the same plan.
func loadPlan(n, requests int) []int {
	r := rand.New(rand.NewPCG(24, 24))
	sweep := r.Perm(n)
	// rand/v2 has no Zipf; this is inverse-CDF sampling on the ranks.
	cdf := make([]float64, n)
	var sum float64
	for k := range n {
		sum += 1 / math.Pow(float64(k+1), 1.1)
		cdf[k] = sum
	}
	rank := r.Perm(n) // which tenant is the k-th busiest
	plan := make([]int, requests)
	for i := range plan {
		if i%4 == 0 && i/4 < n {
			plan[i] = sweep[i/4] + 1
			continue
		}
		k, _ := slices.BinarySearch(cdf, r.Float64()*sum)
		plan[i] = rank[min(k, n-1)] + 1
	}
	return plan
}

// runLoad opens a pool with the variant's options (a fresh one: its
// backends have cached nothing), runs the plan with c.concurrency
// clients, and measures.
func runLoad(ctx context.Context, c config, v loadVariant, plan []int) (loadResult, error) {
	app := "casekit_tenancy_" + v.name
	dsn, err := withAppName(c.db, app)
	if err != nil {
		return loadResult{}, err
	}
	opts := append([]postgres.Option{postgres.WithPrefix(c.prefix)}, v.opts...)
	if c.prepared {
		opts = append(opts, postgres.WithPreparedStatements())
	}
	store, err := postgres.Open(ctx, dsn, opts...)
	if err != nil {
		return loadResult{}, err
	}
	defer store.Close()
	kit, err := casekit.New(store, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return loadResult{}, err
	}
	var (
		res    loadResult
		mu     sync.Mutex
		seen   = make([]atomic.Bool, c.tenancy+1)
		next   atomic.Int64
		wg     sync.WaitGroup
		stop   = make(chan struct{})
		polled = make(chan struct{})
	)
	go func() { // the memory while the load runs
		defer close(polled)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			if rss, anon, _, _, err := poolMemory(ctx, store.DB(), app); err == nil {
				res.peakRSS, res.peakAno = max(res.peakRSS, rss), max(res.peakAno, anon)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	for range c.concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(plan) || ctx.Err() != nil {
					return
				}
				n := plan[i]
				cold := !seen[n].Swap(true)
				desk := kit.Desk(tenantID(n)).As(casekit.Agent("load"))
				t0 := time.Now()
				var err error
				if !cold && i%5 == 1 {
					_, err = desk.OpenCase(ctx, casekit.NewCase{Subject: "load " + strconv.Itoa(i)})
				} else {
					_, err = desk.ListCases(ctx, casekit.CaseFilter{Limit: 25})
				}
				took := time.Since(t0)
				mu.Lock()
				switch {
				case err != nil:
					res.errors++
				case cold:
					res.cold = append(res.cold, took)
				default:
					res.warm = append(res.warm, took)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	close(stop)
	<-polled
	if err := ctx.Err(); err != nil {
		return res, err
	}
	res.rss, res.anon, res.largest, res.backends, err = poolMemory(ctx, store.DB(), app)
	if err != nil {
		return res, err
	}
	res.peakRSS, res.peakAno = max(res.peakRSS, res.rss), max(res.peakAno, res.anon)
	if res.cluster, res.clusterA, err = clusterMemory(ctx, store.DB()); err != nil {
		return res, err
	}
	res.stats = store.PoolStats()
	slices.Sort(res.cold)
	slices.Sort(res.warm)
	return res, nil
}

// report is the pass's lines of output.
func (r loadResult) report(name string, c config) string {
	pct := func(ds []time.Duration, p float64) string {
		if len(ds) == 0 {
			return "-"
		}
		i := int(float64(len(ds))*p/100+0.999999) - 1
		return fmt.Sprintf("%.1f ms", float64(ds[max(0, min(i, len(ds)-1))])/float64(time.Millisecond))
	}
	mb := func(b uint64) string { return fmt.Sprintf("%.0f MB", float64(b)/1e6) }
	var b strings.Builder
	fmt.Fprintf(&b, "load %s the memory bounds: %d requests over %d tenants, %d clients, in %v (%.0f/s), %d errors\n",
		name, len(r.cold)+len(r.warm)+r.errors, c.tenancy, c.concurrency, r.elapsed.Round(time.Millisecond),
		float64(len(r.cold)+len(r.warm))/r.elapsed.Seconds(), r.errors)
	fmt.Fprintf(&b, "  first request to a tenant (%d): p50 %s, p99 %s; warm (%d): p50 %s, p99 %s\n",
		len(r.cold), pct(r.cold, 50), pct(r.cold, 99), len(r.warm), pct(r.warm, 50), pct(r.warm, 99))
	fmt.Fprintf(&b, "  pool's %d backends at the end: VmRSS %s, RssAnon %s (peak %s, %s), largest RssAnon %s; whole cluster: VmRSS %s, RssAnon %s\n",
		r.backends, mb(r.rss), mb(r.anon), mb(r.peakRSS), mb(r.peakAno), mb(r.largest), mb(r.cluster), mb(r.clusterA))
	fmt.Fprintf(&b, "  pool: %d sub-pools, %d connections closed over budget, %d borrowed, %d requests waited for a new connection\n",
		r.stats.Pools, r.stats.OverBudget, r.stats.Borrowed, r.stats.WaitedForDial)
	return b.String()
}

// withAppName returns dsn with application_name set to name, so the
// pool's backends can be told apart in pg_stat_activity.
func withAppName(dsn, name string) (string, error) {
	if !strings.Contains(dsn, "://") {
		return dsn + " application_name=" + name, nil
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("-db: %w", err)
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// poolMemory sums VmRSS and RssAnon over the backends whose
// application_name is app, and returns the largest RssAnon and how many
// there are.
func poolMemory(ctx context.Context, db bun.IDB, app string) (rss, anon, largest uint64, n int, err error) {
	var pids []int
	if err := db.NewRaw("SELECT pid FROM pg_stat_activity WHERE application_name = ?", app).Scan(ctx, &pids); err != nil {
		return 0, 0, 0, 0, err
	}
	for _, pid := range pids {
		st, err := procStatus(pid)
		if err != nil {
			continue // exited meanwhile
		}
		rss += st["VmRSS"]
		anon += st["RssAnon"]
		largest = max(largest, st["RssAnon"])
	}
	return rss, anon, largest, len(pids), nil
}

// clusterMemory sums VmRSS and RssAnon over the postmaster and every
// process whose parent it is: the whole server, other clients' backends
// included. VmRSS counts the shared buffers again in every process that
// touched them; RssAnon is each process's own memory.
func clusterMemory(ctx context.Context, db bun.IDB) (rss, anon uint64, err error) {
	var self int
	if err := db.NewRaw("SELECT pg_backend_pid()").Scan(ctx, &self); err != nil {
		return 0, 0, err
	}
	st, err := procStatus(self)
	if err != nil {
		return 0, 0, fmt.Errorf("the server's processes must be on this machine and readable: %w", err)
	}
	postmaster := int(st["PPid"])
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, 0, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, err := procStatus(pid); err == nil && (pid == postmaster || int(st["PPid"]) == postmaster) {
			rss += st["VmRSS"]
			anon += st["RssAnon"]
		}
	}
	return rss, anon, nil
}

// procStatus reads the numeric fields of /proc/PID/status, sizes in
// bytes.
func procStatus(pid int) (map[string]uint64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]uint64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(val)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			continue
		}
		if len(fields) > 1 && fields[1] == "kB" {
			v *= 1024
		}
		out[key] = v
	}
	return out, sc.Err()
}
