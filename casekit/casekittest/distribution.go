package casekittest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

// places saves teams (named by their IDs) and queues in the env's tenant.
func (e *Env) places(t testing.TB, teams []string, queues ...casekit.Queue) {
	t.Helper()
	for _, id := range teams {
		must(t, e.Agent().Config().SaveTeam(t.Context(), casekit.Team{ID: id, Name: "Team " + id}), "SaveTeam(%s)", id)
	}
	for _, q := range queues {
		must(t, e.Agent().Config().SaveQueue(t.Context(), q), "SaveQueue(%s)", q.ID)
	}
}

// changes returns an event's "changes" as field -> [old, new] strings.
func changes(t testing.TB, ev casekit.Event) map[string][2]string {
	t.Helper()
	raw, ok := ev.Data["changes"].(map[string]any)
	if !ok {
		t.Fatalf("%s event has no changes: %v", ev.Type, ev.Data)
	}
	out := map[string][2]string{}
	for k, v := range raw {
		pair, ok := stringList(v)
		if !ok || len(pair) != 2 {
			t.Fatalf("%s event: change %s is %v, want [old, new]", ev.Type, k, v)
		}
		out[k] = [2]string{pair[0], pair[1]}
	}
	return out
}

// testDirectory knows agents 1-4 (agent-1's address too); team-a has
// agents 1 and 2, team-b agent 3.
var testDirectory = casekit.StaticDirectory{
	People: []casekit.Person{
		{ID: "agent-1", Name: "Ann", Email: "ann@acme.example"}, {ID: "agent-2", Name: "Bob"},
		{ID: "agent-3", Name: "Cy"}, {ID: "agent-4", Name: "Di"},
	},
	Teams: map[string][]string{"team-a": {"agent-1", "agent-2"}, "team-b": {"agent-3"}},
}

