package smtp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/notify/smtp"
	"casekit.dev/storage/sqlite"
	"casekit.dev/templates"
)

const (
	user = "desk@acme.example"
	pass = "s3cret"
)

var sample = casekit.Notification{ID: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", Tenant: "acme", Event: casekit.EventResolved,
	CaseID: "0190a1b2-0000-7000-8000-00000000002a", CaseNumber: 42,
	Recipient: casekit.Recipient{Kind: casekit.RecipientCustomer, ID: "cust-1", Name: "Ada Lovelace", Email: "ada@example.com"},
	Data:      map[string]any{"subject": "Printer on fire", "status": "resolved", "priority": "high"}, Attempts: 1}

// config returns a configuration for ts: STARTTLS, trusting the test
// certificate, with the server's credentials if it wants them.
func config(ts *testServer) smtp.Config {
	return smtp.Config{Addr: ts.addr, From: "Acme Help Desk <help@acme.example>", Username: ts.opts.user, Password: ts.opts.pass,
		TLSConfig: testCert().client, Timeout: 10 * time.Second}
}

func mustNew(t *testing.T, cfg smtp.Config) *smtp.Notifier {
	t.Helper()
	n, err := smtp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// parsed is a received mail read back with the standard library only.
type parsed struct {
	header  mail.Header
	subject string
	parts   map[string]string // decoded bodies by media type
	top     string            // the top-level media type
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	for i, b := range raw {
		if b >= 0x80 {
			t.Fatalf("byte %d of the mail is not 7-bit: %q", i, raw[max(0, i-20):min(len(raw), i+20)])
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("reading the mail: %v\n%s", err, raw)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("decoding Subject %q: %v", msg.Header.Get("Subject"), err)
	}
	p := parsed{header: msg.Header, subject: subject, parts: map[string]string{}}
	typ, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	p.top = typ
	decode := func(cte, ct string, body io.Reader) {
		t.Helper()
		if ct, params, _ := mime.ParseMediaType(ct); !strings.EqualFold(params["charset"], "utf-8") {
			t.Errorf("part %s has charset %q, want utf-8", ct, params["charset"])
		}
		if strings.EqualFold(cte, "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("reading part %s: %v", ct, err)
		}
		mt, _, _ := mime.ParseMediaType(ct)
		p.parts[mt] = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	if !strings.HasPrefix(typ, "multipart/") {
		decode(msg.Header.Get("Content-Transfer-Encoding"), msg.Header.Get("Content-Type"), msg.Body)
		return p
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable itself
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading the parts: %v", err)
		}
		decode("", part.Header.Get("Content-Type"), part)
	}
	return p
}

func addrs(t *testing.T, h mail.Header, key string) []string {
	t.Helper()
	if h.Get(key) == "" {
		return nil
	}
	l, err := h.AddressList(key)
	if err != nil {
		t.Fatalf("%s %q: %v", key, h.Get(key), err)
	}
	var out []string
	for _, a := range l {
		out = append(out, fmt.Sprintf("%s <%s>", a.Name, a.Address))
	}
	return out
}

// One mail arrives with every header and body as specified, for the
// default renderer and for one with HTML and non-ASCII text.
func TestDeliversTheMail(t *testing.T) {
	thread := "<case-" + sample.CaseID + "@acme.example>"
	for name, tc := range map[string]struct {
		n        casekit.Notification
		render   func(casekit.Notification) (smtp.Message, error)
		replyTo  func(casekit.Notification) string
		domain   string
		subject  string
		to       string
		replyTos []string
		parts    map[string]string
		msgID    string
		thread   string
	}{
		"default renderer": {
			n:       sample,
			subject: "[#42] Printer on fire — case resolved",
			to:      "Ada Lovelace <ada@example.com>",
			parts: map[string]string{"text/plain": "Case #42: Printer on fire\nEvent: case resolved\nStatus: resolved\nPriority: high\n\n" +
				"This message was sent automatically.\n"},
			msgID:  "<" + sample.ID + "@acme.example>",
			thread: thread,
		},
		"HTML, non-ASCII and Reply-To": {
			n: func() casekit.Notification {
				n := sample
				n.Recipient.Name = "Zoë Ünal"
				return n
			}(),
			render: func(n casekit.Notification) (smtp.Message, error) {
				return smtp.Message{Subject: fmt.Sprintf("[#%d] Drucker brennt — Fall gelöst 🔥", n.CaseNumber),
					Text: "Grüße aus Köln.\n" + strings.Repeat("Eine lange Zeile ohne Umbruch. ", 10) + "\n",
					HTML: "<p>Grüße aus <b>Köln</b>.</p>\n"}, nil
			},
			replyTo:  func(n casekit.Notification) string { return "Acme <case-" + n.CaseID + "@reply.acme.example>" },
			domain:   "mail.acme.example",
			subject:  "[#42] Drucker brennt — Fall gelöst 🔥",
			to:       "Zoë Ünal <ada@example.com>",
			replyTos: []string{"Acme <case-" + sample.CaseID + "@reply.acme.example>"},
			parts: map[string]string{"text/plain": "Grüße aus Köln.\n" + strings.Repeat("Eine lange Zeile ohne Umbruch. ", 10) + "\n",
				"text/html": "<p>Grüße aus <b>Köln</b>.</p>\n"},
			msgID:  "<" + sample.ID + "@mail.acme.example>",
			thread: "<case-" + sample.CaseID + "@mail.acme.example>",
		},
	} {
		t.Run(name, func(t *testing.T) {
			ts := startServer(t, serverOpts{tls: offerStartTLS, user: user, pass: pass})
			cfg := config(ts)
			cfg.Render, cfg.ReplyTo, cfg.Domain = tc.render, tc.replyTo, tc.domain
			sent := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
			cfg.Now = func() time.Time { return sent }
			if err := mustNew(t, cfg).Notify(context.Background(), tc.n); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			mails, _ := ts.got()
			if len(mails) != 1 {
				t.Fatalf("the server got %d mails, want 1", len(mails))
			}
			m := mails[0]
			if m.from != "help@acme.example" || len(m.to) != 1 || m.to[0] != "ada@example.com" || !m.tls || m.user != user {
				t.Errorf("envelope from %q to %q, TLS %v, user %q", m.from, m.to, m.tls, m.user)
			}
			p := parse(t, m.data)
			h := p.header
			if got := addrs(t, h, "From"); len(got) != 1 || got[0] != "Acme Help Desk <help@acme.example>" {
				t.Errorf("From = %q", got)
			}
			if got := addrs(t, h, "To"); len(got) != 1 || got[0] != tc.to {
				t.Errorf("To = %q, want %q", got, tc.to)
			}
			if got := addrs(t, h, "Reply-To"); fmt.Sprint(got) != fmt.Sprint(tc.replyTos) {
				t.Errorf("Reply-To = %q, want %q", got, tc.replyTos)
			}
			if p.subject != tc.subject {
				t.Errorf("Subject = %q, want %q", p.subject, tc.subject)
			}
			if d, err := h.Date(); err != nil || !d.Equal(sent) {
				t.Errorf("Date %q = %v, %v; want %v", h.Get("Date"), d, err, sent)
			}
			for k, want := range map[string]string{"Message-Id": tc.msgID, "In-Reply-To": tc.thread, "References": tc.thread,
				"X-Casekit-Event": "case.resolved", "Auto-Submitted": "auto-generated", "Mime-Version": "1.0"} {
				if got := h.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			wantTop := "text/plain"
			if len(tc.parts) > 1 {
				wantTop = "multipart/alternative"
			}
			if p.top != wantTop {
				t.Errorf("Content-Type %s, want %s", p.top, wantTop)
			}
			if fmt.Sprint(p.parts) != fmt.Sprint(tc.parts) {
				t.Errorf("parts:\n%q\nwant\n%q", p.parts, tc.parts)
			}
		})
	}
}

// Every transport security mode against servers that offer STARTTLS,
// implicit TLS or nothing.
func TestSecurityModes(t *testing.T) {
	for _, tc := range []struct {
		server  serverTLS
		client  smtp.Security
		wantTLS bool
		wantErr string
	}{
		{offerStartTLS, smtp.StartTLS, true, ""},
		{offerNone, smtp.StartTLS, false, "STARTTLS"},
		{offerStartTLS, smtp.StartTLSOpportunistic, true, ""},
		{offerNone, smtp.StartTLSOpportunistic, false, ""},
		{offerImplicit, smtp.ImplicitTLS, true, ""},
		{offerNone, smtp.ImplicitTLS, false, "with TLS"},
		{offerNone, smtp.NoTLS, false, ""},
		{offerStartTLS, smtp.NoTLS, false, ""},
	} {
		t.Run(fmt.Sprintf("%v with server %d", tc.client, tc.server), func(t *testing.T) {
			ts := startServer(t, serverOpts{tls: tc.server, user: user, pass: pass})
			cfg := config(ts)
			cfg.Security, cfg.Timeout = tc.client, 5*time.Second
			err := mustNew(t, cfg).Notify(context.Background(), sample)
			mails, _ := ts.got()
			if tc.wantErr != "" {
				t.Log(err)
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("Notify = %v, want an error naming %q", err, tc.wantErr)
				}
				if len(mails) != 0 {
					t.Errorf("the server got %d mails", len(mails))
				}
				return
			}
			if err != nil {
				t.Fatalf("Notify: %v", err)
			}
			if len(mails) != 1 || mails[0].tls != tc.wantTLS {
				t.Fatalf("the server got %d mails (%+v), want 1 with TLS %v", len(mails), mails, tc.wantTLS)
			}
		})
	}
}

// The server's refusals come back as errors naming the step.
func TestServerRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		opts     serverOpts
		user     string
		pass     string
		to       string
		wantErr  string
		wantCode int
	}{
		"wrong password": {opts: serverOpts{user: user, pass: pass}, user: user, pass: "wrong",
			wantErr: `authentication as "desk@acme.example"`, wantCode: 535},
		"no credentials": {opts: serverOpts{user: user, pass: pass},
			wantErr: "sender <help@acme.example>", wantCode: 502},
		"rejected recipient": {opts: serverOpts{rejectRcpt: "ada@example.com"},
			wantErr: "recipient <ada@example.com> rejected", wantCode: 550},
	} {
		t.Run(name, func(t *testing.T) {
			ts := startServer(t, tc.opts)
			cfg := config(ts)
			cfg.Username, cfg.Password = tc.user, tc.pass
			err := mustNew(t, cfg).Notify(context.Background(), sample)
			t.Log(err)
			var se *gosmtp.SMTPError
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.As(err, &se) || se.Code != tc.wantCode {
				t.Errorf("Notify = %v, want an error naming %q with SMTP code %d", err, tc.wantErr, tc.wantCode)
			}
			if mails, _ := ts.got(); len(mails) != 0 {
				t.Errorf("the server got %d mails", len(mails))
			}
		})
	}
}

