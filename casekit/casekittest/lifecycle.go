package casekittest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

var (
	activeStatuses   = []string{casekit.StatusNew, casekit.StatusInProgress, casekit.StatusWaiting, casekit.StatusReopened}
	readOnlyStatuses = []string{casekit.StatusResolved, casekit.StatusClosed, casekit.StatusCanceled}
	allStatuses      = append(slices.Clone(activeStatuses), readOnlyStatuses...)
)

// attempt is one command tried on a case.
type attempt struct {
	name string
	run  func(ctx context.Context, d *casekit.Desk) error
}

// editAttempts are the commands that edit a case or its activities and
// content, and that a read-only case refuses.
func editAttempts(caseID, activityID string) []attempt {
	return []attempt{
		{"UpdateCase", func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.UpdateCase(ctx, caseID, casekit.CaseUpdate{Subject: ptr("Edited")}))
		}},
		{"AddActivity", func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.AddActivity(ctx, caseID, casekit.NewActivity{Kind: casekit.ActivityTask, Subject: "More"}))
		}},
		{"UpdateActivity", func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.UpdateActivity(ctx, activityID, casekit.ActivityUpdate{Subject: ptr("Edited")}))
		}},
		{"CompleteActivity", func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.CompleteActivity(ctx, activityID, casekit.Completion{Result: "done"}))
		}},
		{"CancelActivity", func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.CancelActivity(ctx, activityID, "stop"))
		}},
		{"AddNote", func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.AddNote(ctx, caseID, casekit.NewNote{Subject: "general", Body: "note"}))
		}},
		{"PostMessage outbound", func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.PostMessage(ctx, caseID, casekit.NewMessage{Body: "Hello"}))
		}},
		{"PostMessage outbound internal", func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.PostMessage(ctx, caseID, casekit.NewMessage{Body: "FYI", Internal: true}))
		}},
		{"Resolve", func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.Resolve(ctx, caseID, casekit.Resolution{CancelOpenActivities: true}))
		}},
	}
}

// finalAttempts are the commands that a resolved case allows and a final
// one refuses.
func finalAttempts(caseID, customer string) []attempt {
	return []attempt{
		{"PostMessage inbound", func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.PostMessage(ctx, caseID, casekit.NewMessage{Body: "Reply by mail", Direction: casekit.Inbound}))
		}},
		{"PostMessage by the customer", func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.As(casekit.Customer(customer)).PostMessage(ctx, caseID, casekit.NewMessage{Body: "Hello?"}))
		}},
		{"Close", func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.Close(ctx, caseID, casekit.Closure{Reason: "fixed", Note: "again"}))
		}},
		{"Close by the customer", func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.As(casekit.Customer(customer)).Close(ctx, caseID, casekit.Closure{Reason: "fixed", Note: "again"}))
		}},
		{"Cancel", func(ctx context.Context, d *casekit.Desk) error {
			return errOf(d.Cancel(ctx, caseID, "again"))
		}},
	}
}

// wantTransitionError reports a failure unless err is a
// *casekit.TransitionError from -> to that matches ErrInvalidTransition.
func wantTransitionError(t testing.TB, err error, from, to, what string) {
	t.Helper()
	if !wantIs(t, err, casekit.ErrInvalidTransition, "%s", what) {
		return
	}
	var te *casekit.TransitionError
	if !errors.As(err, &te) {
		t.Errorf("%s: error %v is not a *casekit.TransitionError", what, err)
		return
	}
	if te.From != from || te.To != to {
		t.Errorf("%s: TransitionError from %q to %q, want %q to %q", what, te.From, te.To, from, to)
	}
}

// wantOpenActivities reports a failure unless err is an
// *casekit.OpenActivitiesError about caseID naming exactly the activities.
func wantOpenActivities(t testing.TB, err error, caseID string, open []*casekit.Activity, what string) {
	t.Helper()
	if !wantIs(t, err, casekit.ErrOpenActivities, "%s", what) {
		return
	}
	var oe *casekit.OpenActivitiesError
	if !errors.As(err, &oe) {
		t.Errorf("%s: error %v is not a *casekit.OpenActivitiesError", what, err)
		return
	}
	if oe.CaseID != caseID {
		t.Errorf("%s: OpenActivitiesError about case %s, want %s", what, oe.CaseID, caseID)
	}
	var got, want []string
	for _, a := range oe.Activities {
		got = append(got, a.ID+" "+a.Subject)
	}
	for _, a := range open {
		want = append(want, a.ID+" "+a.Subject)
	}
	if !sameSet(got, want) {
		t.Errorf("%s: OpenActivitiesError names %v, want %v", what, got, want)
	}
}

