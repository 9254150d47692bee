// Command helpdesk is a complete helpdesk in one command: an agent
// console, the customer portal, a public web form and a mail view, on
// SQLite (or PostgreSQL), with a demo login.
//
//	go run ./examples/helpdesk -demo             # sample data in a fresh temporary directory
//	go run ./examples/helpdesk -data ./hd -demo  # keep the SQLite files in ./hd
//	go run ./examples/helpdesk -postgres 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' -demo
//	go run ./examples/helpdesk -smtp 127.0.0.1:1025  # also mail every notification
//
// It receives mail on -smtp-listen (127.0.0.1:2525 by default): a mail to
// help@acme.example opens a case in the General queue, one to
// billing@acme.example in Billing, and a reply to a case's mail joins it.
//
// Open the printed address, pick an agent or a customer on the sign-in
// page and work the cases. Notifications are rendered with package
// templates and listed at /mail; with -smtp they are mailed as well.
// Kit.Run delivers them and fires the timers in the background. SIGINT or
// SIGTERM shuts the server down gracefully.
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
	"casekit.dev/notify/smtp"
	"casekit.dev/storage/postgres"
	"casekit.dev/storage/sqlite"
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
		fmt.Fprintln(os.Stderr, "helpdesk:", err)
		os.Exit(1)
	}
}

// errUsage marks a command line the flag package already complained about.
var errUsage = errors.New("usage")

// config is the command line.
type config struct {
	addr     string
	data     string
	postgres string
	prefix   string
	smtp     string
	from     string
	mailIn   string
	demo     bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("helpdesk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to serve HTTP on")
	fs.StringVar(&c.data, "data", "", "directory for the SQLite files (default: a new temporary directory, removed at exit)")
	fs.StringVar(&c.postgres, "postgres", "", "PostgreSQL `DSN` to use instead of SQLite, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	fs.StringVar(&c.prefix, "prefix", postgres.DefaultPrefix, "prefix of the schemas made with -postgres")
	fs.StringVar(&c.smtp, "smtp", "", "SMTP server `host:port` to mail every notification to as well (plain SMTP, no TLS: a local test server)")
	fs.StringVar(&c.from, "from", "Acme Help Desk <help@acme.example>", "sender of the mails sent with -smtp")
	fs.StringVar(&c.mailIn, "smtp-listen", "127.0.0.1:2525", "`host:port` to receive mail on with SMTP (\"\" for none)")
	fs.BoolVar(&c.demo, "demo", false, "seed agents' teams, queues, customers and a few dozen cases in every status")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, errUsage
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected argument %q (flags only; see -h)", fs.Arg(0))
	case c.postgres != "" && c.data != "":
		return c, errors.New("give -data (SQLite) or -postgres, not both")
	case c.addr == "":
		return c, errors.New("-addr must not be empty")
	}
	if c.smtp != "" {
		if _, _, err := net.SplitHostPort(c.smtp); err != nil {
			return c, fmt.Errorf("-smtp %q is not host:port", c.smtp)
		}
	}
	return c, nil
}

// run is the whole program; main only turns its error into an exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store, where, cleanup, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Fprintln(stdout, "helpdesk: data in", where)

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("cannot serve on -addr %s: %w", c.addr, err)
	}
	var deliver casekit.Notifier
	if c.smtp != "" {
		n, err := smtp.New(smtp.Config{Addr: c.smtp, From: c.from, Security: smtp.NoTLS})
		if err != nil {
			ln.Close()
			return err
		}
		deliver = n
	}
	app, err := newApp(ctx, appConfig{Store: store, Logger: logger, BaseURL: "http://" + ln.Addr().String(), Deliver: deliver, Demo: c.demo})
	if err != nil {
		ln.Close()
		return err
	}
	if c.mailIn != "" {
		if ml, err := net.Listen("tcp", c.mailIn); err != nil {
			logger.Warn("helpdesk: cannot receive mail on -smtp-listen", "addr", c.mailIn, "err", err)
		} else {
			defer serveMail(ml, app.kit, logger)()
			fmt.Fprintf(stdout, "helpdesk: receiving mail on smtp://%s\n", ml.Addr())
		}
	}
	runCtx, stopRun := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() { runDone <- app.kit.Run(runCtx) }()

	srv := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "helpdesk: serving http://%s/ (Ctrl-C stops)\n", ln.Addr())
	if !c.demo {
		fmt.Fprintln(stdout, "helpdesk: no sample cases; run with -demo for a few dozen")
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = srv.Shutdown(shutdownCtx)
		cancel()
	}
	stopRun()
	if rerr := <-runDone; err == nil {
		err = rerr
	}
	fmt.Fprintln(stdout, "helpdesk: stopped")
	return err
}

// openStore opens PostgreSQL with -postgres, otherwise SQLite in -data or
// in a new temporary directory that cleanup removes.
func openStore(ctx context.Context, c config) (casekit.Store, string, func(), error) {
	if c.postgres != "" {
		openCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		s, err := postgres.Open(openCtx, c.postgres, postgres.WithPrefix(c.prefix))
		if err != nil {
			return nil, "", nil, fmt.Errorf("cannot open -postgres: %w", err)
		}
		return s, "PostgreSQL (schemas " + s.Prefix() + "*)", func() { s.Close() }, nil
	}
	dir, temp := c.data, false
	if dir == "" {
		d, err := os.MkdirTemp("", "helpdesk-")
		if err != nil {
			return nil, "", nil, err
		}
		dir, temp = d, true
	}
	s, err := sqlite.Open(dir)
	if err != nil {
		return nil, "", nil, fmt.Errorf("cannot open -data %s: %w", dir, err)
	}
	cleanup := func() { s.Close() }
	where := dir
	if temp {
		cleanup = func() { s.Close(); os.RemoveAll(dir) }
		where += " (temporary: removed at exit; keep it with -data DIR)"
	}
	return s, where, cleanup, nil
}
