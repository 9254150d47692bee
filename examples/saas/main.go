// Command saas is a multi-tenant host of casekit on PostgreSQL: one schema
// per tenant, and casehttp.API under /api/v1/ for every tenant, each
// request authenticated by a per-tenant API key.
//
//	go run ./examples/saas -db postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable -provision 3
//	KEY=$(go run ./examples/saas -db postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable -new-key tenant-0001:u-17)
//	go run ./examples/saas -db postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
//	curl -H "Authorization: Bearer $KEY" -d '{"subject":"Printer on fire"}' localhost:8081/api/v1/cases
//
// With -provision N it creates tenant-0001 ... tenant-N (at most
// -concurrency at once; -first F starts at tenant F instead), prints how
// long they took and how many tenants are registered, and exits; with
// -migrate it brings every tenant's schema to the latest version and exits;
// with -new-key tenant:agent-id it prints a new API key for the tenant,
// acting as that agent (tenant:system acts as casekit.System), and exits;
// with -revoke-key ID it revokes a key and exits (a running server trusts
// a key it verified for -key-cache, 10s by default, so it refuses the
// revoked key within that time); with -tenancy N it
// measures N tenants on the server (tenancy.go) and exits; with -drop it drops
// every tenant, the control schema and the keys, and exits. Otherwise it
// serves HTTP on -addr until interrupted; with -pprof addr it also serves
// Go's runtime profiles there. It runs with GOGC 400 (-gc-percent; see
// gc.go), not Go's 100.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/storage/postgres"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "saas:", oneLine(err))
		os.Exit(1)
	}
}

// errUsage marks a command line the flag package already complained about.
var errUsage = errors.New("usage")

// config is the command line.
type config struct {
	db          string
	addr        string
	prefix      string
	provision   int
	first       int
	concurrency int
	migrate     bool
	drop        bool
	tenancy     int
	requests    int
	newKey      string
	revokeKey   string
	keyCache    time.Duration
	prepared    bool
	pprof       string
	gcPercent   int
	gcGiven     bool // -gc-percent was on the command line
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("saas", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.db, "db", os.Getenv("CASEKIT_DATABASE_URL"), "PostgreSQL URL, e.g. postgres://user:pass@127.0.0.1:5432/db?sslmode=disable (default $CASEKIT_DATABASE_URL)")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8081", "address to serve HTTP on")
	fs.StringVar(&c.prefix, "prefix", postgres.DefaultPrefix, "prefix of every schema casekit makes")
	fs.IntVar(&c.provision, "provision", 0, "create `N` tenants (tenant-0001 ...), report the times and exit")
	fs.IntVar(&c.first, "first", 1, "number of the first tenant -provision creates: -first 1501 -provision 300 makes tenant-1501 ... tenant-1800")
	fs.IntVar(&c.concurrency, "concurrency", 4, "tenants created or migrated at once")
	fs.BoolVar(&c.migrate, "migrate", false, "migrate every tenant to the latest schema and exit")
	fs.BoolVar(&c.drop, "drop", false, "drop every tenant under -prefix, the control schema and the API keys, then exit")
	fs.IntVar(&c.tenancy, "tenancy", 0, "measure `N` tenants on one PostgreSQL: provision those missing of tenant-0001 ... tenant-N, then a mixed load over all N without and with the pool's memory bounds; report and exit")
	fs.IntVar(&c.requests, "requests", 0, "requests of the -tenancy load (default 4 per tenant)")
	fs.StringVar(&c.newKey, "new-key", "", "print a new API key for `tenant:agent-id` (or tenant:system) and exit")
	fs.StringVar(&c.revokeKey, "revoke-key", "", "revoke the API key with this `ID` and exit")
	fs.DurationVar(&c.keyCache, "key-cache", defaultKeyCacheTTL, "how long the server trusts a verified API key before reading its row again; a key revoked meanwhile by -revoke-key is refused after at most this `duration`; 0 reads the row on every request")
	fs.BoolVar(&c.prepared, "prepared-statements", false, "send the statements of every create and status change prepared once per connection (postgres.WithPreparedStatements): cheaper for a few busy tenants, dearer for many quiet ones")
	fs.StringVar(&c.pprof, "pprof", "", "also serve Go's runtime profiles (net/http/pprof) on this `address`, e.g. 127.0.0.1:6060, apart from -addr; off by default")
	fs.IntVar(&c.gcPercent, "gc-percent", defaultGCPercent, "Go's GOGC for this process: how far the heap grows past its live size before the next collection; without the flag GOGC from the environment, if set, stands")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, errUsage
	}
	fs.Visit(func(f *flag.Flag) { c.gcGiven = c.gcGiven || f.Name == "gc-percent" })
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected argument %q (flags only; see -h)", fs.Arg(0))
	case c.db == "":
		return c, errors.New("-db is required: the PostgreSQL URL, e.g. -db postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	case c.provision < 0:
		return c, fmt.Errorf("-provision must be 0 or more, not %d", c.provision)
	case c.first < 1:
		return c, fmt.Errorf("-first must be 1 or more, not %d", c.first)
	case c.tenancy < 0:
		return c, fmt.Errorf("-tenancy must be 0 or more, not %d", c.tenancy)
	case c.requests < 0:
		return c, fmt.Errorf("-requests must be 0 or more, not %d", c.requests)
	case c.keyCache < 0:
		return c, fmt.Errorf("-key-cache must be 0 or more, not %v", c.keyCache)
	case c.concurrency < 1:
		return c, fmt.Errorf("-concurrency must be 1 or more, not %d", c.concurrency)
	case c.gcPercent < 1:
		return c, fmt.Errorf("-gc-percent must be 1 or more, not %d", c.gcPercent)
	}
	return c, nil
}