// A notification that cannot be mailed fails before any connection.
func TestUnsendableNotifications(t *testing.T) {
	errRender := errors.New("template missing")
	with := func(f func(*casekit.Notification)) casekit.Notification {
		n := sample
		f(&n)
		return n
	}
	for name, tc := range map[string]struct {
		n       casekit.Notification
		render  func(casekit.Notification) (smtp.Message, error)
		replyTo func(casekit.Notification) string
		wantErr string
		wantIs  error
	}{
		"no address": {n: with(func(n *casekit.Notification) { n.Recipient.Email = "" }),
			wantErr: `recipient customer "cust-1" has no email address`},
		"blank address": {n: with(func(n *casekit.Notification) { n.Recipient.Email = "  " }),
			wantErr: "has no email address"},
		"not an address": {n: with(func(n *casekit.Notification) { n.Recipient.Email = "ada at example.com" }),
			wantErr: `recipient address "ada at example.com" is invalid`},
		"two at signs": {n: with(func(n *casekit.Notification) { n.Recipient.Email = "ada@@example.com" }),
			wantErr: `recipient address "ada@@example.com" is invalid`},
		"header injection": {n: with(func(n *casekit.Notification) { n.Recipient.Email = "ada@example.com\r\nBcc: eve@example.com" }),
			wantErr: "is invalid"},
		"render fails": {n: sample, render: func(casekit.Notification) (smtp.Message, error) { return smtp.Message{}, errRender },
			wantErr: "render notification " + sample.ID + ": template missing", wantIs: errRender},
		"empty render": {n: sample, render: func(casekit.Notification) (smtp.Message, error) { return smtp.Message{Subject: "x"}, nil },
			wantErr: "empty subject or text"},
		"a Cc with a display name": {n: with(func(n *casekit.Notification) {
			n.Data = map[string]any{"subject": "x", "mail_cc": []any{"carl@example.com", "Eve <eve@example.com>"}}
		}), wantErr: `Cc address "Eve <eve@example.com>" is not one address`},
		"a Cc smuggling a header": {n: with(func(n *casekit.Notification) {
			n.Data = map[string]any{"subject": "x", "mail_cc": []string{"carl@example.com\r\nBcc: eve@example.com"}}
		}), wantErr: "is not one address"},
		"bad Reply-To": {n: sample, replyTo: func(casekit.Notification) string { return "not an address" },
			wantErr: `Reply-To address "not an address" is invalid`},
		"ID unfit for a Message-ID": {n: with(func(n *casekit.Notification) { n.ID = "a b>" }),
			wantErr: "cannot be used in a Message-ID"},
	} {
		t.Run(name, func(t *testing.T) {
			ts := startServer(t, serverOpts{user: user, pass: pass})
			cfg := config(ts)
			cfg.Render, cfg.ReplyTo = tc.render, tc.replyTo
			err := mustNew(t, cfg).Notify(context.Background(), tc.n)
			t.Log(err)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Notify = %v, want an error naming %q", err, tc.wantErr)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("Notify = %v, want it to wrap %v", err, tc.wantIs)
			}
			if mails, sessions := ts.got(); len(mails) != 0 || sessions != 0 {
				t.Errorf("the server got %d mails on %d connections, want none", len(mails), sessions)
			}
		})
	}
}

