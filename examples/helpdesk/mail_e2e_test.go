package main

import (
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	gosmtp "github.com/emersion/go-smtp"

	"casekit.dev/internal/browsertest"
)

// received is one mail the test mail server took, read back: its header
// and its plain text.
type received struct {
	header mail.Header
	text   string
}

// mailsTo reads what the test mail server took for the address to.
func (ms *mailServer) mailsTo(t *testing.T, to string) []received {
	t.Helper()
	var out []received
	for _, m := range ms.got() {
		head, data, _ := strings.Cut(m, ": ")
		if _, rcpt, _ := strings.Cut(head, " -> "); rcpt != to {
			continue
		}
		r, err := gomail.CreateReader(strings.NewReader(data))
		if err != nil {
			t.Fatalf("a mail to %s cannot be read: %v", to, err)
		}
		var text strings.Builder
		for {
			part, err := r.NextPart()
			if err != nil {
				break
			}
			if ct, _, _ := part.Header.(*gomail.InlineHeader).ContentType(); ct == "text/plain" {
				b, _ := io.ReadAll(part.Body)
				text.Write(b)
			}
		}
		h, _ := mail.ReadMessage(strings.NewReader(data))
		out = append(out, received{header: h.Header, text: text.String()})
	}
	return out
}

// waitMail waits for a mail to the address to about event whose body
// holds text, and returns it.
func (ms *mailServer) waitMail(t *testing.T, to, event, text string) received {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, m := range ms.mailsTo(t, to) {
			if m.header.Get("X-Casekit-Event") == event && strings.Contains(m.text, text) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s mail to %s saying %q; got %d mails", event, to, text, len(ms.got()))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sendMail mails raw from the customer's side to the helpdesk's server.
func sendMail(t *testing.T, addr, from, to, raw string) {
	t.Helper()
	c, err := gosmtp.Dial(addr) // a plain connection: the helpdesk's server offers no TLS
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail(from, []string{to}, strings.NewReader(strings.ReplaceAll(raw, "\n", "\r\n"))); err != nil {
		t.Fatalf("sending mail to %s: %v", to, err)
	}
}

// TestMailConversation runs the e-mail conversation end to end, with
// real SMTP both ways and a real browser: a customer mails in, the case
// opens in the mailbox's queue and she gets its acknowledgement with the
// reply address; an agent answers in the console; she gets the answer in
// the case's thread and replies to it; the case shows the reply, reopens
// and the agents hear of it; a forged sender naming the case opens one
// of its own.
func TestMailConversation(t *testing.T) {
	ms := startMailServer(t) // the customers' (and agents') mailboxes
	// Ava, of the team that works the General queue, has an account; no
	// demo cases stand in the queue before the mail.
	data := t.TempDir()
	pw := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pw, []byte(testPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(t.Context(), []string{"-data", data, "-add-agent", "u-ava:Ava Martin:ava@acme.example:support", "-password-file", pw},
		strings.NewReader(""), io.Discard, io.Discard); err != nil {
		t.Fatalf("-add-agent: %v", err)
	}
	p := startProgram(t, []string{"-addr", "127.0.0.1:0", "-data", data, "-smtp", ms.addr, "-smtp-listen", "127.0.0.1:0"})
	if p.mailIn == "" {
		t.Fatal("the program says nothing of receiving mail")
	}
	ctx := browsertest.Chromium(t, 1280, 900, 3*time.Minute)
	b := &browser{t: t, ctx: ctx, base: strings.TrimSuffix(p.base, "/"), passwords: true}
	defer browsertest.ShotOnFailure(t, ctx, "helpdesk-mail")

	// Ada mails the help address.
	sendMail(t, p.mailIn, "ada@example.com", "help@acme.example", "From: Ada Lovelace <ada@example.com>\nTo: help@acme.example\n"+
		"Subject: Coffee machine leaks\nMessage-ID: <first@mail.example.com>\n\nWater everywhere since this morning.\n")
	ack := ms.waitMail(t, "ada@example.com", "case.opened", "We have your case")
	num := regexp.MustCompile(`\[#(\d+)\]`).FindStringSubmatch(ack.header.Get("Subject"))
	replyTo, err := ack.header.AddressList("Reply-To")
	if num == nil || err != nil || len(replyTo) != 1 || !regexp.MustCompile(`^help\+[a-z2-7]{26}@acme\.example$`).MatchString(replyTo[0].Address) {
		t.Fatalf("acknowledgement: subject %q, Reply-To %v (%v)", ack.header.Get("Subject"), replyTo, err)
	}
	if got := ack.header.Get("In-Reply-To"); got != "<first@mail.example.com>" {
		t.Errorf("the acknowledgement answers %q, want Ada's mail", got)
	}
	ms.waitMail(t, "ava@acme.example", "case.opened", "") // the General queue's team hears of it

	// Ava picks it from the General queue and answers.
	b.login("u-ava")
	b.open("/queues")
	b.click("#pick-general")
	if h1, queue := b.text("h1"), b.text("#queue"); !strings.Contains(h1, "Coffee machine leaks") || queue != "General" {
		t.Fatalf("picked %q in queue %q, want the mailed case in General", h1, queue)
	}
	b.typeIn("#reply-body", "Is the water tank seated properly?")
	b.click("#reply-button")
	b.click("#to-waiting_for_response")

	// Ada gets the answer, in the case's thread, and replies to it.
	answer := ms.waitMail(t, "ada@example.com", "message.posted", "Is the water tank seated properly?")
	refs := answer.header.Get("References")
	if ackRefs := ack.header.Get("References"); !strings.Contains(ackRefs, refs) || !strings.Contains(refs, "case-") {
		t.Errorf("the answer's thread %q is not the acknowledgement's %q", refs, ackRefs)
	}
	if got, _ := answer.header.AddressList("Reply-To"); len(got) != 1 || got[0].Address != replyTo[0].Address {
		t.Errorf("the answer's Reply-To %v, want %s", got, replyTo[0].Address)
	}
	sendMail(t, p.mailIn, "ada@example.com", replyTo[0].Address, "From: Ada Lovelace <ada@example.com>\nTo: "+replyTo[0].Address+"\n"+
		"Subject: Re: "+answer.header.Get("Subject")+"\nIn-Reply-To: "+answer.header.Get("Message-Id")+"\n"+
		"References: "+refs+" "+answer.header.Get("Message-Id")+"\n\nIt is seated. Still leaking.\n\n> Is the water tank seated properly?\n")
	b.open("/cases/" + num[1])
	if conv := b.text("#conversation"); !strings.Contains(conv, "It is seated. Still leaking.") || strings.Contains(conv, "> Is the water") {
		t.Fatalf("the conversation after Ada's reply:\n%s", conv)
	}
	if got := b.text("#status"); got != "Reopened" {
		t.Errorf("status after Ada's reply %q, want Reopened", got)
	}
	ms.waitMail(t, "ava@acme.example", "message.posted", "Still leaking.") // reopened and back in the queue: the team hears

	// Eve forges Ada's case number: a case of her own, Ada's untouched.
	sendMail(t, p.mailIn, "eve@evil.example", "help@acme.example", "From: Ada Lovelace <eve@evil.example>\nTo: help@acme.example\n"+
		"Subject: Re: [#"+num[1]+"] Coffee machine leaks\n\nLet me in.\n")
	ms.waitMail(t, "eve@evil.example", "case.opened", "We have your case")
	b.open("/cases/" + num[1])
	if strings.Contains(b.text("#conversation"), "Let me in.") {
		t.Fatal("the forged mail joined Ada's case")
	}
	b.open(fmt.Sprintf("/cases/%s", nextNumber(t, num[1])))
	if !strings.Contains(b.text("#conversation")+b.text("h1")+b.body(), "Let me in.") {
		t.Fatalf("the forged mail's case:\n%s", b.body())
	}
}

// nextNumber is the case number after n.
func nextNumber(t *testing.T, n string) string {
	var i int
	if _, err := fmt.Sscan(n, &i); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(i + 1)
}
