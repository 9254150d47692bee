package casekittest

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

// mail builds a raw message to help@acme.example; refs are Message-IDs
// for In-Reply-To and References.
func mail(from, subject, body string, refs ...string) []byte {
	return mailTo(from, "help@acme.example", subject, body, refs...)
}

// mailTo builds a raw message to the address to.
func mailTo(from, to, subject, body string, refs ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: <%d@mail.example>\r\n",
		from, to, subject, len(body)+len(subject))
	if len(refs) > 0 {
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\nReferences: <%s>\r\n", refs[len(refs)-1], strings.Join(refs, "> <"))
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	return []byte(b.String())
}

// acmeMail are the mail settings of the inbound tests' tenants.
var acmeMail = casekit.MailSettings{Address: "help@acme.example"}

// replyAddress gives the env's tenant acmeMail and returns the case's
// reply address and the token in it.
func (e *Env) replyAddress(t testing.TB, caseID string) (addr, token string) {
	t.Helper()
	ctx := t.Context()
	must(t, e.Agent().Config().SaveMailSettings(ctx, acmeMail), "SaveMailSettings")
	addr = try(e.Agent().ReplyAddress(ctx, caseID)).get(t)
	token = strings.TrimSuffix(strings.TrimPrefix(addr, "help+"), "@acme.example")
	if len(token) != 26 || token == addr {
		t.Fatalf("reply address %q: want help+<26-character token>@acme.example", addr)
	}
	return addr, token
}

