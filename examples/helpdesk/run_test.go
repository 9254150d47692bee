package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/uptrace/bun"

	"casekit.dev/storage/postgres"
)

// mailServer is a real SMTP server (emersion/go-smtp) on a loopback
// port that keeps what it is sent.
type mailServer struct {
	addr  string
	mu    sync.Mutex
	mails []string // "from -> to: data"
}

func startMailServer(t *testing.T) *mailServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms := &mailServer{addr: l.Addr().String()}
	srv := gosmtp.NewServer(ms)
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = quietLog{}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close(); l.Close(); <-done })
	return ms
}

func (ms *mailServer) got() []string {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]string(nil), ms.mails...)
}

// NewSession implements gosmtp.Backend.
func (ms *mailServer) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	return &mailSession{ms: ms}, nil
}

type mailSession struct {
	ms       *mailServer
	from, to string
}

// Mail, Rcpt, Data, Reset and Logout implement gosmtp.Session.
func (s *mailSession) Mail(from string, _ *gosmtp.MailOptions) error { s.from = from; return nil }
func (s *mailSession) Rcpt(to string, _ *gosmtp.RcptOptions) error   { s.to += to; return nil }
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.ms.mu.Lock()
	s.ms.mails = append(s.ms.mails, s.from+" -> "+s.to+": "+string(b))
	s.ms.mu.Unlock()
	return nil
}

type quietLog struct{}

func (quietLog) Printf(string, ...any) {}
func (quietLog) Println(...any)        {}

func (s *mailSession) Reset()        { s.from, s.to = "", "" }
func (s *mailSession) Logout() error { return nil }

// dropAccounts drops the schema of the helpdesk's accounts.
func dropAccounts(t *testing.T, store *postgres.Store) {
	if _, err := store.DB().NewRaw("DROP SCHEMA IF EXISTS ? CASCADE", bun.Ident(store.Prefix()+"helpdesk")).Exec(context.Background()); err != nil {
		t.Errorf("drop the accounts' schema: %v", err)
	}
}

// TestRunServesMailsAndStops runs the program as main does, with -demo
// and -smtp: in a temporary SQLite directory, which it removes at the
// end, and on PostgreSQL (-postgres, with a prefix of its own) when
// CASEKIT_TEST_DATABASE_URL is set. Each time it serves, mails the
// notifications through the SMTP server and stops on cancel.
func TestRunServesMailsAndStops(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { runProgram(t, nil) })
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("CASEKIT_TEST_DATABASE_URL")
		if dsn == "" {
			t.Skip("CASEKIT_TEST_DATABASE_URL is not set: skipping the PostgreSQL run")
		}
		prefix := fmt.Sprintf("hdrun%d_", time.Now().UnixNano()%1e6)
		t.Cleanup(func() {
			ctx := context.Background()
			store, err := postgres.Open(ctx, dsn, postgres.WithPrefix(prefix))
			if err != nil {
				t.Errorf("cleaning up: %v", err)
				return
			}
			defer store.Close()
			if err := store.DropTenant(ctx, tenant); err != nil {
				t.Errorf("drop tenant: %v", err)
			}
			if err := store.DropControl(ctx); err != nil {
				t.Errorf("drop control schema: %v", err)
			}
			dropAccounts(t, store)
		})
		runProgram(t, []string{"-postgres", dsn, "-prefix", prefix})
	})
}

// program is the helpdesk running as main runs it.
type program struct {
	// base is the URL it serves, with a slash at the end; where says
	// where its data is; mailIn is the address it receives mail on.
	base, where, mailIn string
	lines               chan string // what it prints after serving
	errc                chan error  // run's result
	cancel              context.CancelFunc
}

// startProgram runs the program with args and waits until it serves.
func startProgram(t *testing.T, args []string) *program {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	p := &program{lines: make(chan string, 16), errc: make(chan error, 1), cancel: cancel}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	go func() {
		p.errc <- run(ctx, args, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	for p.base == "" {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("run ended before serving: %v", <-p.errc)
			}
			if d, ok := strings.CutPrefix(l, "helpdesk: data in "); ok {
				p.where = d
			}
			if rest, ok := strings.CutPrefix(l, "helpdesk: receiving mail on smtp://"); ok {
				p.mailIn = rest
			}
			if rest, ok := strings.CutPrefix(l, "helpdesk: serving "); ok {
				p.base, _, _ = strings.Cut(rest, " ")
			}
		case <-time.After(30 * time.Second):
			t.Fatal("run did not start serving")
		}
	}
	return p
}

func runProgram(t *testing.T, args []string) {
	ms := startMailServer(t)
	p := startProgram(t, append([]string{"-addr", "127.0.0.1:0", "-demo", "-smtp", ms.addr, "-smtp-listen", ""}, args...))
	where, base, lines, errc, cancel := p.where, p.base, p.lines, p.errc, p.cancel
	dataDir, _, _ := strings.Cut(where, " ")
	if args == nil {
		if _, err := os.Stat(dataDir); err != nil || !strings.Contains(where, "temporary") {
			t.Fatalf("the data directory it printed, %q: %v", where, err)
		}
	} else if !strings.HasPrefix(where, "PostgreSQL") {
		t.Fatalf("with -postgres it says the data is in %q", where)
	}
	res, err := http.Get(base + "login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /login: %d", res.StatusCode)
	}
	// Kit.Run mails the demo's notifications through the SMTP server.
	deadline := time.Now().Add(20 * time.Second)
	for len(ms.got()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no mail reached the SMTP server")
		}
		time.Sleep(100 * time.Millisecond)
	}
	mail := ms.got()[0]
	if !strings.HasPrefix(mail, "help@acme.example -> ") || !strings.Contains(mail, "X-Casekit-Event:") {
		t.Errorf("first mail: %.300s", mail)
	}
	// What was mailed is in the mail view too.
	c := newClient(t, strings.TrimSuffix(base, "/"))
	c.pick("u-ava")
	if _, body := c.get("/mail"); !strings.Contains(body, `<table id="mails">`) {
		t.Error("the mail view lists nothing after mails were sent")
	}

	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("run after cancel: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop after cancel")
	}
	var last string
	for l := range lines {
		last = l
	}
	if last != "helpdesk: stopped" {
		t.Errorf("last line %q, want the stop", last)
	}
	if _, err := os.Stat(dataDir); args == nil && !os.IsNotExist(err) {
		t.Errorf("the temporary data directory is still there: %v", err)
	}
}