// A retried notification carries the same Message-ID; another one about
// the same case has its own Message-ID in the same thread.
func TestRetriesKeepTheMessageID(t *testing.T) {
	ts := startServer(t, serverOpts{user: user, pass: pass})
	mailer := mustNew(t, config(ts))
	second := sample
	second.Attempts = 2
	other := sample
	other.ID, other.Event = "0190a1b2-c3d4-7e5f-8a9b-ffffffffffff", casekit.EventReopened
	for _, n := range []casekit.Notification{sample, second, other} {
		if err := mailer.Notify(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	mails, _ := ts.got()
	if len(mails) != 3 {
		t.Fatalf("the server got %d mails, want 3", len(mails))
	}
	var ids, threads []string
	for _, m := range mails {
		h := parse(t, m.data).header
		ids = append(ids, h.Get("Message-Id"))
		threads = append(threads, h.Get("References"))
	}
	want := "<" + sample.ID + "@acme.example>"
	if ids[0] != want || ids[1] != want || ids[2] != "<"+other.ID+"@acme.example>" {
		t.Errorf("Message-IDs %q, want %s twice, then the other's", ids, want)
	}
	if threads[0] != threads[1] || threads[1] != threads[2] || threads[0] != "<case-"+sample.CaseID+"@acme.example>" {
		t.Errorf("References %q, want one thread", threads)
	}
}

// A server that accepts and never answers makes Notify fail within the
// timeout, whatever the security mode.
func TestHangingServerTimesOut(t *testing.T) {
	for _, sec := range []smtp.Security{smtp.StartTLS, smtp.StartTLSOpportunistic, smtp.ImplicitTLS, smtp.NoTLS} {
		t.Run(sec.String(), func(t *testing.T) {
			addr, _ := hangingServer(t)
			mailer := mustNew(t, smtp.Config{Addr: addr, From: "help@acme.example", Security: sec,
				TLSConfig: testCert().client, Timeout: 200 * time.Millisecond})
			start := time.Now()
			err := mailer.Notify(context.Background(), sample)
			t.Log(err)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Notify to a silent server = %v, want a deadline error", err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("Notify took %v with a 200ms timeout", took)
			}
		})
	}
}

// Cancelling the context ends a Notify that waits on the server.
func TestContextCancelStopsNotify(t *testing.T) {
	addr, accepted := hangingServer(t)
	mailer := mustNew(t, smtp.Config{Addr: addr, From: "help@acme.example", TLSConfig: testCert().client})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- mailer.Notify(ctx, sample) }()
	select {
	case <-accepted:
	case <-time.After(10 * time.Second):
		t.Fatal("Notify never connected")
	}
	cancel()
	select {
	case err := <-done:
		t.Log(err)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Notify after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Notify did not return after cancel")
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Notify took %v", took)
	}
}

