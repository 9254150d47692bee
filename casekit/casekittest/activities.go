package casekittest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
)

func testActivities(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"AddActivity stores an open activity and records it", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Work", "cust-1")
			due := time.Date(2031, time.March, 20, 8, 0, 0, 999999999, time.FixedZone("UTC+9", 9*60*60))
			at := e.Tick()
			a := try(e.Desk(casekit.Agent("agent-2")).AddActivity(ctx, c.ID, casekit.NewActivity{
				Kind: casekit.ActivityMeeting, Subject: "  On-site visit ", Description: "Bring a ladder",
				Due: &due, AssigneeID: "agent-5", NotifyContact: true,
			})).get(t)
			want := &casekit.Activity{
				ID: a.ID, CaseID: c.ID, Kind: casekit.ActivityMeeting, Subject: "On-site visit", Description: "Bring a ladder",
				State: casekit.ActivityOpen, Due: ptr(StoredTime(due)), AssigneeID: "agent-5", NotifyContact: true,
				CreatedBy: casekit.Agent("agent-2"), CreatedAt: at, UpdatedAt: at, Version: 1,
			}
			wantEqual(t, want, a, "AddActivity result")
			wantEqual(t, want, e.activity(t, c.ID, a.ID), "stored activity")
			evs := e.history(t, c.ID)
			ev := evs[len(evs)-1]
			wantEvent(t, ev, casekit.EventActivityAdded, casekit.Agent("agent-2"), at)
			if str(ev, "activity_id") != a.ID || str(ev, "kind") != "meeting" || ev.Data["notify_contact"] != true {
				t.Errorf("activity.added data = %v", ev.Data)
			}
		}},
		{"Activities lists a case's activities oldest first", func(t *testing.T, e *Env) {
			c := e.open(t, "Work", "cust-1")
			other := e.open(t, "Other", "cust-1")
			e.task(t, other.ID, "Not this one")
			var want []string
			for _, kind := range []casekit.ActivityKind{casekit.ActivityTask, casekit.ActivityCall, casekit.ActivityEmail, casekit.ActivityMeeting, casekit.ActivityThirdParty} {
				e.Tick()
				a := try(e.Agent().AddActivity(t.Context(), c.ID, casekit.NewActivity{Kind: kind, Subject: string(kind)})).get(t)
				want = append(want, a.ID)
			}
			var got []string
			for _, a := range try(e.Agent().Activities(t.Context(), c.ID)).get(t) {
				got = append(got, a.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("Activities = %v, want %v (oldest first, only this case's)", got, want)
			}
			wantIs(t, errOf(e.Agent().Activities(t.Context(), fakeFixture().CaseID)), casekit.ErrNotFound, "Activities(unknown case)")
		}},
		{"AddActivity refuses bad input", func(t *testing.T, e *Env) {
			c := e.open(t, "Work", "cust-1")
			before := e.state(t, c.ID)
			for _, tc := range []struct {
				name, field string
				in          casekit.NewActivity
			}{
				{"no kind", "kind", casekit.NewActivity{Subject: "x"}},
				{"unknown kind", "kind", casekit.NewActivity{Kind: "fax", Subject: "x"}},
				{"no subject", "subject", casekit.NewActivity{Kind: casekit.ActivityTask}},
				{"blank subject", "subject", casekit.NewActivity{Kind: casekit.ActivityTask, Subject: "  "}},
				{"subject too long", "subject", casekit.NewActivity{Kind: casekit.ActivityTask, Subject: strings.Repeat("s", 301)}},
			} {
				wantInvalid(t, errOf(e.Agent().AddActivity(t.Context(), c.ID, tc.in)), "AddActivity with "+tc.name, tc.field)
			}
			wantUnchanged(t, before, e.state(t, c.ID), "after refused AddActivity calls")
			wantIs(t, errOf(e.Agent().AddActivity(t.Context(), fakeFixture().CaseID, casekit.NewActivity{Kind: casekit.ActivityTask, Subject: "x"})), casekit.ErrNotFound, "AddActivity(unknown case)")
		}},
		{"UpdateActivity changes an open activity and records it", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Work", "cust-1")
			due := time.Date(2031, time.March, 20, 8, 0, 0, 0, time.UTC)
			a := try(e.Agent().AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityCall, Subject: "Call", Due: &due})).get(t)
			at := e.Tick()
			newDue := due.Add(48 * time.Hour)
			got := try(e.Agent().UpdateActivity(ctx, a.ID, casekit.ActivityUpdate{
				Subject: ptr("Call back"), Description: ptr("after lunch"), Due: &newDue, AssigneeID: ptr("agent-3"), NotifyContact: ptr(true),
			})).get(t)
			want := *a
			want.Subject, want.Description, want.Due, want.AssigneeID, want.NotifyContact = "Call back", "after lunch", &newDue, "agent-3", true
			want.Version, want.UpdatedAt = 2, at
			wantEqual(t, &want, got, "UpdateActivity result")
			wantEqual(t, &want, e.activity(t, c.ID, a.ID), "stored activity")
			evs := e.history(t, c.ID)
			ev := evs[len(evs)-1]
			wantEvent(t, ev, casekit.EventActivityUpdated, casekit.Agent(AgentID), at)
			changes, _ := ev.Data["changes"].(map[string]any)
			if len(changes) != 5 || str(ev, "activity_id") != a.ID {
				t.Errorf("activity.updated data = %v, want the five changed fields", ev.Data)
			}
			// Clearing the due time.
			got = try(e.Agent().UpdateActivity(ctx, a.ID, casekit.ActivityUpdate{ClearDue: true})).get(t)
			if got.Due != nil || e.activity(t, c.ID, a.ID).Due != nil || got.Version != 3 {
				t.Errorf("after ClearDue: due %v, version %d; want none, 3", e.activity(t, c.ID, a.ID).Due, got.Version)
			}
		}},
		{"an UpdateActivity that changes nothing writes nothing", func(t *testing.T, e *Env) {
			c := e.open(t, "Work", "cust-1")
			a := e.task(t, c.ID, "Same")
			before := e.state(t, c.ID)
			got := try(e.Agent().UpdateActivity(t.Context(), a.ID, casekit.ActivityUpdate{Subject: ptr("Same"), NotifyContact: ptr(false), ClearDue: true})).get(t)
			if got.Version != 1 {
				t.Errorf("no-op UpdateActivity returned version %d, want 1", got.Version)
			}
			wantUnchanged(t, before, e.state(t, c.ID), "after a no-op UpdateActivity")
		}},
		{"UpdateActivity refuses bad input", func(t *testing.T, e *Env) {
			c := e.open(t, "Work", "cust-1")
			a := e.task(t, c.ID, "Task")
			before := e.state(t, c.ID)
			for _, tc := range []struct {
				name, field string
				u           casekit.ActivityUpdate
			}{
				{"empty subject", "subject", casekit.ActivityUpdate{Subject: ptr("")}},
				{"blank subject", "subject", casekit.ActivityUpdate{Subject: ptr("   ")}},
				{"subject too long", "subject", casekit.ActivityUpdate{Subject: ptr(strings.Repeat("s", 301))}},
				{"due set and cleared", "due", casekit.ActivityUpdate{Due: ptr(time.Now()), ClearDue: true}},
			} {
				wantInvalid(t, errOf(e.Agent().UpdateActivity(t.Context(), a.ID, tc.u)), "UpdateActivity with "+tc.name, tc.field)
			}
			wantUnchanged(t, before, e.state(t, c.ID), "after refused UpdateActivity calls")
			wantIs(t, errOf(e.Agent().UpdateActivity(t.Context(), fakeFixture().ActivityID, casekit.ActivityUpdate{Subject: ptr("x")})), casekit.ErrNotFound, "UpdateActivity(unknown)")
		}},
		{"CompleteActivity completes an open activity", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Work", "cust-1")
			a := e.task(t, c.ID, "Task")
			at := e.Tick()
			got := try(e.Desk(casekit.Agent("agent-2")).CompleteActivity(ctx, a.ID, casekit.Completion{Result: "Replaced the toner"})).get(t)
			if got.ID != c.ID || got.Status != casekit.StatusNew {
				t.Errorf("CompleteActivity returned case %s in %q, want case %s still new", got.ID, got.Status, c.ID)
			}
			stored := e.activity(t, c.ID, a.ID)
			if stored.State != casekit.ActivityCompleted || stored.Result != "Replaced the toner" || stored.Version != 2 {
				t.Errorf("completed activity: state %s, result %q, version %d", stored.State, stored.Result, stored.Version)
			}
			wantTime(t, stored.DoneAt, at, "DoneAt")
			evs := e.history(t, c.ID)
			ev := evs[len(evs)-1]
			wantEvent(t, ev, casekit.EventActivityCompleted, casekit.Agent("agent-2"), at)
			if str(ev, "activity_id") != a.ID || str(ev, "result") != "Replaced the toner" {
				t.Errorf("activity.completed data = %v", ev.Data)
			}
			wantIs(t, errOf(e.Agent().CompleteActivity(ctx, fakeFixture().ActivityID, casekit.Completion{})), casekit.ErrNotFound, "CompleteActivity(unknown)")
		}},
		{"CancelActivity cancels an open activity", func(t *testing.T, e *Env) {
			c := e.open(t, "Work", "cust-1")
			a := e.task(t, c.ID, "Task")
			at := e.Tick()
			got := try(e.Agent().CancelActivity(t.Context(), a.ID, "Customer fixed it")).get(t)
			for _, act := range []*casekit.Activity{got, e.activity(t, c.ID, a.ID)} {
				if act.State != casekit.ActivityCanceled || act.Result != "Customer fixed it" || act.Version != 2 {
					t.Errorf("canceled activity: state %s, result %q, version %d", act.State, act.Result, act.Version)
				}
				wantTime(t, act.DoneAt, at, "DoneAt")
			}
			evs := e.history(t, c.ID)
			wantEvent(t, evs[len(evs)-1], casekit.EventActivityCanceled, casekit.Agent(AgentID), at)
			wantRule(t, errOf(e.Agent().CancelActivity(t.Context(), e.task(t, c.ID, "Other").ID, strings.Repeat("r", 1001))), "CancelActivity with a long reason", "reason", "max")
		}},
		{"a finished activity cannot be finished again or edited", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Work", "cust-1")
			done := e.task(t, c.ID, "Done")
			try(e.Agent().CompleteActivity(ctx, done.ID, casekit.Completion{Result: "ok"})).get(t)
			gone := e.task(t, c.ID, "Gone")
			try(e.Agent().CancelActivity(ctx, gone.ID, "no")).get(t)
			before := e.state(t, c.ID)
			e.Tick()
			for _, tc := range []struct {
				a     *casekit.Activity
				state string
			}{{done, "completed"}, {gone, "canceled"}} {
				wantTransitionError(t, errOf(e.Agent().CompleteActivity(ctx, tc.a.ID, casekit.Completion{})), tc.state, "completed", "CompleteActivity of a "+tc.state+" activity")
				wantTransitionError(t, errOf(e.Agent().CancelActivity(ctx, tc.a.ID, "")), tc.state, "canceled", "CancelActivity of a "+tc.state+" activity")
				wantIs(t, errOf(e.Agent().UpdateActivity(ctx, tc.a.ID, casekit.ActivityUpdate{Subject: ptr("Edited")})), casekit.ErrReadOnly, "UpdateActivity of a %s activity", tc.state)
				wantTransitionError(t, errOf(e.Agent().CompleteActivity(ctx, tc.a.ID, casekit.Completion{CloseCase: &casekit.Closure{Reason: "fixed", Note: "n"}})), tc.state, "completed", "CompleteActivity with CloseCase of a "+tc.state+" activity")
			}
			wantUnchanged(t, before, e.state(t, c.ID), "after commands on finished activities")
		}},
		{"CompleteActivity with CloseCase closes the case in one step", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Work", "cust-1")
			a := e.task(t, c.ID, "Last task")
			done := e.task(t, c.ID, "Earlier task")
			try(e.Agent().CompleteActivity(ctx, done.ID, casekit.Completion{})).get(t)
			at := e.Tick()
			got := try(e.Agent().CompleteActivity(ctx, a.ID, casekit.Completion{Result: "Fixed", CloseCase: &casekit.Closure{Reason: "fixed", Note: "Customer confirmed"}})).get(t)
			for _, cs := range []*casekit.Case{got, e.reload(t, c.ID)} {
				if cs.Status != casekit.StatusClosed || cs.ClosureReason != "fixed" {
					t.Errorf("after complete & close: status %q, reason %q; want closed, fixed", cs.Status, cs.ClosureReason)
				}
				wantTime(t, cs.ClosedAt, at, "ClosedAt")
			}
			if act := e.activity(t, c.ID, a.ID); act.State != casekit.ActivityCompleted || act.Result != "Fixed" {
				t.Errorf("activity after complete & close: %s %q", act.State, act.Result)
			}
			evs := e.history(t, c.ID)
			tail := evs[len(evs)-2:]
			if !slices.Equal(types(tail), []casekit.EventType{casekit.EventActivityCompleted, casekit.EventClosed}) {
				t.Fatalf("history ends %v, want activity.completed, case.closed", types(tail))
			}
			for _, ev := range tail {
				wantEvent(t, ev, ev.Type, casekit.Agent(AgentID), at)
			}
			if str(tail[1], "reason") != "fixed" || str(tail[1], "note") != "Customer confirmed" {
				t.Errorf("case.closed data = %v", tail[1].Data)
			}
		}},
		{"CompleteActivity with a refused CloseCase leaves the activity open", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Work", "cust-1")
			a := e.task(t, c.ID, "Task")
			other := e.task(t, c.ID, "Other task")
			before := e.state(t, c.ID)
			e.Tick()
			complete := func(cl casekit.Closure) error {
				return errOf(e.Agent().CompleteActivity(ctx, a.ID, casekit.Completion{Result: "r", CloseCase: &cl}))
			}
			if ve := wantInvalid(t, complete(casekit.Closure{Reason: "fixed"}), "complete & close without a note"); ve != nil && ve.Field("note") == nil && ve.Field("close_case.note") == nil {
				t.Errorf("complete & close without a note: %v does not name the note", ve)
			}
			if ve := wantInvalid(t, complete(casekit.Closure{Note: "n"}), "complete & close without a reason"); ve != nil && ve.Field("reason") == nil && ve.Field("close_case.reason") == nil {
				t.Errorf("complete & close without a reason: %v does not name the reason", ve)
			}
			wantInvalid(t, complete(casekit.Closure{Reason: "bored", Note: "n"}), "complete & close with an unknown reason", "reason")
			wantOpenActivities(t, complete(casekit.Closure{Reason: "fixed", Note: "n"}), c.ID, []*casekit.Activity{other}, "complete & close with another open activity")
			wantUnchanged(t, before, e.state(t, c.ID), "after refused complete & close")
			// Asking for the others to be canceled closes it.
			got := try(e.Agent().CompleteActivity(ctx, a.ID, casekit.Completion{CloseCase: &casekit.Closure{Reason: "fixed", Note: "n", CancelOpenActivities: true}})).get(t)
			if got.Status != casekit.StatusClosed || e.activity(t, c.ID, other.ID).State != casekit.ActivityCanceled || e.activity(t, c.ID, a.ID).State != casekit.ActivityCompleted {
				t.Errorf("complete & close canceling the others: case %s, activity %s, other %s",
					got.Status, e.activity(t, c.ID, a.ID).State, e.activity(t, c.ID, other.ID).State)
			}
		}},
	})
}
