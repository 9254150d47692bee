package casekittest

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

// reportStory plays a week of a small desk on e's clock, with every time
// set, and returns the period it happened in (From one day after the
// clock's start) with the clock left five days into it:
//
//	D critical, opened the day before, never touched: open all along
//	E low, opened and resolved the day before: in no metric
//	A high, opened From+1h, replied +2h, resolved +5h, rated 5 (closes) +6h
//	B low, opened +2h, replied +20h (late: target 16h), never resolved
//	C medium, opened +3h, never replied, resolved +50h, rated 2 +51h
//	  (which reopens it: its resolution is gone)
//	F low, opened +96h, replied +96h30m, running
//
// All on the around-the-clock SLA "round" (targets()).
func reportStory(t *testing.T, e *Env) (from time.Time, ids map[string]string) {
	t.Helper()
	ctx, d := t.Context(), e.Agent()
	e.slaSetup(t)
	base := ClockStart.Truncate(time.Hour)
	from = base.Add(24 * time.Hour)
	ids = map[string]string{}
	at := func(off time.Duration) { e.Clock.Set(from.Add(off)) }
	open := func(name, prio string, off time.Duration) string {
		at(off)
		c := openWith(t, d, casekit.NewCase{Subject: "Case " + name, CustomerID: "cust-" + name, Priority: prio, SLAID: "round", Tags: []string{"t-" + prio}})
		ids[name] = c.ID
		return c.ID
	}
	reply := func(id string, off time.Duration) {
		at(off)
		try(d.PostMessage(ctx, id, casekit.NewMessage{Body: "On it"})).get(t)
	}
	resolve := func(id string, off time.Duration) {
		at(off)
		try(d.Resolve(ctx, id, casekit.Resolution{Summary: "done"})).get(t)
	}
	rate := func(name string, level int, off time.Duration) {
		at(off)
		try(e.Desk(casekit.Customer("cust-"+name)).Rate(ctx, ids[name], casekit.Rating{Level: level})).get(t)
	}
	open("D", "critical", -23*time.Hour)
	resolve(open("E", "low", -22*time.Hour), -21*time.Hour)
	a := open("A", "high", time.Hour)
	b := open("B", "low", 2*time.Hour)
	c := open("C", "medium", 3*time.Hour)
	reply(a, 2*time.Hour)
	resolve(a, 5*time.Hour)
	rate("A", 5, 6*time.Hour)
	reply(b, 20*time.Hour)
	resolve(c, 50*time.Hour)
	rate("C", 2, 51*time.Hour)
	f := open("F", "low", 96*time.Hour)
	reply(f, 96*time.Hour+30*time.Minute)
	at(120 * time.Hour)
	return from, ids
}

// RunReportTests runs the suite's report area alone (its exact values
// and the property test against a brute-force count), for a store's own
// test of a second way it computes the same metrics: sqlstore's
// percentiles ranked by the database rather than in Go.
func RunReportTests(t *testing.T, newStore StoreFactory) { testReport(t, newStore) }

