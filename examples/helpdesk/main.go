// Command helpdesk is a complete helpdesk in one command: an agent
// console, the customer portal, a public web form and a mail view, on
// SQLite (or PostgreSQL), with password sign-in or, with -demo, a
// pick-who-you-are login.
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
// With -demo, open the printed address, pick an agent or a customer on
// the sign-in page and work the cases. Without it, people sign in with a
// password; add them first (the password comes from -password-file, "-"
// for standard input, or else from $HELPDESK_PASSWORD, never argv):
//
//	HELPDESK_PASSWORD='a long secret' go run ./examples/helpdesk -data ./hd -add-agent 'u-eve:Eve Adams:eve@acme.example:support,billing'
//	go run ./examples/helpdesk -data ./hd -add-customer 'Zoe Quinn:zoe@example.com' -password-file zoe.txt
//	go run ./examples/helpdesk -data ./hd
//
// Sessions are kept by the server and end after -session-idle without a
// request or -session-max after sign-in; five wrong passwords per account
// or per address within 15 minutes make sign-in wait. Behind a proxy that
// ends TLS, -secure-cookies marks the cookies Secure; a proxy that signs
// people in itself names them in the header -trusted-proxy-header names.
// Portal links (Desk.CreatePortalLink) open without an account.
//
// Replies and notes take files, kept with storage/fsblob in -files (by
// default "files" in the -data directory).
//
// Notifications are rendered with package templates and listed at /mail; with -smtp they are mailed as well.
// Kit.Run delivers them and fires the timers in the background. SIGINT or
// SIGTERM shuts the server down gracefully.
//
// The administration's webhook subscriptions may not post to this host
// or its private network unless -private-webhooks allows it.
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
	"net/textproto"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"casekit.dev/notify/smtp"
	"casekit.dev/storage/fsblob"
	"casekit.dev/storage/postgres"
	"casekit.dev/storage/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
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
	addr          string
	data          string
	files         string
	postgres      string
	prefix        string
	smtp          string
	from          string
	mailIn        string
	demo          bool
	addAgent      string // "ID:Name:email[:team,team]"
	addCustomer   string // "Name:email"
	passwordFile  string
	secureCookies bool
	proxyHeader   string
	sessionIdle   time.Duration
	sessionMax    time.Duration
	// privateWebhooks lets webhook subscriptions post to this host and
	// its private network (casekit.WithPrivateWebhookTargets).
	privateWebhooks bool
}

// passwordEnv is where -add-agent and -add-customer read the password
// when no -password-file is given.
const passwordEnv = "HELPDESK_PASSWORD"

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("helpdesk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to serve HTTP on")
	fs.StringVar(&c.data, "data", "", "directory for the SQLite files (default: a new temporary directory, removed at exit)")
	fs.StringVar(&c.files, "files", "", "directory for the files attached to replies and notes (default: files in the -data directory; with -postgres, a temporary directory removed at exit)")
	fs.StringVar(&c.postgres, "postgres", "", "PostgreSQL `DSN` to use instead of SQLite, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	fs.StringVar(&c.prefix, "prefix", postgres.DefaultPrefix, "prefix of the schemas made with -postgres")
	fs.StringVar(&c.smtp, "smtp", "", "SMTP server `host:port` to mail every notification to as well (plain SMTP, no TLS: a local test server)")
	fs.StringVar(&c.from, "from", "Acme Help Desk <help@acme.example>", "sender of the mails sent with -smtp")
	fs.StringVar(&c.mailIn, "smtp-listen", "127.0.0.1:2525", "`host:port` to receive mail on with SMTP (\"\" for none)")
	fs.BoolVar(&c.demo, "demo", false, "seed agents' teams, queues, customers and a few dozen cases in every status, and sign in by picking who you are")
	fs.StringVar(&c.addAgent, "add-agent", "", "add an agent (or change their password) and exit: `ID:Name:email[:team,team]`, teams of support, billing, second-line; needs -data or -postgres")
	fs.StringVar(&c.addCustomer, "add-customer", "", "add a customer (or change their password) and exit: `Name:email`; needs -data or -postgres")
	fs.StringVar(&c.passwordFile, "password-file", "", "read the password of -add-agent or -add-customer from the first line of `FILE` (\"-\": standard input); default: $"+passwordEnv)
	fs.BoolVar(&c.secureCookies, "secure-cookies", false, "mark cookies Secure even on plain HTTP: behind a proxy that ends TLS")
	fs.StringVar(&c.proxyHeader, "trusted-proxy-header", "", "trust this request `header` (e.g. X-Forwarded-User) to name the signed-in person by ID or e-mail address: only behind a proxy that sets it and strips it from clients")
	fs.DurationVar(&c.sessionIdle, "session-idle", sessionIdle, "end a session after this long without a request")
	fs.DurationVar(&c.sessionMax, "session-max", sessionMax, "end a session this long after sign-in")
	fs.BoolVar(&c.privateWebhooks, "private-webhooks", false, "let webhook subscriptions post to localhost and loopback, private and link-local addresses: for receivers on this host or its network")
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
	case c.addAgent != "" && c.addCustomer != "":
		return c, errors.New("give -add-agent or -add-customer, one account at a time")
	case (c.addAgent != "" || c.addCustomer != "") && c.data == "" && c.postgres == "":
		return c, errors.New("-add-agent and -add-customer need -data DIR or -postgres DSN: a temporary directory would be gone at exit")
	case c.passwordFile != "" && c.addAgent == "" && c.addCustomer == "":
		return c, errors.New("-password-file goes with -add-agent or -add-customer")
	case c.sessionIdle <= 0 || c.sessionMax <= 0:
		return c, errors.New("-session-idle and -session-max must be positive")
	case c.proxyHeader != "" && !validHeaderName(c.proxyHeader):
		return c, fmt.Errorf("-trusted-proxy-header %q is not a header name", c.proxyHeader)
	}
	if c.smtp != "" {
		if _, _, err := net.SplitHostPort(c.smtp); err != nil {
			return c, fmt.Errorf("-smtp %q is not host:port", c.smtp)
		}
	}
	return c, nil
}

