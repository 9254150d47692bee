package casekit

import (
	"casekit.dev/casekit/store"
	"context"
	"maps"
	"slices"
	"sort"
	"time"
)

// ReportQuery asks Desk.Report for the metrics of the cases matching Filter
// over the period [From, To), in groups.
type ReportQuery struct {
	// Filter selects the cases, as in ListCases; its Sort, After and Limit
	// are ignored.
	Filter CaseFilter `json:"filter"`
	// From and To bound the period: From included, To not. It may span
	// at most MaxReportSpan.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// GroupBy is one of the Group constants, or "" for the totals alone.
	GroupBy string `json:"group_by"`
	// TimeZone is the IANA zone whose days, weeks (from Monday) and months
	// the time groups are; "" is UTC. Settings keep no zone, so a
	// dashboard passes its viewer's.
	TimeZone string `json:"time_zone"`
}

// The keys of ReportQuery.GroupBy. A case is in the group of its current
// value (status, priority, type, queue, team, assignee, origin, customer),
// in one group per tag it has (tag; "" holds the cases with none), or, for
// the time groups, each of its facts in the day, week or month it
// happened in: opened by its creation, resolved by its resolution, and so
// on. GroupAssignee is the per-agent report: each agent's resolved cases
// and their times.
const (
	GroupStatus   = "status"
	GroupPriority = "priority"
	GroupType     = "type"
	GroupQueue    = "queue"
	GroupTeam     = "team"
	GroupAssignee = "assignee"
	GroupOrigin   = "origin"
	GroupTag      = "tag"
	GroupCustomer = "customer"
	GroupDay      = "day"
	GroupWeek     = "week"
	GroupMonth    = "month"
)

// groupColumns maps the case-value groups to the column store.ReportScan names.
var groupColumns = map[string]string{
	"": "", GroupStatus: "status", GroupPriority: "priority", GroupType: "type", GroupQueue: "queue_id",
	GroupTeam: "team_id", GroupAssignee: "assignee_id", GroupOrigin: "origin", GroupCustomer: "customer_id",
}

// MaxReportSpan bounds a report's period: a tenant's dashboards look at
// months, and the cap keeps one request from reading more than a few
// years of cases.
const MaxReportSpan = 3 * 366 * 24 * time.Hour

// MaxReportGroups bounds a report's groups: a chart or a table has room
// for this many, and a grouping with more values (a customer report of a
// large tenant) is refused with a ValidationError rather than sent.
const MaxReportGroups = 400

// AgeBuckets are the upper bounds of Metrics.BacklogByAge's buckets; the
// last bucket holds the older cases.
var AgeBuckets = [...]time.Duration{24 * time.Hour, 3 * 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}

// Report is what Desk.Report computed.
type Report struct {
	Query ReportQuery `json:"query"`
	// AsOf is when the backlog and the still-running SLA clocks were
	// judged: To, or the time of the report when To is later.
	AsOf time.Time `json:"as_of"`
	// Levels are the tenant's satisfaction levels, lowest first, and
	// Satisfied those counted in CSAT: the top two.
	Levels    []int `json:"levels"`
	Satisfied []int `json:"satisfied"`
	Total     Metrics
	// Groups are in the order of their keys; time groups in time order,
	// every day, week or month of the period present.
	Groups []ReportGroup `json:"groups"`
}

// ReportGroup is the metrics of one group.
type ReportGroup struct {
	// Key is the group's value; for time groups the first day of the
	// day, week or month in the report's zone, as 2006-01-02.
	Key string `json:"key"`
	// Start and End bound a time group, within the period.
	Start *time.Time `json:"start,omitempty"`
	End   *time.Time `json:"end,omitempty"`
	Metrics
}

// Metrics are the numbers of one group of a report. The counts are of
// facts in the period: Opened cases created in it, Resolved and Closed
// those resolved or closed in it, Reopened the reopenings in it. Times are
// wall-clock: FirstResponse from the creation of the cases opened in the
// period to their first public reply, Resolution from creation to
// resolution of the cases resolved in it. (Business hours are not
// computed: an SLA's deadlines already count its calendar's working time,
// so ResponseSLA and ResolutionSLA are the business-hours view.)
type Metrics struct {
	Opened   int `json:"opened"`
	Resolved int `json:"resolved"`
	Closed   int `json:"closed"`
	Reopened int `json:"reopened"`
	// ReopenRate is Reopened / Resolved, 0 when nothing was resolved.
	ReopenRate float64 `json:"reopen_rate"`
	// Backlog counts the cases open at AsOf (for a time group, at its
	// end): opened before, neither resolved nor closed before.
	// BacklogByAge splits them by age at that moment (AgeBuckets).
	Backlog       int                      `json:"backlog"`
	BacklogByAge  [len(AgeBuckets) + 1]int `json:"backlog_by_age"`
	FirstResponse Durations                `json:"first_response"`
	Resolution    Durations                `json:"resolution"`
	// ResponseSLA and ResolutionSLA judge the cases opened in the period
	// that have the deadline, as of AsOf.
	ResponseSLA   Attainment `json:"response_sla"`
	ResolutionSLA Attainment `json:"resolution_sla"`
	// Satisfaction counts the ratings given in the period by level;
	// Rated is their sum and CSAT the share of Report.Satisfied levels.
	Satisfaction map[int]int `json:"satisfaction"`
	Rated        int         `json:"rated"`
	CSAT         float64     `json:"csat"`
}

