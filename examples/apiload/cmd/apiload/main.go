// Command apiload measures the same case operations over HTTP against
// examples/saas or libredesk: create (existing customer), list page 1
// (30), get one, text search and status change, at 1 and 8 concurrent
// clients, and prints req/s and p50/p95/p99 per operation with a Markdown
// table. See BENCHMARKS.md, "HTTP API against libredesk". With -cpu-pid
// and -cpu-db it also reports what each request cost the server and its
// PostgreSQL backends in CPU time, a figure that does not count waiting
// (scripts/apicpu.sh).
//
//	KEY=$(go run ./examples/saas -db "$DSN" -new-key tenant-0001:system)
//	go run ./examples/apiload/cmd/apiload -target saas -url http://127.0.0.1:8081/api/v1 -key "$KEY" -preload 4000 -analyze-db "$DSN"
//	URL=$(LIBREDESK_SRC=/tmp/libredesk scripts/libredesk.sh start)
//	go run ./examples/apiload/cmd/apiload -target libredesk -url "$URL" -password "$LIBREDESK_PASSWORD" -preload 4000 -analyze-db "$LDSN"
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for -analyze-db and -cpu-db

	"casekit.dev/examples/apiload"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "apiload:", err)
		os.Exit(1)
	}
}

type config struct {
	target, url, key, user, password string
	clients, ops, search, cases      string
	analyzeDB, out                   string
	cpuPIDs, cpuDB, cpuApp           string
	duration                         time.Duration
	preloadOnly                      bool
	requests, preload, preloadC      int
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("apiload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.target, "target", "saas", "saas or libredesk")
	fs.StringVar(&c.url, "url", "", "saas: the API's root, e.g. http://127.0.0.1:8081/api/v1; libredesk: the server, e.g. http://127.0.0.1:9000")
	fs.StringVar(&c.key, "key", os.Getenv("CASEKIT_API_KEY"), "saas: the tenant's API key (default $CASEKIT_API_KEY)")
	fs.StringVar(&c.user, "user", "System", "libredesk: the user to sign in as")
	fs.StringVar(&c.password, "password", os.Getenv("LIBREDESK_PASSWORD"), "libredesk: the user's password (default $LIBREDESK_PASSWORD)")
	fs.StringVar(&c.clients, "clients", "1,8", "concurrent clients, comma separated")
	fs.StringVar(&c.ops, "ops", strings.Join(apiload.AllOps, ","), "operations, comma separated")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "how long each operation runs at each number of clients")
	fs.IntVar(&c.requests, "requests", 0, "at most this many requests per measurement (0: no limit)")
	fs.IntVar(&c.preload, "preload", 0, "create `N` cases through the API before measuring")
	fs.BoolVar(&c.preloadOnly, "preload-only", false, "preload (and -analyze-db), then exit without measuring")
	fs.IntVar(&c.preloadC, "preload-clients", 8, "concurrent clients of the preload")
	fs.StringVar(&c.analyzeDB, "analyze-db", "", "PostgreSQL URL of the target's database: ANALYZE it after the preload")
	fs.StringVar(&c.search, "search", apiload.DefaultSearch, "the word the search operation looks for")
	fs.StringVar(&c.cases, "cases", "", "how many cases the target holds, for the report (default: -preload)")
	fs.StringVar(&c.out, "out", "", "append the Markdown table to this file (it always goes to stdout)")
	fs.StringVar(&c.cpuPIDs, "cpu-pid", "", "report the CPU time per request of these `PIDs` (comma separated: the server, its Redis), read from /proc")
	fs.StringVar(&c.cpuDB, "cpu-db", "", "report the CPU time per request of the PostgreSQL backends on this URL's database (the server's; Linux /proc)")
	fs.StringVar(&c.cpuApp, "cpu-app", "", "with -cpu-db, only the backends whose application_name is this (set it in the server's database URL)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (flags only; see -h)", fs.Arg(0))
	}
	if c.cases == "" {
		c.cases = strconv.Itoa(c.preload)
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	hc := apiload.NewHTTPClient()
	var t apiload.Target
	switch c.target {
	case "saas":
		t, err = apiload.NewSaas(c.url, c.key, hc)
	case "libredesk":
		t, err = apiload.NewLibredesk(c.url, c.user, c.password, hc)
	default:
		err = fmt.Errorf("-target must be saas or libredesk, not %q", c.target)
	}
	if err != nil {
		return err
	}
	clients, err := parseInts(c.clients)
	if err != nil {
		return fmt.Errorf("-clients: %w", err)
	}
	cfg := apiload.Config{
		Target: t, Ops: strings.Split(c.ops, ","), Clients: clients,
		Duration: c.duration, Requests: c.requests,
		Preload: c.preload, PreloadClients: c.preloadC, PreloadOnly: c.preloadOnly, Search: c.search, Progress: stderr,
	}
	if c.analyzeDB != "" {
		cfg.AfterPreload = func(ctx context.Context) error { return analyze(ctx, c.analyzeDB) }
	}
	if c.cpuPIDs != "" {
		pids, err := parseInts(c.cpuPIDs)
		if err != nil {
			return fmt.Errorf("-cpu-pid: %w", err)
		}
		cfg.Meters = append(cfg.Meters, apiload.ProcessMeter("server", pids...))
	}
	if c.cpuDB != "" {
		db, err := sql.Open("pgx", c.cpuDB)
		if err != nil {
			return fmt.Errorf("-cpu-db: %w", err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1) // one backend of its own, left out of what it reads
		cfg.Meters = append(cfg.Meters, apiload.BackendMeter(db, c.cpuApp))
	}
	h := apiload.Header{Target: t.Name(), URL: c.url, Cases: c.cases, LoadAverage: loadAverage(), Started: time.Now()}
	results, err := apiload.Run(ctx, cfg)
	if err != nil || c.preloadOnly {
		return err
	}
	if err := apiload.WriteMarkdown(stdout, h, results); err != nil {
		return err
	}
	if c.out != "" {
		f, err := os.OpenFile(c.out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		if err := apiload.WriteMarkdown(f, h, results); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	return nil
}

// analyze runs ANALYZE on the database at dsn: the servers here run with
// autovacuum off, and a planner without statistics scans whole tables.
func analyze(ctx context.Context, dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "ANALYZE")
	return err
}

// loadAverage is the 1, 5 and 15-minute load average, "?" where there is
// no /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func parseInts(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}