// testReport checks Desk.Report's every metric with exact values from the
// story above, its groups, and its refusals.
func testReport(t *testing.T, newStore StoreFactory) {
	h := time.Hour
	runEnvTests(t, newStore, []envTest{
		{"every metric of a period, exactly", func(t *testing.T, e *Env) {
			from, _ := reportStory(t, e)
			r := try(e.Agent().Report(t.Context(), casekit.ReportQuery{From: from, To: from.Add(10 * 24 * h)})).get(t)
			want := casekit.Metrics{
				Opened: 4, Resolved: 1, Closed: 1, Reopened: 1, ReopenRate: 1,
				Backlog: 4, BacklogByAge: [5]int{0, 1, 3, 0, 0},
				FirstResponse: casekit.Durations{Count: 3, Median: h, P90: 18 * h, Mean: 6*h + 30*time.Minute},
				Resolution:    casekit.Durations{Count: 1, Median: 4 * h, P90: 4 * h, Mean: 4 * h},
				// Around the clock: the business times are the wall-clock ones.
				FirstResponseBusiness: casekit.Durations{Count: 3, Median: h, P90: 18 * h, Mean: 6*h + 30*time.Minute},
				ResolutionBusiness:    casekit.Durations{Count: 1, Median: 4 * h, P90: 4 * h, Mean: 4 * h},
				ResponseSLA:           casekit.Attainment{Met: 2, Breached: 2},
				ResolutionSLA:         casekit.Attainment{Met: 1, Breached: 2, Running: 1},
				Satisfaction:          map[int]int{5: 1, 2: 1}, Rated: 2, CSAT: 0.5,
			}
			wantEqual(t, want, r.Total, "the period's totals")
			wantEqual(t, StoredTime(from.Add(120*h)), StoredTime(r.AsOf), "as of")
			wantEqual(t, []int{4, 5}, r.Satisfied, "the satisfied levels")
			if len(r.Groups) != 0 {
				t.Errorf("a report without grouping has groups: %v", r.Groups)
			}
		}},
		{"groups by a case's value, by tag and per agent", func(t *testing.T, e *Env) {
			from, _ := reportStory(t, e)
			q := casekit.ReportQuery{From: from, To: from.Add(10 * 24 * h), GroupBy: casekit.GroupPriority}
			r := try(e.Agent().Report(t.Context(), q)).get(t)
			keys := func(r *casekit.Report) (out []string) {
				for _, g := range r.Groups {
					out = append(out, g.Key)
				}
				return out
			}
			wantEqual(t, []string{"critical", "high", "low", "medium"}, keys(r), "priority groups")
			low := r.Groups[2].Metrics
			wantEqual(t, casekit.Metrics{Opened: 2, Backlog: 2, BacklogByAge: [5]int{0, 1, 1, 0, 0},
				FirstResponse:         casekit.Durations{Count: 2, Median: 30 * time.Minute, P90: 18 * h, Mean: 9*h + 15*time.Minute},
				FirstResponseBusiness: casekit.Durations{Count: 2, Median: 30 * time.Minute, P90: 18 * h, Mean: 9*h + 15*time.Minute},
				ResponseSLA:           casekit.Attainment{Met: 1, Breached: 1}, ResolutionSLA: casekit.Attainment{Breached: 1, Running: 1}},
				low, "the low group")
			wantEqual(t, 1, r.Groups[0].Backlog, "the critical backlog")
			q.GroupBy = casekit.GroupTag
			wantEqual(t, []string{"t-critical", "t-high", "t-low", "t-medium"}, keys(try(e.Agent().Report(t.Context(), q)).get(t)), "tag groups")
			q.GroupBy, q.Filter = casekit.GroupAssignee, casekit.CaseFilter{Priority: []string{"high"}}
			r = try(e.Agent().Report(t.Context(), q)).get(t)
			wantEqual(t, 1, r.Total.Opened, "opened with the filter")
			wantEqual(t, 1, len(r.Groups), "assignee groups of the high cases")
		}},
		{"business-hours times on the case's calendar, beside the wall-clock ones", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.slaSetup(t)
			// Friday 2031-03-14 16:00 in Berlin; the office works 09:00-17:00.
			fri := time.Date(2031, 3, 14, 16, 0, 0, 0, berlin)
			e.Clock.Set(fri)
			x := openWith(t, d, casekit.NewCase{Subject: "On the office's hours", CustomerID: "cust-x", Priority: "low", SLAID: "office"})
			e.Clock.Set(fri.Add(66 * h)) // Monday 10:00: one working hour on Friday, one on Monday
			y := openWith(t, d, casekit.NewCase{Subject: "No calendar", CustomerID: "cust-y"})
			try(d.PostMessage(ctx, x.ID, casekit.NewMessage{Body: "On it"})).get(t)
			e.Clock.Set(fri.Add(66*h + 30*time.Minute))
			try(d.PostMessage(ctx, y.ID, casekit.NewMessage{Body: "On it"})).get(t)
			e.Clock.Set(fri.Add(68 * h))
			try(d.Resolve(ctx, y.ID, casekit.Resolution{Summary: "done"})).get(t)
			e.Clock.Set(fri.Add(69*h + 30*time.Minute)) // Monday 13:30
			x = try(d.Resolve(ctx, x.ID, casekit.Resolution{Summary: "done"})).get(t)
			wantEqual(t, []time.Duration{2 * h, 5*h + 30*time.Minute}, []time.Duration{*x.FirstResponseBusiness, *x.ResolutionBusiness}, "the case's business times")
			q := casekit.ReportQuery{From: fri.Add(-16 * h), To: fri.Add(80 * h)}
			r := try(d.Report(ctx, q)).get(t)
			wantEqual(t, []casekit.Durations{
				{Count: 2, Median: 30 * time.Minute, P90: 66 * h, Mean: 33*h + 15*time.Minute},
				{Count: 2, Median: 30 * time.Minute, P90: 2 * h, Mean: h + 15*time.Minute},
				{Count: 2, Median: 2 * h, P90: 69*h + 30*time.Minute, Mean: 35*h + 45*time.Minute},
				{Count: 2, Median: 2 * h, P90: 5*h + 30*time.Minute, Mean: 3*h + 45*time.Minute},
			}, []casekit.Durations{r.Total.FirstResponse, r.Total.FirstResponseBusiness, r.Total.Resolution, r.Total.ResolutionBusiness},
				"first response and resolution, wall-clock and business")
			x = try(d.Reopen(ctx, x.ID, casekit.Reopening{Reason: "not_fixed", Note: "again"})).get(t)
			if x.ResolutionBusiness != nil {
				t.Errorf("a reopened case keeps its business resolution time %v", *x.ResolutionBusiness)
			}
			r = try(d.Report(ctx, q)).get(t)
			wantEqual(t, casekit.Durations{Count: 1, Median: 2 * h, P90: 2 * h, Mean: 2 * h}, r.Total.ResolutionBusiness, "business resolution after the reopening")
		}},
		{"day groups in the report's zone, each fact on its own day", func(t *testing.T, e *Env) {
			from, _ := reportStory(t, e)
			zone := "America/New_York"
			loc := mustZone(zone)
			start := time.Date(from.In(loc).Year(), from.In(loc).Month(), from.In(loc).Day(), 0, 0, 0, 0, loc)
			r := try(e.Agent().Report(t.Context(), casekit.ReportQuery{From: start, To: start.AddDate(0, 0, 7), GroupBy: casekit.GroupDay, TimeZone: zone})).get(t)
			if len(r.Groups) != 7 {
				t.Fatalf("7 days in %d groups", len(r.Groups))
			}
			opened, resolved, sum := map[string]int{}, map[string]int{}, 0
			for _, g := range r.Groups {
				opened[g.Key], resolved[g.Key] = g.Opened, g.Resolved
				sum += g.Opened
			}
			day := func(off time.Duration) string { return from.Add(off).In(loc).Format(time.DateOnly) }
			wantEqual(t, r.Total.Opened, sum, "opened over the days")
			wantEqual(t, 1, opened[day(96*h)], "opened on F's day")
			wantEqual(t, 1, resolved[day(5*h)], "resolved on A's day")
			if opened[day(-23*h)] != 0 && day(-23*h) < start.Format(time.DateOnly) {
				t.Errorf("a case opened before the period counted")
			}
			last := r.Groups[len(r.Groups)-1]
			if !last.Start.Before(r.AsOf) {
				wantEqual(t, 0, last.Backlog, "the backlog of a day after as-of")
			}
		}},
		{"every metric equals a brute-force count over random cases", func(t *testing.T, e *Env) {
			limitChecks()
			testReportProperty(t, e)
		}},
		{"bad periods, groups and zones are refused; customers may not see reports", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			now := e.Now()
			wantRule(t, try(d.Report(ctx, casekit.ReportQuery{From: now, To: now.Add(-h)})).err, "a period ending before it starts", "to", "after")
			wantRule(t, try(d.Report(ctx, casekit.ReportQuery{From: now, To: now.AddDate(4, 0, 0)})).err, "four years", "to", "max_span")
			wantRule(t, try(d.Report(ctx, casekit.ReportQuery{From: now, To: now.Add(h), GroupBy: "mood"})).err, "an unknown group", "group_by", "oneof")
			wantRule(t, try(d.Report(ctx, casekit.ReportQuery{From: now, To: now.Add(h), TimeZone: "Mars/Base"})).err, "an unknown zone", "time_zone", "timezone")
			wantRule(t, try(d.Report(ctx, casekit.ReportQuery{From: now, To: now.AddDate(2, 0, 0), GroupBy: casekit.GroupDay})).err, "730 days", "group_by", "max_groups")
			wantInvalid(t, try(d.Report(ctx, casekit.ReportQuery{From: now, To: now.Add(h), Filter: casekit.CaseFilter{Status: []string{"nope"}}})).err, "an unknown status", "status")
			wantRule(t, try(d.Report(ctx, casekit.ReportQuery{})).err, "no period", "from", "required")
			openWith(t, d, casekit.NewCase{Subject: "Mine", CustomerID: "cust-1"})
			wantIs(t, try(e.Desk(casekit.Customer("cust-1")).Report(ctx, casekit.ReportQuery{From: now, To: now.Add(h)})).err, casekit.ErrForbidden, "a customer's report")
			// More groups than the bound: the store stops at one more, and
			// casekit refuses (MaxReportGroups is 400; here 2).
			for _, c := range []string{"cust-2", "cust-3", "cust-4"} {
				openWith(t, d, casekit.NewCase{Subject: "Theirs", CustomerID: c})
			}
			e.InTx(t, func(ctx context.Context, tx store.Tx) error {
				tot, err := tx.ReportMetrics(ctx, store.ReportScan{From: now.Add(-h), To: e.Now().Add(h), AsOf: e.Now(), Group: "customer_id",
					Moments: []time.Time{e.Now()}, MaxGroups: 2})
				if err == nil {
					// Past the bound the numbers are the store's to leave
					// unfinished (the store contract): casekit refuses.
					wantEqual(t, 3, len(tot.Groups), "groups returned past a bound of 2")
				}
				return err
			})
		}},
	})
}