// Durations summarises a set of times: the median and 90th percentile by
// nearest rank (the value below which at least half, or 90%, lie), the
// mean to the microsecond.
type Durations struct {
	Count  int           `json:"count"`
	Median time.Duration `json:"median"`
	P90    time.Duration `json:"p90"`
	Mean   time.Duration `json:"mean"`
}

// Attainment counts the cases whose SLA target was met (done by the
// deadline), breached (done late, or not done and past it; a paused clock
// judged at its pause), and still running.
type Attainment struct {
	Met      int `json:"met"`
	Breached int `json:"breached"`
	Running  int `json:"running"`
}

// Report computes the metrics of the cases matching q.Filter over q's
// period, in q's groups, reading only the period's cases and those open in
// it. Customers get ErrForbidden; agents need PermRead. A period that
// ends before it starts or is longer than MaxReportSpan, an unknown
// GroupBy or TimeZone, or more than MaxReportGroups groups is a
// *ValidationError.
func (d *Desk) Report(ctx context.Context, q ReportQuery) (*Report, error) {
	return runValue(d, ctx, "report", staffRead, func(c *cmd) (*Report, error) {
		r, err := newReporter(q, c.now)
		if err != nil {
			return nil, err
		}
		f := q.Filter
		f.After, f.Sort, f.Limit = "", "", 0
		cq, ok, err := c.caseQuery(f)
		if err != nil {
			return nil, err
		}
		levels, err := c.tx.Lookups(c.ctx, LookupSatisfaction)
		if err != nil {
			return nil, err
		}
		r.levels(levels)
		if ok {
			scan := store.ReportScan{CaseQuery: cq, From: r.from, To: r.to, Group: groupColumns[q.GroupBy], Tags: q.GroupBy == GroupTag}
			if err := c.tx.ReportCases(c.ctx, scan, r.add); err != nil {
				return nil, err
			}
		}
		return r.report(), nil
	})
}

// reporter adds up a report's cases as the store hands them over.
type reporter struct {
	out      Report
	from, to time.Time
	// buckets are the time groups, in order; nil for the other groupings.
	buckets []*groupAcc
	groups  map[string]*groupAcc
	total   groupAcc
	sat     map[int]bool
	// scratch is at's result, reused: a year's report asks for it
	// millions of times.
	scratch []*groupAcc
}

// groupAcc is one group being added up: its metrics and the times behind
// its Durations, in microseconds.
type groupAcc struct {
	ReportGroup
	fr, res []int64
}

