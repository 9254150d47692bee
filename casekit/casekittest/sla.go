package casekittest

import (
	"testing"
	"time"
	_ "time/tzdata" // the calendars' zones, whatever the machine has

	"casekit.dev/casekit"
)

// berlin is the zone of the suite's business calendar.
var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// officeCalendar works Monday to Friday, 09:00-17:00 in Berlin; Monday
// 2026-11-23 is a holiday.
func officeCalendar() casekit.Calendar {
	cal := casekit.Calendar{ID: "office", Name: "Berlin office", TimeZone: "Europe/Berlin", Holidays: []string{"2026-11-23"}}
	for d := time.Monday; d <= time.Friday; d++ {
		cal.Hours = append(cal.Hours, casekit.WorkingHours{Day: d, Start: "09:00", End: "17:00"})
	}
	return cal
}

// targets are the suite's SLA targets for the default priorities.
func targets() []casekit.SLATarget {
	h := time.Hour
	return []casekit.SLATarget{
		{Priority: "critical", FirstResponse: 1 * h, Resolution: 4 * h},
		{Priority: "high", FirstResponse: 4 * h, Resolution: 16 * h},
		{Priority: "medium", FirstResponse: 8 * h, Resolution: 40 * h},
		{Priority: "low", FirstResponse: 16 * h, Resolution: 80 * h},
	}
}

// slaSetup saves the office calendar, an SLA "office" on it and an SLA
// "round" counted around the clock.
func (e *Env) slaSetup(t testing.TB) {
	t.Helper()
	d := e.Agent()
	must(t, d.Config().SaveCalendar(t.Context(), officeCalendar()), "SaveCalendar")
	must(t, d.Config().SaveSLA(t.Context(), casekit.SLA{ID: "office", Name: "Office hours", CalendarID: "office", Targets: targets()}), "SaveSLA(office)")
	must(t, d.Config().SaveSLA(t.Context(), casekit.SLA{ID: "round", Name: "Around the clock", Targets: targets()}), "SaveSLA(round)")
}

// wantDue reports a failure unless a case's deadlines are the times given
// (nil for none).
func wantDue(t testing.TB, c *casekit.Case, response, resolution *time.Time, what string) {
	t.Helper()
	same := func(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }
	show := func(p *time.Time) string {
		if p == nil {
			return "none"
		}
		return p.UTC().Format(time.RFC3339)
	}
	if !same(c.ResponseDue, response) || !same(c.ResolutionDue, resolution) {
		t.Errorf("%s: response due %s, resolution due %s; want %s and %s", what,
			show(c.ResponseDue), show(c.ResolutionDue), show(response), show(resolution))
	}
}

func at(y int, m time.Month, d, h, min int) *time.Time {
	t := time.Date(y, m, d, h, min, 0, 0, berlin)
	return &t
}

