package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
)

// step is one post of an admin form and what its answer must be.
type step struct {
	path   string
	form   url.Values
	status int
	want   []string // on the page answered, or the one redirected to
}

// posts runs the steps in order as c.
func posts(t *testing.T, c *client, steps []step) {
	t.Helper()
	for _, s := range steps {
		status, page, h := c.post(s.path, s.form)
		if status == http.StatusSeeOther {
			_, page = c.get(h.Get("Location"))
		}
		if status != s.status {
			t.Fatalf("%s %v: %d, want %d\n%s", s.path, s.form, status, s.status, page)
		}
		for _, want := range s.want {
			if !strings.Contains(page, want) {
				t.Fatalf("%s %v: the page lacks %q\n%s", s.path, s.form, want, page)
			}
		}
	}
}

// The calendar and SLA editors save what the library takes, show its
// errors next to the fields (a target's on its priority, an hour's with
// its line), and the SLA page previews deadlines as the kit counts them.
func TestSLAAndCalendarEditors(t *testing.T) {
	a, srv := testApp(t, false)
	ctx := context.Background()
	d := a.kit.Desk(tenant).As(casekit.System)
	ava := onlyTheAdmin(t, srv.URL, []string{"/admin/slas", "/admin/calendars"},
		map[string]url.Values{"/admin/slas/save": {"id": {"x"}, "name": {"X"}}, "/admin/calendars/save": {"id": {"x"}, "name": {"X"}}})
	ava.get("/admin/calendars")
	berlin := url.Values{"id": {"berlin"}, "name": {"Berlin office"}, "time_zone": {"Europe/Berlin"},
		"hours": {"Mon 09:00-17:00\nTue 09:00-17:00\nwednesday 09:00 - 17:00\nThu 09:00-17:00\nFri 09:00-17:00"}, "holidays": {"2026-01-12"}}
	with := func(v url.Values, kv ...string) url.Values {
		out := url.Values{}
		for k, vs := range v {
			out[k] = vs
		}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	posts(t, ava, []step{
		{"/admin/calendars/save", with(berlin, "time_zone", "Mars/Olympus", "hours", "Mon 09:00-17:00\nFunday 9-5"), http.StatusUnprocessableEntity,
			[]string{"line 2 is not a weekday and hours", `value="Mars/Olympus"`}},
		{"/admin/calendars/save", with(berlin, "time_zone", "Mars/Olympus", "hours", "Mon 09:00-17:00\nTue 17:00-09:00", "holidays", "2026-13-01"), http.StatusUnprocessableEntity,
			[]string{"unknown time zone", "line 2: start 17:00 is not before end 09:00", "line 1: holiday &#34;2026-13-01&#34; is not a date"}},
		{"/admin/calendars/save", berlin, http.StatusSeeOther, []string{"Saved.", "Wed 09:00-17:00"}},
		{"/admin/calendars/nothing", berlin, http.StatusNotFound, nil},
	})
	if cals, _ := d.Config().Calendars(ctx); len(cals) != 1 || len(cals[0].Hours) != 5 || cals[0].Hours[2].Day != time.Wednesday {
		t.Fatalf("calendars %+v", cals)
	}

	ava.get("/admin/slas")
	office := url.Values{"id": {"office"}, "name": {"Office hours"}, "calendar_id": {"berlin"}, "warn_before": {"30m"},
		"t.high.first_response": {"4h"}, "t.high.resolution": {"16h"}}
	posts(t, ava, []step{
		{"/admin/slas/save", with(office, "t.high.first_response", "soon"), http.StatusUnprocessableEntity,
			[]string{"is not a duration such as 4h", `value="soon"`}},
		{"/admin/slas/save", with(office, "t.high.resolution", "2h", "calendar_id", "nowhere"), http.StatusUnprocessableEntity,
			[]string{"must not be sooner than the first response", `unknown calendar &#34;nowhere&#34;`}},
		{"/admin/slas/save", office, http.StatusSeeOther, []string{"Saved.", `<option value="berlin" selected>Berlin office</option>`, `value="30m"`}},
		{"/admin/slas/delete", url.Values{"row": {"standard"}}, http.StatusConflict, []string{"still in use"}},
		{"/admin/calendars/delete", url.Values{"row": {"berlin"}}, http.StatusConflict, []string{"still in use"}},
	})
	if s, _ := d.Config().SLAs(ctx); len(s) != 2 || s[0].ID != "office" || s[0].WarnBefore != 30*time.Minute || len(s[0].Targets) != 1 {
		t.Fatalf("SLAs %+v", s)
	}

	// Friday 15:00 in Berlin: 2 hours that day, Monday a holiday, 2 more
	// on Tuesday; the resolution 16 hours on, on Wednesday.
	_, page := ava.get("/admin/slas?preview=1&start=2026-01-09T14:00&sla=office&priority=high")
	for _, want := range []string{"in the working hours of Berlin office", "First response due Tue 2026-01-13 10:00 UTC (Tue 11:00 CET)",
		"Resolution due Wed 2026-01-14 14:00 UTC (Wed 15:00 CET)"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the preview lacks %q:\n%s", want, page)
		}
	}
	if _, page := ava.get("/admin/slas?preview=1&start=2026-01-09T14:00&sla=office&priority=low"); !strings.Contains(page, "no target for this priority") {
		t.Fatalf("the preview for a priority without target:\n%s", page)
	}
	if status, page := ava.get("/admin/slas?preview=1&start=friday&sla=office&priority=high"); status != http.StatusUnprocessableEntity || !strings.Contains(page, `id="preview-start-error"`) {
		t.Fatalf("a preview from no time: %d\n%s", status, page)
	}
	// The preview counts as the kit counts a case's deadlines.
	c, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Due when?", Priority: "high", SLAID: "office", Contact: casekit.Contact{Email: "x@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	cal, _ := d.Config().Calendars(ctx)
	sla, _ := d.Config().SLAs(ctx)
	resp, res, _, err := sla[0].Deadlines(&cal[0], "high", c.CreatedAt)
	if err != nil || !resp.Truncate(time.Microsecond).Equal(*c.ResponseDue) || !res.Truncate(time.Microsecond).Equal(*c.ResolutionDue) {
		t.Fatalf("SLA.Deadlines %v, %v (%v); the case is due %v, %v", resp, res, err, c.ResponseDue, c.ResolutionDue)
	}
}
