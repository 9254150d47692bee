package casekittest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

// crewDirectory knows agents 1 to 8: team crew has agents 1 to 3, team
// solo agent 4, team many agents 1 to 7.
var crewDirectory = casekit.StaticDirectory{
	People: []casekit.Person{{ID: "agent-1", Name: "Ann"}, {ID: "agent-2", Name: "Bob"}, {ID: "agent-3", Name: "Cy"},
		{ID: "agent-4", Name: "Di"}, {ID: "agent-5", Name: "Ed"}, {ID: "agent-6", Name: "Flo"}, {ID: "agent-7", Name: "Gus"},
		{ID: "agent-8", Name: "Hal"}},
	Teams: map[string][]string{"crew": {"agent-3", "agent-1", "agent-2"}, "solo": {"agent-4"},
		"many": {"agent-1", "agent-2", "agent-3", "agent-4", "agent-5", "agent-6", "agent-7"}},
}

// hostDirectory is crewDirectory with the host saying who is available.
type hostDirectory struct {
	casekit.StaticDirectory
	mu        sync.Mutex
	available map[string]bool
}

// Available implements casekit.AvailabilityDirectory.
func (h *hostDirectory) Available(_ context.Context, _ string, agents []string) ([]string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.DeleteFunc(agents, func(a string) bool { return !h.available[a] }), nil
}

func (h *hostDirectory) set(agent string, yes bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.available[agent] = yes
}

// availableAgents makes each agent available, as that agent.
func (e *Env) availableAgents(t testing.TB, agents ...string) {
	t.Helper()
	for _, a := range agents {
		got := try(e.Desk(casekit.Agent(a)).SetAvailable(t.Context(), true)).get(t)
		if !got.Available || got.AgentID != a {
			t.Fatalf("SetAvailable(true) as %s gave %+v", a, got)
		}
	}
}

// openIn opens n cases in the queue for the customer cust-1, as the
// host (System) does for a form or a mail, and returns them as stored
// after the command.
func (e *Env) openIn(t testing.TB, queue string, n int) []*casekit.Case {
	t.Helper()
	host := e.Desk(casekit.System)
	var out []*casekit.Case
	for i := range n {
		c := openWith(t, host, casekit.NewCase{Subject: fmt.Sprintf("Case %d in %s", i, queue), CustomerID: "cust-1", QueueID: queue})
		out = append(out, e.reload(t, c.ID))
	}
	return out
}

// assignees lists the cases' assignees, as stored now.
func (e *Env) assignees(t testing.TB, cs []*casekit.Case) []string {
	t.Helper()
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = e.reload(t, c.ID).AssigneeID
	}
	return out
}

// autoAssigned returns the case's auto-assignment events.
func (e *Env) autoAssigned(t testing.TB, id string) []casekit.Event {
	t.Helper()
	var out []casekit.Event
	for _, ev := range e.history(t, id) {
		if ev.Type == casekit.EventAssigned && ev.Data["auto_assign"] != nil {
			out = append(out, ev)
		}
	}
	return out
}

