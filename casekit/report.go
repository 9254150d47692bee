package casekit

import (
	"context"
	"slices"
	"strings"
	"time"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
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
var AgeBuckets = casetype.AgeBuckets

type (
	// Metrics are the numbers of one group of a report.
	Metrics = casetype.Metrics
	// Durations summarise a set of times.
	Durations = casetype.Durations
	// Attainment counts the cases that met, breached or are still
	// running against an SLA target.
	Attainment = casetype.Attainment
)

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

// Report computes the metrics of the cases matching q.Filter over q's
// period, in q's groups. The store adds them up (store.Tx.ReportMetrics),
// reading the period's facts and a daily rollup of the backlog, so that
// a row per group, not a row per case, comes back. Times are compared to
// the microsecond, as stored: From, To and AsOf are rounded up to it.
// Customers get ErrForbidden; agents need PermRead. A period that ends
// before it starts or is longer than MaxReportSpan, an unknown GroupBy
// or TimeZone, or more than MaxReportGroups groups is a
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
		if !ok {
			return r.report(&store.ReportTotals{}), nil
		}
		scan := store.ReportScan{CaseQuery: cq, From: r.from, To: r.to, AsOf: r.out.AsOf, Group: groupColumns[q.GroupBy],
			Moments: r.moments(), MaxGroups: MaxReportGroups}
		if q.GroupBy == GroupTag {
			scan.Group = "tag"
		}
		if r.buckets != nil {
			scan.Bounds = []time.Time{} // time groups, even one
			for _, b := range r.buckets[1:] {
				scan.Bounds = append(scan.Bounds, *b.Start)
			}
		}
		tot, err := c.tx.ReportMetrics(c.ctx, scan)
		if err != nil {
			return nil, err
		}
		if len(tot.Groups) > MaxReportGroups {
			return nil, invalid("group_by", "max_groups", "the cases have more than %d values of %s; narrow the filter", MaxReportGroups, q.GroupBy)
		}
		return r.report(tot), nil
	})
}

// reporter turns a report's query into the store's scan and the store's
// totals into the Report.
type reporter struct {
	out      Report
	from, to time.Time
	// buckets are the time groups, in order; nil for the other groupings.
	buckets []*ReportGroup
	sat     map[int]bool
}

// ceilMicro is t rounded up to the microsecond: a stored time (whole
// microseconds) is before t exactly when it is before ceilMicro(t).
func ceilMicro(t time.Time) time.Time {
	if tr := t.Truncate(time.Microsecond); !tr.Equal(t) {
		return tr.Add(time.Microsecond).UTC()
	}
	return t.UTC()
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
	r := &reporter{out: Report{Query: q}, from: ceilMicro(q.From), to: ceilMicro(q.To)}
	r.out.AsOf = ceilMicro(minTime(q.To, now))
	if timeGroup(q.GroupBy) {
		for start := bucketStart(q.From.In(loc), q.GroupBy); start.Before(r.to); {
			end := nextBucket(start, q.GroupBy)
			lo, hi := maxTime(ceilMicro(start), r.from), minTime(ceilMicro(end), r.to)
			r.buckets = append(r.buckets, &ReportGroup{Key: start.Format(time.DateOnly), Start: &lo, End: &hi})
			if len(r.buckets) > MaxReportGroups {
				return nil, invalid("group_by", "max_groups", "a report by %s of this period has more than %d groups", q.GroupBy, MaxReportGroups)
			}
			start = end
		}
	}
	return r, nil
}

// moments are when the store takes the backlog: the end of each time
// group that starts before AsOf (AsOf at the latest), then AsOf.
func (r *reporter) moments() []time.Time {
	var out []time.Time
	for _, b := range r.buckets {
		if b.Start.Before(r.out.AsOf) {
			out = append(out, minTime(*b.End, r.out.AsOf))
		}
	}
	if len(out) == 0 || out[len(out)-1].Before(r.out.AsOf) {
		out = append(out, r.out.AsOf)
	}
	return out
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

// report finishes the store's totals: the rates, the time groups with
// their backlogs, the order.
func (r *reporter) report(tot *store.ReportTotals) *Report {
	out := r.out
	out.Total = r.finish(tot.Total)
	if r.buckets != nil {
		for _, g := range tot.Groups {
			if g.Bucket < len(r.buckets) {
				r.buckets[g.Bucket].Metrics = g.Metrics
			}
		}
		for i, b := range r.buckets {
			if i < len(tot.Backlogs) && b.Start.Before(out.AsOf) {
				b.Backlog, b.BacklogByAge = tot.Backlogs[i].Count, tot.Backlogs[i].ByAge
			}
			b.Metrics = r.finish(b.Metrics)
			out.Groups = append(out.Groups, *b)
		}
		return &out
	}
	slices.SortFunc(tot.Groups, func(a, b store.ReportTally) int { return strings.Compare(a.Key, b.Key) })
	for _, g := range tot.Groups {
		out.Groups = append(out.Groups, ReportGroup{Key: g.Key, Metrics: r.finish(g.Metrics)})
	}
	return &out
}

// finish works out a group's reopen rate and CSAT.
func (r *reporter) finish(m Metrics) Metrics {
	if m.Resolved > 0 {
		m.ReopenRate = float64(m.Reopened) / float64(m.Resolved)
	}
	if m.Rated > 0 {
		happy := 0
		for level, n := range m.Satisfaction {
			if r.sat[level] {
				happy += n
			}
		}
		m.CSAT = float64(happy) / float64(m.Rated)
	}
	return m
}

// workTimes sets the case's business-hours times when its first response
// or resolution has just been set: the working time since its creation
// on its SLA's calendar (around the clock with none), counted once, so
// that a report sums them without a calendar; cleared with the time they
// count to (a reopening clears the resolution).
func (c *cmd) workTimes(cs *Case) error {
	set := func(at *time.Time, work **time.Duration) error {
		if at == nil {
			*work = nil
			return nil
		}
		if *work != nil {
			return nil
		}
		var cal *casetype.CalendarClock
		if cs.SLAID != "" {
			book, err := c.slaBook()
			if err != nil {
				return err
			}
			cal = book.cals[book.slas[cs.SLAID].CalendarID] // nil: around the clock
		}
		d := cal.Between(cs.CreatedAt.Truncate(time.Microsecond), at.Truncate(time.Microsecond))
		*work = &d
		return nil
	}
	if err := set(cs.FirstResponseAt, &cs.FirstResponseBusiness); err != nil {
		return err
	}
	return set(cs.ResolvedAt, &cs.ResolutionBusiness)
}
