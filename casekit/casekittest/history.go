package casekittest

import (
	"context"
	"slices"
	"testing"
	"time"

	"casekit.dev/casekit"
)

func testHistory(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"every command appends events with its actor and time, in order", testHistoryScript},
		{"the opening event records the case", func(t *testing.T, e *Env) {
			c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Opened", CustomerID: "cust-1", Priority: "high", Origin: "email"})
			evs := e.history(t, c.ID)
			if len(evs) != 1 {
				t.Fatalf("history of a new case = %v, want case.opened", types(evs))
			}
			ev := evs[0]
			n, _ := number(ev.Data["number"])
			if ev.CaseID != c.ID || ev.CaseNumber != c.Number || int64(n) != c.Number || str(ev, "subject") != "Opened" ||
				str(ev, "status") != "new" || str(ev, "priority") != "high" || str(ev, "origin") != "email" || str(ev, "customer_id") != "cust-1" {
				t.Errorf("case.opened = %+v, want the case's number, subject, status, priority, origin and customer", ev)
			}
		}},
		{"each case has its own history", func(t *testing.T, e *Env) {
			ctx := t.Context()
			a, b := e.open(t, "A", "cust-1"), e.open(t, "B", "cust-1")
			for range 3 {
				try(e.Agent().AddNote(ctx, a.ID, casekit.NewNote{Subject: "general", Body: "a"})).get(t)
				try(e.Agent().PostMessage(ctx, b.ID, casekit.NewMessage{Body: "b"})).get(t)
			}
			for _, tc := range []struct {
				c    *casekit.Case
				want []casekit.EventType
			}{
				{a, []casekit.EventType{casekit.EventCaseOpened, casekit.EventNoteAdded, casekit.EventNoteAdded, casekit.EventNoteAdded}},
				{b, []casekit.EventType{casekit.EventCaseOpened, casekit.EventMessagePosted, casekit.EventMessagePosted, casekit.EventMessagePosted}},
			} {
				evs := e.history(t, tc.c.ID)
				if !slices.Equal(types(evs), tc.want) {
					t.Errorf("history of case %s = %v, want %v", tc.c.Subject, types(evs), tc.want)
				}
				for _, ev := range evs {
					if ev.CaseID != tc.c.ID || ev.CaseNumber != tc.c.Number {
						t.Errorf("history of case %s holds an event about %s #%d", tc.c.Subject, ev.CaseID, ev.CaseNumber)
					}
				}
			}
			if evs := e.tenantEvents(t); len(evs) != 0 {
				t.Errorf("tenant-level events hold case events: %v", types(evs))
			}
		}},
		{"ConfigHistory lists the tenant-level events and History does not", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "A case", "cust-1")
			if evs := e.tenantEvents(t); len(evs) != 0 {
				t.Errorf("ConfigHistory of a new tenant = %v, want none", types(evs))
			}
			at := e.Tick()
			must(t, e.Desk(casekit.System).Config().SaveSettings(ctx, casekit.Settings{DefaultPriority: "low", AutoCloseDays: 3}), "SaveSettings")
			evs := e.tenantEvents(t)
			if len(evs) != 1 {
				t.Fatalf("ConfigHistory = %v, want one settings.changed", types(evs))
			}
			wantEvent(t, evs[0], casekit.EventSettingsChanged, casekit.System, at)
			if evs[0].CaseID != "" || evs[0].CaseNumber != 0 {
				t.Errorf("a tenant-level event names case %q #%d", evs[0].CaseID, evs[0].CaseNumber)
			}
			wantIs(t, errOf(e.Agent().History(ctx, "")), casekit.ErrNotFound, "History(\"\")")
			if h := e.history(t, c.ID); !slices.Equal(types(h), []casekit.EventType{casekit.EventCaseOpened}) {
				t.Errorf("a case's history holds tenant-level events: %v", types(h))
			}
		}},
		{"events keep the order they were appended in, even at one instant", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Same instant", "cust-1")
			var want []string
			for i := range 12 {
				a := try(e.Agent().AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityTask, Subject: string(rune('a' + i))})).get(t)
				want = append(want, a.ID)
			}
			try(e.Agent().Resolve(ctx, c.ID, casekit.Resolution{CancelOpenActivities: true})).get(t)
			var added, canceled []string
			for _, ev := range e.history(t, c.ID) {
				switch ev.Type {
				case casekit.EventActivityAdded:
					added = append(added, str(ev, "activity_id"))
				case casekit.EventActivityCanceled:
					canceled = append(canceled, str(ev, "activity_id"))
				}
			}
			if !slices.Equal(added, want) {
				t.Errorf("activity.added events in order %v, want %v", added, want)
			}
			if !sameSet(canceled, want) {
				t.Errorf("activity.canceled events for %v, want all of %v", canceled, want)
			}
		}},
	})
}