func testAutoAssign(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"round robin gives cases in turn to the available agents of the queue's team, each in the history by System", func(t *testing.T, e *Env) {
			ctx := t.Context()
			e.places(t, []string{"crew", "solo"}, casekit.Queue{ID: "rr", Name: "RR", TeamID: "crew", AssignMode: casekit.AssignRoundRobin})
			e.availableAgents(t, "agent-3", "agent-1", "agent-2", "agent-4") // agent-4 is not in crew
			at := e.Tick()
			cs := e.openIn(t, "rr", 6)
			wantEqual(t, []string{"agent-1", "agent-2", "agent-3", "agent-1", "agent-2", "agent-3"}, e.assignees(t, cs), "round robin")
			evs := e.history(t, cs[0].ID)
			wantEqual(t, []casekit.EventType{casekit.EventCaseOpened, casekit.EventAssigned}, types(evs), "history of an auto-assigned case")
			ev := evs[1]
			wantEvent(t, ev, casekit.EventAssigned, casekit.System, at)
			wantEqual(t, map[string][2]string{"assignee_id": {"", "agent-1"}}, changes(t, ev), "auto-assignment changes")
			if str(ev, "auto_assign") != string(casekit.AssignRoundRobin) || str(ev, "queue_id") != "rr" {
				t.Errorf("auto-assignment data %v: want auto_assign round_robin, queue_id rr", ev.Data)
			}
			if c := e.reload(t, cs[0].ID); c.Version != 2 || c.TeamID != "crew" {
				t.Errorf("auto-assigned case: version %d, team %q; want 2 (opened, assigned), crew", c.Version, c.TeamID)
			}

			try(e.Desk(casekit.Agent("agent-2")).SetAvailable(ctx, false)).get(t)
			wantEqual(t, []string{"agent-1", "agent-3", "agent-1"}, e.assignees(t, e.openIn(t, "rr", 3)), "round robin with agent-2 away")
		}},
		{"least open gives the available agent holding the fewest open cases, ties in round robin order", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, []string{"crew"}, casekit.Queue{ID: "lo", Name: "LO", TeamID: "crew", AssignMode: casekit.AssignLeastOpen})
			var ann []*casekit.Case
			for _, a := range []string{"agent-1", "agent-1", "agent-2"} {
				c := try(d.Assign(ctx, e.open(t, "Held by "+a, "cust-2").ID, casekit.Assignment{Agent: a})).get(t)
				if a == "agent-1" {
					ann = append(ann, c)
				}
			}
			done := e.open(t, "Resolved, not counted", "cust-2")
			try(d.Assign(ctx, done.ID, casekit.Assignment{Agent: "agent-3"})).get(t)
			try(d.Resolve(ctx, done.ID, casekit.Resolution{})).get(t)
			e.availableAgents(t, "agent-1", "agent-2", "agent-3")
			wantEqual(t, []string{"agent-3", "agent-2", "agent-3"}, e.assignees(t, e.openIn(t, "lo", 3)), "least open (1: 2, 2: 1, 3: 0 to start)")
			for _, c := range ann {
				try(d.Resolve(ctx, c.ID, casekit.Resolution{})).get(t)
			}
			wantEqual(t, []string{"agent-1", "agent-1", "agent-2"}, e.assignees(t, e.openIn(t, "lo", 3)), "least open after agent-1's cases were resolved")
			ev := e.autoAssigned(t, e.openIn(t, "lo", 1)[0].ID)
			if len(ev) != 1 || str(ev[0], "auto_assign") != string(casekit.AssignLeastOpen) {
				t.Errorf("least open assignment events %v", ev)
			}
		}},
		{"capacity: a full agent is passed over, a case with no one free waits, and freeing an agent gives it out in that command", func(t *testing.T, e *Env) {
			ctx := t.Context()
			e.places(t, []string{"crew"}, casekit.Queue{ID: "cap", Name: "Cap", TeamID: "crew", AssignMode: casekit.AssignRoundRobin, Capacity: 1})
			e.availableAgents(t, "agent-1", "agent-2")
			must(t, e.Agent().Config().SetAvailability(ctx, "agent-2", casekit.AvailabilityUpdate{Capacity: ptr(2)}), "agent-2's own capacity")
			cs := e.openIn(t, "cap", 4)
			wantEqual(t, []string{"agent-1", "agent-2", "agent-2", ""}, e.assignees(t, cs), "assignees with capacities 1 and 2")
			if w := e.reload(t, cs[3].ID); w.QueueID != "cap" || w.TeamID != "crew" || len(e.autoAssigned(t, w.ID)) != 0 {
				t.Errorf("the case no one was free for: queue %q, team %q, %d auto-assignments; want it waiting in cap for crew", w.QueueID, w.TeamID, len(e.autoAssigned(t, w.ID)))
			}
			loads := try(e.Agent().Config().Availabilities(ctx)).get(t)
			wantEqual(t, []string{"agent-1", "agent-2", "agent-3"}, agentIDs(loads), "Availabilities (the team's members)")
			if loads[0].Open != 1 || loads[1].Open != 2 || loads[1].Capacity == nil || *loads[1].Capacity != 2 || !loads[1].Available || loads[2].Available {
				t.Errorf("Availabilities: %+v", loads[:3])
			}

			at := e.Tick()
			try(e.Desk(casekit.Agent("agent-1")).Resolve(ctx, cs[0].ID, casekit.Resolution{})).get(t)
			if got := e.reload(t, cs[3].ID).AssigneeID; got != "agent-1" {
				t.Fatalf("after agent-1 resolved their case, the waiting case went to %q, want agent-1", got)
			}
			evs := e.autoAssigned(t, cs[3].ID)
			wantEvent(t, evs[len(evs)-1], casekit.EventAssigned, casekit.System, at)
		}},
		{"availability: an agent's own, an admin's, and cases waiting for no one given out when someone becomes available", func(t *testing.T, e *Env) {
			ctx := t.Context()
			e.places(t, []string{"crew"}, casekit.Queue{ID: "rr", Name: "RR", TeamID: "crew", AssignMode: casekit.AssignRoundRobin},
				casekit.Queue{ID: "plain", Name: "Plain", TeamID: "crew"})
			cs := e.openIn(t, "rr", 3)
			wantEqual(t, []string{"", "", ""}, e.assignees(t, cs), "assignees with no one available")
			cy := e.Desk(casekit.Agent("agent-3"))
			away := try(cy.Availability(ctx)).get(t)
			if away.Available || away.AgentID != "agent-3" || !away.UpdatedAt.IsZero() {
				t.Errorf("an agent never set: %+v, want away", away)
			}
			picked := try(e.Desk(casekit.Agent("agent-2")).Pick(ctx, "rr")).get(t)
			wantEqual(t, cs[0].ID, picked.ID, "Pick from an assigning queue")

			at := e.Tick()
			load := try(cy.SetAvailable(ctx, true)).get(t)
			if !load.Available || load.Open != 2 || !load.UpdatedAt.Equal(at) {
				t.Errorf("SetAvailable(true): %+v, want available with the 2 waiting cases", load)
			}
			wantEqual(t, []string{"agent-2", "agent-3", "agent-3"}, e.assignees(t, cs), "assignees once agent-3 is available")
			wantEvent(t, e.autoAssigned(t, cs[1].ID)[0], casekit.EventAssigned, casekit.System, at)
			wantEqual(t, load, try(cy.Availability(ctx)).get(t), "Availability after SetAvailable")
			wantEqual(t, load, try(cy.SetAvailable(ctx, true)).get(t), "SetAvailable(true) again")

			must(t, e.Agent().Config().SetAvailability(ctx, "agent-3", casekit.AvailabilityUpdate{Available: ptr(false)}), "an admin sets agent-3 away")
			late := e.openIn(t, "rr", 1)
			wantEqual(t, []string{""}, e.assignees(t, late), "assignee with agent-3 set away by an admin")
			must(t, e.Agent().Config().SetAvailability(ctx, "agent-1", casekit.AvailabilityUpdate{Available: ptr(true)}), "an admin sets agent-1 available")
			wantEqual(t, []string{"agent-1"}, e.assignees(t, late), "assignee once an admin made agent-1 available")
			wantEqual(t, []string{""}, e.assignees(t, e.openIn(t, "plain", 1)), "a queue that does not assign")

			var changed []string
			for _, ev := range e.tenantEvents(t) {
				if ev.Type == casekit.EventAvailabilityChanged {
					changed = append(changed, fmt.Sprintf("%s %s %v", ev.Actor, str(ev, "agent_id"), ev.Data["available"]))
				}
			}
			wantEqual(t, []string{"agent:agent-3 agent-3 true", "agent:agent-1 agent-3 false", "agent:agent-1 agent-1 true"}, changed, "availability history")
		}},
		{"a case returned to an assigning queue is given out again: released, moved in, reopened by the customer's reply", func(t *testing.T, e *Env) {
			ctx := t.Context()
			e.places(t, []string{"crew"}, casekit.Queue{ID: "rr", Name: "RR", TeamID: "crew", AssignMode: casekit.AssignRoundRobin},
				casekit.Queue{ID: "plain", Name: "Plain", TeamID: "crew"})
			e.availableAgents(t, "agent-1", "agent-2")
			c := e.openIn(t, "rr", 1)[0]
			wantEqual(t, "agent-1", c.AssigneeID, "first assignee")
			ann := e.Desk(casekit.Agent("agent-1"))
			got := try(ann.Assign(ctx, c.ID, casekit.Assignment{ClearAgent: true})).get(t)
			wantEqual(t, "agent-2", got.AssigneeID, "assignee after agent-1 released the case")
			evs := e.history(t, c.ID)
			wantEqual(t, casekit.Agent("agent-1"), evs[len(evs)-2].Actor, "the release's actor")
			wantEqual(t, map[string][2]string{"assignee_id": {"agent-1", ""}}, changes(t, evs[len(evs)-2]), "the release")
			wantEqual(t, map[string][2]string{"assignee_id": {"", "agent-2"}}, changes(t, evs[len(evs)-1]), "the auto-assignment after it")

			m := e.openIn(t, "plain", 1)[0]
			wantEqual(t, "", m.AssigneeID, "assignee in a plain queue")
			wantEqual(t, "agent-1", try(ann.Assign(ctx, m.ID, casekit.Assignment{Queue: "rr"})).get(t).AssigneeID, "assignee once moved into rr")

			try(e.Desk(casekit.Agent("agent-2")).Resolve(ctx, c.ID, casekit.Resolution{})).get(t)
			try(e.Desk(casekit.Customer("cust-1")).PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Still broken"})).get(t)
			back := e.reload(t, c.ID)
			if back.Status != casekit.StatusReopened || back.AssigneeID != "agent-2" {
				t.Errorf("after the customer's reply: status %s, assignee %q; want reopened, agent-2 (next after agent-1)", back.Status, back.AssigneeID)
			}
			wantEqual(t, 3, len(e.autoAssigned(t, c.ID)), "auto-assignments of the case")
		}},
		{"a case a trigger places in an assigning queue is given out in the same command", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, []string{"crew"}, casekit.Queue{ID: "refunds", Name: "Refunds", TeamID: "crew", AssignMode: casekit.AssignLeastOpen})
			e.availableAgents(t, "agent-2")
			must(t, d.Config().SaveTrigger(ctx, on("route", opened, []casekit.Condition{cond("subject", casekit.OpContains, "refund")},
				casekit.Action{Kind: casekit.ActionAssignQueue, Value: "refunds"})), "routing trigger")
			c := openWith(t, e.Desk(casekit.Customer("cust-1")), casekit.NewCase{Subject: "Refund please"})
			got := e.reload(t, c.ID)
			if got.QueueID != "refunds" || got.AssigneeID != "agent-2" || got.TeamID != "crew" {
				t.Errorf("routed case: queue %q, agent %q, team %q; want refunds, agent-2, crew", got.QueueID, got.AssigneeID, got.TeamID)
			}
			evs := e.history(t, c.ID)
			wantEqual(t, []casekit.EventType{casekit.EventCaseOpened, casekit.EventAssigned, casekit.EventAssigned}, types(evs), "history")
			if str(evs[1], "trigger") != "route" || evs[2].Actor != casekit.System || str(evs[2], "auto_assign") != "least_open" {
				t.Errorf("routed then auto-assigned: %v, %v", evs[1].Data, evs[2])
			}
		}},
		{"bad auto-assignment input is refused, naming the field, and changes nothing", func(t *testing.T, e *Env) {
			ctx, cf := t.Context(), e.Agent().Config()
			e.places(t, []string{"crew"}, casekit.Queue{ID: "plain", Name: "Plain", TeamID: "crew"})
			before := e.tenantState(t)
			wantRule(t, cf.SaveQueue(ctx, casekit.Queue{ID: "q", Name: "Q", TeamID: "crew", AssignMode: "random"}), "an unknown mode", "assign_mode", "oneof")
			wantRule(t, cf.SaveQueue(ctx, casekit.Queue{ID: "q", Name: "Q", TeamID: "crew", Capacity: -1}), "a negative capacity", "capacity", "min")
			wantRule(t, cf.SaveQueue(ctx, casekit.Queue{ID: "q", Name: "Q", AssignMode: casekit.AssignRoundRobin}), "assigning without a team", "team_id", "required")
			wantRule(t, cf.SetAvailability(ctx, "agent-2", casekit.AvailabilityUpdate{Capacity: ptr(-1)}), "a negative agent capacity", "capacity", "min")
			wantRule(t, cf.SetAvailability(ctx, "agent-2", casekit.AvailabilityUpdate{Capacity: ptr(3), ClearCapacity: true}), "a capacity set and cleared", "capacity", "excluded_with")
			wantRule(t, cf.SetAvailability(ctx, "", casekit.AvailabilityUpdate{Available: ptr(true)}), "no agent", "agent_id", "required")
			wantRule(t, cf.SetAvailability(ctx, "agent-99", casekit.AvailabilityUpdate{Available: ptr(true)}), "an agent the directory lacks", "agent_id", "known")
			wantRule(t, try(cf.AssignWaiting(ctx, "nowhere")).err, "AssignWaiting(unknown)", "queue", "known")
			wantRule(t, try(cf.AssignWaiting(ctx, "plain")).err, "AssignWaiting(a queue that does not assign)", "queue", "assigning")
			wantIs(t, try(e.Desk(casekit.System).SetAvailable(ctx, true)).err, casekit.ErrForbidden, "SetAvailable as System")
			wantIs(t, try(e.Desk(casekit.Customer("cust-1")).SetAvailable(ctx, true)).err, casekit.ErrForbidden, "SetAvailable as a customer")
			wantIs(t, try(e.Desk(casekit.Agent("agent-2")).Config().AssignWaiting(ctx, "plain")).err, casekit.ErrForbidden, "AssignWaiting as a non-admin")
			wantEqual(t, before, e.tenantState(t), "tenant after refused commands")
		}},
	}, casekit.WithDirectory(crewDirectory))

	runEnvTests(t, newStore, []envTest{
		{"without a Directory, every agent who made themselves available works every assigning queue", func(t *testing.T, e *Env) {
			e.places(t, []string{"crew"}, casekit.Queue{ID: "rr", Name: "RR", TeamID: "crew", AssignMode: casekit.AssignRoundRobin})
			e.availableAgents(t, "agent-9", "agent-8")
			wantEqual(t, []string{"agent-8", "agent-9", "agent-8"}, e.assignees(t, e.openIn(t, "rr", 3)), "round robin among the available")
			wantEqual(t, []string{"agent-8", "agent-9"}, agentIDs(try(e.Agent().Config().Availabilities(t.Context())).get(t)), "Availabilities")
		}},
		{"one command gives out at most AssignBatch waiting cases of a queue, the next the rest", func(t *testing.T, e *Env) {
			e.places(t, []string{"crew"}, casekit.Queue{ID: "rr", Name: "RR", TeamID: "crew", AssignMode: casekit.AssignRoundRobin})
			cs := e.openIn(t, "rr", casekit.AssignBatch+2)
			wantEqual(t, make([]string, len(cs)), e.assignees(t, cs), "assignees while nobody is available")
			e.availableAgents(t, "agent-9")
			given := 0
			for _, a := range e.assignees(t, cs) {
				if a != "" {
					given++
				}
			}
			wantEqual(t, casekit.AssignBatch, given, "cases given out by making agent-9 available")
			wantEqual(t, 2, try(e.Agent().Config().AssignWaiting(t.Context(), "rr")).get(t), "AssignWaiting after the batch")
			wantEqual(t, 0, try(e.Agent().Config().AssignWaiting(t.Context(), "rr")).get(t), "AssignWaiting with none waiting")
		}},
	})

	t.Run("with an AvailabilityDirectory the host says who is available", func(t *testing.T) {
		t.Parallel()
		ctx := t.Context()
		host := &hostDirectory{StaticDirectory: crewDirectory, available: map[string]bool{"agent-2": true}}
		e := NewEnv(t, newStore(t), casekit.WithDirectory(host))
		e.places(t, []string{"crew"}, casekit.Queue{ID: "rr", Name: "RR", TeamID: "crew", AssignMode: casekit.AssignRoundRobin, Capacity: 2})
		before := e.tenantState(t)
		wantRule(t, try(e.Desk(casekit.Agent("agent-1")).SetAvailable(ctx, true)).err, "SetAvailable with a host's say", "available", "host")
		wantRule(t, e.Agent().Config().SetAvailability(ctx, "agent-1", casekit.AvailabilityUpdate{Available: ptr(true)}), "SetAvailability with a host's say", "available", "host")
		wantEqual(t, before, e.tenantState(t), "tenant after refused commands")
		must(t, e.Agent().Config().SetAvailability(ctx, "agent-3", casekit.AvailabilityUpdate{Capacity: ptr(1)}), "a capacity is casekit's still")

		cs := e.openIn(t, "rr", 3)
		wantEqual(t, []string{"agent-2", "agent-2", ""}, e.assignees(t, cs), "assignees with only agent-2 at work (capacity 2)")
		host.set("agent-3", true)
		wantEqual(t, 1, try(e.Agent().Config().AssignWaiting(ctx, "rr")).get(t), "AssignWaiting once the host has agent-3 at work")
		wantEqual(t, "agent-3", e.reload(t, cs[2].ID).AssigneeID, "the waiting case's assignee")
		wantEqual(t, 0, try(e.Agent().Config().AssignWaiting(ctx, "rr")).get(t), "AssignWaiting with none waiting")
		load := try(e.Desk(casekit.Agent("agent-3")).Availability(ctx)).get(t)
		if !load.Available || load.Open != 1 || load.Capacity == nil || *load.Capacity != 1 {
			t.Errorf("agent-3's availability: %+v, want available (the host's say), 1 open, capacity 1", load)
		}
	})
}

