package casekittest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/fsblob"
)

// testMail checks the mail conversation both ways: who is told of an
// agent's mail and of a customer's reply, with what the mail needs; the
// acknowledgement of a new case and its limits; the mailboxes' routing;
// the mail settings' rules.
func testMail(t *testing.T, newStore StoreFactory) {
	runRecorderTests(t, newStore, []recorderTest{
		{"an agent's public mail goes to the contact, the watchers and its To, with text, files and reply address; nothing internal does", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent()
			c := openWith(t, d, casekit.NewCase{Subject: "Printer", Contact: casekit.Contact{Name: "Ada", Email: "ada@example.com"}, AssigneeID: AgentID})
			addr, token := e.replyAddress(t, c.ID)
			w := try(d.AddWatcher(ctx, c.ID, casekit.Watcher{Email: "boss@example.com"})).get(t)
			e.runDue(t, 0, "before the mail")
			before := e.state(t, c.ID)
			wantRule(t, errOf(d.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "x", To: []string{"not an address"}})), "a bad To", "to[0]", "email")
			wantUnchanged(t, before, e.state(t, c.ID), "after a refused mail")
			try(d.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Internal", Internal: true})).get(t)
			try(d.AddNote(ctx, c.ID, casekit.NewNote{Subject: "diagnosis", Body: "Internal note"})).get(t)
			try(d.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Called her", Channel: casekit.ChannelPhone})).get(t)
			e.runDue(t, 0, "internal messages, notes, and a phone call logged")

			blobs, err := fsblob.New(t.TempDir())
			must(t, err, "fsblob.New")
			bk, err := casekit.New(e.Store, casekit.WithBlobStore(blobs), casekit.WithClock(e.Clock), casekit.WithNotifier(rec))
			must(t, err, "casekit.New")
			bd := bk.Desk(e.Tenant).As(casekit.Agent(AgentID))
			att := try(bd.Upload(ctx, c.ID, "log.txt", "text/plain", strings.NewReader("the log"))).get(t)
			m := try(bd.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Please try this.\nThen tell us.", To: []string{"ADA@example.com", "it@example.com"}, Attachments: []casekit.NewAttachment{*att}})).get(t)
			_, err = bk.RunDue(ctx)
			must(t, err, "RunDue")
			got := rec.Take()
			wantEqual(t, []string{"message.posted -> customer:", "message.posted -> watcher:" + w.ID, "message.posted -> watcher:to:it@example.com"}, who(got), "the mail's recipients")
			for _, n := range got {
				files, _ := n.Data["attachments"].([]any)
				if n.Data["body"] != m.Body || n.Data["reply_to"] != addr || n.Data["reply_token"] != token || len(files) != 1 {
					t.Errorf("to %s: data %v; want the whole text, reply address %s, token and one file", n.Recipient.Email, n.Data, addr)
					continue
				}
				if f, _ := files[0].(map[string]any); f["key"] != att.Key || f["name"] != "log.txt" {
					t.Errorf("to %s: file %v, want %s", n.Recipient.Email, f, att.Key)
				}
			}
		}},
		{"an agent's To and Cc: checked, each address mailed once with the Cc header, never the agent's own; nothing written for a refused one", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent() // agent-1, ann@acme.example in the Directory
			c := openWith(t, d, casekit.NewCase{Subject: "Printer", CustomerID: "cust-1", Contact: casekit.Contact{Name: "Ada", Email: "ada@example.com"}, AssigneeID: AgentID})
			w := try(d.AddWatcher(ctx, c.ID, casekit.Watcher{Email: "boss@example.com"})).get(t)
			e.replyAddress(t, c.ID)
			e.runDue(t, 0, "before the mail")
			many := make([]string, casekit.MaxMailRecipients+1)
			for i := range many {
				many[i] = fmt.Sprintf("u%d@example.com", i)
			}
			for _, tc := range []struct {
				name        string
				desk        *casekit.Desk
				in          casekit.NewMessage
				field, rule string // a refusal on field, with rule
				to, cc      []string
				told        []string
				mailCc      map[string][]string // the Cc header of each recipient's mail
			}{
				{name: "Cc delivered with the header", desk: d, in: casekit.NewMessage{Body: "Copying Carl and Dee.", Cc: []string{"carl@example.com", "dee@example.com"}},
					cc: []string{"carl@example.com", "dee@example.com"},
					told: []string{"message.posted -> customer:cust-1", "message.posted -> watcher:" + w.ID,
						"message.posted -> watcher:cc:carl@example.com", "message.posted -> watcher:cc:dee@example.com"},
					mailCc: map[string][]string{"ada@example.com": {"carl@example.com", "dee@example.com"}, "boss@example.com": {"carl@example.com", "dee@example.com"},
						"carl@example.com": {"dee@example.com"}, "dee@example.com": {"carl@example.com"}}},
				{name: "duplicates collapsed, the contact and watchers mailed once, the agent's own address dropped", desk: d,
					in: casekit.NewMessage{Body: "Once each.", To: []string{" IT@example.com ", "it@example.com", "Ann@Acme.example"},
						Cc: []string{"it@example.com", "Carl@Example.com", "carl@example.com", "BOSS@example.com", "ada@example.com", "ann@acme.example"}},
					to: []string{"it@example.com"}, cc: []string{"carl@example.com", "boss@example.com", "ada@example.com"},
					told: []string{"message.posted -> customer:cust-1", "message.posted -> watcher:" + w.ID,
						"message.posted -> watcher:cc:carl@example.com", "message.posted -> watcher:to:it@example.com"},
					mailCc: map[string][]string{"ada@example.com": {"carl@example.com", "boss@example.com"}, "boss@example.com": {"carl@example.com", "ada@example.com"},
						"carl@example.com": {"boss@example.com", "ada@example.com"}, "it@example.com": {"carl@example.com", "boss@example.com", "ada@example.com"}}},
				{name: "a display name", desk: d, in: casekit.NewMessage{Body: "x", Cc: []string{"ok@example.com", "Eve <eve@example.com>"}}, field: "cc[1]", rule: "email"},
				{name: "a second header smuggled in", desk: d, in: casekit.NewMessage{Body: "x", Cc: []string{"a@example.com\r\nBcc: eve@example.com"}}, field: "cc[0]", rule: "email"},
				{name: "a trailing line break", desk: d, in: casekit.NewMessage{Body: "x", Cc: []string{"a@example.com\n"}}, field: "cc[0]", rule: "email"},
				{name: "two addresses in one", desk: d, in: casekit.NewMessage{Body: "x", To: []string{"a@example.com, eve@example.com"}}, field: "to[0]", rule: "email"},
				{name: "a comment", desk: d, in: casekit.NewMessage{Body: "x", Cc: []string{"a@example.com (Eve)"}}, field: "cc[0]", rule: "email"},
				{name: "not an address", desk: d, in: casekit.NewMessage{Body: "x", Cc: []string{"carl"}}, field: "cc[0]", rule: "email"},
				{name: "more than MaxMailRecipients together", desk: d, in: casekit.NewMessage{Body: "x", To: many[:50], Cc: many[50:]}, field: "cc", rule: "max"},
				{name: "an internal message with Cc", desk: d, in: casekit.NewMessage{Body: "x", Internal: true, Cc: []string{"carl@example.com"}}, field: "cc", rule: "outbound"},
				{name: "an internal message with To", desk: d, in: casekit.NewMessage{Body: "x", Internal: true, To: []string{"carl@example.com"}}, field: "to", rule: "outbound"},
				{name: "a phone call logged with Cc", desk: d, in: casekit.NewMessage{Body: "x", Channel: casekit.ChannelPhone, Cc: []string{"carl@example.com"}}, field: "cc", rule: "outbound"},
				{name: "an inbound message with Cc", desk: d, in: casekit.NewMessage{Body: "x", Direction: casekit.Inbound, Cc: []string{"carl@example.com"}}, field: "cc", rule: "outbound"},
				{name: "a customer's Cc", desk: e.Desk(casekit.Customer("cust-1")), in: casekit.NewMessage{Body: "x", Cc: []string{"carl@example.com"}}, field: "cc", rule: "outbound"},
				{name: "a customer's To", desk: e.Desk(casekit.Customer("cust-1")), in: casekit.NewMessage{Body: "x", To: []string{"carl@example.com"}}, field: "to", rule: "outbound"},
			} {
				before := e.state(t, c.ID)
				m, err := tc.desk.PostMessage(ctx, c.ID, tc.in)
				_, rerr := e.Kit.RunDue(ctx)
				must(t, rerr, "RunDue (%s)", tc.name)
				got := rec.Take()
				if tc.field != "" {
					wantRule(t, err, tc.name, tc.field, tc.rule)
					wantUnchanged(t, before, e.state(t, c.ID), "%s", tc.name)
					wantEqual(t, []string{}, who(got), "%s: told", tc.name)
					continue
				}
				must(t, err, "PostMessage (%s)", tc.name)
				for _, stored := range []*casekit.Message{m, messageOf(t, e, c.ID, m.ID)} {
					wantEqual(t, tc.to, stored.To, "%s: the message's To", tc.name)
					wantEqual(t, tc.cc, stored.Cc, "%s: the message's Cc", tc.name)
				}
				wantEqual(t, tc.told, who(got), "%s: told", tc.name)
				for _, n := range got {
					cc, _ := stringList(n.Data["mail_cc"])
					wantEqual(t, tc.mailCc[n.Recipient.Email], cc, "%s: the Cc header of the mail to %s", tc.name, n.Recipient.Email)
				}
			}
		}},
		{"a reply by mail, portal or API tells the assignee, or the team when unassigned; never its writer", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, []string{"team-a"}, casekit.Queue{ID: "qa", Name: "A", TeamID: "team-a"})
			c := openWith(t, d, casekit.NewCase{Subject: "Printer", CustomerID: "cust-1", QueueID: "qa", AssigneeID: "agent-2", Contact: casekit.Contact{Email: "ada@example.com"}})
			addr, _ := e.replyAddress(t, c.ID)
			try(d.AddWatcher(ctx, c.ID, casekit.Watcher{Email: "boss@example.com"})).get(t)
			rec.Take()
			e.runDue(t, 1, "opened with an assignee")
			wantEqual(t, []string{"case.opened -> agent:agent-2"}, who(rec.Take()), "opened with an assignee")
			for _, tc := range []struct {
				name string
				post func()
				want []string
			}{
				{"the customer by mail", func() {
					try(e.Desk(casekit.System).Inbound(ctx, casekit.InboundMail{Raw: mailTo("ada@example.com", addr, "Re: Printer", "By mail.")})).get(t)
				}, []string{"message.posted -> agent:agent-2"}},
				{"a watcher by mail", func() {
					try(e.Desk(casekit.System).Inbound(ctx, casekit.InboundMail{Raw: mailTo("boss@example.com", addr, "Re: Printer", "Any news?")})).get(t)
				}, []string{"message.posted -> agent:agent-2"}},
				{"the customer in the portal", func() {
					try(e.Desk(casekit.Customer("cust-1")).PostMessage(ctx, c.ID, casekit.NewMessage{Body: "In the portal."})).get(t)
				}, []string{"message.posted -> agent:agent-2"}},
				{"an agent logging the customer's call through the API", func() {
					try(d.PostMessage(ctx, c.ID, casekit.NewMessage{Direction: casekit.Inbound, Channel: casekit.ChannelPhone, Body: "She called."})).get(t)
				}, []string{"message.posted -> agent:agent-2"}},
				{"the assignee logging it", func() {
					try(e.Desk(casekit.Agent("agent-2")).PostMessage(ctx, c.ID, casekit.NewMessage{Direction: casekit.Inbound, Channel: casekit.ChannelPhone, Body: "Again."})).get(t)
				}, nil},
				{"the customer when nobody is assigned", func() {
					try(d.Assign(ctx, c.ID, casekit.Assignment{Agent: AgentID})).get(t)
					try(d.SetStatus(ctx, c.ID, casekit.StatusWaiting)).get(t)
					rec.Take()
					e.runDue(t, 2, "assigned and waiting") // the customer and the watcher hear of the wait
					rec.Take()
					try(e.Desk(casekit.System).Inbound(ctx, casekit.InboundMail{Raw: mailTo("ada@example.com", addr, "Re: Printer", "Here it is.")})).get(t)
				}, []string{"message.posted -> agent:agent-1", "message.posted -> agent:agent-2"}},
			} {
				tc.post()
				_, err := e.Kit.RunDue(ctx)
				must(t, err, "RunDue")
				wantEqual(t, tc.want, who(rec.Take()), "%s", tc.name)
			}
			wantEqual(t, casekit.StatusReopened, e.reload(t, c.ID).Status, "the waiting case after the reply")
		}},
		{"a new case is acknowledged by origin, never to lists or the tenant, at most the limit per address and hour", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, sys := t.Context(), e.Desk(casekit.System)
			must(t, e.Agent().Config().SaveMailSettings(ctx, casekit.MailSettings{Address: "help@acme.example", AckLimit: 2}), "SaveMailSettings")
			acks := func(what string) []casekit.Notification {
				t.Helper()
				_, err := e.Kit.RunDue(ctx)
				must(t, err, "RunDue (%s)", what)
				var out []casekit.Notification
				for _, n := range rec.Take() {
					if n.Recipient.Kind == casekit.RecipientCustomer {
						out = append(out, n)
					}
				}
				return out
			}
			raw := mail("Ada <ada@example.com>", "Printer", "Help")
			res := try(sys.Inbound(ctx, casekit.InboundMail{Raw: raw})).get(t)
			got := acks("a mail")
			if len(got) != 1 || got[0].Event != casekit.EventCaseOpened || got[0].Data["acknowledgement"] != true || got[0].Recipient.Email != "ada@example.com" ||
				got[0].Data["mail_in_reply_to"] != fmt.Sprintf("%d@mail.example", len("Help")+len("Printer")) || !strings.HasPrefix(fmt.Sprint(got[0].Data["reply_to"]), "help+") {
				t.Fatalf("acknowledgement of a mail: %+v", got)
			}
			token := got[0].Data["reply_token"].(string)
			reply := try(sys.Inbound(ctx, casekit.InboundMail{Raw: mailTo("Ada <ada@example.com>", "help+"+token+"@acme.example", "Re: Printer", "More")})).get(t)
			wantEqual(t, res.Case.ID, reply.Case.ID, "a reply to the acknowledgement")
			wantEqual(t, 0, len(acks("a reply")), "acknowledgements of a reply")
			try(sys.Inbound(ctx, casekit.InboundMail{Raw: mail("ADA@example.com", "Second", "x")})).get(t)
			wantEqual(t, 1, len(acks("a second mail in the hour")), "acknowledgements of the second mail")
			try(sys.Inbound(ctx, casekit.InboundMail{Raw: mail("ada@example.com", "Third", "x")})).get(t)
			wantEqual(t, 0, len(acks("a third mail in the hour")), "acknowledgements past the limit")
			e.Clock.Advance(61 * time.Minute)
			try(sys.Inbound(ctx, casekit.InboundMail{Raw: mail("ada@example.com", "Next hour", "x")})).get(t)
			wantEqual(t, 1, len(acks("an hour later")), "acknowledgements an hour later")
			e.InTx(t, func(ctx context.Context, tx store.Tx) error {
				n, err := tx.CountMailAcks(ctx, "ada@example.com", time.Time{})
				wantEqual(t, 1, n, "acknowledgements kept after an hour (the earlier hour's dropped)")
				return err
			})
			list := "From: bob@example.com\r\nSubject: Digest\r\nList-Id: <users.lists.example>\r\n\r\nDigest.\r\n"
			wantEqual(t, casekit.InboundOpened, try(sys.Inbound(ctx, casekit.InboundMail{Raw: []byte(list)})).get(t).Action, "a list's mail")
			wantEqual(t, 0, len(acks("a list's mail")), "acknowledgements of a list's mail")

			form := casekit.Submission{IdempotencyKey: "k", Fields: map[string]string{"subject": "Form", "email": "carl@example.com"}}
			try(sys.Intake(ctx, form)).get(t)
			wantEqual(t, 1, len(acks("a web form")), "acknowledgements of a web form")
			try(e.Agent().OpenCase(ctx, casekit.NewCase{Subject: "Phoned in", Contact: casekit.Contact{Email: "dan@example.com"}})).get(t)
			wantEqual(t, 0, len(acks("a case opened through the API")), "acknowledgements of an API case by default")
			try(e.Agent().OpenCase(ctx, casekit.NewCase{Subject: "Ours", Contact: casekit.Contact{Email: "help@acme.example"}})).get(t)
			must(t, e.Agent().Config().SaveMailSettings(ctx, casekit.MailSettings{Address: "help@acme.example", Acknowledge: []string{"api"}}), "SaveMailSettings")
			try(e.Agent().OpenCase(ctx, casekit.NewCase{Subject: "Phoned in", Contact: casekit.Contact{Email: "dan@example.com"}})).get(t)
			try(e.Agent().OpenCase(ctx, casekit.NewCase{Subject: "Ours", Contact: casekit.Contact{Email: "help+x@acme.example"}})).get(t)
			try(sys.Inbound(ctx, casekit.InboundMail{Raw: mail("eve@example.com", "Mail", "x")})).get(t)
			got = acks("with only the API acknowledged")
			if len(got) != 1 || got[0].Recipient.Email != "dan@example.com" {
				t.Errorf("with only the API acknowledged: %v", who(got))
			}
		}},
		{"an agent's reopen tells the assignee or the team", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, []string{"team-a"})
			c := openWith(t, d, casekit.NewCase{Subject: "Lift", CustomerID: "cust-1", TeamID: "team-a", AssigneeID: "agent-2"})
			try(d.Resolve(ctx, c.ID, casekit.Resolution{})).get(t)
			rec.Take()
			e.runDue(t, 2, "opened and resolved")
			rec.Take()
			try(d.Reopen(ctx, c.ID, casekit.Reopening{Reason: "not_fixed", Note: "again"})).get(t)
			_, err := e.Kit.RunDue(ctx)
			must(t, err, "RunDue")
			var got []string
			for _, s := range who(rec.Take()) {
				if strings.HasPrefix(s, "case.reopened") {
					got = append(got, s)
				}
			}
			wantEqual(t, []string{"case.reopened -> agent:agent-2"}, got, "an agent's reopen")
		}},
		{"a mailbox sends its mail to its queue, whose team is told; the settings are checked", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d, sys := t.Context(), e.Agent(), e.Desk(casekit.System)
			e.places(t, []string{"team-a", "team-b"}, casekit.Queue{ID: "sales", Name: "Sales", TeamID: "team-b"}, casekit.Queue{ID: "help", Name: "Help", TeamID: "team-a"})
			for _, tc := range []struct {
				s            casekit.MailSettings
				field, rule  string
				settingsWhat string
			}{
				{casekit.MailSettings{Address: "not an address"}, "address", "email", "a bad address"},
				{casekit.MailSettings{ReplyAddress: "reply@acme.example"}, "reply_address", "token", "a reply form without {token}"},
				{casekit.MailSettings{ReplyAddress: "{token}{token}@acme.example"}, "reply_address", "token", "a reply form with {token} twice"},
				{casekit.MailSettings{ReplyAddress: "reply {token}"}, "reply_address", "email", "a reply form that makes no address"},
				{casekit.MailSettings{Mailboxes: []casekit.Mailbox{{Address: "x@acme.example", QueueID: "nope"}}}, "mailboxes[0].queue_id", "known", "an unknown queue"},
				{casekit.MailSettings{AckLimit: -1}, "ack_limit", "min", "a negative limit"},
			} {
				wantRule(t, d.Config().SaveMailSettings(ctx, tc.s), tc.settingsWhat, tc.field, tc.rule)
			}
			wantEqual(t, casekit.MailSettings{Acknowledge: casekit.DefaultAcknowledge, AckLimit: casekit.DefaultAckLimit}, try(d.Config().MailSettings(ctx)).get(t), "settings after refused updates")
			s := casekit.MailSettings{Address: "Help@Acme.example", ReplyAddress: "r-{token}@in.acme.example",
				Mailboxes: []casekit.Mailbox{{Address: "sales@acme.example", QueueID: "sales"}, {Address: "help@acme.example", QueueID: "help"}}}
			must(t, d.Config().SaveMailSettings(ctx, s), "SaveMailSettings")
			got := try(d.Config().MailSettings(ctx)).get(t)
			if got.Address != "help@acme.example" || got.ReplyAddress != "r-{token}@in.acme.example" || len(got.Mailboxes) != 2 {
				t.Errorf("settings: %+v", got)
			}
			rec.Take()
			for _, tc := range []struct {
				raw       []byte
				recipient string
				queue     string
				told      []string
			}{
				{mailTo("ada@example.com", "Sales <sales+de@acme.example>", "Offer", "x"), "", "sales", []string{"case.opened -> agent:agent-3"}},
				{mail("ada@example.com", "Help", "x"), "", "help", []string{"case.opened -> agent:agent-1", "case.opened -> agent:agent-2"}},
				{mail("ada@example.com", "Bcc to sales", "x"), "SALES@acme.example", "sales", []string{"case.opened -> agent:agent-3"}},
				{append([]byte("Delivered-To: sales@acme.example\r\n"), mailTo("ada@example.com", "list@example.com", "Via a list", "x")...), "", "sales", []string{"case.opened -> agent:agent-3"}},
				{mailTo("ada@example.com", "other@acme.example", "Elsewhere", "x"), "", "", nil},
			} {
				res := try(sys.Inbound(ctx, casekit.InboundMail{Raw: tc.raw, Recipient: tc.recipient})).get(t)
				wantEqual(t, tc.queue, res.Case.QueueID, "queue of %q", res.Case.Subject)
				_, err := e.Kit.RunDue(ctx)
				must(t, err, "RunDue")
				var agents []string
				for _, s := range who(rec.Take()) {
					if !strings.Contains(s, "customer:") {
						agents = append(agents, s)
					}
				}
				wantEqual(t, tc.told, agents, "told of %q", res.Case.Subject)
			}
			addr := try(d.ReplyAddress(ctx, try(d.ListCases(ctx, casekit.CaseFilter{})).get(t).Cases[0].ID)).get(t)
			if !strings.HasPrefix(addr, "r-") || !strings.HasSuffix(addr, "@in.acme.example") {
				t.Errorf("reply address %q, want the tenant's form", addr)
			}
			res := try(sys.Inbound(ctx, casekit.InboundMail{Raw: mailTo("x@example.com", addr, "Re", "joins")})).get(t)
			wantEqual(t, casekit.InboundAppended, res.Action, "a mail to the tenant's form of reply address")
		}},
		{"an address becomes an identity only when verified: by a mailed link opened, or the host vouching", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d, sys := t.Context(), e.Agent(), e.Desk(casekit.System)
			adaPortal := e.Desk(casekit.Customer(casekit.EmailContactID("ada@example.com")))
			c := try(sys.Inbound(ctx, casekit.InboundMail{Raw: mail("Ada <ada@example.com>", "Printer", "x")})).get(t).Case
			plain, _, err := d.CreatePortalLink(ctx, c.ID, 0)
			must(t, err, "CreatePortalLink")
			_, _, err = sys.OpenPortalLink(ctx, plain)
			must(t, err, "OpenPortalLink of a link not mailed")
			wantIs(t, errOf(adaPortal.Case(ctx, c.ID)), casekit.ErrNotFound, "the case after a link made, not mailed, was opened")
			rec.Take()
			e.runDue(t, 1, "the acknowledgement")
			rec.Take()
			l := try(d.MailPortalLink(ctx, c.ID, 0)).get(t)
			_, err = e.Kit.RunDue(ctx)
			must(t, err, "RunDue")
			got := rec.Take()
			if len(got) != 1 || got[0].Event != casekit.EventPortalLinkMailed || got[0].Recipient.Email != "ada@example.com" || got[0].Data["link_id"] != l.ID {
				t.Fatalf("the mailed link: %+v", got)
			}
			token, _ := got[0].Data["portal_token"].(string)
			wantIs(t, errOf(adaPortal.Case(ctx, c.ID)), casekit.ErrNotFound, "the case before the mailed link is opened")
			for _, ev := range e.history(t, c.ID) {
				if strings.Contains(fmt.Sprint(ev.Data), token) {
					t.Errorf("the link's token stands in the history: %s %v", ev.Type, ev.Data)
				}
			}
			opened, _, err := sys.OpenPortalLink(ctx, token)
			must(t, err, "OpenPortalLink of the mailed link")
			wantEqual(t, casekit.EmailContactID("ada@example.com"), opened.Contact.ID, "the contact after the mailed link was opened")
			try(adaPortal.Case(ctx, c.ID)).get(t)
			eventOf(t, e.history(t, c.ID), casekit.EventContactVerified)

			other := try(sys.Inbound(ctx, casekit.InboundMail{Raw: mail("Bob <bob@example.com>", "Lift", "x")})).get(t).Case
			wantEqual(t, casekit.EmailContactID("bob@example.com"), try(d.VerifyContact(ctx, other.ID)).get(t).Contact.ID, "a contact the host vouches for")
			none := openWith(t, d, casekit.NewCase{Subject: "No address"})
			wantRule(t, errOf(d.MailPortalLink(ctx, none.ID, 0)), "a link for a case without an address", "contact.email", "required")
			wantRule(t, errOf(d.VerifyContact(ctx, none.ID)), "verifying a case without an address", "contact.email", "required")
			quiet := NewEnv(t, e.Store)
			qc := openWith(t, quiet.Agent(), casekit.NewCase{Subject: "x", Contact: casekit.Contact{Email: "ada@example.com"}})
			wantIs(t, errOf(quiet.Agent().MailPortalLink(ctx, qc.ID, 0)), casekit.ErrNoNotifier, "a mailed link without a notifier")
		}},
	})
}

// messageOf reads message id of case caseID straight from the store.
func messageOf(t testing.TB, e *Env, caseID, id string) *casekit.Message {
	t.Helper()
	var out *casekit.Message
	e.InTx(t, func(ctx context.Context, tx store.Tx) error {
		m, err := tx.Message(ctx, id)
		out = m
		return err
	})
	if out == nil || out.CaseID != caseID {
		t.Fatalf("message %s of case %s: %+v", id, caseID, out)
	}
	return out
}