// validHeaderName reports whether name is an HTTP header name (a token),
// and not one a browser sends on its own.
func validHeaderName(name string) bool {
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	switch textproto.CanonicalMIMEHeaderKey(name) {
	case "", "Cookie", "Authorization", "Host", "Origin", "Referer", "User-Agent":
		return false
	}
	return true
}

// run is the whole program; main only turns its error into an exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	adding := c.addAgent != "" || c.addCustomer != ""
	var ac account
	var password string
	if adding {
		if ac, password, err = newAccount(c, stdin); err != nil {
			return err
		}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	store, accounts, where, cleanup, err := openStore(ctx, &c)
	if err != nil {
		return err
	}
	defer cleanup()
	if adding {
		return addAccount(ctx, accounts, ac, password, stdout)
	}
	fmt.Fprintln(stdout, "helpdesk: data in", where)
	blobs, err := fsblob.New(c.files)
	if err != nil {
		return fmt.Errorf("cannot keep files in -files %s: %w", c.files, err)
	}
	fmt.Fprintln(stdout, "helpdesk: files in", c.files)

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
	app, err := newApp(ctx, appConfig{Store: store, Blobs: blobs, Accounts: accounts, Logger: logger, BaseURL: "http://" + ln.Addr().String(), Deliver: deliver, Demo: c.demo,
		SecureCookies: c.secureCookies, ProxyHeader: c.proxyHeader, SessionIdle: c.sessionIdle, SessionMax: c.sessionMax,
		PrivateWebhooks: c.privateWebhooks})
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
		if all, err := accounts.everyone(ctx); err == nil && len(all) == 0 && c.proxyHeader == "" {
			fmt.Fprintln(stdout, "helpdesk: no accounts yet: add one with -add-agent or -add-customer (see -h)")
		}
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
// in a new temporary directory that cleanup removes, and the accounts
// beside it. Without -files, the files go to "files" in that directory,
// or with -postgres to a temporary directory cleanup removes.
func openStore(ctx context.Context, c *config) (store.Store, *accountStore, string, func(), error) {
	if c.postgres != "" {
		s, accounts, where, cleanup, err := openPostgres(ctx, c)
		if err != nil || c.files != "" {
			return s, accounts, where, cleanup, err
		}
		tmp, err := os.MkdirTemp("", "helpdesk-files-")
		if err != nil {
			cleanup()
			return nil, nil, "", nil, err
		}
		c.files = tmp
		return s, accounts, where, func() { cleanup(); os.RemoveAll(tmp) }, nil
	}
	dir, temp := c.data, false
	if dir == "" {
		d, err := os.MkdirTemp("", "helpdesk-")
		if err != nil {
			return nil, nil, "", nil, err
		}
		dir, temp = d, true
	}
	if c.files == "" {
		c.files = filepath.Join(dir, "files")
	}
	return openSQLite(ctx, dir, temp)
}

// openPostgres opens the store and the accounts on -postgres.
func openPostgres(ctx context.Context, c *config) (store.Store, *accountStore, string, func(), error) {
	{
		openCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		s, err := postgres.Open(openCtx, c.postgres, postgres.WithPrefix(c.prefix))
		if err != nil {
			return nil, nil, "", nil, fmt.Errorf("cannot open -postgres: %w", err)
		}
		accounts, err := openPostgresAccounts(openCtx, s.DB(), s.Prefix())
		if err != nil {
			s.Close()
			return nil, nil, "", nil, err
		}
		return s, accounts, "PostgreSQL (schemas " + s.Prefix() + "*)", func() { s.Close() }, nil
	}
}

// openSQLite opens the store and the accounts in dir, which cleanup
// removes when it is temporary.
func openSQLite(ctx context.Context, dir string, temp bool) (store.Store, *accountStore, string, func(), error) {
	removeTemp := func() {
		if temp {
			os.RemoveAll(dir)
		}
	}
	s, err := sqlite.Open(dir)
	if err != nil {
		removeTemp()
		return nil, nil, "", nil, fmt.Errorf("cannot open -data %s: %w", dir, err)
	}
	accounts, err := openSQLiteAccounts(ctx, dir)
	if err != nil {
		s.Close()
		removeTemp()
		return nil, nil, "", nil, err
	}
	where := dir
	if temp {
		where += " (temporary: removed at exit; keep it with -data DIR)"
	}
	return s, accounts, where, func() { accounts.Close(); s.Close(); removeTemp() }, nil
}
