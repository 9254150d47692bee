package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

// Only an admin opens the administration; each table saves what the
// library takes and shows its field errors, keeping what was typed.
func TestAdministration(t *testing.T) {
	a, srv := testApp(t, false)
	ctx := context.Background()
	ben := newClient(t, srv.URL)
	ben.login("u-ben")
	if _, page := ben.get("/cases"); strings.Contains(page, `href="/admin"`) {
		t.Error("Ben, no admin, is shown the administration")
	}
	for _, p := range []string{"/admin", "/admin/teams", "/admin/lookups?kind=case_type", "/admin/fields"} {
		if status, page := ben.get(p); status != http.StatusForbidden || !strings.Contains(page, "Your role, Agent, lacks the “configure” permission") {
			t.Errorf("Ben opening %s: %d, want 403 saying what his role lacks", p, status)
		}
	}
	if status, _, _ := ben.post("/admin/teams/save", url.Values{"id": {"hackers"}, "name": {"Hackers"}}); status != http.StatusForbidden {
		t.Errorf("Ben saving a team: %d, want 403", status)
	}
	ava := newClient(t, srv.URL)
	ava.login(admin)
	if _, page := ava.get("/admin"); !strings.Contains(page, `href="/admin/queues"`) {
		t.Fatal("the administration page lists no areas")
	}
	for _, p := range []string{"/admin/nothing", "/admin/lookups?kind=nothing"} {
		if status, _ := ava.get(p); status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, status)
		}
	}
	for _, step := range []struct {
		path   string
		form   url.Values
		status int
		want   string
	}{
		{"/admin/teams/save", url.Values{"id": {"Night Shift!"}, "name": {"Night shift"}}, http.StatusUnprocessableEntity, `value="Night shift"`},
		{"/admin/teams/save", url.Values{"id": {"night"}, "name": {"Night shift"}}, http.StatusSeeOther, `value="Night shift"`},
		{"/admin/queues/save", url.Values{"id": {"night"}, "name": {"Night"}, "team_id": {"night"}, "sla_id": {"standard"}}, http.StatusSeeOther, `<option value="night" selected>`},
		{"/admin/teams/delete", url.Values{"row": {"night"}}, http.StatusConflict, "still in use"},
		{"/admin/teams/save", url.Values{"row": {"night"}, "name": {""}}, http.StatusUnprocessableEntity, `id="row-`},
		{"/admin/lookups/save?kind=case_type", url.Values{"key": {"outage"}, "label": {"Outage"}, "rank": {"ten"}}, http.StatusUnprocessableEntity, "is not a whole number"},
		{"/admin/lookups/save?kind=case_type", url.Values{"key": {"outage"}, "label": {"Outage"}, "rank": {"50"}}, http.StatusSeeOther, `value="Outage"`},
		{"/admin/fields/save", url.Values{"key": {"plan"}, "label": {"Plan"}, "type": {"select"}, "options": {"free, pro"}, "audience": {"form"}}, http.StatusSeeOther, `value="free, pro"`},
		{"/admin/fields/save", url.Values{"key": {"x"}, "label": {""}, "type": {"colour"}}, http.StatusUnprocessableEntity, "error"},
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
	if qs, _ := d.Config().Queues(ctx); !containsQueue(qs, casekit.Queue{ID: "night", Name: "Night", TeamID: "night", SLAID: "standard"}) {
		t.Errorf("queues %+v", qs)
	}
	if fs, _ := d.Config().CustomFields(ctx); len(fs) != 1 || fs[0].Audience != casekit.AudienceForm || len(fs[0].Options) != 2 {
		t.Errorf("custom fields %+v", fs)
	}
	if ts, _ := d.Config().Teams(ctx); len(ts) != len(teams)+1 {
		t.Errorf("teams %+v: the refused saves left something", ts)
	}
}

func containsQueue(qs []casekit.Queue, q casekit.Queue) bool {
	for _, x := range qs {
		if x == q {
			return true
		}
	}
	return false
}

// onlyTheAdmin checks that Ben, no admin, is refused each page and each
// post with 403, and returns a client signed in as the admin.
func onlyTheAdmin(t *testing.T, base string, pages []string, posts map[string]url.Values) *client {
	t.Helper()
	ben := newClient(t, base)
	ben.login("u-ben")
	for _, p := range pages {
		if status, _ := ben.get(p); status != http.StatusForbidden {
			t.Errorf("Ben opening %s: %d, want 403", p, status)
		}
	}
	for p, form := range posts {
		if status, _, _ := ben.post(p, form); status != http.StatusForbidden {
			t.Errorf("Ben posting to %s: %d, want 403", p, status)
		}
	}
	ava := newClient(t, base)
	ava.login(admin)
	return ava
}