func testLifecycle(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"SetStatus follows the transition table", testSetStatusTable},
		{"SetStatus to an unknown status gives a ValidationError", func(t *testing.T, e *Env) {
			c := e.open(t, "Status", "cust-1")
			before := e.state(t, c.ID)
			wantRule(t, errOf(e.Agent().SetStatus(t.Context(), c.ID, "limbo")), "SetStatus(limbo)", "status", "known")
			wantRule(t, errOf(e.Agent().SetStatus(t.Context(), c.ID, "")), "SetStatus(\"\")", "status", "known")
			wantUnchanged(t, before, e.state(t, c.ID), "after SetStatus to an unknown status")
		}},
		{"SetStatus of an unknown case gives ErrNotFound", func(t *testing.T, e *Env) {
			wantIs(t, errOf(e.Agent().SetStatus(t.Context(), fakeFixture().CaseID, casekit.StatusInProgress)), casekit.ErrNotFound, "SetStatus(unknown)")
		}},
		{"moving to in progress assigns the acting agent when nobody is assigned", func(t *testing.T, e *Env) {
			c := e.open(t, "Unassigned", "cust-1")
			at := e.Tick()
			got := try(e.Desk(casekit.Agent("agent-7")).SetStatus(t.Context(), c.ID, casekit.StatusInProgress)).get(t)
			if got.AssigneeID != "agent-7" || e.reload(t, c.ID).AssigneeID != "agent-7" {
				t.Errorf("assignee after moving to in progress = %q (stored %q), want agent-7", got.AssigneeID, e.reload(t, c.ID).AssigneeID)
			}
			ev := eventOf(t, e.history(t, c.ID), casekit.EventStatusChanged)
			wantEvent(t, ev, casekit.EventStatusChanged, casekit.Agent("agent-7"), at)
			if str(ev, "from") != "new" || str(ev, "to") != "in_progress" || str(ev, "assignee_id") != "agent-7" {
				t.Errorf("status_changed data = %v, want from new, to in_progress, assignee_id agent-7", ev.Data)
			}
		}},
		{"moving to in progress keeps an existing assignee", func(t *testing.T, e *Env) {
			c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Assigned", AssigneeID: "agent-9"})
			got := try(e.Desk(casekit.Agent("agent-7")).SetStatus(t.Context(), c.ID, casekit.StatusInProgress)).get(t)
			if got.AssigneeID != "agent-9" || e.reload(t, c.ID).AssigneeID != "agent-9" {
				t.Errorf("assignee after moving to in progress = %q, want agent-9 kept", e.reload(t, c.ID).AssigneeID)
			}
		}},
		{"moving to in progress as the system assigns nobody", func(t *testing.T, e *Env) {
			c := e.open(t, "Unassigned", "cust-1")
			got := try(e.Desk(casekit.System).SetStatus(t.Context(), c.ID, casekit.StatusInProgress)).get(t)
			if got.Status != casekit.StatusInProgress || got.AssigneeID != "" || e.reload(t, c.ID).AssigneeID != "" {
				t.Errorf("after the system moved the case to in progress: status %q, assignee %q; want in_progress, none", got.Status, e.reload(t, c.ID).AssigneeID)
			}
			if ev := eventOf(t, e.history(t, c.ID), casekit.EventStatusChanged); ev.Data["assignee_id"] != nil {
				t.Errorf("status_changed by the system records an assignee %v", ev.Data["assignee_id"])
			}
		}},
		{"moving to another status does not assign", func(t *testing.T, e *Env) {
			c := e.open(t, "Unassigned", "cust-1")
			if got := try(e.Agent().SetStatus(t.Context(), c.ID, casekit.StatusWaiting)).get(t); got.AssigneeID != "" {
				t.Errorf("moving to waiting assigned %q", got.AssigneeID)
			}
		}},
		{"SetStatus to closed needs Close", func(t *testing.T, e *Env) {
			for _, from := range []string{casekit.StatusNew, casekit.StatusResolved} {
				c := e.into(t, e.open(t, "Close me", "cust-1"), from)
				before := e.state(t, c.ID)
				wantInvalid(t, errOf(e.Agent().SetStatus(t.Context(), c.ID, casekit.StatusClosed)), "SetStatus(closed) from "+from, "reason")
				wantUnchanged(t, before, e.state(t, c.ID), "after SetStatus(closed) from %s", from)
			}
		}},
		{"SetStatus to resolved with open activities gives ErrOpenActivities", func(t *testing.T, e *Env) {
			c := e.open(t, "Busy", "cust-1")
			a := e.task(t, c.ID, "Open work")
			before := e.state(t, c.ID)
			err := errOf(e.Agent().SetStatus(t.Context(), c.ID, casekit.StatusResolved))
			wantOpenActivities(t, err, c.ID, []*casekit.Activity{a}, "SetStatus(resolved) with an open activity")
			wantUnchanged(t, before, e.state(t, c.ID), "after the refused SetStatus(resolved)")
			try(e.Agent().CompleteActivity(t.Context(), a.ID, casekit.Completion{})).get(t)
			got := try(e.Agent().SetStatus(t.Context(), c.ID, casekit.StatusResolved)).get(t)
			if got.Status != casekit.StatusResolved || got.ResolvedAt == nil {
				t.Errorf("SetStatus(resolved) with no open activity: status %q, resolved at %v", got.Status, got.ResolvedAt)
			}
		}},
		{"SetStatus to canceled cancels open activities", func(t *testing.T, e *Env) {
			c := e.open(t, "Busy", "cust-1")
			a := e.task(t, c.ID, "Open work")
			got := try(e.Agent().SetStatus(t.Context(), c.ID, casekit.StatusCanceled)).get(t)
			if got.Status != casekit.StatusCanceled {
				t.Errorf("status %q, want canceled", got.Status)
			}
			if st := e.activity(t, c.ID, a.ID).State; st != casekit.ActivityCanceled {
				t.Errorf("activity is %s after canceling its case, want canceled", st)
			}
		}},
		{"Resolve is refused while activities are open, naming them", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Busy", "cust-1")
			a1 := e.task(t, c.ID, "First")
			a2 := try(e.Agent().AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityCall, Subject: "Second"})).get(t)
			done := e.task(t, c.ID, "Done already")
			try(e.Agent().CompleteActivity(ctx, done.ID, casekit.Completion{})).get(t)
			gone := e.task(t, c.ID, "Canceled already")
			try(e.Agent().CancelActivity(ctx, gone.ID, "")).get(t)
			before := e.state(t, c.ID)
			e.Tick()
			err := errOf(e.Agent().Resolve(ctx, c.ID, casekit.Resolution{Summary: "done"}))
			wantOpenActivities(t, err, c.ID, []*casekit.Activity{a1, a2}, "Resolve with open activities")
			wantUnchanged(t, before, e.state(t, c.ID), "after the refused Resolve")
		}},
		{"Resolve can cancel open activities in the same transaction", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Busy", "cust-1")
			a1, a2 := e.task(t, c.ID, "First"), e.task(t, c.ID, "Second")
			done := e.task(t, c.ID, "Done already")
			try(e.Agent().CompleteActivity(ctx, done.ID, casekit.Completion{Result: "ok"})).get(t)
			at := e.Tick()
			got := try(e.Agent().Resolve(ctx, c.ID, casekit.Resolution{Summary: "Fixed it", CancelOpenActivities: true})).get(t)
			if got.Status != casekit.StatusResolved {
				t.Errorf("status %q, want resolved", got.Status)
			}
			wantTime(t, got.ResolvedAt, at, "ResolvedAt")
			wantTime(t, e.reload(t, c.ID).ResolvedAt, at, "stored ResolvedAt")
			for _, a := range []*casekit.Activity{a1, a2} {
				got := e.activity(t, c.ID, a.ID)
				if got.State != casekit.ActivityCanceled {
					t.Errorf("activity %q is %s after Resolve with CancelOpenActivities, want canceled", a.Subject, got.State)
				}
				wantTime(t, got.DoneAt, at, "DoneAt of a canceled activity")
			}
			if st := e.activity(t, c.ID, done.ID); st.State != casekit.ActivityCompleted || st.Result != "ok" {
				t.Errorf("completed activity became %s (%q)", st.State, st.Result)
			}
			evs := e.history(t, c.ID)
			tail := types(evs[len(evs)-3:])
			if !slices.Equal(tail, []casekit.EventType{casekit.EventActivityCanceled, casekit.EventActivityCanceled, casekit.EventResolved}) {
				t.Errorf("history ends %v, want two activity.canceled then case.resolved", tail)
			}
			ev := evs[len(evs)-1]
			wantEvent(t, ev, casekit.EventResolved, casekit.Agent(AgentID), at)
			if canceled, _ := stringList(ev.Data["canceled_activities"]); !sameSet(canceled, []string{a1.ID, a2.ID}) || str(ev, "summary") != "Fixed it" {
				t.Errorf("case.resolved data = %v, want summary and the two canceled activities", ev.Data)
			}
		}},
		{"Resolve of a read-only case gives ErrReadOnly", func(t *testing.T, e *Env) {
			for _, from := range readOnlyStatuses {
				c := e.into(t, e.open(t, "Done", "cust-1"), from)
				before := e.state(t, c.ID)
				wantIs(t, errOf(e.Agent().Resolve(t.Context(), c.ID, casekit.Resolution{})), casekit.ErrReadOnly, "Resolve of a %s case", from)
				wantUnchanged(t, before, e.state(t, c.ID), "after Resolve of a %s case", from)
			}
		}},
		{"a resolved case is read-only until reopened", func(t *testing.T, e *Env) {
			testReadOnly(t, e, casekit.StatusResolved)
		}},
		{"a closed case is read-only until reopened, inbound messages too", func(t *testing.T, e *Env) {
			testReadOnly(t, e, casekit.StatusClosed)
		}},
		{"a canceled case is read-only until reopened", func(t *testing.T, e *Env) {
			testReadOnly(t, e, casekit.StatusCanceled)
		}},
		{"SetStatus on a read-only case gives ErrReadOnly", func(t *testing.T, e *Env) {
			for _, from := range readOnlyStatuses {
				c := e.into(t, e.open(t, "Read-only "+from, "cust-1"), from)
				before := e.state(t, c.ID)
				for _, to := range []string{casekit.StatusInProgress, casekit.StatusWaiting} {
					wantIs(t, errOf(e.Agent().SetStatus(t.Context(), c.ID, to)), casekit.ErrReadOnly, "SetStatus(%s) on a %s case", to, from)
				}
				wantUnchanged(t, before, e.state(t, c.ID), "after SetStatus on a %s case", from)
			}
		}},
		{"Close needs a known reason and a note", func(t *testing.T, e *Env) {
			c := e.open(t, "Close me", "cust-1")
			before := e.state(t, c.ID)
			for _, tc := range []struct {
				name   string
				cl     casekit.Closure
				fields []string
				rule   string
			}{
				{"no reason", casekit.Closure{Note: "done"}, []string{"reason"}, "required"},
				{"no note", casekit.Closure{Reason: "fixed"}, []string{"note"}, "required"},
				{"neither", casekit.Closure{}, []string{"reason", "note"}, "required"},
				{"unknown reason", casekit.Closure{Reason: "bored", Note: "done"}, []string{"reason"}, "known"},
				{"reason too long", casekit.Closure{Reason: strings.Repeat("r", 65), Note: "done"}, []string{"reason"}, "max"},
			} {
				err := errOf(e.Agent().Close(t.Context(), c.ID, tc.cl))
				if ve := wantInvalid(t, err, "Close with "+tc.name, tc.fields...); ve != nil {
					for _, f := range tc.fields {
						if fe := ve.Field(f); fe != nil && fe.Rule != tc.rule {
							t.Errorf("Close with %s: field %s broke %q, want %q", tc.name, f, fe.Rule, tc.rule)
						}
					}
				}
			}
			wantUnchanged(t, before, e.state(t, c.ID), "after refused Close calls")
		}},
		{"Close sets ClosedAt and the reason and records reason and note", func(t *testing.T, e *Env) {
			for _, from := range []string{casekit.StatusNew, casekit.StatusInProgress, casekit.StatusWaiting, casekit.StatusReopened, casekit.StatusResolved} {
				c := e.into(t, e.open(t, "Close from "+from, "cust-1"), from)
				at := e.Tick()
				got := try(e.Desk(casekit.Agent("agent-3")).Close(t.Context(), c.ID, casekit.Closure{Reason: "answered", Note: "Told them how"})).get(t)
				stored := e.reload(t, c.ID)
				for _, cs := range []*casekit.Case{got, stored} {
					if cs.Status != casekit.StatusClosed || cs.ClosureReason != "answered" {
						t.Errorf("Close from %s: status %q, reason %q; want closed, answered", from, cs.Status, cs.ClosureReason)
					}
					wantTime(t, cs.ClosedAt, at, "ClosedAt after Close from "+from)
				}
				ev := e.history(t, c.ID)[len(e.history(t, c.ID))-1]
				wantEvent(t, ev, casekit.EventClosed, casekit.Agent("agent-3"), at)
				if str(ev, "reason") != "answered" || str(ev, "note") != "Told them how" || str(ev, "from") != from || str(ev, "to") != casekit.StatusClosed {
					t.Errorf("case.closed data = %v, want reason, note, from %s, to closed", ev.Data, from)
				}
			}
		}},
		{"Close is refused while activities are open unless asked to cancel them", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Busy", "cust-1")
			a := e.task(t, c.ID, "Open work")
			before := e.state(t, c.ID)
			err := errOf(e.Agent().Close(ctx, c.ID, casekit.Closure{Reason: "fixed", Note: "done"}))
			wantOpenActivities(t, err, c.ID, []*casekit.Activity{a}, "Close with an open activity")
			wantUnchanged(t, before, e.state(t, c.ID), "after the refused Close")
			got := try(e.Agent().Close(ctx, c.ID, casekit.Closure{Reason: "fixed", Note: "done", CancelOpenActivities: true})).get(t)
			if got.Status != casekit.StatusClosed || e.activity(t, c.ID, a.ID).State != casekit.ActivityCanceled {
				t.Errorf("Close with CancelOpenActivities: status %q, activity %s; want closed, canceled", got.Status, e.activity(t, c.ID, a.ID).State)
			}
		}},
		{"Reopen needs a known reason and a note", func(t *testing.T, e *Env) {
			c := e.into(t, e.open(t, "Reopen me", "cust-1"), casekit.StatusClosed)
			before := e.state(t, c.ID)
			for _, tc := range []struct {
				name   string
				r      casekit.Reopening
				fields []string
				rule   string
			}{
				{"no reason", casekit.Reopening{Note: "again"}, []string{"reason"}, "required"},
				{"no note", casekit.Reopening{Reason: "not_fixed"}, []string{"note"}, "required"},
				{"neither", casekit.Reopening{}, []string{"reason", "note"}, "required"},
				{"unknown reason", casekit.Reopening{Reason: "whim", Note: "again"}, []string{"reason"}, "known"},
				{"a closure reason", casekit.Reopening{Reason: "fixed", Note: "again"}, []string{"reason"}, "known"},
			} {
				err := errOf(e.Agent().Reopen(t.Context(), c.ID, tc.r))
				if ve := wantInvalid(t, err, "Reopen with "+tc.name, tc.fields...); ve != nil {
					for _, f := range tc.fields {
						if fe := ve.Field(f); fe != nil && fe.Rule != tc.rule {
							t.Errorf("Reopen with %s: field %s broke %q, want %q", tc.name, f, fe.Rule, tc.rule)
						}
					}
				}
			}
			wantUnchanged(t, before, e.state(t, c.ID), "after refused Reopen calls")
		}},
		{"Reopen of an active case gives ErrInvalidTransition", func(t *testing.T, e *Env) {
			for _, from := range activeStatuses {
				c := e.into(t, e.open(t, "Active", "cust-1"), from)
				before := e.state(t, c.ID)
				err := errOf(e.Agent().Reopen(t.Context(), c.ID, casekit.Reopening{Reason: "not_fixed", Note: "again"}))
				wantTransitionError(t, err, from, casekit.StatusReopened, "Reopen of a "+from+" case")
				wantUnchanged(t, before, e.state(t, c.ID), "after Reopen of a %s case", from)
			}
		}},
		{"Reopen clears the resolved and closed marks and records reason and note", func(t *testing.T, e *Env) {
			for _, from := range readOnlyStatuses {
				c := e.into(t, e.open(t, "Reopen from "+from, "cust-1"), from)
				at := e.Tick()
				got := try(e.Desk(casekit.Agent("agent-4")).Reopen(t.Context(), c.ID, casekit.Reopening{Reason: "new_information", Note: "They called back"})).get(t)
				for _, cs := range []*casekit.Case{got, e.reload(t, c.ID)} {
					if cs.Status != casekit.StatusReopened || cs.ClosedAt != nil || cs.ResolvedAt != nil || cs.ClosureReason != "" {
						t.Errorf("Reopen from %s: status %q, closed at %v, resolved at %v, reason %q; want reopened and all cleared",
							from, cs.Status, cs.ClosedAt, cs.ResolvedAt, cs.ClosureReason)
					}
				}
				evs := e.history(t, c.ID)
				ev := evs[len(evs)-1]
				wantEvent(t, ev, casekit.EventReopened, casekit.Agent("agent-4"), at)
				if str(ev, "reason") != "new_information" || str(ev, "note") != "They called back" || str(ev, "from") != from {
					t.Errorf("case.reopened data = %v, want reason, note and from %s", ev.Data, from)
				}
			}
		}},
		{"Cancel works from every active status and cancels open activities", func(t *testing.T, e *Env) {
			for _, from := range activeStatuses {
				c := e.into(t, e.open(t, "Cancel from "+from, "cust-1"), from)
				a := e.task(t, c.ID, "Open work")
				at := e.Tick()
				got := try(e.Agent().Cancel(t.Context(), c.ID, "customer found it")).get(t)
				if got.Status != casekit.StatusCanceled || e.reload(t, c.ID).Status != casekit.StatusCanceled {
					t.Errorf("Cancel from %s: status %q, want canceled", from, got.Status)
				}
				if act := e.activity(t, c.ID, a.ID); act.State != casekit.ActivityCanceled {
					t.Errorf("Cancel from %s left the activity %s", from, act.State)
				}
				evs := e.history(t, c.ID)
				ev := evs[len(evs)-1]
				wantEvent(t, ev, casekit.EventCanceled, casekit.Agent(AgentID), at)
				if str(ev, "reason") != "customer found it" || str(ev, "from") != from {
					t.Errorf("case.canceled data = %v, want the reason and from %s", ev.Data, from)
				}
				if canceled, _ := stringList(ev.Data["canceled_activities"]); !slices.Equal(canceled, []string{a.ID}) {
					t.Errorf("case.canceled canceled_activities = %v, want [%s]", ev.Data["canceled_activities"], a.ID)
				}
			}
		}},
		{"Cancel refuses a case that is no longer active", func(t *testing.T, e *Env) {
			for _, from := range readOnlyStatuses {
				c := e.into(t, e.open(t, "Done", "cust-1"), from)
				before := e.state(t, c.ID)
				err := errOf(e.Agent().Cancel(t.Context(), c.ID, "late"))
				if !errors.Is(err, casekit.ErrReadOnly) && !errors.Is(err, casekit.ErrInvalidTransition) {
					t.Errorf("Cancel of a %s case: got %v, want ErrReadOnly or ErrInvalidTransition", from, err)
				}
				wantUnchanged(t, before, e.state(t, c.ID), "after Cancel of a %s case", from)
			}
		}},
		{"Cancel refuses a reason over 1000 characters", func(t *testing.T, e *Env) {
			c := e.open(t, "Cancel", "cust-1")
			before := e.state(t, c.ID)
			wantRule(t, errOf(e.Agent().Cancel(t.Context(), c.ID, strings.Repeat("r", 1001))), "Cancel with a long reason", "reason", "max")
			wantUnchanged(t, before, e.state(t, c.ID), "after the refused Cancel")
		}},
	})
}

