package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"casekit.dev/casekit"
	"casekit.dev/storage/postgres"
)

// The crash test (-crash) runs the realistic mix on a PostgreSQL cluster
// of its own while it SIGKILLs the server -kills times and restarts it,
// then checks that what the client saw commit survived (see
// crashcheck.go). It never touches any other server.

// opTimeout bounds one operation, so no worker waits forever on a server
// that died under it.
const opTimeout = 30 * time.Second

// afterLastRestart is how long the load goes on after the last restart,
// at least: the workers and Kit.Run must work again on the recovered
// server.
const afterLastRestart = 3 * time.Second

// outage is one kill: when the server was SIGKILLed, how many of its
// processes died, when it was started again and when it accepted
// connections once more.
type outage struct {
	at, restart, ready time.Time
	procs              int
}

// failure is one failed operation and when it ended.
type failure struct {
	at   time.Time
	kind opKind
	err  error
}

// crashTest is one run of the crash test.
type crashTest struct {
	cfg            config
	stdout, stderr io.Writer

	cl      *cluster
	store   *postgres.Store
	db      *sql.DB // the checks' own pool, on the same cluster
	kit     *casekit.Kit
	rec     *recorder
	logs    *logCounter
	clock   *leapClock
	env     *env
	p       *phase
	ids     []string
	res     *result
	started time.Time // when the load began
	outages []outage

	mu       sync.Mutex
	failures []failure

	workers []string     // -move: the Citus workers, host:port
	moves   []tenantMove // -move: the moves done

	stopRunner func()
	runnerDone chan struct{}
	drainTook  time.Duration
	drainErr   error
	leapt      time.Duration // how far -leap moved the kit's clock
}

// leapClock is the kit's clock in a crash test: the real time, moved
// ahead by -leap during the drain.
type leapClock struct{ ahead atomic.Int64 }

// Now implements casekit.Clock.
func (c *leapClock) Now() time.Time { return time.Now().Add(time.Duration(c.ahead.Load())) }

// Casekit holds a claimed notification for deliveryLease (casekit/notify.go)
// before another claim may take it; a kill that cuts off a claim leaves
// its notifications waiting that long. -leap moves the kit's clock by
// leap once the drain has waited leapAfter.
const (
	leap      = 2*time.Minute + 5*time.Second
	leapAfter = 5 * time.Second
)

// runCrash runs the crash test and prints its report; the error says
// which checks failed.
func runCrash(ctx context.Context, c config, stdout, stderr io.Writer) ([]*result, error) {
	ct, err := newCrashTest(ctx, c, stdout, stderr)
	if err != nil {
		return nil, err
	}
	defer ct.close()
	if err := ct.load(ctx); err != nil {
		return nil, err
	}
	ct.drain(ctx)
	checks, err := ct.check(ctx)
	if err != nil {
		return []*result{ct.res}, err
	}
	ct.report(checks)
	failed := 0
	for _, ch := range checks {
		if !ch.ok {
			failed++
		}
	}
	if failed > 0 {
		return []*result{ct.res}, fmt.Errorf("%s test: %d of %d checks failed", map[bool]string{false: "crash", true: "move"}[c.move], failed, len(checks))
	}
	return []*result{ct.res}, nil
}

