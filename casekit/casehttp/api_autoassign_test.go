package casehttp_test

import (
	"strings"
	"testing"

	"casekit.dev/casekit"
)

// TestAPIAutoAssign runs the availability routes and a queue that
// assigns, each response checked against the document.
func TestAPIAutoAssign(t *testing.T) {
	k := newAPIKit(t)
	ag, bob := k.agent(), k.as("agent:u-2")
	ag.do("PUT", "/config/teams/desk", map[string]any{"name": "Desk"}).want(t, 204, "save a team")
	ag.do("PUT", "/config/queues/front", map[string]any{"name": "Front", "team_id": "desk", "assign_mode": "least_open", "capacity": 1}).want(t, 204, "save a queue that assigns")
	ag.do("PUT", "/config/queues/loose", map[string]any{"name": "Loose", "assign_mode": "round_robin"}).wantProblem(t, 422, "validation", "a queue that assigns with no team")

	var load casekit.AgentLoad
	bob.do("GET", "/availability", nil).want(t, 200, "one's availability").json(t, &load)
	if load.Available || load.AgentID != "u-2" {
		t.Errorf("an agent never set: %+v", load)
	}
	bob.do("PUT", "/availability", map[string]any{"available": true}).want(t, 200, "make oneself available").json(t, &load)
	if !load.Available || load.Open != 0 {
		t.Errorf("after PUT /availability: %+v", load)
	}
	var c casekit.Case
	ag.do("POST", "/cases", map[string]any{"subject": "Broken screen", "customer_id": "c-1", "queue_id": "front"}).want(t, 201, "open into front").json(t, &c)
	if c.AssigneeID != "u-2" {
		t.Errorf("the case opened into front went to %q, want u-2", c.AssigneeID)
	}
	c = casekit.Case{}
	ag.do("POST", "/cases", map[string]any{"subject": "Cracked screen", "customer_id": "c-1", "queue_id": "front"}).want(t, 201, "open into front again").json(t, &c)
	if c.AssigneeID != "" {
		t.Errorf("a case past u-2's capacity went to %q", c.AssigneeID)
	}
	ag.do("PATCH", "/config/availability/u-2", map[string]any{"capacity": -1}).wantProblem(t, 422, "validation", "a negative capacity")
	ag.do("PATCH", "/config/availability/u-2", map[string]any{"capacity": 2}).want(t, 204, "raise u-2's capacity")
	c = casekit.Case{ID: c.ID}
	ag.do("GET", "/cases/"+c.ID, nil).want(t, 200, "the waiting case").json(t, &c)
	if c.AssigneeID != "u-2" {
		t.Errorf("after u-2's capacity was raised the waiting case went to %q", c.AssigneeID)
	}
	var loads []casekit.AgentLoad
	ag.do("GET", "/config/availability", nil).want(t, 200, "everyone's availability").json(t, &loads)
	if len(loads) != 1 || loads[0].Open != 2 || loads[0].Capacity == nil || *loads[0].Capacity != 2 {
		t.Errorf("GET /config/availability: %+v", loads)
	}
	var n struct{ Assigned int }
	ag.do("POST", "/queues/front/assign-waiting", nil).want(t, 200, "give out the waiting cases").json(t, &n)
	if n.Assigned != 0 {
		t.Errorf("assign-waiting with none waiting gave %d", n.Assigned)
	}
	bob.do("POST", "/queues/front/assign-waiting", nil).wantProblem(t, 403, "forbidden", "assign-waiting by an agent who does not configure")
	ag.do("POST", "/queues/nowhere/assign-waiting", nil).wantProblem(t, 422, "validation", "assign-waiting on an unknown queue")
	// Hostile input: a customer, an agent name past its bound.
	k.as("customer:cust-1").do("PUT", "/availability", map[string]any{"available": true}).wantProblem(t, 403, "forbidden", "a customer setting availability")
	ag.do("PATCH", "/config/availability/"+strings.Repeat("x", 201), map[string]any{"available": true}).wantProblem(t, 422, "validation", "an agent ID of 201 bytes")
}
