package smtp_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/storage/fsblob"
	"casekit.dev/storage/sqlite"
)

// TestConversationThroughTheOutbox sends an agent's message with a file
// to the customer through a real SMTP server, and takes the customer's
// reply to that mail back in: the mail carries the case's reply address
// and thread, the file read from the blob store, no Auto-Submitted; the
// reply joins the case.
func TestConversationThroughTheOutbox(t *testing.T) {
	ts := startServer(t, serverOpts{user: user, pass: pass})
	ctx := context.Background()
	kit, desk, c := mailingKit(t, ts)
	att, err := desk.Upload(ctx, c.ID, "steps.pdf", "application/pdf", strings.NewReader("%PDF-1.4 steps"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := desk.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Try these steps, please.", Attachments: []casekit.NewAttachment{*att}}); err != nil {
		t.Fatal(err)
	}
	if n, err := kit.RunDue(ctx); n != 1 || err != nil {
		t.Fatalf("RunDue = %d, %v; want the mail", n, err)
	}
	mails, _ := ts.got()
	if len(mails) != 1 || mails[0].to[0] != "ada@example.com" {
		t.Fatalf("the server got %+v, want one mail to ada", mails)
	}
	r, err := gomail.CreateReader(bytes.NewReader(mails[0].data))
	if err != nil {
		t.Fatal(err)
	}
	replyTo, _ := r.Header.AddressList("Reply-To")
	refs, _ := r.Header.MsgIDList("References")
	msgID, _ := r.Header.MessageID()
	if len(replyTo) != 1 || !strings.HasPrefix(replyTo[0].Address, "help+") || len(refs) != 1 || !strings.HasPrefix(refs[0], "case-") {
		t.Fatalf("Reply-To %v, References %v: want the case's reply address and thread", replyTo, refs)
	}
	if token := strings.TrimSuffix(strings.TrimPrefix(replyTo[0].Address, "help+"), "@acme.example"); refs[0] != "case-"+token+"@acme.example" {
		t.Errorf("thread %s does not carry the reply address's token %s", refs[0], token)
	}
	if r.Header.Get("Auto-Submitted") != "" {
		t.Errorf("an agent's message has Auto-Submitted: %s", r.Header.Get("Auto-Submitted"))
	}
	var text, file string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		switch h := p.Header.(type) {
		case *gomail.InlineHeader:
			text += string(b)
		case *gomail.AttachmentHeader:
			name, _ := h.Filename()
			file = name + ": " + string(b)
		}
	}
	if !strings.Contains(text, "Try these steps, please.") || file != "steps.pdf: %PDF-1.4 steps" {
		t.Errorf("text %q, file %q", text, file)
	}

	// Ada answers the mail from her client, to its Reply-To.
	reply := "From: Ada <ada@example.com>\r\nTo: " + replyTo[0].Address + "\r\nSubject: Re: [#1] Printer\r\n" +
		"In-Reply-To: <" + msgID + ">\r\nReferences: <" + refs[0] + "> <" + msgID + ">\r\n\r\nThat worked, thanks!\r\n\r\n> Try these steps, please.\r\n"
	res, err := kit.Desk("acme").As(casekit.System).Inbound(ctx, casekit.InboundMail{Raw: []byte(reply)})
	if err != nil || res.Action != casekit.InboundAppended || res.Case.ID != c.ID || res.Message.Body != "That worked, thanks!" {
		t.Fatalf("the reply: %+v, %v", res, err)
	}
}

