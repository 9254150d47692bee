package casekittest

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"github.com/google/uuid"
)

func testCases(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"numbers count 1, 2, 3 per tenant", func(t *testing.T, e *Env) {
			var opened []*casekit.Case
			for i := range 5 {
				c := e.open(t, "Case", "cust-1")
				if c.Number != int64(i+1) {
					t.Errorf("case %d got number %d", i+1, c.Number)
				}
				opened = append(opened, c)
			}
			for _, c := range opened {
				got, err := e.Agent().CaseByNumber(t.Context(), c.Number)
				if wantOK(t, err, "CaseByNumber(%d)", c.Number) && got.ID != c.ID {
					t.Errorf("CaseByNumber(%d) = case %s, want %s", c.Number, got.ID, c.ID)
				}
			}
		}},
		{"a new case takes the defaults", func(t *testing.T, e *Env) {
			at := e.Tick()
			c := e.open(t, "Defaults", "")
			if _, err := uuid.Parse(c.ID); err != nil {
				t.Errorf("case ID %q is not a UUID: %v", c.ID, err)
			}
			want := &casekit.Case{
				ID: c.ID, Number: 1, Subject: "Defaults", Priority: "medium", Origin: "api",
				Status: casekit.StatusNew, CreatedBy: casekit.Agent(AgentID), CreatedAt: at, UpdatedAt: at, Version: 1,
			}
			wantEqual(t, want, c, "OpenCase result")
			wantEqual(t, want, e.reload(t, c.ID), "stored case")
			sys := openWith(t, e.Desk(casekit.System), casekit.NewCase{Subject: "By the system"})
			if sys.Origin != "api" || sys.CreatedBy != casekit.System {
				t.Errorf("a case the system opens: origin %q, created by %s; want api, system", sys.Origin, sys.CreatedBy)
			}
		}},
		{"new cases follow the default priority setting", func(t *testing.T, e *Env) {
			ctx := t.Context()
			if c := e.open(t, "Before", ""); c.Priority != "medium" {
				t.Errorf("priority %q, want medium", c.Priority)
			}
			must(t, e.Agent().Config().SaveSettings(ctx, casekit.Settings{DefaultPriority: "critical", AutoCloseDays: 7}), "SaveSettings")
			if c := e.open(t, "After", ""); c.Priority != "critical" {
				t.Errorf("priority after changing the default = %q, want critical", c.Priority)
			}
			if c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Explicit", Priority: "low"}); c.Priority != "low" {
				t.Errorf("explicit priority = %q, want low", c.Priority)
			}
		}},
		{"every field round-trips", func(t *testing.T, e *Env) {
			ctx := t.Context()
			at := e.Tick()
			deadline := time.Date(2031, time.April, 1, 17, 0, 0, 123456789, time.FixedZone("UTC-5", -5*60*60))
			in := casekit.NewCase{
				Subject:     "  Printer on fire  ",
				Description: "It smokes.\nLine two, with ünïcödé and 'quotes' \"too\"; -- and %_ wildcards",
				CustomerID:  "cust-42",
				Contact:     casekit.Contact{ID: "contact-7", Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+44 20 7946 0000"},
				Type:        "problem",
				Category:    "hardware/printers",
				Priority:    "high",
				Origin:      "phone",
				Tags:        []string{" hardware ", "urgent", "hardware", "fire"},
				Deadline:    &deadline,
				Custom: map[string]any{
					"order": "A-1", "amount": 12.5, "gift": true,
					"lines": []any{"a", "b"}, "meta": map[string]any{"k": "v"},
				},
				AssigneeID: "agent-9", TeamID: "team-2", QueueID: "queue-1",
			}
			e.places(t, []string{"team-1", "team-2"}, casekit.Queue{ID: "queue-1", Name: "Printers", TeamID: "team-1"})
			c := openWith(t, e.Agent(), in)
			want := &casekit.Case{
				ID: c.ID, Number: 1, Subject: "Printer on fire", Description: in.Description,
				CustomerID: "cust-42", Contact: in.Contact, Type: "problem", Category: "hardware/printers",
				Priority: "high", Origin: "phone", Tags: []string{"hardware", "urgent", "fire"},
				Deadline: ptr(StoredTime(deadline)), Custom: in.Custom,
				AssigneeID: "agent-9", TeamID: "team-2", QueueID: "queue-1",
				Status: casekit.StatusNew, CreatedBy: casekit.Agent(AgentID), CreatedAt: at, UpdatedAt: at, Version: 1,
			}
			wantEqual(t, want, c, "OpenCase result")
			wantEqual(t, want, e.reload(t, c.ID), "Case")
			wantEqual(t, want, try(e.Agent().CaseByNumber(ctx, 1)).get(t), "CaseByNumber")
			page := try(e.Agent().ListCases(ctx, casekit.CaseFilter{})).get(t)
			if len(page.Cases) != 1 {
				t.Fatalf("ListCases = %v, want the one case", numbers(page.Cases))
			}
			wantEqual(t, want, page.Cases[0], "ListCases entry")
			// A customer reading their case sees the same, less what is
			// internal (the customer view area has the details).
			want.Tags, want.Custom, want.AssigneeID, want.TeamID, want.QueueID = nil, nil, "", "", ""
			want.CreatedBy = casekit.Actor{Kind: casekit.KindAgent}
			wantEqual(t, want, try(e.Desk(casekit.Customer("cust-42")).Case(ctx, c.ID)).get(t), "Case as its customer")
		}},
		{"an unknown ID or number gives ErrNotFound", func(t *testing.T, e *Env) {
			ctx := t.Context()
			e.open(t, "Exists", "cust-1")
			for _, id := range []string{uuid.Must(uuid.NewV7()).String(), uuid.NewString(), "not-a-uuid", "", "'; drop table cases; --"} {
				wantIs(t, errOf(e.Agent().Case(ctx, id)), casekit.ErrNotFound, "Case(%q)", id)
				wantIs(t, errOf(e.Agent().History(ctx, id)), casekit.ErrNotFound, "History(%q)", id)
				wantIs(t, errOf(e.Agent().UpdateCase(ctx, id, casekit.CaseUpdate{Subject: ptr("x")})), casekit.ErrNotFound, "UpdateCase(%q)", id)
			}
			for _, n := range []int64{0, -1, 2, 999999} {
				wantIs(t, errOf(e.Agent().CaseByNumber(ctx, n)), casekit.ErrNotFound, "CaseByNumber(%d)", n)
			}
		}},
		{"an ID from another tenant gives ErrNotFound", func(t *testing.T, e *Env) {
			other := CreateTenant(t, e.Kit)
			c := openWith(t, e.Kit.Desk(other).As(casekit.Agent(AgentID)), casekit.NewCase{Subject: "Elsewhere"})
			wantIs(t, errOf(e.Agent().Case(t.Context(), c.ID)), casekit.ErrNotFound, "Case with another tenant's ID")
		}},
		{"UpdateCase changes fields and records them", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Old", Description: "old", Type: "question", Tags: []string{"a"}, Custom: map[string]any{"k": "v"}})
			at := e.Tick()
			deadline := time.Date(2031, time.May, 5, 5, 5, 5, 555555555, time.UTC)
			contact := casekit.Contact{ID: "contact-1", Name: "Grace", Email: "grace@example.com"}
			got, err := e.Desk(casekit.Agent("agent-2")).UpdateCase(ctx, c.ID, casekit.CaseUpdate{
				Subject: ptr("  New  "), Description: ptr("new"), Contact: &contact, Type: ptr("problem"),
				Category: ptr("cat"), Priority: ptr("critical"), Tags: &[]string{"b", " c ", "b"}, Deadline: &deadline,
				Custom: map[string]any{"x": "y"},
			})
			must(t, err, "UpdateCase")
			want := *c
			want.Subject, want.Description, want.Contact, want.Type = "New", "new", contact, "problem"
			want.Category, want.Priority, want.Tags, want.Deadline = "cat", "critical", []string{"b", "c"}, ptr(StoredTime(deadline))
			want.Custom = map[string]any{"k": "v", "x": "y"}
			want.Version, want.UpdatedAt = 2, at
			wantEqual(t, &want, got, "UpdateCase result")
			wantEqual(t, &want, e.reload(t, c.ID), "stored case after UpdateCase")
			evs := e.history(t, c.ID)
			if !slices.Equal(types(evs), []casekit.EventType{casekit.EventCaseOpened, casekit.EventCaseUpdated}) {
				t.Fatalf("history = %v, want case.opened, case.updated", types(evs))
			}
			ev := evs[1]
			wantEvent(t, ev, casekit.EventCaseUpdated, casekit.Agent("agent-2"), at)
			changes, _ := ev.Data["changes"].(map[string]any)
			wantKeys := []string{"subject", "description", "contact", "type", "category", "priority", "tags", "deadline", "custom"}
			if !sameSet(slices.Collect(maps.Keys(changes)), wantKeys) {
				t.Errorf("case.updated changes = %v, want the fields %v", changes, wantKeys)
			}
			if l, _ := stringList(changes["subject"]); !slices.Equal(l, []string{"Old", "New"}) {
				t.Errorf("case.updated subject change = %v, want [Old New]", changes["subject"])
			}
		}},
		{"UpdateCase merges custom fields", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Custom", Custom: map[string]any{"a": "1", "b": "2"}})
			got := try(e.Agent().UpdateCase(ctx, c.ID, casekit.CaseUpdate{Custom: map[string]any{"b": nil, "c": "3"}})).get(t)
			wantEqual(t, map[string]any{"a": "1", "c": "3"}, got.Custom, "custom fields after a merge")
			wantEqual(t, map[string]any{"a": "1", "c": "3"}, e.reload(t, c.ID).Custom, "stored custom fields after a merge")
			got = try(e.Agent().UpdateCase(ctx, c.ID, casekit.CaseUpdate{Custom: map[string]any{"a": nil, "c": nil}})).get(t)
			if len(got.Custom) != 0 || len(e.reload(t, c.ID).Custom) != 0 {
				t.Errorf("custom fields after removing all = %v, want none", e.reload(t, c.ID).Custom)
			}
		}},
		{"UpdateCase clears the deadline", func(t *testing.T, e *Env) {
			ctx := t.Context()
			dl := time.Date(2031, time.June, 1, 0, 0, 0, 0, time.UTC)
			c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Deadline", Deadline: &dl})
			before := e.state(t, c.ID)
			wantInvalid(t, errOf(e.Agent().UpdateCase(ctx, c.ID, casekit.CaseUpdate{Deadline: &dl, ClearDeadline: true})), "set and clear the deadline", "deadline")
			wantUnchanged(t, before, e.state(t, c.ID), "after a refused UpdateCase")
			got := try(e.Agent().UpdateCase(ctx, c.ID, casekit.CaseUpdate{ClearDeadline: true})).get(t)
			if got.Deadline != nil || e.reload(t, c.ID).Deadline != nil || got.Version != 2 {
				t.Errorf("after ClearDeadline: deadline %v, stored %v, version %d; want none, none, 2", got.Deadline, e.reload(t, c.ID).Deadline, got.Version)
			}
		}},
		{"UpdateCase with a stale IfVersion gives ErrConflict and changes nothing", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Versioned", "cust-1")
			c2 := try(e.Agent().UpdateCase(ctx, c.ID, casekit.CaseUpdate{IfVersion: 1, Subject: ptr("First edit")})).get(t)
			if c2.Version != 2 {
				t.Fatalf("version after an update = %d, want 2", c2.Version)
			}
			before := e.state(t, c.ID)
			e.Tick()
			wantIs(t, errOf(e.Agent().UpdateCase(ctx, c.ID, casekit.CaseUpdate{IfVersion: 1, Subject: ptr("Lost edit")})), casekit.ErrConflict, "UpdateCase with IfVersion 1 at version 2")
			wantIs(t, errOf(e.Agent().UpdateCase(ctx, c.ID, casekit.CaseUpdate{IfVersion: 3, Subject: ptr("Future edit")})), casekit.ErrConflict, "UpdateCase with IfVersion 3 at version 2")
			wantUnchanged(t, before, e.state(t, c.ID), "after stale updates")
			c3 := try(e.Agent().UpdateCase(ctx, c.ID, casekit.CaseUpdate{IfVersion: 2, Subject: ptr("Second edit")})).get(t)
			if c3.Version != 3 || c3.Subject != "Second edit" {
				t.Errorf("update at the current version: version %d, subject %q", c3.Version, c3.Subject)
			}
		}},
		{"an UpdateCase that changes nothing writes nothing", func(t *testing.T, e *Env) {
			ctx := t.Context()
			dl := time.Date(2031, time.June, 1, 12, 30, 0, 250000000, time.FixedZone("UTC+3", 3*60*60))
			contact := casekit.Contact{ID: "contact-1", Name: "Grace", Email: "grace@example.com"}
			c := openWith(t, e.Agent(), casekit.NewCase{
				Subject: "Same", Description: "same", Contact: contact, Type: "request", Category: "cat",
				Priority: "high", Tags: []string{"x", "y"}, Deadline: &dl, Custom: map[string]any{"k": "v"},
			})
			before := e.state(t, c.ID)
			e.Tick()
			got, err := e.Agent().UpdateCase(ctx, c.ID, casekit.CaseUpdate{
				IfVersion: 1, Subject: ptr(" Same "), Description: ptr("same"), Contact: &contact, Type: ptr("request"),
				Category: ptr("cat"), Priority: ptr("high"), Tags: &[]string{"x", "y", "x"}, Deadline: &dl,
				Custom: map[string]any{"k": "v"},
			})
			must(t, err, "UpdateCase with the values the case has")
			if got.Version != 1 {
				t.Errorf("no-op UpdateCase returned version %d, want 1", got.Version)
			}
			wantUnchanged(t, before, e.state(t, c.ID), "after a no-op UpdateCase")
			// Nil fields change nothing either.
			try(e.Agent().UpdateCase(ctx, c.ID, casekit.CaseUpdate{})).get(t)
			wantUnchanged(t, before, e.state(t, c.ID), "after an empty UpdateCase")
		}},
		{"UpdateCase refuses bad input and changes nothing", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Valid", "cust-1")
			before := e.state(t, c.ID)
			for _, tc := range []struct {
				name, field string
				u           casekit.CaseUpdate
			}{
				{"empty subject", "subject", casekit.CaseUpdate{Subject: ptr("")}},
				{"blank subject", "subject", casekit.CaseUpdate{Subject: ptr("   ")}},
				{"subject too long", "subject", casekit.CaseUpdate{Subject: ptr(strings.Repeat("s", 301))}},
				{"unknown priority", "priority", casekit.CaseUpdate{Priority: ptr("urgent")}},
				{"empty priority", "priority", casekit.CaseUpdate{Priority: ptr("")}},
				{"unknown type", "type", casekit.CaseUpdate{Type: ptr("rant")}},
				{"bad contact e-mail", "contact.email", casekit.CaseUpdate{Contact: &casekit.Contact{Email: "not-an-address"}}},
				{"empty tag", "tags[1]", casekit.CaseUpdate{Tags: &[]string{"ok", ""}}},
				{"deadline set and cleared", "deadline", casekit.CaseUpdate{Deadline: ptr(time.Now()), ClearDeadline: true}},
			} {
				wantInvalid(t, errOf(e.Agent().UpdateCase(ctx, c.ID, tc.u)), "UpdateCase with "+tc.name, tc.field)
			}
			wantUnchanged(t, before, e.state(t, c.ID), "after refused updates")
		}},
		{"DeleteCase removes the case and its content and keeps its history", func(t *testing.T, e *Env) {
			ctx, e := t.Context(), e.withAdmins(t, "agent-2") // agent-2 deletes the case
			e, _ = e.withBlobs(t)
			d := e.Agent()
			keep := e.open(t, "Keep", "cust-1")
			keepState := e.state(t, keep.ID)
			c := openWith(t, d, casekit.NewCase{Subject: "Mistake", CustomerID: "cust-1", Tags: []string{"oops"}})
			a := e.task(t, c.ID, "A task")
			file := try(d.Upload(ctx, c.ID, "a.txt", "text/plain", strings.NewReader("a"))).get(t)
			note := try(d.AddNote(ctx, c.ID, casekit.NewNote{Subject: "general", Body: "n", Attachments: []casekit.NewAttachment{*file}})).get(t)
			msg := try(d.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "m"})).get(t)
			c = e.reload(t, c.ID)
			opened := e.history(t, c.ID)
			at := e.Tick()
			must(t, e.Desk(casekit.Agent("agent-2")).DeleteCase(ctx, c.ID, "opened by mistake"), "DeleteCase")

			wantIs(t, errOf(d.Case(ctx, c.ID)), casekit.ErrNotFound, "Case after DeleteCase")
			wantIs(t, errOf(d.CaseByNumber(ctx, c.Number)), casekit.ErrNotFound, "CaseByNumber after DeleteCase")
			wantIs(t, errOf(d.Activities(ctx, c.ID)), casekit.ErrNotFound, "Activities after DeleteCase")
			wantIs(t, errOf(d.UpdateActivity(ctx, a.ID, casekit.ActivityUpdate{Subject: ptr("x")})), casekit.ErrNotFound, "UpdateActivity after DeleteCase")
			wantIs(t, d.DeleteCase(ctx, c.ID, "again"), casekit.ErrNotFound, "DeleteCase twice")
			if page := try(d.ListCases(ctx, casekit.CaseFilter{})).get(t); !slices.Equal(ids(page.Cases), []string{keep.ID}) {
				t.Errorf("ListCases after DeleteCase = %v, want only the kept case", numbers(page.Cases))
			}
			e.InTx(t, func(ctx context.Context, tx store.Tx) error {
				if as, err := tx.Activities(ctx, c.ID); err != nil || len(as) != 0 {
					t.Errorf("tx.Activities of a deleted case = %d, %v; want none", len(as), err)
				}
				if _, err := tx.Activity(ctx, a.ID); !wantIs(t, err, casekit.ErrNotFound, "tx.Activity of a deleted case") {
					return nil
				}
				if ns, err := tx.Notes(ctx, c.ID); err != nil || len(ns) != 0 {
					t.Errorf("tx.Notes of a deleted case = %d, %v; want none (note %s)", len(ns), err, note.ID)
				}
				if ms, err := tx.Messages(ctx, c.ID); err != nil || len(ms) != 0 {
					t.Errorf("tx.Messages of a deleted case = %d, %v; want none", len(ms), err)
				}
				_, err := tx.Message(ctx, msg.ID)
				wantIs(t, err, casekit.ErrNotFound, "tx.Message of a deleted case")
				return nil
			})
			evs := e.history(t, c.ID)
			if len(evs) != len(opened)+1 {
				t.Fatalf("history after DeleteCase = %v, want the %d earlier events and case.deleted", types(evs), len(opened))
			}
			wantEqual(t, opened, evs[:len(opened)], "earlier events after DeleteCase")
			ev := evs[len(evs)-1]
			wantEvent(t, ev, casekit.EventCaseDeleted, casekit.Agent("agent-2"), at)
			if ev.CaseID != c.ID || ev.CaseNumber != c.Number || str(ev, "reason") != "opened by mistake" {
				t.Errorf("case.deleted about %s #%d reason %q, want %s #%d reason %q", ev.CaseID, ev.CaseNumber, str(ev, "reason"), c.ID, c.Number, "opened by mistake")
			}
			snap, _ := ev.Data["case"].(map[string]any)
			if n, _ := number(snap["number"]); int64(n) != c.Number || snap["subject"] != "Mistake" || snap["status"] != "new" || snap["customer_id"] != "cust-1" {
				t.Errorf("case.deleted snapshot = %v, want the case as it was", snap)
			}
			if tags, _ := stringList(snap["tags"]); !slices.Equal(tags, []string{"oops"}) {
				t.Errorf("case.deleted snapshot tags = %v, want [oops]", snap["tags"])
			}
			wantUnchanged(t, keepState, e.state(t, keep.ID), "the other case after DeleteCase")
			if n := e.open(t, "Next", "cust-1").Number; n != c.Number+1 {
				t.Errorf("case opened after a delete has number %d, want %d (numbers are never reused)", n, c.Number+1)
			}
		}},
		{"DeleteCase refuses a long reason and an unknown case", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Stay", "cust-1")
			before := e.state(t, c.ID)
			wantRule(t, e.Agent().DeleteCase(ctx, c.ID, strings.Repeat("r", 1001)), "DeleteCase with a long reason", "reason", "max")
			wantUnchanged(t, before, e.state(t, c.ID), "after a refused DeleteCase")
			wantIs(t, e.Agent().DeleteCase(ctx, fakeFixture().CaseID, ""), casekit.ErrNotFound, "DeleteCase(unknown)")
		}},
	})
}
