// Command loadgen puts casekit under load: a realistic mix of commands
// from many workers across many tenants, with Kit.Run delivering the
// outbox meanwhile, and reports throughput, latency percentiles, errors
// and peak memory. With -baseline or -compare it measures opening cases
// against a baseline: the same rows written by plain Bun.
//
//	go run ./examples/loadgen -store sqlite -tenants 8 -workers 16 -duration 30s
//	go run ./examples/loadgen -store postgres -dsn "$CASEKIT_TEST_DATABASE_URL" -tenants 8 -workers 16 -count 20000 -seed 7
//	go run ./examples/loadgen -store postgres -dsn "$CASEKIT_TEST_DATABASE_URL" -tenants 8 -workers 16 -duration 30s -compare
//
// The tenants (-prefix-01 ...) are created and configured at the start
// (two teams, two queues, an SLA) and dropped at the end unless -keep;
// tenants left by an earlier -keep run are used again. Each operation
// goes to a random tenant:
//
//   - 30% open a case: by an agent from a call or e-mail into a queue
//     (SLA timers), from a web form (the queue's team is notified), or
//     by a customer in the portal;
//   - 30% post a message: an agent's reply (a tenth of them internal) or
//     a customer's comment, which reopens a case waiting for them;
//   - 20% change a case's status, only as its status allows: start
//     processing, wait for response, resolve, close, reopen, cancel;
//   - 20% list cases (by status, queue, assignee, customer, priority, a
//     customer's portal) or search them by words, "phrases" and #number.
//
// An operation refused because another worker changed the case since
// this one last saw it is counted as a conflict, not an error: the case
// is read again and, if it did not change, the refusal is an error.
//
// -baseline opens cases only, writing with plain Bun the rows casekit's
// OpenCase writes (see baseline.go); -compare opens cases through
// casekit and then through the baseline, on fresh tenants each, and
// prints casekit's throughput as a ratio of the baseline's; with
// -rounds N it does so N times, alternating which goes first, and gives
// the ratio over all of them, so a machine whose load drifts (other work
// on it, a checkpoint) favours neither.
//
// -crash is the crash test. It never touches the server of -dsn: it
// makes a PostgreSQL cluster of its own (initdb in a temporary directory
// with the binaries of -pgbin, default the newest
// /usr/lib/postgresql/*/bin; as the postgres user when run as root) on a
// free 127.0.0.1 port, with fsync and synchronous_commit on, and runs
// the mix there with Kit.Run delivering to an in-process notifier that
// records every notification's ID. Meanwhile it SIGKILLs the postmaster
// and every other server process -kills times, at random intervals
// around -duration/(kills+1), restarting the server on the same data
// directory each time. The client keeps a journal of every command it
// saw succeed; a command that failed has an unknown outcome and counts
// as nothing. After the last restart (and -duration) it waits, up to
// -drain, for the outbox to be delivered, then checks and prints, one
// line each, PASS or FAIL:
//
//  1. every command the client saw succeed is in the database: cases by
//     ID and number, messages by ID, each case at least at the version a
//     command returned; and no more cases or messages than the failed
//     commands can account for;
//  2. case numbers per tenant run 1..max with no duplicate and no gap,
//     and the counter stands at max;
//  3. every notification a committed command queued (a trigger logs
//     each outbox insert, in its transaction) was delivered at least
//     once, none is dead, none was delivered without a commit;
//  4. no command is half applied: every case has its one case.opened
//     event and the status its last status event set, every message its
//     case and message.posted event, every event its case, every
//     notification its event.
//
// It exits 1 when a check fails.
//
//	go run ./examples/loadgen -crash -kills 5 -duration 40s
//
// -move is the same mix and the same four checks on the coordinator of
// a Citus cluster with schema-based sharding (-dsn; scripts/citus-cluster.sh
// makes one): instead of killing the server it moves every tenant's
// schema to another worker (citus_schema_move) while the load runs,
// -kills rounds of it, then drops its tenants (move.go,
// docs/scale-out.md).
//
//	go run ./examples/loadgen -move -dsn "$CASEKIT_TEST_CITUS_URL" -tenants 3 -duration 60s -kills 1
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "loadgen:", oneLine(err))
		os.Exit(1)
	}
}

// errUsage marks a command line the flag package already complained about.
var errUsage = errors.New("usage")

// config is the command line.
type config struct {
	store    string
	dsn      string
	dir      string
	tenants  int
	workers  int
	duration time.Duration
	count    int
	seed     uint64
	prefix   string
	keep     bool
	baseline bool
	compare  bool
	rounds   int
	runner   bool
	poll     time.Duration
	cpuprof  string
	crash    bool
	move     bool
	kills    int
	pgbin    string
	drain    time.Duration
	leap     bool
}

