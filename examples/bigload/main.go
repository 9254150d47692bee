// Command bigload fills one tenant with many realistic cases and their
// messages, in bulk, and measures how fast casekit lists them: the first
// page by status and priority, by customer, by tag, by full-text search,
// a case number, and pages deep behind the cursor. On PostgreSQL it
// prints the EXPLAIN (ANALYZE, BUFFERS) of the SQL each list ran.
//
//	go run ./examples/bigload -store postgres -dsn "$DSN" -cases 1000000
//	go run ./examples/bigload -store postgres -dsn "$DSN" -cases 1000000 -reuse -out report.md
//	go run ./examples/bigload -store sqlite -dir /tmp/big -cases 1000000
//	go run ./examples/bigload -store postgres -dsn "$DSN" -reuse -iters 0 -reports 20
//
// -reports also measures Desk.Report (30-day and 12-month dashboards),
// CountCases and an ExportCases of every case with its peak heap.
//
// The tenant is created by Kit.CreateTenant, so its schema is casekit's
// own; the rows are the ones casekit writes for a case opened, its
// messages posted and its status moved along, written many to a
// transaction instead of one command at a time. See BENCHMARKS.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

type config struct {
	store, dsn, dir, prefix, tenant string
	cases                           int64
	seed                            uint64
	reuse, explain, vacuum          bool
	iters, reports                  int
	only                            string
	out                             string
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("bigload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.store, "store", "postgres", "postgres or sqlite")
	fs.StringVar(&c.dsn, "dsn", os.Getenv("CASEKIT_BIGLOAD_DSN"), "PostgreSQL DSN (default $CASEKIT_BIGLOAD_DSN)")
	fs.StringVar(&c.dir, "dir", "", "SQLite directory")
	fs.StringVar(&c.prefix, "prefix", "bigload_", "PostgreSQL schema prefix")
	fs.StringVar(&c.tenant, "tenant", "big", "tenant ID")
	fs.Int64Var(&c.cases, "cases", 1000000, "cases to load")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the generated data")
	fs.BoolVar(&c.reuse, "reuse", false, "reuse the tenant when it already holds -cases cases")
	fs.IntVar(&c.iters, "iters", 200, "timed runs of each list (0: load only)")
	fs.IntVar(&c.reports, "reports", 0, "timed runs of each report and count, then one export of every case (0: none)")
	fs.BoolVar(&c.vacuum, "vacuum", true, "with -reuse, vacuum and analyze after migrating (off: the tables are as a run before left them)")
	fs.StringVar(&c.only, "only", "", "with -reports, only the reports and counts whose name contains this, and no export")
	fs.BoolVar(&c.explain, "explain", true, "explain each list's SQL (PostgreSQL)")
	fs.StringVar(&c.out, "out", "", "write the Markdown report to this file (default stdout)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.store == "postgres" && c.dsn == "" {
		return c, errors.New("-store postgres needs -dsn")
	}
	if c.cases < 1 {
		return c, errors.New("-cases must be at least 1")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	e, err := openEnv(ctx, c)
	if err != nil {
		return err
	}
	defer e.close()
	have, err := e.casesIn(ctx)
	if err != nil {
		return err
	}
	switch {
	case have == c.cases && c.reuse:
		fmt.Fprintf(stderr, "bigload: reusing tenant %q with %d cases; migrating it to the latest schema\n", c.tenant, have)
		start := time.Now()
		if err := e.kit.Migrate(ctx); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "bigload: migrated in %v\n", time.Since(start).Round(time.Millisecond))
		if c.vacuum {
			if err := e.analyze(ctx); err != nil {
				return err
			}
		}
	case have >= 0:
		return fmt.Errorf("tenant %q exists with %d cases: drop it, or pass -reuse with -cases %d", c.tenant, have, have)
	default:
		if err := e.load(ctx, c.cases, c.seed, time.Now(), stderr, nil); err != nil {
			return err
		}
	}
	var rs, reps []result
	if c.iters > 0 {
		if rs, err = e.bench(ctx, queries(c.cases), c.iters, c.explain && e.pg != nil, stderr); err != nil {
			return err
		}
	}
	if c.reports > 0 {
		if reps, err = e.benchReports(ctx, c.reports, c.only, stderr); err != nil {
			return err
		}
	}
	if rs == nil && reps == nil {
		return nil
	}
	w := stdout
	if c.out != "" {
		f, err := os.Create(c.out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if reps != nil {
		reportTable(w, reps)
	}
	if rs != nil {
		report(w, rs)
	}
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "bigload:", err)
		}
		os.Exit(1)
	}
}
