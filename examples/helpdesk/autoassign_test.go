package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

// The auto-assignment page: only the admin opens it; a queue's mode and
// capacity and an agent's availability are saved, refusals show the
// library's message with what was typed; the header's toggle makes the
// signed-in agent available; the queues table keeps a queue's mode.
func TestAutoAssignPage(t *testing.T) {
	a, srv := testApp(t, false)
	ctx := context.Background()
	ava := onlyTheAdmin(t, srv.URL, []string{"/admin/assignment"}, map[string]url.Values{
		"/admin/assignment/queue": {"queue": {"general"}, "assign_mode": {"round_robin"}, "capacity": {"0"}},
		"/admin/assignment/agent": {"agent": {"u-ben"}, "available": {"on"}}})
	if _, page := ava.get("/admin"); !strings.Contains(page, `href="/admin/assignment"`) {
		t.Error("the administration does not link the auto-assignment page")
	}
	for _, step := range []struct {
		path   string
		form   url.Values
		status int
		want   string
	}{
		{"/admin/assignment/queue", url.Values{"queue": {"general"}, "assign_mode": {"random"}, "capacity": {"2"}}, http.StatusUnprocessableEntity, `aria-invalid="true" aria-describedby="queue-1-mode-error"`},
		{"/admin/assignment/queue", url.Values{"queue": {"general"}, "assign_mode": {"round_robin"}, "capacity": {"-1"}}, http.StatusUnprocessableEntity, `value="-1" inputmode="numeric" size="6" aria-invalid="true"`},
		{"/admin/assignment/queue", url.Values{"queue": {"general"}, "assign_mode": {"round_robin"}, "capacity": {"2"}}, http.StatusSeeOther, "Queue saved."},
		{"/admin/assignment/agent", url.Values{"agent": {"u-ben"}, "available": {"on"}, "capacity": {"lots"}}, http.StatusUnprocessableEntity, "is not a whole number"},
		{"/admin/assignment/agent", url.Values{"agent": {"u-ben"}, "available": {"on"}, "capacity": {"1"}}, http.StatusSeeOther, "Agent saved."},
		{"/admin/assignment/waiting", url.Values{"queue": {"billing"}}, http.StatusUnprocessableEntity, "leaves its cases to be picked"},
		{"/admin/assignment/waiting", url.Values{"queue": {"general"}}, http.StatusSeeOther, "Waiting cases given out."},
	} {
		status, page, h := ava.post(step.path, step.form)
		if status == http.StatusSeeOther {
			_, page = ava.get(h.Get("Location"))
		}
		if status != step.status || !strings.Contains(page, step.want) {
			t.Fatalf("%s %v: %d, want %d and a page with %q\n%s", step.path, step.form, status, step.status, step.want, page)
		}
	}
	d := a.kit.Desk(tenant).As(casekit.System)
	c, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Printer", CustomerID: "cust-1", QueueID: "general"})
	if err != nil || c.AssigneeID != "u-ben" {
		t.Fatalf("a case opened into General went to %q (%v), want u-ben, the one available", c.AssigneeID, err)
	}

	// Cleo sets herself available from the header, on the page she is on.
	cleo := newClient(t, srv.URL)
	cleo.login("u-cleo")
	if _, page := cleo.get("/queues"); !strings.Contains(page, `aria-pressed="false"`) || !strings.Contains(page, ">Away</button>") {
		t.Fatalf("the header shows no Away toggle:\n%s", page)
	}
	status, _, h := cleo.post("/availability", url.Values{"available": {"true"}, "next": {"/queues"}})
	if status != http.StatusSeeOther || h.Get("Location") != "/queues" {
		t.Fatalf("POST /availability: %d to %q, want 303 to /queues", status, h.Get("Location"))
	}
	if _, page := cleo.get("/queues"); !strings.Contains(page, `aria-pressed="true"`) || !strings.Contains(page, ">Available</button>") {
		t.Error("the header does not show Cleo available")
	}
	if _, _, h := cleo.post("/availability", url.Values{"available": {"true"}, "next": {"//evil.example/"}}); h.Get("Location") != "/cases" {
		t.Errorf("a next off the site sent Cleo to %q", h.Get("Location"))
	}
	if c, _ = d.OpenCase(ctx, casekit.NewCase{Subject: "Scanner", CustomerID: "cust-1", QueueID: "general"}); c.AssigneeID != "u-cleo" {
		t.Errorf("with Ben full, the next case went to %q, want u-cleo", c.AssigneeID)
	}
	if _, page := ava.get("/admin/assignment"); !strings.Contains(page, "Cleo Park") || !strings.Contains(page, "1 open case<") {
		t.Errorf("the page does not list the agents with their open cases:\n%s", page)
	}

	// The queues table edits the rest of a queue and keeps its mode.
	if status, _, _ := ava.post("/admin/queues/save", url.Values{"row": {"general"}, "name": {"General desk"}, "team_id": {"support"}, "sla_id": {"standard"}}); status != http.StatusSeeOther {
		t.Fatalf("renaming General: %d", status)
	}
	qs, _ := d.Config().Queues(ctx)
	if !containsQueue(qs, casekit.Queue{ID: "general", Name: "General desk", TeamID: "support", SLAID: "standard", AssignMode: casekit.AssignRoundRobin, Capacity: 2}) {
		t.Errorf("after the queues table saved General: %+v", qs)
	}
}