var prefixRE = regexp.MustCompile(`^[a-z][a-z0-9]{0,10}$`)

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.store, "store", "sqlite", "`sqlite` or postgres")
	fs.StringVar(&c.dsn, "dsn", os.Getenv("CASEKIT_DATABASE_URL"), "PostgreSQL URL for -store postgres (default $CASEKIT_DATABASE_URL)")
	fs.StringVar(&c.dir, "dir", "", "directory of the SQLite files, or :memory: (default: a new temporary directory, removed at the end unless -keep)")
	fs.IntVar(&c.tenants, "tenants", 4, "tenants to spread the load over")
	fs.IntVar(&c.workers, "workers", 8, "workers running operations at once")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "how long to run, unless -count is given")
	fs.IntVar(&c.count, "count", 0, "run exactly `K` operations instead of for -duration")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the random choices: the same seed and -count run the same operations")
	fs.StringVar(&c.prefix, "prefix", "loadgen", "tenant IDs are prefix-01 ...; on PostgreSQL the schemas are prefix_...")
	fs.BoolVar(&c.keep, "keep", false, "keep the tenants (and the temporary SQLite directory) at the end")
	fs.BoolVar(&c.baseline, "baseline", false, "open cases with plain Bun writes instead of casekit")
	fs.BoolVar(&c.compare, "compare", false, "open cases through casekit, then through the baseline, and print the ratio")
	fs.IntVar(&c.rounds, "rounds", 1, "with -compare, run this many rounds, each phase on fresh tenants, alternating which goes first")
	fs.BoolVar(&c.runner, "runner", true, "run Kit.Run (timers and the outbox) in the background during the load")
	fs.DurationVar(&c.poll, "poll", time.Second, "Kit.Run's poll interval (casekit.WithPollInterval)")
	fs.StringVar(&c.cpuprof, "cpuprofile", "", "write a CPU profile of the whole run to `file` (go tool pprof reads it)")
	fs.BoolVar(&c.crash, "crash", false, "crash test: run the mix on a PostgreSQL cluster of its own, SIGKILL the server -kills times, then check what survived")
	fs.BoolVar(&c.move, "move", false, "move test: -crash's mix and checks on the Citus coordinator of -dsn, moving every tenant's schema to another worker (citus_schema_move) -kills times instead of killing the server")
	fs.IntVar(&c.kills, "kills", 5, "with -crash, how many times to kill and restart the server; with -move, how many rounds of moves")
	fs.StringVar(&c.pgbin, "pgbin", "", "with -crash, the `directory` of initdb and postgres (default: the newest /usr/lib/postgresql/*/bin)")
	fs.DurationVar(&c.drain, "drain", 3*time.Minute, "with -crash, the longest wait after the load for the outbox to be delivered")
	fs.BoolVar(&c.leap, "leap", false, "with -crash, when notifications are still undelivered 5s after the load, move casekit's clock past its 2-minute delivery lease instead of waiting for it")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, errUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	durationSet := set["duration"]
	switch {
	case c.move && c.crash:
		return c, errors.New("-move and -crash are two tests: give one")
	case c.move:
		for _, name := range []string{"store", "dir", "count", "keep", "baseline", "compare", "rounds", "runner", "pgbin"} {
			if set[name] {
				return c, fmt.Errorf("-move runs the mix with Kit.Run for -duration on the Citus coordinator of -dsn: -%s does not apply", name)
			}
		}
		if c.dsn == "" {
			return c, errors.New("-move needs -dsn, the URL of a Citus coordinator (scripts/citus-cluster.sh url prints one)")
		}
		c.crash, c.store = true, "postgres"
	case c.crash:
		for _, name := range []string{"store", "dsn", "dir", "count", "keep", "baseline", "compare", "rounds", "runner"} {
			if set[name] {
				return c, fmt.Errorf("-crash starts a PostgreSQL cluster of its own and runs the mix with Kit.Run for -duration: -%s does not apply", name)
			}
		}
		c.store = "postgres"
	default:
		for _, name := range []string{"kills", "pgbin", "drain", "leap"} {
			if set[name] {
				return c, fmt.Errorf("-%s goes with -crash", name)
			}
		}
	}
	switch {
	case c.crash && c.kills < 1:
		return c, fmt.Errorf("-kills must be 1 or more, not %d", c.kills)
	case c.crash && c.drain <= 0:
		return c, fmt.Errorf("-drain must be positive, not %v", c.drain)
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected argument %q (flags only; see -h)", fs.Arg(0))
	case c.store != "sqlite" && c.store != "postgres":
		return c, fmt.Errorf("-store must be sqlite or postgres, not %q", c.store)
	case c.store == "postgres" && c.dsn == "" && !c.crash:
		return c, errors.New("-store postgres needs -dsn, e.g. -dsn postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	case c.tenants < 1 || c.tenants > 99:
		return c, fmt.Errorf("-tenants must be from 1 to 99, not %d", c.tenants)
	case c.workers < 1:
		return c, fmt.Errorf("-workers must be 1 or more, not %d", c.workers)
	case c.count < 0:
		return c, fmt.Errorf("-count must be 0 or more, not %d", c.count)
	case c.count > 0 && durationSet:
		return c, errors.New("give -duration or -count, not both")
	case c.count == 0 && c.duration <= 0:
		return c, fmt.Errorf("-duration must be positive, not %v", c.duration)
	case !prefixRE.MatchString(c.prefix):
		return c, fmt.Errorf("-prefix %q must be 1-11 lower-case letters and digits, starting with a letter", c.prefix)
	case c.baseline && c.compare:
		return c, errors.New("give -baseline or -compare, not both")
	case c.rounds < 1 || c.rounds > 1 && !c.compare:
		return c, fmt.Errorf("-rounds must be 1, or more with -compare, not %d", c.rounds)
	case c.poll <= 0:
		return c, fmt.Errorf("-poll must be positive, not %v", c.poll)
	}
	return c, nil
}