// testSetStatusTable tries every move between two default statuses.
func testSetStatusTable(t *testing.T, e *Env) {
	ctx := t.Context()
	for _, from := range allStatuses {
		for _, to := range allStatuses {
			what := "SetStatus(" + from + " -> " + to + ")"
			c := e.into(t, e.open(t, what, "cust-1"), from)
			before := e.state(t, c.ID)
			got, err := e.Agent().SetStatus(ctx, c.ID, to)
			fromRO := slices.Contains(readOnlyStatuses, from)
			switch {
			case from == to:
				if wantOK(t, err, "%s", what) && got.Status != from {
					t.Errorf("%s: status %q", what, got.Status)
				}
				wantUnchanged(t, before, e.state(t, c.ID), "after %s", what)
			case to == casekit.StatusClosed && from != casekit.StatusClosed && from != casekit.StatusCanceled:
				wantInvalid(t, err, what+" (use Close)", "reason")
				wantUnchanged(t, before, e.state(t, c.ID), "after %s", what)
			case to == casekit.StatusReopened && fromRO:
				wantInvalid(t, err, what+" (use Reopen)", "reason")
				wantUnchanged(t, before, e.state(t, c.ID), "after %s", what)
			case fromRO:
				if !errors.Is(err, casekit.ErrReadOnly) && !errors.Is(err, casekit.ErrInvalidTransition) {
					t.Errorf("%s: got %v, want ErrReadOnly (or ErrInvalidTransition)", what, err)
				}
				wantUnchanged(t, before, e.state(t, c.ID), "after %s", what)
			case to == casekit.StatusNew || (to == casekit.StatusReopened && from != casekit.StatusWaiting):
				wantTransitionError(t, err, from, to, what)
				wantUnchanged(t, before, e.state(t, c.ID), "after %s", what)
			default:
				if !wantOK(t, err, "%s", what) {
					continue
				}
				stored := e.reload(t, c.ID)
				if got.Status != to || stored.Status != to || stored.Version != before.Case.Version+1 {
					t.Errorf("%s: status %q (stored %q, version %d), want %s at version %d", what, got.Status, stored.Status, stored.Version, to, before.Case.Version+1)
				}
				evs := e.history(t, c.ID)
				ev := evs[len(evs)-1]
				wantTyp := map[string]casekit.EventType{casekit.StatusResolved: casekit.EventResolved, casekit.StatusCanceled: casekit.EventCanceled}[to]
				if wantTyp == "" {
					wantTyp = casekit.EventStatusChanged
				}
				if ev.Type != wantTyp || str(ev, "from") != from || str(ev, "to") != to {
					t.Errorf("%s: last event %s %v, want %s from %s to %s", what, ev.Type, ev.Data, wantTyp, from, to)
				}
			}
		}
	}
}