// testAutoAssignNotices checks that an auto-assigned case is told to its
// agent once, and not to the team it no longer waits for.
func testAutoAssignNotices(t *testing.T, newStore StoreFactory) {
	runRecorderTests(t, newStore, []recorderTest{
		{"an auto-assigned case is told to its agent once", func(t *testing.T, e *Env, rec *Recorder) {
			ctx := t.Context()
			e.places(t, []string{"team-a"}, casekit.Queue{ID: "rr", Name: "RR", TeamID: "team-a", AssignMode: casekit.AssignRoundRobin})
			e.availableAgents(t, "agent-2")
			openWith(t, e.Desk(casekit.System), casekit.NewCase{Subject: "Help", CustomerID: "cust-1", QueueID: "rr", Origin: "portal"})
			_, err := e.Kit.RunDue(ctx)
			must(t, err, "RunDue")
			wantEqual(t, []string{"case.opened -> agent:agent-2"}, who(rec.Take()), "notices of an opening auto-assigned (no team, no second)")
		}},
	})
}

// agentIDs lists the loads' agents.
func agentIDs(loads []casekit.AgentLoad) []string {
	out := make([]string, len(loads))
	for i, l := range loads {
		out[i] = l.AgentID
	}
	return out
}

// AutoAssignFairness checks, on s, that auto-assignment is fair over
// 1,000 assignments: round robin gives each of seven agents within one
// case of a seventh, and least open leaves seven agents, one of whom
// started with five cases, holding open counts within one of each other.
func AutoAssignFairness(t *testing.T, s store.Store) {
	for _, mode := range []casekit.AssignMode{casekit.AssignRoundRobin, casekit.AssignLeastOpen} {
		t.Run(string(mode), func(t *testing.T) {
			ctx := t.Context()
			e := NewEnv(t, s, casekit.WithDirectory(crewDirectory))
			e.places(t, []string{"many"}, casekit.Queue{ID: "q", Name: "Q", TeamID: "many", AssignMode: mode})
			start := 0
			if mode == casekit.AssignLeastOpen {
				for range 5 {
					try(e.Agent().Assign(ctx, e.open(t, "Held", "cust-2").ID, casekit.Assignment{Agent: "agent-4"})).get(t)
				}
				start = 5
			}
			agents := crewDirectory.Teams["many"]
			e.availableAgents(t, agents...)
			host := e.Desk(casekit.System)
			for i := range 1000 {
				openWith(t, host, casekit.NewCase{Subject: fmt.Sprintf("Case %d", i), CustomerID: "cust-1", QueueID: "q"})
			}
			loads := try(e.Agent().Config().Availabilities(ctx)).get(t)
			total := 0
			for _, l := range loads {
				total += l.Open
			}
			wantEqual(t, 1000+start, total, "open assigned cases")
			ideal := float64(1000+start) / float64(len(agents))
			for _, l := range loads {
				if d := float64(l.Open) - ideal; d <= -1 || d >= 1 {
					t.Errorf("%s holds %d open cases, the ideal is %.2f", l.AgentID, l.Open, ideal)
				}
			}
		})
	}
}