// testHistoryScript runs a case through its whole life, each command by a
// chosen actor at a new clock time, and checks after every command that the
// history grew by exactly the events it should have, with the earlier ones
// unchanged.
func testHistoryScript(t *testing.T, e *Env) {
	ctx, e := t.Context(), e.withAdmins(t, "agent-2") // agent-2 deletes the case
	agent1, agent2, agent3 := casekit.Agent("agent-1"), casekit.Agent("agent-2"), casekit.Agent("agent-3")
	cust := casekit.Customer("cust-1")
	var c *casekit.Case
	var a, b *casekit.Activity
	type step struct {
		name  string
		actor casekit.Actor
		want  []casekit.EventType
		run   func(ctx context.Context, d *casekit.Desk) error
	}
	refused := func(name string, actor casekit.Actor, run func(ctx context.Context, d *casekit.Desk) error) step {
		return step{name: name + " (refused)", actor: actor, run: func(ctx context.Context, d *casekit.Desk) error {
			if err := run(ctx, d); err == nil {
				t.Errorf("%s succeeded, want it refused", name)
			}
			return nil
		}}
	}
	steps := []step{
		{"OpenCase", agent1, []casekit.EventType{casekit.EventCaseOpened}, func(ctx context.Context, d *casekit.Desk) (err error) {
			c, err = d.OpenCase(ctx, casekit.NewCase{Subject: "Life", CustomerID: "cust-1"})
			return err
		}},
		{"UpdateCase", agent2, []casekit.EventType{casekit.EventCaseUpdated}, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.UpdateCase(ctx, c.ID, casekit.CaseUpdate{IfVersion: 1, Subject: ptr("A life")}))
		}},
		refused("stale UpdateCase", agent1, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.UpdateCase(ctx, c.ID, casekit.CaseUpdate{IfVersion: 1, Subject: ptr("Lost")}))
		}),
		{"SetStatus in_progress", agent2, []casekit.EventType{casekit.EventStatusChanged}, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.SetStatus(ctx, c.ID, casekit.StatusInProgress))
		}},
		{"AddActivity", agent1, []casekit.EventType{casekit.EventActivityAdded}, func(ctx context.Context, d *casekit.Desk) (err error) {
			a, err = d.AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityCall, Subject: "Call"})
			return err
		}},
		{"UpdateActivity", agent1, []casekit.EventType{casekit.EventActivityUpdated}, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.UpdateActivity(ctx, a.ID, casekit.ActivityUpdate{Description: ptr("about the bill")}))
		}},
		{"CompleteActivity", casekit.System, []casekit.EventType{casekit.EventActivityCompleted}, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.CompleteActivity(ctx, a.ID, casekit.Completion{Result: "called"}))
		}},
		refused("Close without a note", agent1, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.Close(ctx, c.ID, casekit.Closure{Reason: "fixed"}))
		}),
		{"AddNote", agent1, []casekit.EventType{casekit.EventNoteAdded}, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.AddNote(ctx, c.ID, casekit.NewNote{Subject: "general", Body: "n"}))
		}},
		{"PostMessage", agent1, []casekit.EventType{casekit.EventMessagePosted}, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Hello"}))
		}},
		{"SetStatus waiting", agent1, []casekit.EventType{casekit.EventStatusChanged}, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.SetStatus(ctx, c.ID, casekit.StatusWaiting))
		}},
		{"customer reply", cust, []casekit.EventType{casekit.EventMessagePosted, casekit.EventReopened}, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Still broken"}))
		}},
		refused("customer History", cust, func(ctx context.Context, d *casekit.Desk) error { return errOf(d.History(ctx, c.ID)) }),
		{"AddActivity", agent1, []casekit.EventType{casekit.EventActivityAdded}, func(ctx context.Context, d *casekit.Desk) (err error) {
			b, err = d.AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityTask, Subject: "Task"})
			return err
		}},
		{"CancelActivity", agent1, []casekit.EventType{casekit.EventActivityCanceled}, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.CancelActivity(ctx, b.ID, "no"))
		}},
		{"AddActivity", agent1, []casekit.EventType{casekit.EventActivityAdded}, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityEmail, Subject: "Mail"}))
		}},
		refused("Resolve with an open activity", agent3, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.Resolve(ctx, c.ID, casekit.Resolution{}))
		}),
		{"Resolve canceling", agent3, []casekit.EventType{casekit.EventActivityCanceled, casekit.EventResolved}, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.Resolve(ctx, c.ID, casekit.Resolution{CancelOpenActivities: true}))
		}},
		refused("UpdateCase of a resolved case", agent1, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.UpdateCase(ctx, c.ID, casekit.CaseUpdate{Subject: ptr("x")}))
		}),
		{"Reopen", agent1, []casekit.EventType{casekit.EventReopened}, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.Reopen(ctx, c.ID, casekit.Reopening{Reason: "not_fixed", Note: "n"}))
		}},
		{"customer Close", cust, []casekit.EventType{casekit.EventClosed}, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.Close(ctx, c.ID, casekit.Closure{Reason: "fixed", Note: "ok"}))
		}},
		{"Reopen", agent1, []casekit.EventType{casekit.EventReopened}, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.Reopen(ctx, c.ID, casekit.Reopening{Reason: "closed_by_mistake", Note: "n"}))
		}},
		{"Cancel", casekit.System, []casekit.EventType{casekit.EventCanceled}, func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.Cancel(ctx, c.ID, "duplicate"))
		}},
		{"DeleteCase", agent2, []casekit.EventType{casekit.EventCaseDeleted}, func(ctx context.Context, d *casekit.Desk) error {
			return d.DeleteCase(ctx, c.ID, "test")
		}},
	}
	var prev []casekit.Event
	type want struct {
		typ   casekit.EventType
		actor casekit.Actor
		at    time.Time
	}
	var wants []want
	for _, s := range steps {
		at := e.Tick()
		if err := s.run(ctx, e.Desk(s.actor)); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		for _, typ := range s.want {
			wants = append(wants, want{typ, s.actor, at})
		}
		evs := e.history(t, c.ID)
		if len(evs) != len(wants) {
			t.Fatalf("after %s the history is %v, want %d events", s.name, types(evs), len(wants))
		}
		wantEqual(t, prev, evs[:len(prev)], "earlier events after %s", s.name)
		for i := len(prev); i < len(evs); i++ {
			wantEvent(t, evs[i], wants[i].typ, wants[i].actor, wants[i].at)
			if evs[i].CaseID != c.ID || evs[i].CaseNumber != c.Number {
				t.Errorf("%s: %s event about %s #%d, want %s #%d", s.name, evs[i].Type, evs[i].CaseID, evs[i].CaseNumber, c.ID, c.Number)
			}
		}
		prev = evs
	}
	seen := map[string]bool{}
	for _, ev := range prev {
		if seen[ev.ID] {
			t.Errorf("event ID %s appears twice", ev.ID)
		}
		seen[ev.ID] = true
	}
}