// reportFacts is what the property test knows of the cases it made
// besides their stored state: when each was reopened and rated.
type reportFacts struct {
	reopens map[string][]time.Time
	rated   map[string]time.Time
}

// bruteMetrics computes a group's metrics the slow way, from every case:
// in says whether a fact of a case at a time belongs to the group, moment
// is when its backlog is taken (the zero time for none).
func bruteMetrics(cases []*casekit.Case, facts reportFacts, from, to, asOf, moment time.Time, satisfied []int, in func(*casekit.Case, time.Time) bool) casekit.Metrics {
	var m casekit.Metrics
	during := func(t *time.Time) bool { return t != nil && !t.Before(from) && t.Before(to) }
	var fr, res, frWork, resWork []time.Duration
	judge := func(a *casekit.Attainment, c *casekit.Case, done, due *time.Time) {
		if due == nil {
			return
		}
		if done != nil && done.Before(to) {
			if done.After(*due) {
				a.Breached++
			} else {
				a.Met++
			}
			return
		}
		stop := asOf
		if c.SLAPausedAt != nil && c.SLAPausedAt.Before(asOf) {
			stop = *c.SLAPausedAt
		}
		if stop.After(*due) {
			a.Breached++
		} else {
			a.Running++
		}
	}
	for _, c := range cases {
		if during(&c.CreatedAt) && in(c, c.CreatedAt) {
			m.Opened++
			if during(c.FirstResponseAt) {
				fr = append(fr, c.FirstResponseAt.Sub(c.CreatedAt))
				if c.FirstResponseBusiness != nil {
					frWork = append(frWork, *c.FirstResponseBusiness)
				}
			}
			judge(&m.ResponseSLA, c, c.FirstResponseAt, c.ResponseDue)
			judge(&m.ResolutionSLA, c, c.ResolvedAt, c.ResolutionDue)
		}
		if during(c.ResolvedAt) && in(c, *c.ResolvedAt) {
			m.Resolved++
			res = append(res, c.ResolvedAt.Sub(c.CreatedAt))
			if c.ResolutionBusiness != nil {
				resWork = append(resWork, *c.ResolutionBusiness)
			}
		}
		if during(c.ClosedAt) && in(c, *c.ClosedAt) {
			m.Closed++
		}
		for _, t := range facts.reopens[c.ID] {
			if during(&t) && in(c, t) {
				m.Reopened++
			}
		}
		if t, ok := facts.rated[c.ID]; ok && during(&t) && in(c, t) {
			if m.Satisfaction == nil {
				m.Satisfaction = map[int]int{}
			}
			m.Satisfaction[c.Satisfaction]++
			m.Rated++
			for _, l := range satisfied {
				if l == c.Satisfaction {
					m.CSAT++
				}
			}
		}
		open := c.CreatedAt.Before(moment) && (c.ResolvedAt == nil || !c.ResolvedAt.Before(moment)) && (c.ClosedAt == nil || !c.ClosedAt.Before(moment))
		if !moment.IsZero() && open && in(c, moment.Add(-time.Nanosecond)) {
			m.Backlog++
			age, b := moment.Sub(c.CreatedAt), 0
			for b < len(casekit.AgeBuckets) && age >= casekit.AgeBuckets[b] {
				b++
			}
			m.BacklogByAge[b]++
		}
	}
	if m.Rated > 0 {
		m.CSAT /= float64(m.Rated)
	}
	if m.Resolved > 0 {
		m.ReopenRate = float64(m.Reopened) / float64(m.Resolved)
	}
	m.FirstResponse, m.Resolution = bruteDurations(fr), bruteDurations(res)
	m.FirstResponseBusiness, m.ResolutionBusiness = bruteDurations(frWork), bruteDurations(resWork)
	return m
}