// newCrashTest starts the cluster, opens casekit on it, provisions the
// tenants, starts logging their outbox (crashcheck.go) and opens the
// seed cases. On error it leaves nothing behind.
func newCrashTest(ctx context.Context, c config, stdout, stderr io.Writer) (ct *crashTest, err error) {
	ct = &crashTest{cfg: c, stdout: stdout, stderr: stderr, rec: newRecorder(), logs: &logCounter{}, clock: &leapClock{}}
	defer func() {
		if err != nil {
			ct.close()
		}
	}()
	start := time.Now()
	dsn, bin := c.dsn, ""
	if !c.move {
		if bin, err = findPGBin(c.pgbin); err != nil {
			return nil, err
		}
		if ct.cl, err = startCluster(ctx, bin); err != nil {
			return ct, fmt.Errorf("crash test cluster: %w", err)
		}
		dsn = ct.cl.dsn()
	}
	openCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if ct.store, err = postgres.Open(openCtx, dsn, postgres.WithPrefix(c.prefix+"_")); err != nil {
		return ct, err
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return ct, err
	}
	ct.db = stdlib.OpenDB(*cfg)
	ct.kit, err = casekit.New(ct.store, casekit.WithNotifier(ct.rec), casekit.WithLogger(slog.New(ct.logs)),
		casekit.WithPollInterval(c.poll), casekit.WithClock(ct.clock))
	if err != nil {
		return ct, err
	}
	ct.env = &env{cfg: c, store: ct.store, pg: ct.store, kit: ct.kit, notes: &ct.rec.countingNotifier, stderr: stderr}
	ct.ids = tenantIDs(c.prefix, "", c.tenants)
	if err := ct.env.provision(ctx, ct.ids); err != nil {
		return ct, err
	}
	if err := ct.logOutbox(ctx); err != nil {
		return ct, fmt.Errorf("log the outbox: %w", err)
	}
	// Whatever provisioning queued goes before the outbox log counts.
	if _, err := ct.kit.RunDue(ctx); err != nil {
		return ct, err
	}
	desk := ct.kit.Desk(ct.ids[0]).As(casekit.System)
	list, err := desk.Config().Statuses(ctx)
	if err != nil {
		return ct, err
	}
	ts, err := desk.Config().Transitions(ctx)
	if err != nil {
		return ct, err
	}
	ct.p = &phase{e: ct.env, kind: mixPhase, st: newStatuses(list, ts), seed: c.seed, journal: newJournal()}
	for _, id := range ct.ids {
		ct.p.tenants = append(ct.p.tenants, &tenant{id: id})
	}
	if err := ct.p.seedCases(ctx); err != nil {
		return ct, err
	}
	settings := map[string]string{}
	for _, name := range []string{"server_version", "fsync", "synchronous_commit", "full_page_writes"} {
		var v string
		if err := ct.db.QueryRowContext(ctx, "SHOW "+name).Scan(&v); err != nil {
			return ct, err
		}
		settings[name] = v
	}
	if c.move {
		if ct.workers, err = ct.citusWorkers(ctx); err != nil {
			return ct, err
		}
		fmt.Fprintf(stdout, "== move test: PostgreSQL %s with Citus, coordinator %s, workers %s, fsync=%s, synchronous_commit=%s\n",
			settings["server_version"], cfg.Host+":"+fmt.Sprint(cfg.Port), strings.Join(ct.workers, ", "), settings["fsync"], settings["synchronous_commit"])
	} else {
		fmt.Fprintf(stdout, "== crash test: PostgreSQL %s (%s), a cluster of its own on 127.0.0.1:%d, fsync=%s, synchronous_commit=%s, full_page_writes=%s\n",
			settings["server_version"], bin, ct.cl.port, settings["fsync"], settings["synchronous_commit"], settings["full_page_writes"])
	}
	fmt.Fprintf(stdout, "cluster, tenants and %d seed cases ready in %v\n", c.tenants*seedCases, time.Since(start).Round(time.Millisecond))
	return ct, nil
}

// close stops the runner, closes the pools and removes the cluster.
func (ct *crashTest) close() {
	if ct.stopRunner != nil {
		ct.stopRunner()
		<-ct.runnerDone
		ct.stopRunner = nil
	}
	if ct.db != nil {
		ct.db.Close()
	}
	if ct.store != nil {
		if ct.cfg.move {
			ct.dropMoved(context.Background())
		}
		ct.store.Close()
	}
	if ct.cl != nil {
		ct.cl.close()
	}
}