// testInbound checks Desk.Inbound: a mail joins a case only by the case's
// reply token (reply address or thread reference), never by the sender
// or "[#N]"; other mail opens a case whose address is stored but is no
// identity; automatic, own, oversized and unreadable mail writes nothing.
func testInbound(t *testing.T, newStore StoreFactory) {
	ada := "Ada Lovelace <ada@example.com>"
	runEnvTests(t, newStore, []envTest{
		{"a new mail opens a case for its sender, whose address is no identity unless vouched for", func(t *testing.T, e *Env) {
			ctx, sys := t.Context(), e.Desk(casekit.System)
			res := try(sys.Inbound(ctx, casekit.InboundMail{Raw: mail(ada, "Printer on fire", "It smokes.\nHelp!")})).get(t)
			c := res.Case
			if res.Action != casekit.InboundOpened || c.Subject != "Printer on fire" || c.Description != "It smokes.\nHelp!" ||
				c.Origin != "email" || c.Contact.Email != "ada@example.com" || c.Contact.Name != "Ada Lovelace" || c.Contact.ID != "" {
				t.Fatalf("result %s, case %+v", res.Action, c)
			}
			adaPortal := e.Desk(casekit.Customer(casekit.EmailContactID("ada@example.com")))
			wantIs(t, errOf(adaPortal.Case(ctx, c.ID)), casekit.ErrNotFound, "an unverified sender's case in that address's portal")
			res = try(sys.Inbound(ctx, casekit.InboundMail{Raw: mail(ada, "Verified", "x"), Verified: true})).get(t)
			wantEqual(t, "email:ada@example.com", res.Case.Contact.ID, "contact ID of a mail the host vouches for")
			try(adaPortal.Case(ctx, res.Case.ID)).get(t)
		}},
		{"a portal link to a case without a customer acts as that case's customer, who sees no other", func(t *testing.T, e *Env) {
			ctx := t.Context()
			res := try(e.Desk(casekit.System).Inbound(ctx, casekit.InboundMail{Raw: mail("ADA@Example.com", "Link me", "x")})).get(t)
			other := try(e.Desk(casekit.System).Inbound(ctx, casekit.InboundMail{Raw: mail("ADA@Example.com", "Another", "y")})).get(t)
			token, _, err := e.Agent().CreatePortalLink(ctx, res.Case.ID, 0)
			must(t, err, "CreatePortalLink for a mailed case")
			c, _, err := e.Desk(casekit.System).OpenPortalLink(ctx, token)
			must(t, err, "OpenPortalLink")
			who := casekit.Customer(casekit.LinkCustomer(c))
			wantEqual(t, casekit.Customer(casekit.CaseCustomer(c.ID)), who, "the link's customer")
			try(e.Desk(who).Case(ctx, c.ID)).get(t)
			wantIs(t, errOf(e.Desk(who).Case(ctx, other.Case.ID)), casekit.ErrNotFound, "the link's customer reading another case of the address")
		}},
		{"a reply by reply address or thread reference joins, reopens the resolved case, clears the assignee, folds the quote", func(t *testing.T, e *Env) {
			ctx, sys := t.Context(), e.Desk(casekit.System)
			c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Printer", Contact: casekit.Contact{Email: "ada@example.com"}, AssigneeID: "agent-9"})
			addr, token := e.replyAddress(t, c.ID)
			try(e.Agent().Resolve(ctx, c.ID, casekit.Resolution{})).get(t)
			body := "Still broken, sorry.\n\nOn Mon, 23 Nov 2026 at 09:00, Help <help@acme.example> wrote:\n> We have resolved case #1.\n> Reply if not.\n"
			res := try(sys.Inbound(ctx, casekit.InboundMail{Raw: mail(ada, "Re: Printer — resolved", body, "n-1@acme.example", "case-"+token+"@acme.example")})).get(t)
			if res.Action != casekit.InboundAppended || res.Case.ID != c.ID {
				t.Fatalf("result %s on %v, want appended to %s", res.Action, res.Case, c.ID)
			}
			if res.Case.Status != casekit.StatusReopened || res.Case.AssigneeID != "" {
				t.Errorf("after the reply: %s, assignee %q; want reopened, unassigned", res.Case.Status, res.Case.AssigneeID)
			}
			// By the address alone, from someone the customer forwarded to,
			// and by the envelope recipient alone.
			res = try(sys.Inbound(ctx, casekit.InboundMail{Raw: mailTo("Colleague <col@example.com>", strings.ToUpper(addr), "Re: Printer", "Me too.")})).get(t)
			wantEqual(t, casekit.InboundAppended, res.Action, "a mail to the reply address")
			res = try(sys.Inbound(ctx, casekit.InboundMail{Raw: mail(ada, "Printer", "Bcc'd."), Recipient: addr})).get(t)
			wantEqual(t, casekit.InboundAppended, res.Action, "a mail with the reply address as envelope recipient")
			msgs := try(e.Agent().Messages(ctx, c.ID)).get(t)
			if len(msgs) != 3 || msgs[0].Body != "Still broken, sorry." || msgs[0].Direction != casekit.Inbound ||
				msgs[0].Channel != casekit.ChannelEmail || msgs[0].From != "ada@example.com" || !msgs[0].Public || msgs[1].From != "col@example.com" {
				t.Fatalf("messages: %+v", msgs)
			}
		}},
		{"[#N], a forged sender or a case ID alone joins nothing: a new case, related to N for its contact", func(t *testing.T, e *Env) {
			ctx, sys := t.Context(), e.Desk(casekit.System)
			c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Invoice", Contact: casekit.Contact{Email: "ada@example.com"}})
			try(e.Agent().AddWatcher(ctx, c.ID, casekit.Watcher{Email: "boss@example.com"})).get(t)
			subject := fmt.Sprintf("Re: [#%d] Invoice", c.Number)
			for _, tc := range []struct {
				from    string
				refs    []string
				related bool
			}{
				{"ADA@example.com", nil, true},
				{"Boss <boss@example.com>", nil, false},
				{"Eve <eve@evil.example>", []string{"case-" + c.ID + "@acme.example"}, false},
				{ada, []string{"case-aaaaaaaaaaaaaaaaaaaaaaaaaa@acme.example"}, true},
			} {
				res := try(sys.Inbound(ctx, casekit.InboundMail{Raw: mail(tc.from, subject, "let me in", tc.refs...)})).get(t)
				if res.Action != casekit.InboundOpened || res.Case.ID == c.ID {
					t.Errorf("from %s: %s on %v, want a case of its own", tc.from, res.Action, res.Case)
					continue
				}
				if got := res.RelatedTo == c.ID; got != tc.related {
					t.Errorf("from %s: related to %q, want related %v", tc.from, res.RelatedTo, tc.related)
				}
				links := try(e.Agent().LinkedCases(ctx, res.Case.ID)).get(t)
				wantEqual(t, tc.related, len(links) == 1, "from %s: the new case is linked", tc.from)
			}
			wantEqual(t, 0, len(try(e.Agent().Messages(ctx, c.ID)).get(t)), "messages on the case")
		}},
		{"a revoked token, or another tenant's, opens a new case", func(t *testing.T, e *Env) {
			ctx, sys := t.Context(), e.Desk(casekit.System)
			c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Mine", Contact: casekit.Contact{Email: "ada@example.com"}})
			addr, token := e.replyAddress(t, c.ID)
			other := NewEnv(t, e.Store)
			must(t, other.Agent().Config().SaveMailSettings(ctx, acmeMail), "UpdateMailSettings in the other tenant")
			res := try(other.Desk(casekit.System).Inbound(ctx, casekit.InboundMail{Raw: mailTo(ada, addr, "Re: Mine", "x", "case-"+token+"@acme.example")})).get(t)
			wantEqual(t, casekit.InboundOpened, res.Action, "another tenant's token")
			wantEqual(t, 1, try(e.Agent().RevokeReplyTokens(ctx, c.ID)).get(t), "tokens revoked")
			wantEqual(t, 0, try(e.Agent().RevokeReplyTokens(ctx, c.ID)).get(t), "tokens revoked twice")
			for _, raw := range [][]byte{mailTo(ada, addr, "Re: Mine", "x"), mail(ada, "Re: Mine", "x", "case-"+token+"@acme.example")} {
				res := try(sys.Inbound(ctx, casekit.InboundMail{Raw: raw})).get(t)
				if res.Action != casekit.InboundOpened || res.Case.ID == c.ID {
					t.Errorf("a revoked token: %s on %v", res.Action, res.Case)
				}
			}
			if next, _ := e.replyAddress(t, c.ID); next == addr {
				t.Errorf("after the revocation the case keeps its address %s", addr)
			}
			wantEqual(t, 0, len(try(e.Agent().Messages(ctx, c.ID)).get(t)), "messages on the case")
		}},
		{"a reply to a closed case opens a follow-up related to it", func(t *testing.T, e *Env) {
			c := e.into(t, openWith(t, e.Agent(), casekit.NewCase{Subject: "Old", Contact: casekit.Contact{Email: "ada@example.com"}}), casekit.StatusClosed)
			addr, _ := e.replyAddress(t, c.ID)
			res := try(e.Desk(casekit.System).Inbound(t.Context(), casekit.InboundMail{Raw: mailTo(ada, addr, fmt.Sprintf("Re: [#%d] Old", c.Number), "again")})).get(t)
			if res.Action != casekit.InboundOpened || res.Case.ID == c.ID || res.RelatedTo != c.ID {
				t.Fatalf("%s on %v related to %q, want a new case related to %s", res.Action, res.Case, res.RelatedTo, c.ID)
			}
			links := try(e.Agent().LinkedCases(t.Context(), c.ID)).get(t)
			if len(links) != 1 || links[0].Link.Kind != casekit.LinkRelated {
				t.Errorf("links of the closed case: %+v", links)
			}
			wantEqual(t, casekit.StatusClosed, e.reload(t, c.ID).Status, "the closed case")
		}},
		{"automatic, own, oversized, mass and unreadable mail writes nothing", func(t *testing.T, e *Env) {
			ctx, sys := t.Context(), e.Desk(casekit.System)
			c := e.open(t, "Existing", "cust-1")
			addr, _ := e.replyAddress(t, c.ID)
			must(t, e.Agent().Config().SaveMailSettings(ctx, casekit.MailSettings{Address: "help@acme.example", OwnAddresses: []string{"noreply@acme.example"}}), "SaveMailSettings")
			before := e.state(t, c.ID)
			count := func() int { return len(try(e.Agent().ListCases(ctx, casekit.CaseFilter{})).get(t).Cases) }
			bounce := "From: MAILER-DAEMON@mx.example\r\nTo: " + addr + "\r\nSubject: Undelivered\r\nMIME-Version: 1.0\r\n" +
				"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n" +
				"--b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b--\r\n"
			for name, tc := range map[string]struct{ raw, reason string }{
				"an out-of-office":          {"From: ada@example.com\r\nTo: " + addr + "\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n\r\nAway.\r\n", "automatic"},
				"a bounce":                  {bounce, "automatic"},
				"bulk precedence":           {"From: news@example.com\r\nSubject: News\r\nPrecedence: bulk\r\n\r\nNews.\r\n", "automatic"},
				"Exchange's suppress":       {"From: x@example.com\r\nSubject: Auto\r\nX-Auto-Response-Suppress: All\r\n\r\nAuto.\r\n", "automatic"},
				"the tenant's own address":  {string(mail("Help <HELP@acme.example>", "Loop", "x")), "own address"},
				"a plus-address of it":      {string(mail("help+x@acme.example", "Loop", "x")), "own address"},
				"one of its own addresses":  {string(mail("noreply@acme.example", "Loop", "x")), "own address"},
				"a reply address as sender": {string(mail(addr, "Loop", "x")), "own address"},
			} {
				res, err := sys.Inbound(ctx, casekit.InboundMail{Raw: []byte(tc.raw)})
				if err != nil || res.Action != casekit.InboundIgnored || res.Reason != tc.reason || res.Case != nil {
					t.Errorf("%s: %+v, %v; want ignored (%s)", name, res, err, tc.reason)
				}
			}
			for name, raw := range map[string]string{"no header": "just text", "no sender": "Subject: x\r\n\r\nbody", "empty": ""} {
				if _, err := sys.Inbound(ctx, casekit.InboundMail{Raw: []byte(raw)}); !errors.Is(err, casekit.ErrMalformedMail) {
					t.Errorf("%s: %v, want ErrMalformedMail", name, err)
				}
			}
			huge := append(mailTo(ada, addr, "Huge", "x"), make([]byte, 40<<20)...)
			wantIs(t, errOf(sys.Inbound(ctx, casekit.InboundMail{Raw: huge})), casekit.ErrMailTooLarge, "a mail over 40 MiB")
			many := make([]string, 500)
			for i := range many {
				many[i] = fmt.Sprintf("r%d@example.com", i)
			}
			wantIs(t, errOf(sys.Inbound(ctx, casekit.InboundMail{Raw: mailTo(ada, addr+", "+strings.Join(many, ", "), "Spam", "x")})), casekit.ErrMailTooLarge, "a mail to 500 recipients")
			wantEqual(t, 1, count(), "cases after refused mail")
			wantUnchanged(t, before, e.state(t, c.ID), "the case after refused mail")
			_, err := e.Desk(casekit.Customer("cust-1")).Inbound(ctx, casekit.InboundMail{Raw: mail(ada, "x", "y")})
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
			res := try(sys.Inbound(ctx, casekit.InboundMail{Raw: withFiles("New with files")})).get(t)
			if res.Action != casekit.InboundOpened || res.Message == nil || len(res.Message.Attachments) != 1 {
				t.Fatalf("opening mail with files: %s, message %+v", res.Action, res.Message)
			}
			wantEqual(t, []string{"setup.exe (type application/vnd.microsoft.portable-executable not accepted)"}, res.SkippedAttachments, "skipped")
			c := openWith(t, kit.Desk(e.Tenant).As(casekit.Agent(AgentID)), casekit.NewCase{Subject: "Reply here", Contact: casekit.Contact{Email: "ada@example.com"}})
			_, token := e.replyAddress(t, c.ID)
			res = try(sys.Inbound(ctx, casekit.InboundMail{Raw: withFiles("Re: files", "case-"+token+"@acme.example")})).get(t)
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
			res := try(e.Desk(casekit.System).Inbound(t.Context(), casekit.InboundMail{Raw: []byte(raw)})).get(t)
			if res.Case.Subject != "Café machine" || res.Case.Description != "Le café est froid." || res.Case.Contact.Name != "José" {
				t.Errorf("case %q %q %q", res.Case.Subject, res.Case.Description, res.Case.Contact.Name)
			}
			wantEqual(t, []string{"facture.pdf (no blob store)"}, res.SkippedAttachments, "skipped attachments without a blob store")
		}},
	})
}