func testSLA(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"calendars and SLAs are validated, saved, listed and deleted", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.slaSetup(t)
			wantEqual(t, []casekit.Calendar{officeCalendar()}, try(d.Config().Calendars(ctx)).get(t), "Calendars")
			slas := try(d.Config().SLAs(ctx)).get(t)
			wantEqual(t, []casekit.SLA{{ID: "office", Name: "Office hours", CalendarID: "office", Targets: targets()}, {ID: "round", Name: "Around the clock", Targets: targets()}}, slas, "SLAs")

			before := e.tenantState(t)
			overlap := officeCalendar()
			overlap.Hours = append(overlap.Hours, casekit.WorkingHours{Day: time.Monday, Start: "16:00", End: "18:00"})
			wantRule(t, d.Config().SaveCalendar(ctx, overlap), "SaveCalendar with overlapping hours", "hours[5]", "overlap")
			empty := officeCalendar()
			empty.Hours[0].End = "09:00"
			wantRule(t, d.Config().SaveCalendar(ctx, empty), "SaveCalendar with empty hours", "hours[0]", "empty")
			none := officeCalendar()
			none.Hours = nil
			wantRule(t, d.Config().SaveCalendar(ctx, none), "SaveCalendar with no hours", "hours", "required")
			zone := officeCalendar()
			zone.TimeZone = "Mars/Olympus_Mons"
			wantRule(t, d.Config().SaveCalendar(ctx, zone), "SaveCalendar in an unknown zone", "time_zone", "timezone")
			badID := officeCalendar()
			badID.ID = "no spaces"
			wantRule(t, d.Config().SaveCalendar(ctx, badID), "SaveCalendar with a bad ID", "id", "key")

			sla := func(mod func(*casekit.SLA)) casekit.SLA {
				s := casekit.SLA{ID: "x", Name: "X", Targets: targets()}
				mod(&s)
				return s
			}
			wantRule(t, d.Config().SaveSLA(ctx, sla(func(s *casekit.SLA) { s.Targets[0].FirstResponse = 0 })), "SaveSLA with a zero target", "targets[0].first_response", "gt")
			wantRule(t, d.Config().SaveSLA(ctx, sla(func(s *casekit.SLA) { s.Targets[1].Resolution = -time.Hour })), "SaveSLA with a negative target", "targets[1].resolution", "gt")
			wantRule(t, d.Config().SaveSLA(ctx, sla(func(s *casekit.SLA) { s.Targets[2].Resolution = time.Hour })), "SaveSLA resolving before responding", "targets[2].resolution", "gtefield")
			wantRule(t, d.Config().SaveSLA(ctx, sla(func(s *casekit.SLA) { s.Targets[0].Priority = "urgent" })), "SaveSLA for an unknown priority", "targets[0].priority", "known")
			wantRule(t, d.Config().SaveSLA(ctx, sla(func(s *casekit.SLA) { s.Targets[1].Priority = "critical" })), "SaveSLA with a priority twice", "targets[1].priority", "unique")
			wantRule(t, d.Config().SaveSLA(ctx, sla(func(s *casekit.SLA) { s.Targets = nil })), "SaveSLA with no targets", "targets", "required")
			wantRule(t, d.Config().SaveSLA(ctx, sla(func(s *casekit.SLA) { s.CalendarID = "nowhere" })), "SaveSLA on an unknown calendar", "calendar_id", "known")
			wantIs(t, d.Config().DeleteCalendar(ctx, "office"), casekit.ErrConflict, "DeleteCalendar of an SLA's calendar")
			wantIs(t, d.Config().DeleteCalendar(ctx, "nowhere"), casekit.ErrNotFound, "DeleteCalendar(unknown)")
			wantIs(t, d.Config().DeleteSLA(ctx, "nothing"), casekit.ErrNotFound, "DeleteSLA(unknown)")
			wantEqual(t, before, e.tenantState(t), "tenant after refused calendars and SLAs")

			must(t, d.Config().SaveQueue(ctx, casekit.Queue{ID: "vip", Name: "VIP", SLAID: "round"}), "SaveQueue with an SLA")
			wantRule(t, d.Config().SaveQueue(ctx, casekit.Queue{ID: "vip2", Name: "VIP", SLAID: "nothing"}), "SaveQueue with an unknown SLA", "sla_id", "known")
			wantIs(t, d.Config().DeleteSLA(ctx, "round"), casekit.ErrConflict, "DeleteSLA of a queue's default")
			c := openWith(t, d, casekit.NewCase{Subject: "Under office", SLAID: "office"})
			wantIs(t, d.Config().DeleteSLA(ctx, "office"), casekit.ErrConflict, "DeleteSLA with an active case under it")
			e.into(t, c, casekit.StatusCanceled)
			must(t, d.Config().DeleteSLA(ctx, "office"), "DeleteSLA once its case is canceled")
			must(t, d.Config().DeleteCalendar(ctx, "office"), "DeleteCalendar once its SLA is gone")
			evs := e.tenantEvents(t)
			wantEqual(t, []casekit.EventType{casekit.EventSLAChanged, casekit.EventCalendarChanged}, types(evs[len(evs)-2:]), "config history ends")
		}},
		{"deadlines count working hours, skipping nights, weekends and holidays", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.slaSetup(t)
			e.Clock.Set(*at(2026, 11, 20, 15, 0)) // a Friday; Monday the 23rd is a holiday
			c := openWith(t, d, casekit.NewCase{Subject: "Printer", Priority: "high", SLAID: "office"})
			// 4h: Friday 15-17, then Tuesday 09-11. 16h: Friday 2h, Tuesday 8h, Wednesday 6h.
			wantDue(t, c, at(2026, 11, 24, 11, 0), at(2026, 11, 25, 15, 0), "opened Friday 15:00")
			wantEqual(t, c, e.reload(t, c.ID), "stored case")

			// Paused Friday 16:00 to Tuesday 10:00: 2 working hours.
			e.Clock.Set(*at(2026, 11, 20, 16, 0))
			c = try(d.SetStatus(ctx, c.ID, casekit.StatusWaiting)).get(t)
			if c.SLAPausedAt == nil || !c.SLAPausedAt.Equal(*at(2026, 11, 20, 16, 0)) {
				t.Errorf("waiting for response: SLA paused at %v, want Friday 16:00", c.SLAPausedAt)
			}
			e.Clock.Set(*at(2026, 11, 24, 10, 0))
			c = try(d.SetStatus(ctx, c.ID, casekit.StatusInProgress)).get(t)
			if c.SLAPausedAt != nil || c.SLAPausedFor != 2*time.Hour {
				t.Errorf("resumed: paused at %v for %v; want running, 2h", c.SLAPausedAt, c.SLAPausedFor)
			}
			wantDue(t, c, at(2026, 11, 24, 13, 0), at(2026, 11, 25, 17, 0), "after a pause of 2 working hours")
			wantEqual(t, c, e.reload(t, c.ID), "stored case after the pause")
		}},
		{"deadlines keep local working hours across a daylight-saving change", func(t *testing.T, e *Env) {
			d := e.Agent()
			e.slaSetup(t)
			e.Clock.Set(*at(2026, 3, 27, 16, 0)) // Friday, CET; Sunday the 29th clocks go forward
			c := openWith(t, d, casekit.NewCase{Subject: "Spring", Priority: "critical", SLAID: "office"})
			// 1h: Friday 17:00. 4h: Friday 1h and Monday 09-12 CEST (10:00 UTC).
			wantDue(t, c, at(2026, 3, 27, 17, 0), at(2026, 3, 30, 12, 0), "opened before the change")
			if got := c.ResolutionDue.UTC(); got.Hour() != 10 {
				t.Errorf("resolution due %s, want 10:00 UTC (12:00 CEST)", got.Format(time.RFC3339))
			}
			e.Clock.Set(*at(2026, 10, 23, 15, 0)) // Friday, CEST; Sunday the 25th clocks go back
			c = openWith(t, d, casekit.NewCase{Subject: "Autumn", Priority: "critical", SLAID: "office"})
			wantDue(t, c, at(2026, 10, 23, 16, 0), at(2026, 10, 26, 11, 0), "opened before the autumn change")
		}},
		{"the clock stops while paused or resolved and resumes when the case leaves", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.slaSetup(t)
			t0 := e.Now()
			h := func(n int) *time.Time { x := t0.Add(time.Duration(n) * time.Hour); return &x }
			c := openWith(t, d, casekit.NewCase{Subject: "Round", Priority: "high", SLAID: "round"})
			wantDue(t, c, h(4), h(16), "opened")
			e.Clock.Set(*h(1))
			c = try(d.SetStatus(ctx, c.ID, casekit.StatusWaiting)).get(t)
			wantDue(t, c, h(4), h(16), "paused")
			if page := try(d.ListCases(ctx, casekit.CaseFilter{ResponseDueBefore: h(100)})).get(t); len(page.Cases) != 0 {
				t.Errorf("a paused case is listed as due: %v", numbers(page.Cases))
			}
			e.Clock.Set(*h(3))
			c = try(d.SetStatus(ctx, c.ID, casekit.StatusInProgress)).get(t)
			wantDue(t, c, h(6), h(18), "resumed after 2h")
			e.Clock.Set(*h(5))
			c = try(d.Resolve(ctx, c.ID, casekit.Resolution{})).get(t)
			wantDue(t, c, h(6), h(18), "resolved")
			e.Clock.Set(*h(9))
			c = try(d.Reopen(ctx, c.ID, casekit.Reopening{Reason: "not_fixed", Note: "again"})).get(t)
			if c.SLAPausedFor != 6*time.Hour {
				t.Errorf("after reopening: paused for %v, want 6h", c.SLAPausedFor)
			}
			wantDue(t, c, h(10), h(22), "reopened after 4h resolved")
			wantEqual(t, c, e.reload(t, c.ID), "stored case")
		}},
		{"a priority change computes the deadlines again from the case's creation", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.slaSetup(t)
			t0 := e.Now()
			h := func(n int) *time.Time { x := t0.Add(time.Duration(n) * time.Hour); return &x }
			c := openWith(t, d, casekit.NewCase{Subject: "Medium", Priority: "medium", SLAID: "round"})
			wantDue(t, c, h(8), h(40), "medium")
			e.Clock.Set(*h(2))
			c = try(d.UpdateCase(ctx, c.ID, casekit.CaseUpdate{Priority: ptr("critical")})).get(t)
			wantDue(t, c, h(1), h(4), "raised to critical")
			page := try(d.ListCases(ctx, casekit.CaseFilter{Breached: true})).get(t)
			if len(page.Cases) != 1 || page.Cases[0].ID != c.ID {
				t.Errorf("Breached = %v, want the case whose response was due an hour ago", numbers(page.Cases))
			}
		}},
		{"the first public reply or contact notice is the first response; breached and due filters", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.slaSetup(t)
			t0 := e.Now()
			h := func(n int) *time.Time { x := t0.Add(time.Duration(n) * time.Hour); return &x }
			a := openWith(t, d, casekit.NewCase{Subject: "A high", Priority: "high", SLAID: "round"})
			b := openWith(t, d, casekit.NewCase{Subject: "B medium", Priority: "medium", SLAID: "round"})
			openWith(t, d, casekit.NewCase{Subject: "C no SLA", Priority: "critical"})
			list := func(f casekit.CaseFilter) []int64 { return numbers(try(d.ListCases(ctx, f)).get(t).Cases) }
			wantEqual(t, []int64{1}, list(casekit.CaseFilter{ResponseDueBefore: h(5)}), "response due before 5h")
			wantEqual(t, []int64{2, 1}, list(casekit.CaseFilter{ResponseDueBefore: h(9)}), "response due before 9h")
			wantEqual(t, []int64{1}, list(casekit.CaseFilter{ResolutionDueBefore: h(17)}), "resolution due before 17h")
			wantEqual(t, []int64{1}, list(casekit.CaseFilter{SLAID: "round", Priority: []string{"high"}}), "by SLA and priority")
			wantEqual(t, []int64(nil), list(casekit.CaseFilter{Breached: true}), "breached at the start")

			e.Clock.Set(*h(5))
			wantEqual(t, []int64{1}, list(casekit.CaseFilter{Breached: true}), "breached after 5h")
			at5 := e.Now()
			try(d.PostMessage(ctx, a.ID, casekit.NewMessage{Body: "Looking into it"})).get(t)
			got := e.reload(t, a.ID)
			if got.FirstResponseAt == nil || !got.FirstResponseAt.Equal(at5) {
				t.Errorf("first response at %v, want %s", got.FirstResponseAt, at5)
			}
			wantDue(t, got, h(4), h(16), "after the late first response")
			wantEqual(t, []int64(nil), list(casekit.CaseFilter{Breached: true}), "breached after the reply")
			try(d.AddActivity(ctx, b.ID, casekit.NewActivity{Kind: casekit.ActivityCall, Subject: "Call back", NotifyContact: true})).get(t)
			if got := e.reload(t, b.ID); got.FirstResponseAt == nil || !got.FirstResponseAt.Equal(at5) {
				t.Errorf("a notify-contact activity: first response at %v, want %s", got.FirstResponseAt, at5)
			}
			e.Clock.Set(*h(17))
			wantEqual(t, []int64{1}, list(casekit.CaseFilter{Breached: true}), "breached once the resolution is overdue")
		}},
		{"a queue's SLA applies to cases opened in it or moved to it without one", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.slaSetup(t)
			e.places(t, nil, casekit.Queue{ID: "vip", Name: "VIP", SLAID: "round"}, casekit.Queue{ID: "plain", Name: "Plain"})
			t0 := e.Now()
			h := func(n int) *time.Time { x := t0.Add(time.Duration(n) * time.Hour); return &x }
			c := openWith(t, d, casekit.NewCase{Subject: "VIP", Priority: "critical", QueueID: "vip"})
			if c.SLAID != "round" {
				t.Errorf("opened in queue vip: SLA %q, want round", c.SLAID)
			}
			wantDue(t, c, h(1), h(4), "opened in vip")
			own := openWith(t, d, casekit.NewCase{Subject: "Own SLA", Priority: "critical", QueueID: "vip", SLAID: "office"})
			if own.SLAID != "office" {
				t.Errorf("an SLA given on opening: %q, want office", own.SLAID)
			}
			wantRule(t, errOf(d.OpenCase(ctx, casekit.NewCase{Subject: "x", SLAID: "nothing"})), "OpenCase with an unknown SLA", "sla_id", "known")
			p := openWith(t, d, casekit.NewCase{Subject: "Plain", Priority: "high", QueueID: "plain"})
			wantDue(t, p, nil, nil, "opened in a queue with no SLA")
			e.Clock.Set(*h(2))
			p = try(d.Assign(ctx, p.ID, casekit.Assignment{Queue: "vip"})).get(t)
			if p.SLAID != "round" {
				t.Errorf("moved to vip: SLA %q, want round", p.SLAID)
			}
			wantDue(t, p, h(4), h(16), "moved to vip: counted from creation")
			ev := eventOf(t, e.history(t, p.ID), casekit.EventAssigned)
			if str(ev, "sla_id") != "round" {
				t.Errorf("assign event: %v", ev.Data)
			}
		}},
		{"reclassify changes type, category, service and SLA, computing the deadlines again", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.slaSetup(t)
			e.Clock.Set(*at(2026, 11, 20, 15, 0))
			c := openWith(t, d, casekit.NewCase{Subject: "Printer", Priority: "high", SLAID: "round", Type: "question"})
			t0 := e.Now()
			wantDue(t, c, ptr(t0.Add(4*time.Hour)), ptr(t0.Add(16*time.Hour)), "round")
			e.Clock.Set(*at(2026, 11, 20, 16, 0))
			atR := e.Now()
			got := try(d.Reclassify(ctx, c.ID, casekit.Reclassification{Type: ptr("problem"), Category: ptr("printers"), Service: ptr("print-fleet"), SLA: ptr("office"), Reason: "it is a fault"})).get(t)
			if got.Type != "problem" || got.Category != "printers" || got.Service != "print-fleet" || got.SLAID != "office" {
				t.Errorf("after Reclassify: %q %q %q %q", got.Type, got.Category, got.Service, got.SLAID)
			}
			wantDue(t, got, at(2026, 11, 24, 11, 0), at(2026, 11, 25, 15, 0), "reclassified to office hours")
			wantEqual(t, got, e.reload(t, c.ID), "stored case")
			ev := eventOf(t, e.history(t, c.ID), casekit.EventReclassified)
			wantEvent(t, ev, casekit.EventReclassified, casekit.Agent(AgentID), atR)
			wantEqual(t, map[string][2]string{"type": {"question", "problem"}, "category": {"", "printers"}, "service": {"", "print-fleet"}, "sla_id": {"round", "office"}}, changes(t, ev), "reclassify changes")
			if str(ev, "reason") != "it is a fault" {
				t.Errorf("reclassify event: %v", ev.Data)
			}

			before := e.state(t, c.ID)
			wantRule(t, errOf(d.Reclassify(ctx, c.ID, casekit.Reclassification{SLA: ptr("nothing")})), "Reclassify to an unknown SLA", "sla", "known")
			wantRule(t, errOf(d.Reclassify(ctx, c.ID, casekit.Reclassification{Type: ptr("nonsense")})), "Reclassify to an unknown type", "type", "known")
			wantIs(t, errOf(e.Desk(casekit.Customer("cust-1")).Reclassify(ctx, c.ID, casekit.Reclassification{Category: ptr("x")})), casekit.ErrForbidden, "Reclassify as a customer")
			wantUnchanged(t, before, e.state(t, c.ID), "after refused reclassifications")
			same := try(d.Reclassify(ctx, c.ID, casekit.Reclassification{Category: ptr("printers")})).get(t)
			if same.Version != got.Version {
				t.Errorf("a reclassification that changes nothing wrote version %d", same.Version)
			}
			got = try(d.Reclassify(ctx, c.ID, casekit.Reclassification{SLA: ptr("")})).get(t)
			wantDue(t, got, nil, nil, "off every SLA")
			r := e.into(t, got, casekit.StatusResolved)
			wantIs(t, errOf(d.Reclassify(ctx, r.ID, casekit.Reclassification{Category: ptr("x")})), casekit.ErrReadOnly, "Reclassify a resolved case")
		}},
	})
}