func testDistribution(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"teams and queues are saved, listed, renamed and deleted, each in the config history", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			if ts := try(d.Config().Teams(ctx)).get(t); len(ts) != 0 {
				t.Fatalf("a new tenant has teams %v", ts)
			}
			e.places(t, []string{"support", "billing"}, casekit.Queue{ID: "inbox", Name: "Inbox", TeamID: "support"}, casekit.Queue{ID: "refunds", Name: "Refunds"})
			wantEqual(t, []casekit.Team{{ID: "billing", Name: "Team billing"}, {ID: "support", Name: "Team support"}}, try(d.Config().Teams(ctx)).get(t), "Teams")
			wantEqual(t, []casekit.Queue{{ID: "inbox", Name: "Inbox", TeamID: "support"}, {ID: "refunds", Name: "Refunds"}}, try(d.Config().Queues(ctx)).get(t), "Queues")

			at := e.Tick()
			must(t, d.Config().SaveTeam(ctx, casekit.Team{ID: "billing", Name: "Accounts"}), "rename team")
			must(t, d.Config().SaveQueue(ctx, casekit.Queue{ID: "refunds", Name: "Refunds", TeamID: "billing"}), "give the queue a team")
			wantEqual(t, []casekit.Team{{ID: "billing", Name: "Accounts"}, {ID: "support", Name: "Team support"}}, try(d.Config().Teams(ctx)).get(t), "Teams after rename")
			must(t, d.Config().DeleteQueue(ctx, "refunds"), "DeleteQueue")
			must(t, d.Config().DeleteTeam(ctx, "billing"), "DeleteTeam")
			wantEqual(t, []casekit.Team{{ID: "support", Name: "Team support"}}, try(d.Config().Teams(ctx)).get(t), "Teams after delete")
			wantEqual(t, []casekit.Queue{{ID: "inbox", Name: "Inbox", TeamID: "support"}}, try(d.Config().Queues(ctx)).get(t), "Queues after delete")

			evs := e.tenantEvents(t)
			tail := evs[len(evs)-4:]
			wantEqual(t, []casekit.EventType{casekit.EventTeamChanged, casekit.EventQueueChanged, casekit.EventQueueChanged, casekit.EventTeamChanged}, types(tail), "config history")
			for _, ev := range tail {
				wantEvent(t, ev, ev.Type, casekit.Agent(AgentID), at)
			}
			if str(tail[0], "name") != "Accounts" || str(tail[2], "queue_id") != "refunds" || tail[2].Data["deleted"] != true || tail[3].Data["deleted"] != true {
				t.Errorf("config events: %v", tail)
			}
		}},
		{"bad team and queue input is refused and changes nothing", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, []string{"support"}, casekit.Queue{ID: "inbox", Name: "Inbox", TeamID: "support"})
			c := openWith(t, d, casekit.NewCase{Subject: "Waiting", QueueID: "inbox"})
			before := e.tenantState(t)
			wantRule(t, d.Config().SaveTeam(ctx, casekit.Team{ID: "has space", Name: "X"}), "SaveTeam with a bad ID", "id", "key")
			wantRule(t, d.Config().SaveTeam(ctx, casekit.Team{ID: "", Name: "X"}), "SaveTeam with no ID", "id", "required")
			wantRule(t, d.Config().SaveTeam(ctx, casekit.Team{ID: "x"}), "SaveTeam with no name", "name", "required")
			wantRule(t, d.Config().SaveQueue(ctx, casekit.Queue{ID: "q", Name: "Q", TeamID: "nobody"}), "SaveQueue with an unknown team", "team_id", "known")
			wantRule(t, d.Config().SaveQueue(ctx, casekit.Queue{ID: "-q", Name: "Q"}), "SaveQueue with a bad ID", "id", "key")
			wantIs(t, d.Config().DeleteTeam(ctx, "nobody"), casekit.ErrNotFound, "DeleteTeam(unknown)")
			wantIs(t, d.Config().DeleteQueue(ctx, "nowhere"), casekit.ErrNotFound, "DeleteQueue(unknown)")
			wantIs(t, d.Config().DeleteTeam(ctx, "support"), casekit.ErrConflict, "DeleteTeam of a queue's team")
			wantIs(t, d.Config().DeleteQueue(ctx, "inbox"), casekit.ErrConflict, "DeleteQueue with an active case in it")
			wantEqual(t, before, e.tenantState(t), "tenant after refused commands")

			e.into(t, c, casekit.StatusCanceled)
			must(t, d.Config().DeleteQueue(ctx, "inbox"), "DeleteQueue once its case is canceled")
			must(t, d.Config().DeleteTeam(ctx, "support"), "DeleteTeam once its queue is gone")
		}},
		{"assign, reassign and unassign, each in the history", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, []string{"support", "billing"}, casekit.Queue{ID: "inbox", Name: "Inbox", TeamID: "support"}, casekit.Queue{ID: "loose", Name: "No team"})
			c := e.open(t, "Printer on fire", "cust-1")

			at := e.Tick()
			got := try(d.Assign(ctx, c.ID, casekit.Assignment{Agent: "agent-9", Queue: "inbox"})).get(t)
			if got.AssigneeID != "agent-9" || got.QueueID != "inbox" || got.TeamID != "support" || got.Version != 2 || !got.UpdatedAt.Equal(at) {
				t.Errorf("after Assign: agent %q, queue %q, team %q, version %d; want agent-9, inbox, support (the queue's), 2", got.AssigneeID, got.QueueID, got.TeamID, got.Version)
			}
			wantEqual(t, got, e.reload(t, c.ID), "stored case after Assign")
			ev := eventOf(t, e.history(t, c.ID), casekit.EventAssigned)
			wantEvent(t, ev, casekit.EventAssigned, casekit.Agent(AgentID), at)
			wantEqual(t, map[string][2]string{"assignee_id": {"", "agent-9"}, "queue_id": {"", "inbox"}, "team_id": {"", "support"}}, changes(t, ev), "assign event")

			got = try(d.Assign(ctx, c.ID, casekit.Assignment{Agent: "agent-8", Team: "billing"})).get(t)
			if got.AssigneeID != "agent-8" || got.TeamID != "billing" || got.QueueID != "inbox" {
				t.Errorf("after reassign: %q %q %q", got.AssigneeID, got.TeamID, got.QueueID)
			}
			got = try(d.Assign(ctx, c.ID, casekit.Assignment{Queue: "loose"})).get(t)
			if got.TeamID != "billing" || got.QueueID != "loose" {
				t.Errorf("moving to a queue with no team changed the team: %q %q", got.TeamID, got.QueueID)
			}
			n := len(e.history(t, c.ID))
			same := try(d.Assign(ctx, c.ID, casekit.Assignment{Agent: "agent-8", Queue: "loose"})).get(t)
			if same.Version != got.Version || len(e.history(t, c.ID)) != n {
				t.Errorf("an assignment that changes nothing wrote version %d (was %d) and %d events (was %d)", same.Version, got.Version, len(e.history(t, c.ID)), n)
			}
			got = try(d.Assign(ctx, c.ID, casekit.Assignment{ClearAgent: true})).get(t)
			if got.AssigneeID != "" || got.QueueID != "loose" || got.TeamID != "billing" {
				t.Errorf("after Unassign: %q %q %q; want no agent, same queue and team", got.AssigneeID, got.QueueID, got.TeamID)
			}
			got = try(d.Assign(ctx, c.ID, casekit.Assignment{ClearTeam: true, ClearQueue: true})).get(t)
			if got.TeamID != "" || got.QueueID != "" {
				t.Errorf("after clearing team and queue: %q %q", got.TeamID, got.QueueID)
			}
			wantEqual(t, []casekit.EventType{casekit.EventCaseOpened, casekit.EventAssigned, casekit.EventAssigned, casekit.EventAssigned, casekit.EventAssigned, casekit.EventAssigned},
				types(e.history(t, c.ID)), "history")
		}},
		{"bad assignments are refused and change nothing", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, []string{"support"}, casekit.Queue{ID: "inbox", Name: "Inbox"})
			c := e.open(t, "Printer on fire", "cust-1")
			r := e.into(t, e.open(t, "Solved", "cust-1"), casekit.StatusResolved)
			before, beforeR := e.state(t, c.ID), e.state(t, r.ID)
			wantRule(t, errOf(d.Assign(ctx, c.ID, casekit.Assignment{Queue: "nowhere"})), "Assign to an unknown queue", "queue", "known")
			wantRule(t, errOf(d.Assign(ctx, c.ID, casekit.Assignment{Team: "nobody"})), "Assign to an unknown team", "team", "known")
			wantRule(t, errOf(d.Assign(ctx, c.ID, casekit.Assignment{Agent: "a", ClearAgent: true})), "Assign and clear the agent", "agent", "excluded_with")
			wantRule(t, errOf(d.Assign(ctx, c.ID, casekit.Assignment{Team: "bad team"})), "Assign to a malformed team", "team", "key")
			wantRule(t, errOf(d.OpenCase(ctx, casekit.NewCase{Subject: "x", QueueID: "nowhere"})), "OpenCase in an unknown queue", "queue_id", "known")
			wantRule(t, errOf(d.OpenCase(ctx, casekit.NewCase{Subject: "x", TeamID: "nobody"})), "OpenCase for an unknown team", "team_id", "known")
			wantIs(t, errOf(d.Assign(ctx, r.ID, casekit.Assignment{Agent: "agent-2"})), casekit.ErrReadOnly, "Assign on a resolved case")
			wantIs(t, errOf(d.Assign(ctx, fakeFixture().CaseID, casekit.Assignment{Agent: "agent-2"})), casekit.ErrNotFound, "Assign on an unknown case")
			wantUnchanged(t, before, e.state(t, c.ID), "case after refused assignments")
			wantUnchanged(t, beforeR, e.state(t, r.ID), "resolved case after a refused assignment")
			if page := try(d.ListCases(ctx, casekit.CaseFilter{})).get(t); len(page.Cases) != 2 {
				t.Errorf("refused OpenCase calls left cases: %v", numbers(page.Cases))
			}
		}},
		{"pick gives the most urgent, then the oldest, unassigned active case of the queue", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, []string{"support"}, casekit.Queue{ID: "inbox", Name: "Inbox", TeamID: "support"}, casekit.Queue{ID: "other", Name: "Other"})
			open := func(subject, priority, queue string) *casekit.Case {
				e.Tick()
				return openWith(t, d, casekit.NewCase{Subject: subject, Priority: priority, QueueID: queue})
			}
			medOld := open("medium, oldest", "medium", "inbox")
			low := open("low", "low", "inbox")
			critical := open("critical", "critical", "inbox")
			medNew := open("medium, newer", "medium", "inbox")
			highNew := open("high, newest", "high", "inbox")
			open("critical elsewhere", "critical", "other")
			taken := open("critical but assigned", "critical", "inbox")
			try(d.Assign(ctx, taken.ID, casekit.Assignment{Agent: "agent-9"})).get(t)
			waiting := e.into(t, open("critical, waiting for the customer", "critical", "inbox"), casekit.StatusWaiting)
			try(d.Assign(ctx, waiting.ID, casekit.Assignment{ClearAgent: true})).get(t)
			e.into(t, open("critical, resolved", "critical", "inbox"), casekit.StatusResolved)
			e.into(t, open("critical, canceled", "critical", "inbox"), casekit.StatusCanceled)
			prog := e.into(t, open("high, in progress, unassigned", "high", "inbox"), casekit.StatusInProgress)
			try(d.Assign(ctx, prog.ID, casekit.Assignment{ClearAgent: true})).get(t)

			want := []*casekit.Case{critical, highNew, prog, medOld, medNew, low}
			for i, w := range want {
				agent := fmt.Sprintf("agent-%d", i+1)
				at := e.Tick()
				got := try(e.Desk(casekit.Agent(agent)).Pick(ctx, "inbox")).get(t)
				if got.ID != w.ID {
					t.Fatalf("pick %d = %q, want %q", i+1, got.Subject, w.Subject)
				}
				if got.AssigneeID != agent || !got.UpdatedAt.Equal(at) {
					t.Errorf("picked %q: assignee %q at %s, want %s at %s", got.Subject, got.AssigneeID, got.UpdatedAt, agent, at)
				}
				wantEqual(t, got, e.reload(t, got.ID), "stored picked case")
				ev := eventOf(t, e.history(t, got.ID), casekit.EventAssigned)
				wantEvent(t, ev, casekit.EventAssigned, casekit.Agent(agent), at)
				if ev.Data["picked"] != true || changes(t, ev)["assignee_id"] != [2]string{"", agent} {
					t.Errorf("pick event: %v", ev.Data)
				}
			}
			wantIs(t, errOf(d.Pick(ctx, "inbox")), casekit.ErrNotFound, "Pick from an empty queue")
			wantRule(t, errOf(d.Pick(ctx, "nowhere")), "Pick from an unknown queue", "queue", "known")
			wantIs(t, errOf(e.Desk(casekit.System).Pick(ctx, "other")), casekit.ErrForbidden, "Pick as the system")
			wantIs(t, errOf(e.Desk(casekit.Customer("cust-1")).Pick(ctx, "other")), casekit.ErrForbidden, "Pick as a customer")
			if got := try(d.Pick(ctx, "other")).get(t); got.Subject != "critical elsewhere" {
				t.Errorf("Pick(other) = %q", got.Subject)
			}
		}},
		{"pick case takes one case, or conflicts when another agent has it", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Printer on fire", "cust-1")
			ann, bob := e.Desk(casekit.Agent("agent-1")), e.Desk(casekit.Agent("agent-2"))
			got := try(ann.PickCase(ctx, c.ID)).get(t)
			if got.AssigneeID != "agent-1" || got.Version != 2 {
				t.Errorf("PickCase: assignee %q version %d", got.AssigneeID, got.Version)
			}
			again := try(ann.PickCase(ctx, c.ID)).get(t)
			wantEqual(t, got, again, "PickCase of one's own case")
			before := e.state(t, c.ID)
			wantIs(t, errOf(bob.PickCase(ctx, c.ID)), casekit.ErrConflict, "PickCase of another agent's case")
			wantUnchanged(t, before, e.state(t, c.ID), "after a conflicting PickCase")
			r := e.into(t, e.open(t, "Solved", "cust-1"), casekit.StatusResolved)
			wantIs(t, errOf(bob.PickCase(ctx, r.ID)), casekit.ErrReadOnly, "PickCase of a resolved case")
			wantIs(t, errOf(bob.PickCase(ctx, fakeFixture().CaseID)), casekit.ErrNotFound, "PickCase of an unknown case")
		}},
		{"with a directory, agents are placed only in their teams and pick only from their teams' queues", func(t *testing.T, e *Env) {
			ctx := t.Context()
			de := NewEnv(t, e.Store, casekit.WithDirectory(testDirectory))
			d := de.Agent() // agent-1, of team-a
			de.places(t, []string{"team-a", "team-b"}, casekit.Queue{ID: "qa", Name: "A", TeamID: "team-a"}, casekit.Queue{ID: "qb", Name: "B", TeamID: "team-b"})
			c := openWith(t, d, casekit.NewCase{Subject: "For A", QueueID: "qa"})
			if c.TeamID != "team-a" {
				t.Errorf("a case opened in queue qa has team %q, want the queue's team-a", c.TeamID)
			}
			before := de.state(t, c.ID)
			wantRule(t, errOf(d.Assign(ctx, c.ID, casekit.Assignment{Agent: "agent-3"})), "Assign an agent of another team", "agent", "member")
			wantRule(t, errOf(d.Assign(ctx, c.ID, casekit.Assignment{Agent: "agent-404"})), "Assign an agent the directory does not know", "agent", "known")
			wantRule(t, errOf(d.OpenCase(ctx, casekit.NewCase{Subject: "x", QueueID: "qb", AssigneeID: "agent-1"})), "OpenCase with an agent outside the queue's team", "assignee_id", "member")
			wantIs(t, errOf(de.Desk(casekit.Agent("agent-3")).Pick(ctx, "qa")), casekit.ErrForbidden, "Pick from another team's queue")
			wantIs(t, errOf(de.Desk(casekit.Agent("agent-3")).PickCase(ctx, c.ID)), casekit.ErrForbidden, "PickCase from another team's queue")
			wantUnchanged(t, before, de.state(t, c.ID), "after refused placements")
			if got := try(d.Assign(ctx, c.ID, casekit.Assignment{Agent: "agent-2"})).get(t); got.AssigneeID != "agent-2" {
				t.Errorf("assigning a team member: %q", got.AssigneeID)
			}
			try(d.Assign(ctx, c.ID, casekit.Assignment{ClearAgent: true})).get(t)
			if got := try(d.Pick(ctx, "qa")).get(t); got.ID != c.ID || got.AssigneeID != "agent-1" {
				t.Errorf("a member's Pick = %s by %q", got.ID, got.AssigneeID)
			}
			// A case with no team may go to any agent the directory knows.
			free := openWith(t, d, casekit.NewCase{Subject: "Anyone"})
			if got := try(d.Assign(ctx, free.ID, casekit.Assignment{Agent: "agent-4"})).get(t); got.AssigneeID != "agent-4" {
				t.Errorf("assigning a case with no team: %q", got.AssigneeID)
			}
		}},
		{"escalate moves a case up a support level with a new agent or team", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, []string{"first", "second", "third"})
			c := openWith(t, d, casekit.NewCase{Subject: "Hard one", AssigneeID: "agent-1", TeamID: "first"})
			at := e.Tick()
			got := try(d.Escalate(ctx, c.ID, casekit.Escalation{Level: 2, Team: "second", Reason: "needs a specialist"})).get(t)
			if got.SupportLevel != 2 || got.TeamID != "second" || got.AssigneeID != "" {
				t.Errorf("after Escalate to a team: level %d team %q agent %q; want 2, second, none", got.SupportLevel, got.TeamID, got.AssigneeID)
			}
			wantEqual(t, got, e.reload(t, c.ID), "stored case after Escalate")
			ev := eventOf(t, e.history(t, c.ID), casekit.EventEscalated)
			wantEvent(t, ev, casekit.EventEscalated, casekit.Agent(AgentID), at)
			if n, _ := number(ev.Data["from_level"]); n != 0 {
				t.Errorf("escalation from level %v, want 0", ev.Data["from_level"])
			}
			if n, _ := number(ev.Data["to_level"]); n != 2 || str(ev, "reason") != "needs a specialist" {
				t.Errorf("escalation event: %v", ev.Data)
			}
			wantEqual(t, map[string][2]string{"assignee_id": {"agent-1", ""}, "team_id": {"first", "second"}}, changes(t, ev), "escalation changes")

			before := e.state(t, c.ID)
			wantRule(t, errOf(d.Escalate(ctx, c.ID, casekit.Escalation{Level: 2, Agent: "agent-5"})), "Escalate to the same level", "level", "gt")
			wantRule(t, errOf(d.Escalate(ctx, c.ID, casekit.Escalation{Level: 1, Agent: "agent-5"})), "Escalate to a lower level", "level", "gt")
			wantRule(t, errOf(d.Escalate(ctx, c.ID, casekit.Escalation{Level: 9, Agent: "agent-5"})), "Escalate to an unknown level", "level", "known")
			wantRule(t, errOf(d.Escalate(ctx, c.ID, casekit.Escalation{Level: 3})), "Escalate to nobody", "agent", "required_without")
			wantRule(t, errOf(d.Escalate(ctx, c.ID, casekit.Escalation{Level: 3, Team: "nobody"})), "Escalate to an unknown team", "team", "known")
			wantRule(t, errOf(d.Escalate(ctx, c.ID, casekit.Escalation{Level: 0, Agent: "agent-5"})), "Escalate to level 0", "level", "min")
			must(t, d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupSupportLevel, Key: "3", Label: "Third line", Rank: 3, Disabled: true}), "disable level 3")
			wantRule(t, errOf(d.Escalate(ctx, c.ID, casekit.Escalation{Level: 3, Agent: "agent-5"})), "Escalate to a disabled level", "level", "known")
			wantUnchanged(t, before, e.state(t, c.ID), "after refused escalations")

			must(t, d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupSupportLevel, Key: "3", Label: "Third line", Rank: 3}), "enable level 3")
			got = try(d.Escalate(ctx, c.ID, casekit.Escalation{Level: 3, Agent: "agent-5"})).get(t)
			if got.SupportLevel != 3 || got.AssigneeID != "agent-5" || got.TeamID != "second" {
				t.Errorf("after Escalate to an agent: level %d agent %q team %q; want 3, agent-5, second", got.SupportLevel, got.AssigneeID, got.TeamID)
			}
			r := e.into(t, got, casekit.StatusResolved)
			wantIs(t, errOf(d.Escalate(ctx, r.ID, casekit.Escalation{Level: 4, Agent: "x"})), casekit.ErrReadOnly, "Escalate a resolved case")
		}},
		{"16 agents picking from 1,000 cases at once pick every case exactly once", func(t *testing.T, e *Env) {
			testConcurrentPicks(t, e, 1000, 16)
		}},
	})
}