// load runs the workers and Kit.Run while it kills and restarts the
// server, until -duration is over, every kill is done and the load has
// run afterLastRestart on the last restart.
func (ct *crashTest) load(ctx context.Context) error {
	c, p := ct.cfg, ct.p
	runCtx, stopRunner := context.WithCancel(ctx)
	ct.stopRunner, ct.runnerDone = stopRunner, make(chan struct{})
	go func() { defer close(ct.runnerDone); _ = ct.kit.Run(runCtx) }()

	name := "crash test"
	if c.move {
		name = "move test"
	}
	ct.res = &result{Name: name, Mix: "realistic mix", Store: "postgres", Tenants: c.tenants, Workers: c.workers, Seed: c.seed, Runner: true}
	before := ct.rec.start()
	mem := newGoMemory()
	bar := startProgress(ct.stderr, "crash", 0, c.duration, p.stats.count, mem.poll)
	start := time.Now()
	ct.started = start
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range c.workers {
		wg.Add(1)
		go func() { defer wg.Done(); ct.work(ctx, &stop) }()
	}
	var err error
	if c.move {
		err = ct.mover(ctx, start)
	} else {
		err = ct.killer(ctx, start)
	}
	end := start.Add(c.duration)
	if n := len(ct.outages); n > 0 {
		end = later(end, ct.outages[n-1].ready.Add(afterLastRestart))
	}
	if err == nil {
		sleepUntil(ctx, end)
	}
	stop.Store(true)
	wg.Wait()
	end = time.Now()
	bar.finish()
	if err != nil && c.move {
		return fmt.Errorf("move the tenants: %w", err)
	}
	if err != nil {
		return fmt.Errorf("kill and restart the server: %w", err)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	ct.res.Elapsed = end.Sub(start)
	ct.rec.setMark(end)
	delivered, _, _ := ct.rec.state()
	ct.res.Delivered = delivered - before
	p.stats.mu.Lock()
	ct.res.Ops = p.stats.ops
	p.stats.mu.Unlock()
	ct.res.PeakGo, ct.res.PeakRSS = mem.max(), peakRSS()
	return nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// sleepUntil sleeps until t or until ctx ends, and reports which.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// work runs operations of the mix until stop. A failed one (mostly: the
// server is down) is counted and the worker pauses a little, so that it
// does not spin while the server is away.
func (ct *crashTest) work(ctx context.Context, stop *atomic.Bool) {
	p := ct.p
	for ctx.Err() == nil && !stop.Load() {
		i := p.next.Add(1) - 1
		r := rand.New(rand.NewPCG(p.seed, i))
		t := p.tenants[r.IntN(len(p.tenants))]
		opCtx, cancel := context.WithTimeout(ctx, opTimeout)
		o := p.mixed(opCtx, r, t)
		cancel()
		if o.outcome == interrupted {
			if ctx.Err() != nil {
				return
			}
			o.outcome = failed // the operation timed out
		}
		p.stats.record(o.kind, o.took, o.outcome, o.err)
		if o.outcome == failed {
			ct.mu.Lock()
			ct.failures = append(ct.failures, failure{at: time.Now(), kind: o.kind, err: o.err})
			ct.mu.Unlock()
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// killer SIGKILLs the server -kills times, at random-ish intervals around
// -duration/(kills+1) apart, restarting it after a short outage each
// time and waiting until it accepts connections again.
func (ct *crashTest) killer(ctx context.Context, start time.Time) error {
	r := rand.New(rand.NewPCG(ct.cfg.seed, 0xdead))
	slot := ct.cfg.duration / time.Duration(ct.cfg.kills+1)
	last := start
	for range ct.cfg.kills {
		if !sleepUntil(ctx, last.Add(slot/2+time.Duration(r.Int64N(int64(slot))))) {
			return ctx.Err()
		}
		o := outage{at: time.Now()}
		n, err := ct.cl.kill()
		if err != nil {
			return err
		}
		o.procs = n
		time.Sleep(200*time.Millisecond + time.Duration(r.Int64N(int64(800*time.Millisecond))))
		o.restart = time.Now()
		if err := ct.cl.start(); err != nil {
			return err
		}
		if err := ct.cl.waitReady(ctx, 2*time.Minute); err != nil {
			return err
		}
		o.ready = time.Now()
		ct.outages = append(ct.outages, o)
		last = o.ready
	}
	return nil
}

// drain waits, up to -drain, until every notification the outbox log
// holds has been delivered and none has come for two poll intervals (so
// that Kit.Run is most likely idle), then stops Kit.Run and calls RunDue
// once more for whatever a last timer queued. A notification whose claim
// a kill cut off stays leased by casekit for two minutes before it is due
// again; -leap moves the kit's clock past that instead of waiting.
func (ct *crashTest) drain(ctx context.Context) {
	start := time.Now()
	deadline := start.Add(ct.cfg.drain)
	said := start
	quiet := 2*ct.cfg.poll + 100*time.Millisecond
	for ctx.Err() == nil {
		missing, err := ct.undelivered(ctx)
		if err == nil && missing == 0 && time.Since(ct.rec.lastAt()) >= quiet || time.Now().After(deadline) {
			break
		}
		if ct.cfg.leap && ct.leapt == 0 && missing > 0 && time.Since(start) >= leapAfter {
			ct.leapt = leap
			ct.clock.ahead.Store(int64(leap))
		}
		if time.Since(said) >= 10*time.Second {
			said = time.Now()
			fmt.Fprintf(ct.stderr, "loadgen: draining the outbox: %d notifications not delivered yet after %v (up to -drain %v)\n",
				missing, time.Since(start).Round(time.Second), ct.cfg.drain)
		}
		time.Sleep(250 * time.Millisecond)
	}
	ct.stopRunner()
	<-ct.runnerDone
	ct.stopRunner = nil
	_, ct.drainErr = ct.kit.RunDue(ctx)
	ct.drainTook = time.Since(start)
	_, backlog, last := ct.rec.state()
	ct.res.DeliveredAfter, ct.res.Drain = backlog, last.Sub(start)
	ct.res.Lag = ct.rec.takeLag()
}

// undelivered counts the logged notifications not delivered yet.
func (ct *crashTest) undelivered(ctx context.Context) (int, error) {
	logged, err := ct.loggedNotifications(ctx)
	if err != nil {
		return -1, err
	}
	got := ct.rec.delivered()
	n := 0
	for id := range logged {
		if got[id] == 0 {
			n++
		}
	}
	return n, nil
}

// report prints the load's figures, the kills and the checks.
func (ct *crashTest) report(checks []check) {
	w := ct.stdout
	// The causes of the failures, summed up below, say more than the
	// first few messages of each operation.
	res := *ct.res
	for i := range res.Ops {
		res.Ops[i].FirstErrors = nil
	}
	res.write(w)
	during, other := ct.classifyFailures()
	fmt.Fprintf(w, "errors: %d while the server was down or recovering (up to %v after it accepted connections again), %d at other times; "+
		"a failed command's outcome is unknown to the client, so none of them counts as succeeded below\n",
		len(during), afterOutage, len(other))
	causes := map[string]int{}
	for _, f := range append(during, other...) {
		causes[cause(f.err)]++
	}
	fmt.Fprintf(w, "errors by cause: %s\n", byCount(causes))
	for i, f := range other {
		if i == 5 {
			fmt.Fprintf(w, "  ... and %d more\n", len(other)-i)
			break
		}
		fmt.Fprintf(w, "  at another time: %s at +%v: %s\n", f.kind, f.at.Sub(ct.started).Round(time.Millisecond), oneLine(f.err))
	}
	for i, o := range ct.outages {
		if ct.cfg.move {
			break // the moves, printed below
		}
		fmt.Fprintf(w, "kill %d at +%v: SIGKILL to %d server processes; restarted %v later; accepting connections %v after the restart (crash recovery)\n",
			i+1, o.at.Sub(ct.started).Round(time.Millisecond), o.procs, o.restart.Sub(o.at).Round(time.Millisecond), o.ready.Sub(o.restart).Round(time.Millisecond))
	}
	for i, m := range ct.moves {
		fmt.Fprintf(w, "move %d at +%v: tenant %s from %s to %s in %v\n",
			i+1, m.at.Sub(ct.started).Round(time.Millisecond), m.tenant, m.from, m.to, m.took.Round(time.Millisecond))
	}
	if ct.cl != nil {
		fmt.Fprintf(w, "server log: %d crash recoveries (\"database system was not properly shut down; automatic recovery in progress\")\n",
			ct.cl.logLines("automatic recovery in progress"))
	}
	if s := ct.logs.summary(); s != "" {
		fmt.Fprintf(w, "casekit logged, and went on: %s\n", s)
	}
	drain := fmt.Sprintf("drain: %v until the outbox log was delivered, Kit.Run stopped and RunDue called once more", ct.drainTook.Round(time.Millisecond))
	if ct.leapt > 0 {
		drain += fmt.Sprintf("; -leap moved casekit's clock %v ahead after %v, past the delivery lease", ct.leapt, leapAfter)
	}
	if ct.drainErr != nil {
		drain += "; RunDue: " + oneLine(ct.drainErr)
	}
	fmt.Fprintln(w, drain)
	passed := 0
	for _, ch := range checks {
		verdict := "FAIL"
		if ch.ok {
			verdict = "PASS"
			passed++
		}
		fmt.Fprintf(w, "%s %d/%d %s: %s\n", verdict, ch.n, len(checks), ch.name, ch.summary)
		for _, d := range ch.details {
			fmt.Fprintf(w, "      %s\n", d)
		}
	}
	if ct.cfg.move {
		fmt.Fprintf(w, "move test: %d of %d checks passed after %d moves\n", passed, len(checks), len(ct.moves))
	} else {
		fmt.Fprintf(w, "crash test: %d of %d checks passed after %d kills\n", passed, len(checks), len(ct.outages))
	}
}

// afterOutage is how long after the server accepts connections again a
// failure still counts as the outage's: pooled connections to the dead
// server fail on their first use.
const afterOutage = 2 * time.Second

// classifyFailures splits the failed operations into those during an
// outage (from the kill until afterOutage past the restart) and the rest.
func (ct *crashTest) classifyFailures() (during, other []failure) {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	for _, f := range ct.failures {
		in := false
		for _, o := range ct.outages {
			if !f.at.Before(o.at) && !f.at.After(o.ready.Add(afterOutage)) {
				in = true
				break
			}
		}
		if in {
			during = append(during, f)
		} else {
			other = append(other, f)
		}
	}
	return during, other
}

// cause names why a command failed: the network error or SQLSTATE at the
// bottom of it, else the last part of its message.
func cause(err error) string {
	var pe *pgconn.PgError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected EOF"
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("timed out after %v", opTimeout)
	case errors.As(err, &pe):
		return fmt.Sprintf("%s (SQLSTATE %s)", pe.Message, pe.Code)
	}
	msg := oneLine(err)
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}

// byCount lists counts, the largest first.
func byCount(m map[string]int) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// logCounter is the kit's slog.Handler in a crash test: it counts what
// casekit logs (failed timers while the server is down, mostly) instead
// of printing it.
type logCounter struct {
	mu    sync.Mutex
	count map[string]int
}

func (l *logCounter) Enabled(_ context.Context, level slog.Level) bool {
	return level >= slog.LevelWarn
}

func (l *logCounter) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.count == nil {
		l.count = map[string]int{}
	}
	l.count[r.Level.String()+" "+r.Message]++
	return nil
}

func (l *logCounter) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logCounter) WithGroup(string) slog.Handler      { return l }

// summary lists what was logged, most frequent first.
func (l *logCounter) summary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var msgs []string
	for m := range l.count {
		msgs = append(msgs, m)
	}
	sort.Slice(msgs, func(i, j int) bool { return l.count[msgs[i]] > l.count[msgs[j]] })
	var parts []string
	for _, m := range msgs {
		parts = append(parts, fmt.Sprintf("%d× %q", l.count[m], m))
	}
	return strings.Join(parts, ", ")
}
