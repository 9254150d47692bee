package casekittest

import (
	"testing"

	"casekit.dev/casekit"
)

// testRatings checks Desk.Rate: the tenant's satisfaction lookup decides
// whether a rating reopens (clearing the assignee) or closes the case;
// the rating is kept; a case is rated once and only after its resolution.
func testRatings(t *testing.T, newStore StoreFactory) {
	// resolvedFor opens a case for cust-1, assigned to agent-9, with an
	// open task, and resolves it (canceling the task).
	resolvedFor := func(t *testing.T, e *Env) *casekit.Case {
		t.Helper()
		c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Rate me", CustomerID: "cust-1", AssigneeID: "agent-9"})
		return try(e.Agent().Resolve(t.Context(), c.ID, casekit.Resolution{Summary: "done"})).get(t)
	}
	runEnvTests(t, newStore, []envTest{
		{"a low rating reopens the case, clears the assignee and keeps the rating", func(t *testing.T, e *Env) {
			c := resolvedFor(t, e)
			at := e.Tick()
			got := try(e.Desk(casekit.Customer("cust-1")).Rate(t.Context(), c.ID, casekit.Rating{Level: 2, Comment: "Still <broken>"})).get(t)
			stored := e.reload(t, c.ID)
			for _, cs := range []*casekit.Case{got, stored} {
				if cs.Status != casekit.StatusReopened || cs.AssigneeID != "" || cs.Satisfaction != 2 || cs.SatisfactionComment != "Still <broken>" || cs.ResolvedAt != nil {
					t.Fatalf("after a rating of 2: status %q, assignee %q, satisfaction %d %q, resolved at %v; want reopened, unassigned, 2 kept",
						cs.Status, cs.AssigneeID, cs.Satisfaction, cs.SatisfactionComment, cs.ResolvedAt)
				}
			}
			h := e.history(t, c.ID)
			rated := eventOf(t, h, casekit.EventRated)
			wantEvent(t, rated, casekit.EventRated, casekit.Customer("cust-1"), at)
			if rated.Data["action"] != casekit.RatingReopens || str(rated, "comment") != "Still <broken>" {
				t.Errorf("rated event data = %v", rated.Data)
			}
			reopened := eventOf(t, h, casekit.EventReopened)
			if str(reopened, "reason") != "low_rating" || str(reopened, "unassigned") != "agent-9" {
				t.Errorf("reopened event data = %v, want reason low_rating and the assignee cleared", reopened.Data)
			}
		}},
		{"a good rating closes the case", func(t *testing.T, e *Env) {
			c := resolvedFor(t, e)
			got := try(e.Desk(casekit.Customer("cust-1")).Rate(t.Context(), c.ID, casekit.Rating{Level: 5})).get(t)
			if got.Status != casekit.StatusClosed || got.ClosureReason != "fixed" || got.ClosedAt == nil || got.Satisfaction != 5 {
				t.Fatalf("after a rating of 5: %q, reason %q, closed at %v, satisfaction %d; want closed, fixed", got.Status, got.ClosureReason, got.ClosedAt, got.Satisfaction)
			}
			wantEqual(t, casekit.StatusClosed, e.reload(t, c.ID).Status, "stored status")
			eventOf(t, e.history(t, c.ID), casekit.EventClosed)
		}},
		{"the tenant's lookup decides what a level does", func(t *testing.T, e *Env) {
			ctx := t.Context()
			levels := try(e.Agent().Config().Lookups(ctx, casekit.LookupSatisfaction)).get(t)
			for _, l := range levels {
				if l.Rank == 3 {
					l.Action = casekit.RatingReopens
					must(t, e.Agent().Config().SaveLookup(ctx, l), "SaveLookup")
				}
				if l.Rank == 4 {
					l.Disabled = true
					must(t, e.Agent().Config().SaveLookup(ctx, l), "SaveLookup")
				}
			}
			c := resolvedFor(t, e)
			before := e.state(t, c.ID)
			wantRule(t, errOf(e.Desk(casekit.Customer("cust-1")).Rate(ctx, c.ID, casekit.Rating{Level: 4})), "a disabled level", "level", "known")
			wantRule(t, errOf(e.Desk(casekit.Customer("cust-1")).Rate(ctx, c.ID, casekit.Rating{Level: 9})), "an unknown level", "level", "known")
			wantRule(t, errOf(e.Desk(casekit.Customer("cust-1")).Rate(ctx, c.ID, casekit.Rating{Level: 0})), "level 0", "level", "min")
			wantUnchanged(t, before, e.state(t, c.ID), "after refused ratings")
			got := try(e.Desk(casekit.Customer("cust-1")).Rate(ctx, c.ID, casekit.Rating{Level: 3})).get(t)
			wantEqual(t, casekit.StatusReopened, got.Status, "status after a 3 that now reopens")
		}},
		{"only a resolved case is rated, and only once", func(t *testing.T, e *Env) {
			ctx, cust := t.Context(), e.Desk(casekit.Customer("cust-1"))
			active := e.open(t, "Active", "cust-1")
			before := e.state(t, active.ID)
			wantIs(t, errOf(cust.Rate(ctx, active.ID, casekit.Rating{Level: 5})), casekit.ErrNotResolved, "rating an active case")
			wantUnchanged(t, before, e.state(t, active.ID), "after rating an active case")
			canceled := e.into(t, e.open(t, "Canceled", "cust-1"), casekit.StatusCanceled)
			wantIs(t, errOf(cust.Rate(ctx, canceled.ID, casekit.Rating{Level: 5})), casekit.ErrNotResolved, "rating a canceled case")

			c := resolvedFor(t, e)
			try(cust.Rate(ctx, c.ID, casekit.Rating{Level: 4})).get(t)
			before = e.state(t, c.ID)
			wantIs(t, errOf(cust.Rate(ctx, c.ID, casekit.Rating{Level: 1})), casekit.ErrConflict, "rating twice")
			wantUnchanged(t, before, e.state(t, c.ID), "after rating twice")
		}},
		{"a case closed before it was rated keeps the rating and its status", func(t *testing.T, e *Env) {
			c := e.into(t, e.open(t, "Closed early", "cust-1"), casekit.StatusClosed)
			got := try(e.Desk(casekit.Customer("cust-1")).Rate(t.Context(), c.ID, casekit.Rating{Level: 1, Comment: "late"})).get(t)
			if got.Status != casekit.StatusClosed || got.Satisfaction != 1 || e.reload(t, c.ID).Satisfaction != 1 {
				t.Fatalf("status %q, satisfaction %d; want closed with the rating kept", got.Status, got.Satisfaction)
			}
		}},
		{"a customer rates only their own cases", func(t *testing.T, e *Env) {
			c := resolvedFor(t, e)
			before := e.state(t, c.ID)
			wantIs(t, errOf(e.Desk(casekit.Customer("cust-2")).Rate(t.Context(), c.ID, casekit.Rating{Level: 1})), casekit.ErrNotFound, "another customer's case")
			wantUnchanged(t, before, e.state(t, c.ID), "after another customer's rating")
		}},
	})
	t.Run("a low rating tells the team", func(t *testing.T) {
		rec := &Recorder{}
		e := NewEnv(t, newStore(t), casekit.WithNotifier(rec))
		ctx := t.Context()
		e.places(t, []string{"team-a"})
		c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Team case", CustomerID: "cust-1", TeamID: "team-a", AssigneeID: "agent-9"})
		try(e.Agent().Resolve(ctx, c.ID, casekit.Resolution{})).get(t)
		try(e.Desk(casekit.Customer("cust-1")).Rate(ctx, c.ID, casekit.Rating{Level: 1})).get(t)
		_, err := e.Kit.RunDue(ctx)
		must(t, err, "RunDue")
		var got []string
		for _, n := range rec.Take() {
			if n.CaseID == c.ID && n.Event != casekit.EventResolved && n.Event != casekit.EventCaseOpened {
				got = append(got, string(n.Event)+" -> "+string(n.Recipient.Kind)+":"+n.Recipient.ID)
			}
		}
		wantEqual(t, []string{"case.rated -> team:team-a"}, got, "notifications of a low rating")
	})
}