// mailingKit is a kit on an SQLite store that mails through ts, with a
// blob store and a Directory that knows agent u-1 as ann@acme.example;
// it returns the kit, u-1's desk on tenant acme (mail address
// help@acme.example) and a case of Ada's.
func mailingKit(t *testing.T, ts *testServer) (*casekit.Kit, *casekit.Desk, *casekit.Case) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	blobs, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := config(ts)
	cfg.Blobs = blobs
	dir := casekit.StaticDirectory{People: []casekit.Person{{ID: "u-1", Name: "Ann", Email: "ann@acme.example"}}}
	kit, err := casekit.New(store, casekit.WithNotifier(mustNew(t, cfg)), casekit.WithBlobStore(blobs), casekit.WithDirectory(dir),
		casekit.WithClock(casekittest.NewClock(time.Now())), casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme", Admins: []string{"u-1"}}); err != nil {
		t.Fatal(err)
	}
	desk := kit.Desk("acme").As(casekit.Agent("u-1"))
	if err := desk.Config().SaveMailSettings(ctx, casekit.MailSettings{Address: "help@acme.example"}); err != nil {
		t.Fatal(err)
	}
	c, err := desk.OpenCase(ctx, casekit.NewCase{Subject: "Printer", Contact: casekit.Contact{Name: "Ada", Email: "ada@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	return kit, desk, c
}

// TestCcThroughTheOutbox: each address an agent copies gets the mail
// from the server, every copy showing the others in its Cc header; the
// agent's own address gets none.
func TestCcThroughTheOutbox(t *testing.T) {
	ts := startServer(t, serverOpts{user: user, pass: pass})
	ctx := context.Background()
	kit, desk, c := mailingKit(t, ts)
	in := casekit.NewMessage{Body: "Copying the team.", Cc: []string{"Carl@example.com", "dee@example.com", "ann@acme.example"}}
	if _, err := desk.PostMessage(ctx, c.ID, in); err != nil {
		t.Fatal(err)
	}
	if n, err := kit.RunDue(ctx); n != 3 || err != nil {
		t.Fatalf("RunDue = %d, %v; want three mails", n, err)
	}
	mails, _ := ts.got()
	got := map[string]string{}
	for _, m := range mails {
		p := parse(t, m.data)
		if len(m.to) != 1 || !strings.Contains(p.parts["text/plain"], "Copying the team.") {
			t.Errorf("a mail to %v with text %q; want one envelope recipient and the message", m.to, p.parts["text/plain"])
			continue
		}
		got[m.to[0]] = strings.Join(addrs(t, p.header, "To"), ", ") + " | Cc: " + strings.Join(addrs(t, p.header, "Cc"), ", ")
	}
	want := map[string]string{
		"ada@example.com":  "Ada <ada@example.com> | Cc:  <carl@example.com>,  <dee@example.com>",
		"carl@example.com": " <carl@example.com> | Cc:  <dee@example.com>",
		"dee@example.com":  " <dee@example.com> | Cc:  <carl@example.com>",
	}
	if len(got) != len(want) {
		t.Errorf("mails to %v, want %v", got, want)
	}
	for to, w := range want {
		if got[to] != w {
			t.Errorf("the mail to %s: To %q, want %q", to, got[to], w)
		}
	}
}

// TestAcknowledgementAnswersTheFirstMail: an acknowledgement is a reply
// to the customer's mail, in the case's thread, from a machine.
func TestAcknowledgementAnswersTheFirstMail(t *testing.T) {
	ts := startServer(t, serverOpts{user: user, pass: pass})
	n := sample
	n.Event = casekit.EventCaseOpened
	n.Data = map[string]any{"subject": "Printer", "acknowledgement": true, "mail_in_reply_to": "first@mail.example",
		"reply_token": "abcdefghijklmnopqrstuvwxyz", "reply_to": "help+abcdefghijklmnopqrstuvwxyz@acme.example"}
	if err := mustNew(t, config(ts)).Notify(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	mails, _ := ts.got()
	p := parse(t, mails[0].data)
	for k, want := range map[string]string{
		"In-Reply-To": "<first@mail.example>", "References": "<first@mail.example> <case-abcdefghijklmnopqrstuvwxyz@acme.example>",
		"Reply-To": "<help+abcdefghijklmnopqrstuvwxyz@acme.example>", "Auto-Submitted": "auto-generated",
	} {
		if got := p.header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(p.parts["text/plain"], "We have your case #42: Printer") {
		t.Errorf("text %q", p.parts["text/plain"])
	}
}
