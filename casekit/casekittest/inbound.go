package casekittest

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

// mail builds a raw message; refs are Message-IDs for In-Reply-To and
// References.
func mail(from, subject, body string, refs ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: help@acme.example\r\nSubject: %s\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: <%d@mail.example>\r\n",
		from, subject, len(body)+len(subject))
	if len(refs) > 0 {
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\nReferences: <%s>\r\n", refs[len(refs)-1], strings.Join(refs, "> <"))
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	return []byte(b.String())
}

// testInbound checks Desk.Inbound: replies land on their case (by thread
// reference or "[#N]"), only from the case's contact or watchers; other
// mail opens a case; automatic and unreadable mail writes nothing.
func testInbound(t *testing.T, newStore StoreFactory) {
	ada := "Ada Lovelace <ada@example.com>"
	runEnvTests(t, newStore, []envTest{
		{"a new mail opens a case for its sender", func(t *testing.T, e *Env) {
			res := try(e.Desk(casekit.System).Inbound(t.Context(), mail(ada, "Printer on fire", "It smokes.\nHelp!"))).get(t)
			c := res.Case
			if res.Action != casekit.InboundOpened || c.Subject != "Printer on fire" || c.Description != "It smokes.\nHelp!" ||
				c.Origin != "email" || c.Contact.Email != "ada@example.com" || c.Contact.Name != "Ada Lovelace" || c.Contact.ID != "email:ada@example.com" {
				t.Fatalf("result %s, case %+v", res.Action, c)
			}
		}},
		{"a case opened by mail gets portal links, acting as its sender", func(t *testing.T, e *Env) {
			ctx := t.Context()
			res := try(e.Desk(casekit.System).Inbound(ctx, mail("ADA@Example.com", "Link me", "x"))).get(t)
			token, _, err := e.Agent().CreatePortalLink(ctx, res.Case.ID, 0)
			must(t, err, "CreatePortalLink for a mailed case")
			c, _, err := e.Desk(casekit.System).OpenPortalLink(ctx, token)
			must(t, err, "OpenPortalLink")
			who := casekit.Customer(casekit.LinkCustomer(c))
			if _, err := e.Desk(who).Case(ctx, c.ID); err != nil {
				t.Errorf("the link's customer %s cannot see the case: %v", who, err)
			}
		}},
		{"a reply by thread reference reopens the resolved case, clears the assignee, folds the quote", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Printer", Contact: casekit.Contact{Email: "ada@example.com"}, AssigneeID: "agent-9"})
			try(e.Agent().Resolve(ctx, c.ID, casekit.Resolution{})).get(t)
			body := "Still broken, sorry.\n\nOn Mon, 23 Nov 2026 at 09:00, Help <help@acme.example> wrote:\n> We have resolved case #1.\n> Reply if not.\n"
			res := try(e.Desk(casekit.System).Inbound(ctx, mail(ada, "Re: Printer — resolved", body, "n-1@acme.example", "case-"+c.ID+"@acme.example"))).get(t)
			if res.Action != casekit.InboundAppended || res.Case.ID != c.ID {
				t.Fatalf("result %s on %v, want appended to %s", res.Action, res.Case, c.ID)
			}
			if res.Case.Status != casekit.StatusReopened || res.Case.AssigneeID != "" {
				t.Errorf("after the reply: %s, assignee %q; want reopened, unassigned", res.Case.Status, res.Case.AssigneeID)
			}
			msgs := try(e.Agent().Messages(ctx, c.ID)).get(t)
			if len(msgs) != 1 || msgs[0].Body != "Still broken, sorry." || msgs[0].Direction != casekit.Inbound ||
				msgs[0].Channel != casekit.ChannelEmail || msgs[0].From != "ada@example.com" || !msgs[0].Public {
				t.Fatalf("messages: %+v", msgs)
			}
		}},
		{"[#N] in the subject finds the case, for its contact and watchers only", func(t *testing.T, e *Env) {
			ctx, sys := t.Context(), e.Desk(casekit.System)
			c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Invoice", Contact: casekit.Contact{Email: "ada@example.com"}})
			try(e.Agent().AddWatcher(ctx, c.ID, casekit.Watcher{Email: "boss@example.com"})).get(t)
			subject := fmt.Sprintf("Re: [#%d] Invoice", c.Number)
			for _, from := range []string{"ADA@example.com", "Boss <boss@example.com>"} {
				res := try(sys.Inbound(ctx, mail(from, subject, "more"))).get(t)
				if res.Action != casekit.InboundAppended || res.Case.ID != c.ID {
					t.Errorf("from %s: %s", from, res.Action)
				}
			}
			res := try(sys.Inbound(ctx, mail("Eve <eve@evil.example>", subject, "let me in", "case-"+c.ID+"@acme.example"))).get(t)
			if res.Action != casekit.InboundOpened || res.Case.ID == c.ID || res.Case.Contact.Email != "eve@evil.example" {
				t.Errorf("a stranger's mail naming the case: %s on %v, want a case of its own", res.Action, res.Case)
			}
			wantEqual(t, 2, len(try(e.Agent().Messages(ctx, c.ID)).get(t)), "messages on the case")
		}},
		{"a reply to a closed case opens a new one", func(t *testing.T, e *Env) {
			c := e.into(t, openWith(t, e.Agent(), casekit.NewCase{Subject: "Old", Contact: casekit.Contact{Email: "ada@example.com"}}), casekit.StatusClosed)
			res := try(e.Desk(casekit.System).Inbound(t.Context(), mail(ada, fmt.Sprintf("Re: [#%d] Old", c.Number), "again"))).get(t)
			if res.Action != casekit.InboundOpened || res.Case.ID == c.ID {
				t.Fatalf("%s on %v, want a new case", res.Action, res.Case)
			}
			wantEqual(t, casekit.StatusClosed, e.reload(t, c.ID).Status, "the closed case")
		}},
		{"automatic and unreadable mail writes nothing", func(t *testing.T, e *Env) {
			ctx, sys := t.Context(), e.Desk(casekit.System)
			e.open(t, "Existing", "cust-1")
			count := func() int { return len(try(e.Agent().ListCases(ctx, casekit.CaseFilter{})).get(t).Cases) }
			auto := []byte("From: ada@example.com\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n\r\nAway until Monday.\r\n")
			res := try(sys.Inbound(ctx, auto)).get(t)
			wantEqual(t, casekit.InboundIgnored, res.Action, "an out-of-office")
			for name, raw := range map[string]string{"no header": "just text", "no sender": "Subject: x\r\n\r\nbody", "empty": ""} {
				if _, err := sys.Inbound(ctx, []byte(raw)); !errors.Is(err, casekit.ErrMalformedMail) {
					t.Errorf("%s: %v, want ErrMalformedMail", name, err)
				}
			}
			wantEqual(t, 1, count(), "cases after ignored and malformed mail")
			_, err := e.Desk(casekit.Customer("cust-1")).Inbound(ctx, mail(ada, "x", "y"))
			wantIs(t, err, casekit.ErrForbidden, "a customer calling Inbound")
		}},
		{"with a blob store, mail attachments are kept within the tenant's limits", func(t *testing.T, e *Env) {
			e, _ = e.withBlobs(t)
			kit := e.Kit
			ctx, sys := t.Context(), kit.Desk(e.Tenant).As(casekit.System)
			withFiles := func(subject string, refs ...string) []byte {
				raw := "From: Ada <ada@example.com>\r\nSubject: " + subject + "\r\nMIME-Version: 1.0\r\n"
				if len(refs) > 0 {
					raw += "References: <" + refs[0] + ">\r\n"
				}
				return []byte(raw + "Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nFiles attached.\r\n" +
					"--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"scan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n" +
					"--b1\r\nContent-Type: application/x-msdownload\r\nContent-Disposition: attachment; filename=\"setup.exe\"\r\n\r\nMZ\r\n--b1--\r\n")
			}
			res := try(sys.Inbound(ctx, withFiles("New with files"))).get(t)
			if res.Action != casekit.InboundOpened || res.Message == nil || len(res.Message.Attachments) != 1 {
				t.Fatalf("opening mail with files: %s, message %+v", res.Action, res.Message)
			}
			wantEqual(t, []string{"setup.exe (type application/vnd.microsoft.portable-executable not accepted)"}, res.SkippedAttachments, "skipped")
			c := openWith(t, kit.Desk(e.Tenant).As(casekit.Agent(AgentID)), casekit.NewCase{Subject: "Reply here", Contact: casekit.Contact{Email: "ada@example.com"}})
			res = try(sys.Inbound(ctx, withFiles("Re: files", "case-"+c.ID+"@acme.example"))).get(t)
			if res.Action != casekit.InboundAppended || len(res.Message.Attachments) != 1 {
				t.Fatalf("reply with files: %s %+v", res.Action, res.Message)
			}
			a, rc, err := kit.Desk(e.Tenant).As(casekit.Agent(AgentID)).OpenAttachment(ctx, c.ID, res.Message.Attachments[0].ID)
			must(t, err, "OpenAttachment")
			got, _ := io.ReadAll(rc)
			rc.Close()
			if a.Name != "scan.pdf" || a.ContentType != "application/pdf" || string(got) != "%PDF-1.4\n" {
				t.Errorf("kept %s %s %q", a.Name, a.ContentType, got)
			}
		}},
		{"encoded mail lands as text; attachments are named as skipped", func(t *testing.T, e *Env) {
			raw := "From: =?ISO-8859-1?Q?Jos=E9?= <jose@example.com>\r\nSubject: =?ISO-8859-1?Q?Caf=E9_machine?=\r\nMIME-Version: 1.0\r\n" +
				"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
				"Le caf=E9 est froid.\r\n--b1\r\nContent-Type: application/pdf; name=\"facture.pdf\"\r\nContent-Disposition: attachment; filename=\"facture.pdf\"\r\n" +
				"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n"
			res := try(e.Desk(casekit.System).Inbound(t.Context(), []byte(raw))).get(t)
			if res.Case.Subject != "Café machine" || res.Case.Description != "Le café est froid." || res.Case.Contact.Name != "José" {
				t.Errorf("case %q %q %q", res.Case.Subject, res.Case.Description, res.Case.Contact.Name)
			}
			wantEqual(t, []string{"facture.pdf (no blob store)"}, res.SkippedAttachments, "skipped attachments without a blob store")
		}},
	})
}