func newReporter(q ReportQuery, now time.Time) (*reporter, error) {
	var v validations
	if q.From.IsZero() {
		v.Add("from", "required", "the period needs a start")
	}
	if q.To.IsZero() {
		v.Add("to", "required", "the period needs an end")
	}
	if !q.From.IsZero() && !q.To.IsZero() {
		if !q.To.After(q.From) {
			v.Add("to", "after", "the period ends at %s, not after it starts", q.To.Format(time.RFC3339))
		} else if q.To.Sub(q.From) > MaxReportSpan {
			v.Add("to", "max_span", "the period spans %s; a report covers at most %d days", q.To.Sub(q.From).Round(time.Hour), MaxReportSpan/(24*time.Hour))
		}
	}
	_, known := groupColumns[q.GroupBy]
	if !known && q.GroupBy != GroupTag && !timeGroup(q.GroupBy) {
		v.Add("group_by", "oneof", "unknown group %q", q.GroupBy)
	}
	loc, err := time.LoadLocation(q.TimeZone)
	if err != nil {
		v.Add("time_zone", "timezone", "unknown time zone %q", q.TimeZone)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	r := &reporter{out: Report{Query: q, AsOf: q.To.UTC()}, from: q.From.UTC(), to: q.To.UTC(), groups: map[string]*groupAcc{}}
	if now.Before(r.to) {
		r.out.AsOf = now.UTC()
	}
	if timeGroup(q.GroupBy) {
		for start := bucketStart(q.From.In(loc), q.GroupBy); start.Before(r.to); {
			end := nextBucket(start, q.GroupBy)
			lo, hi := maxTime(start.UTC(), r.from), minTime(end.UTC(), r.to)
			r.buckets = append(r.buckets, &groupAcc{ReportGroup: ReportGroup{Key: start.Format(time.DateOnly), Start: &lo, End: &hi}})
			if len(r.buckets) > MaxReportGroups {
				return nil, invalid("group_by", "max_groups", "a report by %s of this period has more than %d groups", q.GroupBy, MaxReportGroups)
			}
			start = end
		}
	}
	return r, nil
}

func timeGroup(g string) bool { return g == GroupDay || g == GroupWeek || g == GroupMonth }

// bucketStart is the start of the day, week (Monday) or month t is in,
// in t's zone.
func bucketStart(t time.Time, g string) time.Time {
	y, m, d := t.Date()
	switch g {
	case GroupMonth:
		return time.Date(y, m, 1, 0, 0, 0, 0, t.Location())
	case GroupWeek:
		return time.Date(y, m, d-(int(t.Weekday())+6)%7, 0, 0, 0, 0, t.Location())
	}
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// nextBucket is the start of the bucket after the one starting at start:
// calendar arithmetic, so a day across a change of clocks is 23 or 25
// hours.
func nextBucket(start time.Time, g string) time.Time {
	switch g {
	case GroupMonth:
		return start.AddDate(0, 1, 0)
	case GroupWeek:
		return start.AddDate(0, 0, 7)
	}
	return start.AddDate(0, 0, 1)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// levels takes the tenant's satisfaction levels; the top two count as
// satisfied.
func (r *reporter) levels(ls []Lookup) {
	for _, l := range ls {
		r.out.Levels = append(r.out.Levels, l.Rank)
	}
	slices.Sort(r.out.Levels)
	r.out.Levels = slices.Compact(r.out.Levels)
	r.out.Satisfied = r.out.Levels[max(0, len(r.out.Levels)-2):]
	r.sat = map[int]bool{}
	for _, l := range r.out.Satisfied {
		r.sat[l] = true
	}
}

func (r *reporter) in(t *time.Time) bool {
	return t != nil && !t.Before(r.from) && t.Before(r.to)
}

// caseGroups are the groups a case is in by its values; nil for time
// groups, whose group is the time of each fact.
func (r *reporter) caseGroups(rc *store.ReportCase) ([]*groupAcc, error) {
	if r.buckets != nil {
		return nil, nil
	}
	if r.out.Query.GroupBy == "" {
		return nil, nil
	}
	keys := []string{rc.Group}
	if r.out.Query.GroupBy == GroupTag && len(rc.Tags) > 0 {
		keys = rc.Tags
	}
	out := make([]*groupAcc, len(keys))
	for i, k := range keys {
		g := r.groups[k]
		if g == nil {
			if len(r.groups) == MaxReportGroups {
				return nil, invalid("group_by", "max_groups", "the cases have more than %d values of %s; narrow the filter", MaxReportGroups, r.out.Query.GroupBy)
			}
			g = &groupAcc{ReportGroup: ReportGroup{Key: k}}
			r.groups[k] = g
		}
		out[i] = g
	}
	return out, nil
}

// at returns the groups a fact of the case at t counts in: the total,
// and the case's own groups or the time group of t.
func (r *reporter) at(own []*groupAcc, t time.Time) []*groupAcc {
	out := append(append(r.scratch[:0], &r.total), own...)
	defer func() { r.scratch = out[:0] }()
	if r.buckets != nil {
		i := sort.Search(len(r.buckets), func(i int) bool { return r.buckets[i].End.After(t) })
		if i < len(r.buckets) {
			out = append(out, r.buckets[i])
		}
	}
	return out
}

// add counts one case in every group it belongs to.
func (r *reporter) add(rc *store.ReportCase) error {
	own, err := r.caseGroups(rc)
	if err != nil {
		return err
	}
	if r.in(&rc.CreatedAt) {
		for _, g := range r.at(own, rc.CreatedAt) {
			g.Opened++
			if r.in(rc.FirstResponseAt) {
				g.fr = append(g.fr, rc.FirstResponseAt.Sub(rc.CreatedAt).Microseconds())
			}
			r.judge(&g.ResponseSLA, rc, rc.FirstResponseAt, rc.ResponseDue)
			r.judge(&g.ResolutionSLA, rc, rc.ResolvedAt, rc.ResolutionDue)
		}
	}
	if r.in(rc.ResolvedAt) {
		for _, g := range r.at(own, *rc.ResolvedAt) {
			g.Resolved++
			g.res = append(g.res, rc.ResolvedAt.Sub(rc.CreatedAt).Microseconds())
		}
	}
	if r.in(rc.ClosedAt) {
		for _, g := range r.at(own, *rc.ClosedAt) {
			g.Closed++
		}
	}
	for _, t := range rc.Reopened {
		for _, g := range r.at(own, t) {
			g.Reopened++
		}
	}
	if r.in(rc.RatedAt) && rc.Satisfaction > 0 {
		for _, g := range r.at(own, *rc.RatedAt) {
			if g.Satisfaction == nil {
				g.Satisfaction = map[int]int{}
			}
			g.Satisfaction[rc.Satisfaction]++
			g.Rated++
		}
	}
	r.backlog(rc, own)
	return nil
}

// judge counts one case opened in the period in a, by when it was done
// and its deadline, as of AsOf.
func (r *reporter) judge(a *Attainment, rc *store.ReportCase, done, due *time.Time) {
	switch {
	case due == nil:
	case done != nil && done.Before(r.to):
		if done.After(*due) {
			a.Breached++
		} else {
			a.Met++
		}
	default:
		stop := r.out.AsOf
		if rc.SLAPausedAt != nil && rc.SLAPausedAt.Before(stop) {
			stop = *rc.SLAPausedAt
		}
		if stop.After(*due) {
			a.Breached++
		} else {
			a.Running++
		}
	}
}

// openAt reports whether the case was open at m: opened before it,
// neither resolved nor closed before it.
func openAt(rc *store.ReportCase, m time.Time) bool {
	return rc.CreatedAt.Before(m) && (rc.ResolvedAt == nil || !rc.ResolvedAt.Before(m)) && (rc.ClosedAt == nil || !rc.ClosedAt.Before(m))
}

// backlog counts the case in the backlog of the total and its groups at
// AsOf, or of each time group at whose end it was open.
func (r *reporter) backlog(rc *store.ReportCase, own []*groupAcc) {
	count := func(g *groupAcc, m time.Time) {
		g.Backlog++
		age := m.Sub(rc.CreatedAt)
		i := sort.Search(len(AgeBuckets), func(i int) bool { return age < AgeBuckets[i] })
		g.BacklogByAge[i]++
	}
	if openAt(rc, r.out.AsOf) {
		count(&r.total, r.out.AsOf)
		for _, g := range own {
			count(g, r.out.AsOf)
		}
	}
	// The time groups whose end (AsOf at the latest) comes after the
	// case's creation, while it stays open.
	i := sort.Search(len(r.buckets), func(i int) bool { return r.bucketMoment(i).After(rc.CreatedAt) })
	for ; i < len(r.buckets) && r.buckets[i].Start.Before(r.out.AsOf); i++ {
		m := r.bucketMoment(i)
		if !openAt(rc, m) {
			break
		}
		count(r.buckets[i], m)
	}
}

// bucketMoment is when time group i's backlog is taken: its end, or AsOf
// when that is earlier.
func (r *reporter) bucketMoment(i int) time.Time { return minTime(*r.buckets[i].End, r.out.AsOf) }

// report finishes the groups: the durations, the rates, the order.
func (r *reporter) report() *Report {
	out := r.out
	out.Total = r.total.finish(r.sat)
	accs := r.buckets
	if accs == nil {
		for _, k := range slices.Sorted(maps.Keys(r.groups)) {
			accs = append(accs, r.groups[k])
		}
	}
	for _, g := range accs {
		g.Metrics = g.finish(r.sat)
		out.Groups = append(out.Groups, g.ReportGroup)
	}
	return &out
}

func (g *groupAcc) finish(sat map[int]bool) Metrics {
	m := g.Metrics
	m.FirstResponse, m.Resolution = summarize(g.fr), summarize(g.res)
	if m.Resolved > 0 {
		m.ReopenRate = float64(m.Reopened) / float64(m.Resolved)
	}
	if m.Rated > 0 {
		happy := 0
		for level, n := range m.Satisfaction {
			if sat[level] {
				happy += n
			}
		}
		m.CSAT = float64(happy) / float64(m.Rated)
	}
	return m
}

// summarize gives the count, nearest-rank median and 90th percentile and
// the mean of times in microseconds.
func summarize(us []int64) Durations {
	n := len(us)
	if n == 0 {
		return Durations{}
	}
	slices.Sort(us)
	var sum int64
	for _, v := range us {
		sum += v
	}
	rank := func(p int) time.Duration { return time.Duration(us[(n*p+99)/100-1]) * time.Microsecond }
	return Durations{Count: n, Median: rank(50), P90: rank(90), Mean: time.Duration(sum/int64(n)) * time.Microsecond}
}