// testConcurrentPicks fills a queue with n cases of mixed priorities, lets
// pickers agents pick until it is empty, and checks that every case was
// picked exactly once, by the agent the store says has it.
func testConcurrentPicks(t *testing.T, e *Env, n, pickers int) {
	ctx := t.Context()
	e.places(t, []string{"support"}, casekit.Queue{ID: "inbox", Name: "Inbox", TeamID: "support"})
	FillQueue(t, e, "inbox", n)
	var (
		mu     sync.Mutex
		picked = map[string]string{} // case ID -> agent
		dups   []string
		wg     sync.WaitGroup
		errs   = make(chan error, pickers)
	)
	for p := range pickers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			agent := fmt.Sprintf("picker-%02d", p)
			d := e.Desk(casekit.Agent(agent))
			for {
				c, err := d.Pick(ctx, "inbox")
				if err != nil {
					if !errors.Is(err, casekit.ErrNotFound) {
						errs <- fmt.Errorf("%s: %w", agent, err)
					}
					return
				}
				mu.Lock()
				if prev, ok := picked[c.ID]; ok {
					dups = append(dups, fmt.Sprintf("#%d by %s and %s", c.Number, prev, agent))
				}
				picked[c.ID] = agent
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(dups) > 0 {
		t.Errorf("cases picked twice: %v", dups)
	}
	if len(picked) != n {
		t.Errorf("%d cases picked, want %d", len(picked), n)
	}
	e.InTx(t, func(ctx context.Context, tx store.Tx) error {
		cases, err := tx.ListCases(ctx, store.CaseQuery{CaseFilter: casekit.CaseFilter{QueueID: "inbox"}, Limit: n + 1})
		if err != nil {
			return err
		}
		for _, c := range cases {
			if c.AssigneeID == "" || c.AssigneeID != picked[c.ID] || c.Version != 2 {
				t.Errorf("case #%d: stored assignee %q version %d, picked by %q", c.Number, c.AssigneeID, c.Version, picked[c.ID])
			}
		}
		return nil
	})
}

// FillQueue opens n unassigned cases in queue, with priorities cycling
// through low, medium, high and critical, in one transaction straight on the
// store (fast enough for thousands). Each case has its opening event.
func FillQueue(t testing.TB, e *Env, queue string, n int) {
	t.Helper()
	prios := []string{"low", "medium", "high", "critical"}
	now := e.Now()
	e.InTx(t, func(ctx context.Context, tx store.Tx) error {
		for i := range n {
			at := now.Add(time.Duration(i) * time.Microsecond)
			c := &casekit.Case{ID: newCaseID(), Subject: fmt.Sprintf("Queued %d", i), Priority: prios[i%len(prios)],
				Origin: "api", QueueID: queue, TeamID: "", Status: casekit.StatusNew, CreatedBy: casekit.System,
				CreatedAt: at, UpdatedAt: at, Version: 1}
			if err := tx.InsertCase(ctx, c); err != nil {
				return err
			}
			if err := tx.AppendEvents(ctx, casekit.Event{ID: newCaseID(), CaseID: c.ID, CaseNumber: c.Number, Type: casekit.EventCaseOpened, Actor: casekit.System, At: at}); err != nil {
				return err
			}
		}
		return nil
	})
}

func newCaseID() string { return uuid.Must(uuid.NewV7()).String() }