// run is the whole program; main only turns its error into an exit code.
// It returns what each phase measured, having printed it on stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) ([]*result, error) {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return nil, err
	}
	if c.cpuprof != "" {
		f, err := os.Create(c.cpuprof)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	if c.crash {
		return runCrash(ctx, c, stdout, stderr)
	}
	e, err := openEnv(ctx, c, stderr)
	if err != nil {
		return nil, err
	}
	defer e.close()

	type phaseSpec struct {
		kind phaseKind
		tag  string // in the tenant IDs, so each phase starts on fresh tenants
	}
	phases := []phaseSpec{{mixPhase, ""}}
	switch {
	case c.baseline:
		phases = []phaseSpec{{bunPhase, "bl"}}
	case c.compare:
		phases = nil
		for i := range c.rounds {
			n := ""
			if i > 0 {
				n = fmt.Sprint(i + 1)
			}
			ck, bl := phaseSpec{openPhase, "ck" + n}, phaseSpec{bunPhase, "bl" + n}
			if i%2 == 1 { // the other goes first, so drift in the machine's load evens out
				ck, bl = bl, ck
			}
			phases = append(phases, ck, bl)
		}
	}
	var results []*result
	for i, p := range phases {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		res, err := e.runPhase(ctx, p.kind, p.tag)
		if res != nil {
			res.write(stdout)
			results = append(results, res)
		}
		if err != nil {
			return results, err
		}
		if res.Interrupted {
			return results, ctx.Err()
		}
	}
	if c.compare {
		writeRatio(stdout, results)
	}
	return results, nil
}

// opened returns the cases a phase opened, by either path.
func opened(r *result) int { return r.Ops[opOpen].OK + r.Ops[opOpenBun].OK }

// writeRatio prints casekit's open-case throughput as a ratio of the
// baseline's: over all rounds (cases opened over the phases' time), and
// each round's when there are several.
func writeRatio(w io.Writer, results []*result) {
	var ck, bl struct {
		n int
		t time.Duration
	}
	var rounds []string
	for i := 0; i+1 < len(results); i += 2 {
		a, b := results[i], results[i+1]
		if a.Name != "casekit" {
			a, b = b, a
		}
		ck.n, ck.t = ck.n+opened(a), ck.t+a.Elapsed
		bl.n, bl.t = bl.n+opened(b), bl.t+b.Elapsed
		if ra, rb := a.Rate(opened(a)), b.Rate(opened(b)); rb > 0 {
			rounds = append(rounds, fmt.Sprintf("%.2f", ra/rb))
		}
	}
	fmt.Fprintln(w)
	first := results[0]
	a, b := float64(ck.n)/ck.t.Seconds(), float64(bl.n)/bl.t.Seconds()
	if bl.n == 0 {
		fmt.Fprintln(w, "compare: the baseline opened no case; no ratio")
		return
	}
	fmt.Fprintf(w, "compare: open case, %s, %d tenants, %d workers: casekit %.1f cases/s, plain Bun %.1f cases/s: ratio %.2f",
		first.Store, first.Tenants, first.Workers, a, b, a/b)
	if len(rounds) > 1 {
		fmt.Fprintf(w, " (rounds: %s)", strings.Join(rounds, ", "))
	}
	fmt.Fprintln(w)
}
