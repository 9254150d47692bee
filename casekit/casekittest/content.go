package casekittest

import (
	"slices"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

func testContent(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"CaseView reads what the case's own reads give, for staff and for its customer", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			c, other := e.open(t, "Viewed", "cust-1"), e.open(t, "Linked", "cust-1")
			foreign := e.open(t, "Someone else's", "cust-2")
			try(d.PostMessage(ctx, c.ID, casekit.NewMessage{Direction: casekit.Outbound, Body: "public reply"})).get(t)
			try(d.PostMessage(ctx, c.ID, casekit.NewMessage{Direction: casekit.Outbound, Body: "internal", Internal: true})).get(t)
			try(d.AddNote(ctx, c.ID, casekit.NewNote{Subject: "general", Body: "public note", Public: true})).get(t)
			try(d.AddNote(ctx, c.ID, casekit.NewNote{Subject: "general", Body: "internal note"})).get(t)
			try(d.AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityCall, Subject: "told", NotifyContact: true})).get(t)
			try(d.AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityTask, Subject: "not told"})).get(t)
			for _, to := range []string{other.ID, foreign.ID} {
				try(d.LinkCases(ctx, casekit.NewLink{Kind: casekit.LinkRelated, FromID: c.ID, ToID: to})).get(t)
			}
			for _, who := range []*casekit.Desk{d, e.Desk(casekit.Customer("cust-1"))} {
				v := try(who.CaseView(ctx, c.ID)).get(t)
				wantEqual(t, try(who.Case(ctx, c.ID)).get(t), v.Case, "CaseView's case")
				wantEqual(t, try(who.Messages(ctx, c.ID)).get(t), v.Messages, "CaseView's messages")
				wantEqual(t, try(who.Notes(ctx, c.ID)).get(t), v.Notes, "CaseView's notes")
				wantEqual(t, try(who.Activities(ctx, c.ID)).get(t), v.Activities, "CaseView's activities")
				wantEqual(t, try(who.LinkedCases(ctx, c.ID)).get(t), v.Linked, "CaseView's linked cases")
			}
			cust := try(e.Desk(casekit.Customer("cust-1")).CaseView(ctx, c.ID)).get(t)
			if len(cust.Messages) != 1 || len(cust.Notes) != 1 || len(cust.Activities) != 1 || len(cust.Linked) != 1 {
				t.Errorf("the customer's view: %d messages, %d notes, %d activities, %d linked; want one public of each",
					len(cust.Messages), len(cust.Notes), len(cust.Activities), len(cust.Linked))
			}
			staff := try(d.CaseView(ctx, c.ID)).get(t)
			if len(staff.Messages) != 2 || len(staff.Notes) != 2 || len(staff.Activities) != 2 || len(staff.Linked) != 2 {
				t.Errorf("the agent's view: %d messages, %d notes, %d activities, %d linked; want two of each",
					len(staff.Messages), len(staff.Notes), len(staff.Activities), len(staff.Linked))
			}
			_, err := e.Desk(casekit.Customer("cust-2")).CaseView(ctx, c.ID)
			wantIs(t, err, casekit.ErrNotFound, "another customer's CaseView")
		}},
		{"AddNote stores internal and public notes with attachments", func(t *testing.T, e *Env) {
			ctx := t.Context()
			e, _ = e.withBlobs(t)
			c := e.open(t, "Notes", "cust-1")
			manual := *try(e.Agent().Upload(ctx, c.ID, "manual.pdf", "application/pdf", strings.NewReader("%PDF-1.4 manual"))).get(t)
			empty := *try(e.Agent().Upload(ctx, c.ID, "empty.txt", "text/plain", strings.NewReader(""))).get(t)
			other := e.open(t, "Other", "cust-1")
			try(e.Agent().AddNote(ctx, other.ID, casekit.NewNote{Subject: "general", Body: "elsewhere"})).get(t)
			at1 := e.Tick()
			internal := try(e.Desk(casekit.Agent("agent-2")).AddNote(ctx, c.ID, casekit.NewNote{Subject: "diagnosis", Body: "Toner empty"})).get(t)
			at2 := e.Tick()
			public := try(e.Agent().AddNote(ctx, c.ID, casekit.NewNote{
				Subject: "solution", Body: "Replace the toner", Public: true,
				Attachments: []casekit.NewAttachment{manual, empty},
			})).get(t)
			wantInternal := &casekit.Note{ID: internal.ID, CaseID: c.ID, Subject: "diagnosis", Body: "Toner empty", CreatedBy: casekit.Agent("agent-2"), CreatedAt: at1}
			wantPublic := &casekit.Note{ID: public.ID, CaseID: c.ID, Subject: "solution", Body: "Replace the toner", Public: true, CreatedBy: casekit.Agent(AgentID), CreatedAt: at2}
			if len(public.Attachments) == 2 {
				for i, a := range public.Attachments {
					if a.ID == "" || (i == 1 && a.ID == public.Attachments[0].ID) {
						t.Errorf("attachment %d has ID %q, want a unique one", i, a.ID)
					}
				}
				wantPublic.Attachments = []casekit.Attachment{
					{ID: public.Attachments[0].ID, CaseID: c.ID, Name: "manual.pdf", ContentType: "application/pdf", Size: 15, Key: manual.Key, CreatedAt: at2},
					{ID: public.Attachments[1].ID, CaseID: c.ID, Name: "empty.txt", ContentType: "text/plain", Size: 0, Key: empty.Key, CreatedAt: at2},
				}
			} else {
				t.Errorf("AddNote returned %d attachments, want 2", len(public.Attachments))
			}
			wantEqual(t, wantInternal, internal, "internal note")
			wantEqual(t, wantPublic, public, "public note")
			wantEqual(t, []*casekit.Note{wantInternal, wantPublic}, try(e.Agent().Notes(ctx, c.ID)).get(t), "Notes (oldest first, with attachments)")
			evs := e.history(t, c.ID)
			ev := evs[len(evs)-1]
			wantEvent(t, ev, casekit.EventNoteAdded, casekit.Agent(AgentID), at2)
			if n, _ := number(ev.Data["attachments"]); str(ev, "note_id") != public.ID || ev.Data["public"] != true || n != 2 {
				t.Errorf("note.added data = %v", ev.Data)
			}
			wantIs(t, errOf(e.Agent().Notes(ctx, fakeFixture().CaseID)), casekit.ErrNotFound, "Notes(unknown case)")
		}},
		{"AddNote needs a subject from the lookup", func(t *testing.T, e *Env) {
			c := e.open(t, "Notes", "cust-1")
			before := e.state(t, c.ID)
			for _, tc := range []struct {
				name, field, rule string
				in                casekit.NewNote
			}{
				{"no subject", "subject", "required", casekit.NewNote{Body: "b"}},
				{"unknown subject", "subject", "known", casekit.NewNote{Subject: "gossip", Body: "b"}},
				{"no body", "body", "required", casekit.NewNote{Subject: "general"}},
				{"attachment without a key", "attachments[0].key", "required", casekit.NewNote{Subject: "general", Body: "b", Attachments: []casekit.NewAttachment{{Name: "a", ContentType: "text/plain"}}}},
				{"attachment never uploaded", "attachments[0].key", "upload", casekit.NewNote{Subject: "general", Body: "b", Attachments: []casekit.NewAttachment{{Name: "a", ContentType: "text/plain", Key: c.ID + "/k"}}}},
			} {
				wantRule(t, errOf(e.Agent().AddNote(t.Context(), c.ID, tc.in)), "AddNote with "+tc.name, tc.field, tc.rule)
			}
			wantUnchanged(t, before, e.state(t, c.ID), "after refused AddNote calls")
			wantIs(t, errOf(e.Agent().AddNote(t.Context(), fakeFixture().CaseID, casekit.NewNote{Subject: "general", Body: "b"})), casekit.ErrNotFound, "AddNote(unknown case)")
		}},
		{"PostMessage is outbound by e-mail and public unless told otherwise", func(t *testing.T, e *Env) {
			ctx := t.Context()
			e, _ = e.withBlobs(t)
			c := e.open(t, "Messages", "cust-1")
			label := *try(e.Agent().Upload(ctx, c.ID, "label.png", "image/png", strings.NewReader("\x89PNG\r\n\x1a\nlabel"))).get(t)
			at := e.Tick()
			m := try(e.Desk(casekit.Agent("agent-2")).PostMessage(ctx, c.ID, casekit.NewMessage{
				From: "support@example.com", To: []string{"ada@example.com", "cc@example.com"}, Subject: "Re: printer", Body: "We are on it",
				Attachments: []casekit.NewAttachment{label},
			})).get(t)
			want := &casekit.Message{
				ID: m.ID, CaseID: c.ID, Direction: casekit.Outbound, Channel: casekit.ChannelEmail,
				From: "support@example.com", To: []string{"ada@example.com", "cc@example.com"}, Subject: "Re: printer", Body: "We are on it",
				Public: true, CreatedBy: casekit.Agent("agent-2"), CreatedAt: at,
			}
			if len(m.Attachments) == 1 {
				want.Attachments = []casekit.Attachment{{ID: m.Attachments[0].ID, CaseID: c.ID, Name: "label.png", ContentType: "image/png", Size: 13, Key: label.Key, CreatedAt: at}}
			} else {
				t.Errorf("PostMessage returned %d attachments, want 1", len(m.Attachments))
			}
			wantEqual(t, want, m, "PostMessage result")
			wantEqual(t, []*casekit.Message{want}, try(e.Agent().Messages(ctx, c.ID)).get(t), "Messages")
			evs := e.history(t, c.ID)
			ev := evs[len(evs)-1]
			wantEvent(t, ev, casekit.EventMessagePosted, casekit.Agent("agent-2"), at)
			if str(ev, "message_id") != m.ID || str(ev, "direction") != "outbound" || str(ev, "channel") != "email" || ev.Data["public"] != true {
				t.Errorf("message.posted data = %v", ev.Data)
			}
			wantIs(t, errOf(e.Agent().Messages(ctx, fakeFixture().CaseID)), casekit.ErrNotFound, "Messages(unknown case)")
			wantIs(t, errOf(e.Agent().PostMessage(ctx, fakeFixture().CaseID, casekit.NewMessage{Body: "x"})), casekit.ErrNotFound, "PostMessage(unknown case)")
		}},
		{"an internal message is not public and is no first response", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Messages", "cust-1")
			m := try(e.Agent().PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Forwarding to a colleague", Internal: true, Channel: casekit.ChannelChat})).get(t)
			if m.Public || m.Direction != casekit.Outbound || m.Channel != casekit.ChannelChat {
				t.Errorf("internal message: public %v, direction %s, channel %s", m.Public, m.Direction, m.Channel)
			}
			if got := e.reload(t, c.ID); got.FirstResponseAt != nil {
				t.Errorf("an internal message set FirstResponseAt to %v", got.FirstResponseAt)
			}
			if ms := try(e.Agent().Messages(ctx, c.ID)).get(t); len(ms) != 1 || ms[0].Public {
				t.Errorf("Messages = %d messages, want the internal one, not public", len(ms))
			}
		}},
		{"the first public outbound message sets FirstResponseAt", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Messages", "cust-1")
			try(e.Agent().PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Customer mail", Direction: casekit.Inbound})).get(t)
			if got := e.reload(t, c.ID); got.FirstResponseAt != nil {
				t.Errorf("an inbound message set FirstResponseAt")
			}
			at := e.Tick()
			try(e.Agent().PostMessage(ctx, c.ID, casekit.NewMessage{Body: "First answer"})).get(t)
			wantTime(t, e.reload(t, c.ID).FirstResponseAt, at, "FirstResponseAt after the first answer")
			e.Tick()
			try(e.Agent().PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Second answer", Channel: casekit.ChannelPhone})).get(t)
			wantTime(t, e.reload(t, c.ID).FirstResponseAt, at, "FirstResponseAt after a later answer")
		}},
		{"InReplyTo names a message of the same case", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Thread", "cust-1")
			other := e.open(t, "Other thread", "cust-1")
			first := try(e.Agent().PostMessage(ctx, c.ID, casekit.NewMessage{Body: "First"})).get(t)
			elsewhere := try(e.Agent().PostMessage(ctx, other.ID, casekit.NewMessage{Body: "Elsewhere"})).get(t)
			reply := try(e.Agent().PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Reply", Direction: casekit.Inbound, InReplyTo: first.ID})).get(t)
			if reply.InReplyTo != first.ID {
				t.Errorf("reply InReplyTo = %q, want %q", reply.InReplyTo, first.ID)
			}
			ms := try(e.Agent().Messages(ctx, c.ID)).get(t)
			if len(ms) != 2 || ms[1].InReplyTo != first.ID {
				t.Errorf("stored thread = %d messages, want the reply to name the first", len(ms))
			}
			before := e.state(t, c.ID)
			for _, id := range []string{elsewhere.ID, fakeFixture().MessageID, "not-a-message"} {
				wantRule(t, errOf(e.Agent().PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Reply", InReplyTo: id})), "PostMessage in reply to "+id, "in_reply_to", "known")
			}
			wantUnchanged(t, before, e.state(t, c.ID), "after refused replies")
		}},
		{"a customer's reply reopens a waiting or resolved case and clears the assignee", func(t *testing.T, e *Env) {
			ctx := t.Context()
			e.places(t, []string{"team-1"}, casekit.Queue{ID: "queue-1", Name: "First"})
			for _, from := range []string{casekit.StatusWaiting, casekit.StatusResolved} {
				c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Reply on " + from, CustomerID: "cust-1", AssigneeID: "agent-9", TeamID: "team-1", QueueID: "queue-1"})
				c = e.into(t, c, from)
				at := e.Tick()
				m := try(e.Desk(casekit.Customer("cust-1")).PostMessage(ctx, c.ID, casekit.NewMessage{Body: "It is still broken"})).get(t)
				got := e.reload(t, c.ID)
				if got.Status != casekit.StatusReopened || got.AssigneeID != "" || got.QueueID != "queue-1" || got.TeamID != "team-1" || got.ResolvedAt != nil {
					t.Errorf("after a customer reply on a %s case: status %q, assignee %q, queue %q, team %q, resolved at %v; want reopened, none, queue-1, team-1, none",
						from, got.Status, got.AssigneeID, got.QueueID, got.TeamID, got.ResolvedAt)
				}
				evs := e.history(t, c.ID)
				tail := evs[len(evs)-2:]
				if !slices.Equal(types(tail), []casekit.EventType{casekit.EventMessagePosted, casekit.EventReopened}) {
					t.Fatalf("history ends %v, want message.posted, case.reopened", types(tail))
				}
				ev := tail[1]
				wantEvent(t, ev, casekit.EventReopened, casekit.Customer("cust-1"), at)
				if str(ev, "reason") != "customer_reply" || str(ev, "message_id") != m.ID || str(ev, "unassigned") != "agent-9" || str(ev, "from") != from {
					t.Errorf("case.reopened data = %v, want reason customer_reply, the message, unassigned agent-9, from %s", ev.Data, from)
				}
			}
		}},
		{"an inbound message an agent logs reopens a waiting case too", func(t *testing.T, e *Env) {
			c := e.into(t, e.open(t, "Mail", "cust-1"), casekit.StatusWaiting)
			try(e.Agent().PostMessage(t.Context(), c.ID, casekit.NewMessage{Body: "Customer mail", Direction: casekit.Inbound})).get(t)
			if got := e.reload(t, c.ID); got.Status != casekit.StatusReopened {
				t.Errorf("after an inbound message on a waiting case: status %q, want reopened", got.Status)
			}
		}},
		{"a customer's reply on an active case keeps its status and assignee", func(t *testing.T, e *Env) {
			for _, from := range []string{casekit.StatusNew, casekit.StatusInProgress, casekit.StatusReopened} {
				c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Active " + from, CustomerID: "cust-1", AssigneeID: "agent-9"})
				c = e.into(t, c, from)
				try(e.Desk(casekit.Customer("cust-1")).PostMessage(t.Context(), c.ID, casekit.NewMessage{Body: "Hi"})).get(t)
				if got := e.reload(t, c.ID); got.Status != from || got.AssigneeID != "agent-9" {
					t.Errorf("after a customer reply on a %s case: status %q, assignee %q", from, got.Status, got.AssigneeID)
				}
			}
		}},
		{"a closed case refuses a customer's reply", func(t *testing.T, e *Env) {
			c := e.into(t, e.open(t, "Closed", "cust-1"), casekit.StatusClosed)
			before := e.state(t, c.ID)
			wantIs(t, errOf(e.Desk(casekit.Customer("cust-1")).PostMessage(t.Context(), c.ID, casekit.NewMessage{Body: "Hello?"})), casekit.ErrReadOnly, "customer reply on a closed case")
			wantUnchanged(t, before, e.state(t, c.ID), "after the refused reply")
		}},
		{"PostMessage refuses bad input", func(t *testing.T, e *Env) {
			c := e.open(t, "Messages", "cust-1")
			before := e.state(t, c.ID)
			for _, tc := range []struct {
				name, field string
				in          casekit.NewMessage
			}{
				{"no body", "body", casekit.NewMessage{}},
				{"unknown direction", "direction", casekit.NewMessage{Body: "b", Direction: "sideways"}},
				{"unknown channel", "channel", casekit.NewMessage{Body: "b", Channel: "pigeon"}},
				{"subject too long", "subject", casekit.NewMessage{Body: "b", Subject: strings.Repeat("s", 301)}},
				{"attachment never uploaded", "attachments[0].key", casekit.NewMessage{Body: "b", Attachments: []casekit.NewAttachment{{Name: "a", Key: c.ID + "/k"}}}},
			} {
				wantInvalid(t, errOf(e.Agent().PostMessage(t.Context(), c.ID, tc.in)), "PostMessage with "+tc.name, tc.field)
			}
			wantUnchanged(t, before, e.state(t, c.ID), "after refused PostMessage calls")
		}},
	})
}