// bruteDurations is the nearest-rank median and 90th percentile and the
// mean of ds, counted by hand.
func bruteDurations(ds []time.Duration) casekit.Durations {
	if len(ds) == 0 {
		return casekit.Durations{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	rank := func(p float64) time.Duration { return ds[int(math.Ceil(p*float64(len(ds))))-1] }
	return casekit.Durations{Count: len(ds), Median: rank(0.5), P90: rank(0.9), Mean: (sum / time.Duration(len(ds))).Truncate(time.Microsecond)}
}

// testReportProperty runs random desks (cases opened on no SLA, one
// around the clock or one on the office calendar, answered, resolved,
// closed, reopened, rated, canceled, deleted and merged at random times)
// and compares every metric of a random period, in random groups, with
// or without a filter, with bruteMetrics: the store's sums, percentiles
// and its daily backlog rollup (kept by each of those commands) against
// a count over the cases as they are.
func testReportProperty(t *testing.T, e *Env) {
	ctx, d := t.Context(), e.Agent()
	e.slaSetup(t)
	facts := reportFacts{reopens: map[string][]time.Time{}, rated: map[string]time.Time{}}
	start := e.Now()
	customer := map[string]string{}
	rapid.Check(t, func(rt *rapid.T) {
		var ids []string
		for range rapid.IntRange(5, 12).Draw(rt, "steps") {
			e.Clock.Advance(time.Duration(rapid.IntRange(0, 40*60).Draw(rt, "minutes")) * time.Minute)
			if len(ids) == 0 || rapid.IntRange(0, 3).Draw(rt, "open?") == 0 {
				in := casekit.NewCase{Subject: "Random", CustomerID: rapid.SampledFrom([]string{"cust-p", "cust-q"}).Draw(rt, "customer"),
					Priority: rapid.SampledFrom([]string{"low", "high"}).Draw(rt, "priority"),
					SLAID:    rapid.SampledFrom([]string{"", "round", "office"}).Draw(rt, "sla")}
				id := openWith(t, d, in).ID
				ids, customer[id] = append(ids, id), in.CustomerID
				continue
			}
			id := rapid.SampledFrom(ids).Draw(rt, "case")
			var err error
			switch rapid.IntRange(0, 7).Draw(rt, "action") {
			case 0:
				_, err = d.PostMessage(ctx, id, casekit.NewMessage{Body: "Reply"})
			case 1:
				_, err = d.Resolve(ctx, id, casekit.Resolution{CancelOpenActivities: true})
			case 2:
				_, err = d.Close(ctx, id, casekit.Closure{Reason: "fixed", Note: "done", CancelOpenActivities: true})
			case 3:
				if _, err = d.Reopen(ctx, id, casekit.Reopening{Reason: "not_fixed", Note: "again"}); err == nil {
					facts.reopens[id] = append(facts.reopens[id], e.Now())
				}
			case 4:
				var c *casekit.Case
				if c, err = e.Desk(casekit.Customer(customer[id])).Rate(ctx, id, casekit.Rating{Level: rapid.IntRange(1, 5).Draw(rt, "level")}); err == nil {
					facts.rated[id] = e.Now()
					if c.Status == casekit.StatusReopened {
						facts.reopens[id] = append(facts.reopens[id], e.Now())
					}
				}
			case 5:
				_, err = d.Cancel(ctx, id, "spam")
			case 6:
				if err = d.DeleteCase(ctx, id, "by mistake"); err == nil {
					ids = slices.DeleteFunc(ids, func(s string) bool { return s == id })
				}
			case 7:
				_, err = d.Merge(ctx, id, rapid.SampledFrom(ids).Draw(rt, "into"), casekit.Merge{Note: "same"})
			}
			_ = err // a move the case's status does not allow changes nothing
		}
		e.Clock.Advance(time.Duration(rapid.IntRange(0, 48).Draw(rt, "hours after")) * time.Hour)
		now := e.Now()
		from := start.Add(time.Duration(rapid.IntRange(0, int(now.Sub(start).Hours())).Draw(rt, "from")) * time.Hour)
		to := from.Add(time.Duration(rapid.IntRange(1, 24*6).Draw(rt, "span")) * time.Hour)
		group := rapid.SampledFrom([]string{"", casekit.GroupPriority, casekit.GroupStatus, casekit.GroupCustomer, casekit.GroupDay}).Draw(rt, "group")
		var filter casekit.CaseFilter
		if rapid.IntRange(0, 3).Draw(rt, "filtered?") == 0 {
			filter.Priority = []string{"low"}
		}
		r := try(d.Report(ctx, casekit.ReportQuery{From: from, To: to, GroupBy: group, TimeZone: "Europe/Berlin", Filter: filter})).get(t)
		var all []*casekit.Case
		for f := (casekit.CaseFilter{Limit: 500, Priority: filter.Priority}); ; {
			page := try(d.ListCases(ctx, f)).get(t)
			all = append(all, page.Cases...)
			if f.After = page.Next; f.After == "" {
				break
			}
		}
		asOf := minTime(to, now)
		every := func(*casekit.Case, time.Time) bool { return true }
		if !wantEqual(t, bruteMetrics(all, facts, from, to, asOf, asOf, r.Satisfied, every), r.Total, "totals of %s–%s", from, to) {
			rt.FailNow()
		}
		for _, g := range r.Groups {
			value := map[string]func(*casekit.Case) string{
				casekit.GroupPriority: func(c *casekit.Case) string { return c.Priority },
				casekit.GroupStatus:   func(c *casekit.Case) string { return c.Status },
				casekit.GroupCustomer: func(c *casekit.Case) string { return c.CustomerID },
			}[group]
			in, moment := func(c *casekit.Case, _ time.Time) bool { return value(c) == g.Key }, asOf
			if group == casekit.GroupDay {
				in = func(_ *casekit.Case, t time.Time) bool { return !t.Before(*g.Start) && t.Before(*g.End) }
				moment = time.Time{}
				if g.Start.Before(asOf) {
					moment = minTime(*g.End, asOf)
				}
			}
			if !wantEqual(t, bruteMetrics(all, facts, from, to, asOf, moment, r.Satisfied, in), g.Metrics, "group %s", g.Key) {
				rt.FailNow()
			}
		}
	})
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// MigrationReport puts two of the tenant's open cases on an SLA whose
// calendar works only on another weekday than today's, answers one and
// resolves the other, then reports on the day before now: what a store's
// migration test compares, after undoing the reporting migrations and
// migrating again, with WantSameReport, so that the backfill of
// case_facts, of the business times on a calendar (zero here, not the
// wall-clock time, not none) and the backlog's rollup give the numbers
// the commands kept.
func MigrationReport(t testing.TB, d *casekit.Desk) (casekit.ReportQuery, *casekit.Report) {
	t.Helper()
	ctx := t.Context()
	page := try(d.ListCases(ctx, casekit.CaseFilter{Limit: 2})).get(t)
	if len(page.Cases) < 2 {
		t.Fatalf("%d cases to report on, want 2", len(page.Cases))
	}
	day := (time.Now().UTC().Weekday() + 3) % 7
	must(t, d.Config().SaveCalendar(ctx, casekit.Calendar{ID: "elsewhen", Name: "Another weekday", TimeZone: "UTC",
		Hours: []casekit.WorkingHours{{Day: day, Start: "09:00", End: "17:00"}}}), "SaveCalendar")
	sla := "elsewhen"
	must(t, d.Config().SaveSLA(ctx, casekit.SLA{ID: sla, Name: "Another weekday's hours", CalendarID: "elsewhen", Targets: targets()}), "SaveSLA")
	for _, c := range page.Cases {
		try(d.Reclassify(ctx, c.ID, casekit.Reclassification{SLA: &sla})).get(t)
	}
	try(d.PostMessage(ctx, page.Cases[0].ID, casekit.NewMessage{Body: "On it"})).get(t)
	try(d.Resolve(ctx, page.Cases[1].ID, casekit.Resolution{Summary: "done"})).get(t)
	to := time.Now().UTC().Truncate(time.Microsecond)
	q := casekit.ReportQuery{From: to.Add(-24 * time.Hour), To: to, GroupBy: casekit.GroupPriority}
	r := try(d.Report(ctx, q)).get(t)
	if r.Total.Backlog == 0 || r.Total.FirstResponse.Count != 1 || r.Total.Resolution.Count != 1 ||
		r.Total.FirstResponseBusiness != (casekit.Durations{Count: 1}) || r.Total.ResolutionBusiness != (casekit.Durations{Count: 1}) {
		t.Fatalf("the report to compare has too little in it: %+v", r.Total)
	}
	return q, r
}

// WantSameReport wants d's report of q to be want.
func WantSameReport(t testing.TB, d *casekit.Desk, q casekit.ReportQuery, want *casekit.Report) {
	t.Helper()
	wantEqual(t, want, try(d.Report(t.Context(), q)).get(t), "the report after migrating")
}