// run is the whole program; main only turns its error into an exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	setGCPercent(c.gcGiven, c.gcPercent)
	openCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	opts := []postgres.Option{postgres.WithPrefix(c.prefix)}
	if c.prepared {
		opts = append(opts, postgres.WithPreparedStatements())
	}
	store, err := postgres.Open(openCtx, c.db, opts...)
	cancel()
	if err != nil {
		return fmt.Errorf("cannot open the store: %w", err)
	}
	defer store.Close()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	kit, err := casekit.New(store, casekit.WithLogger(logger))
	if err != nil {
		return err
	}

	if c.drop {
		return dropAll(ctx, store, stdout)
	}
	if c.tenancy > 0 {
		return tenancy(ctx, c, kit, store, stdout, stderr)
	}
	keys, err := openKeys(ctx, store.DB(), store.Prefix(), logger)
	if err != nil {
		return err
	}
	if c.migrate {
		if err := migrate(ctx, kit, c.concurrency, stdout); err != nil {
			return err
		}
	}
	if c.provision > 0 {
		res, err := provision(ctx, kit, c.first, c.provision, c.concurrency, stderr)
		fmt.Fprint(stdout, res.summary())
		// What -migrate will list, counted even when the run was
		// interrupted: the figure to hold the summary against.
		countCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		ts, terr := kit.Tenants(countCtx)
		cancel()
		if terr == nil {
			fmt.Fprintf(stdout, "%d tenants registered under the prefix %s\n", len(ts), c.prefix)
		}
		if err != nil {
			return errors.Join(err, terr)
		}
		if terr != nil {
			return terr
		}
	}
	if c.newKey != "" {
		if err := newKey(ctx, kit, keys, c.newKey, stdout, stderr); err != nil {
			return err
		}
	}
	if c.revokeKey != "" {
		already, err := keys.revoke(ctx, c.revokeKey)
		if err != nil {
			return err
		}
		if already {
			fmt.Fprintf(stderr, "saas: key %s was already revoked\n", c.revokeKey)
		} else {
			fmt.Fprintf(stderr, "saas: key %s revoked\n", c.revokeKey)
		}
	}
	if c.migrate || c.provision > 0 || c.newKey != "" || c.revokeKey != "" {
		return nil
	}
	keys.cacheVerified(c.keyCache)
	handler, err := newHandler(kit, keys, logger)
	if err != nil {
		return err
	}
	if c.pprof != "" {
		if err := servePprof(ctx, c.pprof, stderr); err != nil {
			return err
		}
	}
	return serve(ctx, c.addr, kit, handler, stderr)
}

// newKey makes the key that -new-key names, for a tenant that exists, and
// prints it alone on stdout (for KEY=$(saas -new-key ...)), what it is on
// stderr.
func newKey(ctx context.Context, kit *casekit.Kit, keys *apiKeys, spec string, stdout, stderr io.Writer) error {
	tenant, actor, err := parseKeySpec(spec)
	if err != nil {
		return err
	}
	if _, err := kit.Tenant(ctx, tenant); err != nil {
		if errors.Is(err, casekit.ErrTenantNotFound) {
			return fmt.Errorf("-new-key: there is no tenant %q (create it with -provision)", tenant)
		}
		return err
	}
	id, key, err := keys.create(ctx, tenant, actor)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "saas: key %s for tenant %s, acting as %s; it is shown only now (revoke it with -revoke-key %s)\n",
		id, tenant, actor, id)
	fmt.Fprintln(stdout, key)
	return nil
}

// serve answers HTTP on addr until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, addr string, kit *casekit.Kit, handler http.Handler, stderr io.Writer) error {
	tenants, err := kit.Tenants(ctx)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot serve on -addr %s: %w", addr, err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stderr, "saas: %d tenants, serving http://%s%s/ (routes in %s/openapi.yaml; Ctrl-C stops)\n",
		len(tenants), ln.Addr(), apiPrefix, apiPrefix)
	if len(tenants) == 0 {
		fmt.Fprintln(stderr, "saas: no tenants yet: create some with -provision N, then a key with -new-key tenant-0001:AGENT-ID")
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// dropAll removes every tenant under the store's prefix, its control
// schema and the API keys' schema.
func dropAll(ctx context.Context, store *postgres.Store, out io.Writer) error {
	tenants, err := store.Tenants(ctx)
	if err != nil {
		return err
	}
	for _, t := range tenants {
		if err := store.DropTenant(ctx, t.ID); err != nil {
			return err
		}
	}
	if err := store.DropControl(ctx); err != nil {
		return err
	}
	keys := &apiKeys{db: store.DB(), schema: keysSchema(store.Prefix())}
	if err := keys.drop(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "dropped %d tenants, the schema %scontrol and the API keys (%s)\n", len(tenants), store.Prefix(), keys.schema)
	return nil
}