// AutoAssignConcurrently opens cases into an assigning queue from many
// goroutines at once on s and checks that each case is given out exactly
// once: round robin with n cases from workers goroutines gives each of
// seven agents within one case of a seventh; then 100 cases moved at
// once into a least open queue with room for 10 per agent fill the
// seventy places exactly and leave the rest waiting.
func AutoAssignConcurrently(t *testing.T, s store.Store, n, workers int) {
	ctx := t.Context()
	e := NewEnv(t, s, casekit.WithDirectory(crewDirectory))
	agents := crewDirectory.Teams["many"]
	e.places(t, []string{"many"}, casekit.Queue{ID: "rr", Name: "RR", TeamID: "many", AssignMode: casekit.AssignRoundRobin},
		casekit.Queue{ID: "cap", Name: "Cap", TeamID: "many", AssignMode: casekit.AssignLeastOpen, Capacity: 10},
		casekit.Queue{ID: "plain", Name: "Plain", TeamID: "many"})
	e.availableAgents(t, agents...)
	host := e.Desk(casekit.System)
	// concurrently runs do(i) for i < n from workers goroutines.
	concurrently := func(what string, n int, do func(i int) error) {
		errs := make([]error, n)
		next := make(chan int)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for i := range next {
					errs[i] = do(i)
				}
			})
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
		for i, err := range errs {
			must(t, err, "%s %d", what, i)
		}
	}
	open := func(queue string, n int) []string {
		ids := make([]string, n)
		concurrently("OpenCase in "+queue, n, func(i int) error {
			c, err := host.OpenCase(ctx, casekit.NewCase{Subject: fmt.Sprintf("Case %d", i), CustomerID: "cust-1", QueueID: queue})
			if err == nil {
				ids[i] = c.ID
			}
			return err
		})
		return ids
	}
	count := func(ids []string) map[string]int {
		per := map[string]int{}
		for _, id := range ids {
			c := e.reload(t, id)
			evs := e.autoAssigned(t, id)
			switch {
			case c.AssigneeID == "" && len(evs) == 0:
			case len(evs) != 1 || changes(t, evs[0])["assignee_id"][1] != c.AssigneeID:
				t.Errorf("case #%d, assigned to %q, has %d auto-assignments: %v", c.Number, c.AssigneeID, len(evs), evs)
			}
			per[c.AssigneeID]++
		}
		return per
	}

	per := count(open("rr", n))
	ideal := float64(n) / float64(len(agents))
	for _, a := range agents {
		if d := float64(per[a]) - ideal; d <= -1 || d >= 1 {
			t.Errorf("round robin: %s got %d of %d cases, the ideal is %.2f", a, per[a], n, ideal)
		}
	}
	if per[""] != 0 {
		t.Errorf("round robin left %d cases unassigned", per[""])
	}

	// Openings take turns on the case number; moves into a queue do not,
	// so only the assignment lock keeps two of them from filling one
	// agent's last place twice.
	for _, a := range agents { // room for exactly 10 each in cap
		must(t, e.Agent().Config().SetAvailability(ctx, a, casekit.AvailabilityUpdate{Capacity: ptr(10 + per[a])}), "capacity of %s", a)
	}
	plain := e.openIn(t, "plain", 100)
	concurrently("Assign to cap", len(plain), func(i int) error {
		_, err := host.Assign(ctx, plain[i].ID, casekit.Assignment{Queue: "cap"})
		return err
	})
	per = count(ids(plain))
	for _, a := range agents {
		if per[a] != 10 {
			t.Errorf("least open with room for 10: %s got %d", a, per[a])
		}
	}
	wantEqual(t, 30, per[""], "cases left waiting in cap")
}