// testReadOnly checks that a case in a read-only status refuses every edit
// with ErrReadOnly, changes nothing, and takes them all again once
// reopened.
func testReadOnly(t *testing.T, e *Env, status string) {
	ctx := t.Context()
	c := e.open(t, "Read-only when "+status, "cust-1")
	a := e.task(t, c.ID, "Work")
	try(e.Agent().CancelActivity(ctx, a.ID, "not needed")).get(t)
	b := e.task(t, c.ID, "More work")
	try(e.Agent().CompleteActivity(ctx, b.ID, casekit.Completion{})).get(t)
	c = e.into(t, c, status)
	before := e.state(t, c.ID)
	e.Tick()
	for _, at := range editAttempts(c.ID, a.ID) {
		wantIs(t, at.run(ctx, e.Agent()), casekit.ErrReadOnly, "%s on a %s case", at.name, status)
	}
	if status != casekit.StatusResolved {
		for _, at := range finalAttempts(c.ID, "cust-1") {
			wantIs(t, at.run(ctx, e.Agent()), casekit.ErrReadOnly, "%s on a %s case", at.name, status)
		}
	}
	wantUnchanged(t, before, e.state(t, c.ID), "after edits of a %s case", status)

	try(e.Agent().Reopen(ctx, c.ID, casekit.Reopening{Reason: "not_fixed", Note: "Still broken"})).get(t)
	d := e.Agent()
	wantOK(t, errOf(d.UpdateCase(ctx, c.ID, casekit.CaseUpdate{Subject: ptr("Edited after reopening")})), "UpdateCase after Reopen")
	act, err := d.AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityTask, Subject: "Again"})
	if wantOK(t, err, "AddActivity after Reopen") {
		wantOK(t, errOf(d.UpdateActivity(ctx, act.ID, casekit.ActivityUpdate{Subject: ptr("Again, edited")})), "UpdateActivity after Reopen")
		wantOK(t, errOf(d.CompleteActivity(ctx, act.ID, casekit.Completion{})), "CompleteActivity after Reopen")
	}
	wantOK(t, errOf(d.AddNote(ctx, c.ID, casekit.NewNote{Subject: "general", Body: "reopened"})), "AddNote after Reopen")
	wantOK(t, errOf(d.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Looking again"})), "PostMessage after Reopen")
	wantOK(t, errOf(d.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Customer mail", Direction: casekit.Inbound})), "inbound PostMessage after Reopen")
	wantOK(t, errOf(d.SetStatus(ctx, c.ID, casekit.StatusInProgress)), "SetStatus(in_progress) after Reopen")
	wantOK(t, errOf(d.SetStatus(ctx, c.ID, casekit.StatusWaiting)), "SetStatus(waiting) after Reopen")
	wantOK(t, errOf(d.Resolve(ctx, c.ID, casekit.Resolution{})), "Resolve after Reopen")
}