// A refused dial names the server.
func TestDialFailure(t *testing.T) {
	cfg := config(&testServer{addr: "127.0.0.1:1"}) // nothing listens there
	err := mustNew(t, cfg).Notify(context.Background(), sample)
	if err == nil || !strings.Contains(err.Error(), "dial 127.0.0.1:1") {
		t.Errorf("Notify = %v, want a dial error naming the server", err)
	}
}

// Concurrent Notify calls each deliver their own mail.
func TestConcurrentNotify(t *testing.T) {
	ts := startServer(t, serverOpts{user: user, pass: pass})
	mailer := mustNew(t, config(ts))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			n := sample
			n.ID = fmt.Sprintf("n-%d", i)
			errs <- mailer.Notify(context.Background(), n)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	mails, _ := ts.got()
	seen := map[string]bool{}
	for _, m := range mails {
		seen[parse(t, m.data).header.Get("Message-Id")] = true
	}
	if len(seen) != 8 {
		t.Errorf("the server got %d distinct mails of %d, want 8", len(seen), len(mails))
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for name, cfg := range map[string]smtp.Config{
		"no port":             {Addr: "smtp.example.com", From: "help@acme.example"},
		"no address":          {From: "help@acme.example"},
		"bad From":            {Addr: "smtp.example.com:587", From: "help desk"},
		"unknown security":    {Addr: "smtp.example.com:587", From: "help@acme.example", Security: smtp.Security(9)},
		"password only":       {Addr: "smtp.example.com:587", From: "help@acme.example", Password: "x"},
		"negative timeout":    {Addr: "smtp.example.com:587", From: "help@acme.example", Timeout: -time.Second},
		"domain with a space": {Addr: "smtp.example.com:587", From: "help@acme.example", Domain: "acme example"},
	} {
		if _, err := smtp.New(cfg); err == nil {
			t.Errorf("%s: New(%+v) succeeded", name, cfg)
		}
	}
}

func TestRender(t *testing.T) {
	for name, tc := range map[string]struct {
		n       casekit.Notification
		subject string
		text    []string
	}{
		"resolved": {n: sample, subject: "[#42] Printer on fire — case resolved",
			text: []string{"Case #42: Printer on fire\n", "Event: case resolved\n", "Status: resolved\n", "Priority: high\n"}},
		"no subject": {n: casekit.Notification{Event: casekit.EventMessagePosted, CaseNumber: 7, Data: map[string]any{"status": "open"}},
			subject: "[#7] new message", text: []string{"Case #7\n", "Event: new message\n", "Status: open\n"}},
		"subject over lines": {n: casekit.Notification{Event: casekit.EventStatusChanged, CaseNumber: 8, Data: map[string]any{"subject": " Line one\nline two "}},
			subject: "[#8] Line one line two — status changed", text: []string{"Case #8: Line one line two\n"}},
		"unknown event": {n: casekit.Notification{Event: "case.watcher_added", CaseNumber: 9},
			subject: "[#9] case watcher added", text: []string{"Event: case watcher added\n"}},
	} {
		m, err := smtp.Render(tc.n)
		if err != nil {
			t.Fatalf("%s: Render: %v", name, err)
		}
		if m.Subject != tc.subject || m.HTML != "" {
			t.Errorf("%s: subject %q, HTML %q; want %q and none", name, m.Subject, m.HTML, tc.subject)
		}
		for _, line := range tc.text {
			if !strings.Contains(m.Text, line) {
				t.Errorf("%s: text %q lacks %q", name, m.Text, line)
			}
		}
	}
}

// Through the outbox: a kit with the SMTP notifier mails the case's
// contact when the case is canceled; a first attempt the server refuses
// is retried by the outbox.
func TestThroughTheOutbox(t *testing.T) {
	ts := startServer(t, serverOpts{user: user, pass: pass, rejectRcpt: "grace@example.com"})
	mailer := mustNew(t, config(ts))
	ctx := context.Background()
	store, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	clock := casekittest.NewClock(time.Now())
	kit, err := casekit.New(store, casekit.WithNotifier(mailer), casekit.WithClock(clock), casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme"}); err != nil {
		t.Fatal(err)
	}
	desk := kit.Desk("acme").As(casekit.Agent("u-1"))
	c, err := desk.OpenCase(ctx, casekit.NewCase{Subject: "Parcel lost", Contact: casekit.Contact{Name: "Grace Hopper", Email: "grace@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := desk.Cancel(ctx, c.ID, "found it"); err != nil {
		t.Fatal(err)
	}
	if n, err := kit.RunDue(ctx); n != 0 || err == nil || !strings.Contains(err.Error(), "recipient <grace@example.com> rejected") {
		t.Fatalf("RunDue = %d, %v; want the rejected recipient", n, err)
	}
	ts.mu.Lock()
	ts.opts.rejectRcpt = ""
	ts.mu.Unlock()
	clock.Advance(2 * time.Hour)
	if n, err := kit.RunDue(ctx); n != 1 || err != nil {
		t.Fatalf("RunDue = %d, %v; want the delivery", n, err)
	}
	mails, _ := ts.got()
	if len(mails) != 1 {
		t.Fatalf("the server got %d mails, want 1", len(mails))
	}
	p := parse(t, mails[0].data)
	if got := addrs(t, p.header, "To"); len(got) != 1 || got[0] != "Grace Hopper <grace@example.com>" {
		t.Errorf("To = %q", got)
	}
	if p.subject != "[#1] Parcel lost — case canceled" {
		t.Errorf("Subject = %q", p.subject)
	}
	// The customer's thread ID carries the case's reply token, not its ID.
	if got := p.header.Get("References"); !regexp.MustCompile(`^<case-[a-z2-7]{26}@acme\.example>$`).MatchString(got) || strings.Contains(got, c.ID) {
		t.Errorf("References = %q, want <case-<reply token>@acme.example>", got)
	}
	if p.header.Get("X-Casekit-Event") != string(casekit.EventCanceled) {
		t.Errorf("X-Casekit-Event = %q", p.header.Get("X-Casekit-Event"))
	}
}

// TestTemplatesThroughTheOutbox sends a mail rendered by the kit's
// template engine with the tenant's override of the subject.
func TestTemplatesThroughTheOutbox(t *testing.T) {
	ts := startServer(t, serverOpts{user: user, pass: pass})
	mailer := mustNew(t, config(ts))
	ctx := context.Background()
	store, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	engine := templates.New(templates.WithLinks(func(n casekit.Notification) templates.Links {
		return templates.Links{Case: fmt.Sprintf("https://help.acme.example/cases/%d", n.CaseNumber)}
	}))
	kit, err := casekit.New(store, casekit.WithNotifier(mailer), casekit.WithTemplates(engine), casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme", Admins: []string{"u-1"}}); err != nil {
		t.Fatal(err)
	}
	desk := kit.Desk("acme").As(casekit.Agent("u-1"))
	if _, err := desk.Config().SaveTemplateOverride(ctx, "message/case.canceled", `{{define "subject"}}ACME: case {{.Case.Number}} closed without action{{end}}`); err != nil {
		t.Fatal(err)
	}
	c, err := desk.OpenCase(ctx, casekit.NewCase{Subject: "Parcel <lost>", Contact: casekit.Contact{Name: "Grace", Email: "grace@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := desk.Cancel(ctx, c.ID, "found it"); err != nil {
		t.Fatal(err)
	}
	if n, err := kit.RunDue(ctx); n != 1 || err != nil {
		t.Fatalf("RunDue = %d, %v", n, err)
	}
	mails, _ := ts.got()
	if len(mails) != 1 {
		t.Fatalf("the server got %d mails, want 1", len(mails))
	}
	p := parse(t, mails[0].data)
	if p.subject != "ACME: case 1 closed without action" {
		t.Errorf("Subject = %q", p.subject)
	}
	text, html := p.parts["text/plain"], p.parts["text/html"]
	if !strings.Contains(text, `case #1 “Parcel <lost>” was canceled`) || !strings.Contains(text, "https://help.acme.example/cases/1") {
		t.Errorf("text part:\n%s", text)
	}
	if !strings.Contains(html, "Parcel &lt;lost&gt;") || strings.Contains(html, "<lost>") {
		t.Errorf("HTML part does not escape the subject:\n%s", html)
	}
}
