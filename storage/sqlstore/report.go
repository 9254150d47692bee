package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun/schema"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/sqlstore/rows"
)

// reportGroups maps store.ReportScan.Group to the SQL of a fact's group
// key: the only names that reach the SQL. A tag report joins case_tags
// as tg, a row per tag, none for a case without tags.
var reportGroups = map[string]string{
	"status": "f.status", "priority": "f.priority", "type": "f.type", "queue_id": "f.queue_id",
	"team_id": "f.team_id", "assignee_id": "f.assignee_id", "origin": "f.origin", "customer_id": "f.customer_id",
	"tag": "COALESCE(tg.tag, '')",
}

// ReportMetrics implements store.Tx: every metric is added up in SQL, so
// that a group's numbers cross as one row, with its durations' values
// as a list the database aggregates (ValueList) or, where it has none,
// as one row per fact, which Go ranks (percentiles). The period's
// openings, resolutions and closings are added up together (facts: the
// indexes of migration 23 find them, and a year is one pass over the
// table, not one per kind), and the total is the sum of the groups, but
// for tags; reopenings and ratings are read by events_type_at_idx. The
// backlog at a moment is case_flow's days before it plus the facts of its
// own day, and its split by age the cases opened in the 30 days before
// it, so that no report reads every open case unless it is filtered or
// grouped by customer or tag, which case_flow does not keep.
func (t *Tx) ReportMetrics(ctx context.Context, q store.ReportScan) (*store.ReportTotals, error) {
	r := &report{t: t, q: q, from: t.lit(q.From.UTC()), to: t.lit(q.To.UTC()), asOf: t.lit(q.AsOf.UTC()),
		out: &store.ReportTotals{}, groups: map[string]*store.ReportTally{}}
	for _, s := range t.dialect.ReportSetup() {
		if _, err := t.db.ExecContext(ctx, s); err != nil {
			return nil, t.err(err, "report setup")
		}
	}
	if err := r.sameBusiness(ctx); err != nil {
		return nil, err
	}
	if filtered(q.CaseQuery) {
		match := t.caseFilters(t.db.NewSelect().ColumnExpr("c.id").TableExpr("?.cases AS c", t.schema), q.CaseQuery)
		if len(q.Terms) > 0 {
			match = match.Where("?", t.search(q.CaseQuery))
		}
		r.filter = " AND f.id IN (" + match.String() + ")"
	}
	total := reportPass{key: func(string) string { return "''" }, into: func(string) *casetype.Metrics { return &r.out.Total }}
	passes := []reportPass{total}
	var group *reportPass
	switch col, ok := reportGroups[q.Group]; {
	case q.Group != "" && !ok:
		return nil, fmt.Errorf("report: unknown group %q", q.Group)
	case q.Group != "":
		key := t.dialect.GroupKey(col)
		group = &reportPass{key: func(string) string { return key }, into: r.group, dim: q.Group}
		if q.Group == "tag" {
			group.join = t.sql(" LEFT JOIN ?.case_tags AS tg ON tg.case_id = f.id", t.schema)
		}
	case q.Bounds != nil:
		bounds := make([]string, len(q.Bounds))
		for i, b := range q.Bounds {
			bounds[i] = t.lit(b.UTC())
		}
		group = &reportPass{key: func(col string) string { return countLE(col, bounds) }, into: r.group, timed: true}
	}
	if group != nil {
		// Each fact is in one group, so the groups add up to the total,
		// values to rank included; but for tags: a case with two is in
		// two groups and once in the total, which is a pass of its own.
		if q.Group != "tag" {
			group.addsTotal = true
			passes = nil
		}
		passes = append(passes, *group)
	}
	for _, p := range passes {
		for _, add := range []func(context.Context, reportPass) error{r.facts, r.reopened, r.rated} {
			if err := add(ctx, p); err != nil || r.tooMany() {
				return r.result(), err
			}
		}
	}
	var err error
	if r.out.Backlogs, err = r.backlog(ctx, total, q.Moments, nil); err != nil {
		return nil, err
	}
	if n := len(r.out.Backlogs); n > 0 {
		r.out.Total.Backlog, r.out.Total.BacklogByAge = r.out.Backlogs[n-1].Count, r.out.Backlogs[n-1].ByAge
	}
	if group != nil && group.dim != "" {
		_, err = r.backlog(ctx, *group, q.Moments[len(q.Moments)-1:], func(key string, b store.Backlog) {
			if m := r.group(key); m != nil {
				m.Backlog, m.BacklogByAge = b.Count, b.ByAge
			}
		})
	}
	return r.result(), err
}

// report is one ReportMetrics under way. Its SQL is made as text, every
// value a literal bun renders, and sent without arguments.
type report struct {
	t              *Tx
	q              store.ReportScan
	from, to, asOf string // the literals of the scan's times
	filter         string // " AND f.id IN (...)" when filtered
	out            *store.ReportTotals
	groups         map[string]*store.ReportTally
	// same says whether the business durations of openings (0) and
	// resolutions (1) are the wall-clock ones (sameBusiness).
	same [2]bool
}

// reportPass is one way of grouping the facts: by nothing (the total),
// by a case's value, or by the time group of the fact.
type reportPass struct {
	// key is the SQL of the group key of a fact at the time column col.
	key  func(col string) string
	join string
	// into is where a group's numbers go; nil once there are too many.
	into func(key string) *casetype.Metrics
	// dim is the ReportScan.Group of a pass by value.
	dim string
	// addsTotal makes the pass add each group's numbers, and the values
	// it ranks, to the total as well: each fact is in one of its groups.
	addsTotal bool
	// timed says the pass makes time groups: the key of a fact depends
	// on which of its times it is.
	timed bool
}

// grouped says whether p makes groups, not the total alone.
func (p reportPass) grouped() bool { return p.dim != "" || p.timed }

// groupBy is the GROUP BY of a report's statements, whose select list
// starts with the group key and then the n other grouping columns, by
// their positions (a key may be a constant, which PostgreSQL groups by
// only so).
func groupBy(n int) string {
	pos := make([]string, 1+n)
	for i := range pos {
		pos[i] = strconv.Itoa(i + 1)
	}
	return " GROUP BY " + strings.Join(pos, ", ")
}

// targets returns the metrics the numbers of a row of pass p with group
// key key add to: the group's and, where p adds the total, the total's;
// nil once there are too many groups.
func (r *report) targets(p reportPass, key string) []*casetype.Metrics {
	m := p.into(key)
	switch {
	case m == nil:
		return nil
	case p.addsTotal:
		return []*casetype.Metrics{m, &r.out.Total}
	}
	return []*casetype.Metrics{m}
}

// lit is the SQL literal of v as bun writes it.
func (t *Tx) lit(v any) string { return t.sql("?", v) }

// sql renders query with its arguments, as bun writes them.
func (t *Tx) sql(query string, args ...any) string { return t.db.NewRaw(query, args...).String() }

// group returns the metrics of the group key, made on first sight; nil
// once more than MaxGroups are made, so that reading stops.
func (r *report) group(key string) *casetype.Metrics {
	g := r.groups[key]
	if g == nil {
		if r.tooMany() {
			return nil
		}
		g = &store.ReportTally{Key: key}
		if r.q.Bounds != nil {
			g.Key = ""
			g.Bucket, _ = strconv.Atoi(key)
		}
		r.groups[key] = g
	}
	return &g.Metrics
}

func (r *report) tooMany() bool { return len(r.groups) > r.q.MaxGroups }

// result is the totals and groups added up, the business durations
// that are the wall-clock ones (sameBusiness) copied from those.
func (r *report) result() *store.ReportTotals {
	ms := []*casetype.Metrics{&r.out.Total}
	for _, g := range r.groups {
		ms = append(ms, &g.Metrics)
	}
	for _, m := range ms {
		if r.same[0] {
			m.FirstResponseBusiness = m.FirstResponse
		}
		if r.same[1] {
			m.ResolutionBusiness = m.Resolution
		}
	}
	for _, g := range r.groups {
		r.out.Groups = append(r.out.Groups, *g)
	}
	return r.out
}

// source is the FROM of a pass's facts with their WHERE, the filter
// included.
func (r *report) source(p reportPass, where string) string {
	return r.t.sql(" FROM ?.case_facts AS f", r.t.schema) + p.join + " WHERE " + where + r.filter
}

// in is the condition that the time column col is in the period.
func (r *report) in(col string) string {
	return col + " >= " + r.from + " AND " + col + " < " + r.to
}

// query runs query and scans each row into the values dest returns for
// it, then calls done; it stops when done returns false.
func (r *report) query(ctx context.Context, query string, scan func() []any, done func() bool) error {
	rs, err := r.t.db.QueryContext(ctx, query)
	if err != nil {
		return r.t.err(err, "report")
	}
	defer rs.Close()
	for rs.Next() {
		if err := rs.Scan(scan()...); err != nil {
			return r.t.err(err, "report")
		}
		if !done() {
			break
		}
	}
	return r.t.err(rs.Err(), "report")
}

// duration is one of the Durations a kind of fact adds up: the values v
// of its rows where cond holds.
type duration struct {
	v, cond string
	of      func(*casetype.Metrics) *casetype.Durations
}

// durationTally is what the rows of facts add up of one Durations: the
// count, the sum in microseconds (the database's sum of bigints may be
// past int64's range as text, PostgreSQL's numeric) and, where the
// database lists them, the values to rank.
type durationTally struct {
	n      int
	sum    big.Int
	values []int64
}

// put sets out's count and mean and, when ranked, its percentiles from
// the values, which must be as many as the count.
func (d *durationTally) put(out *casetype.Durations, ranked bool) error {
	out.Count = d.n
	if d.n == 0 {
		return nil
	}
	out.Mean = time.Duration(new(big.Int).Quo(&d.sum, big.NewInt(int64(d.n))).Int64()) * time.Microsecond
	if !ranked {
		return nil
	}
	if len(d.values) != d.n {
		return fmt.Errorf("report: %d listed durations, where the count was %d", len(d.values), d.n)
	}
	listedInGo.Add(int64(d.n))
	p50, p90 := nearestRanks(d.values)
	setRanks(out, p50, p90)
	return nil
}

// factKinds are the facts of a case_facts row that facts adds up, each
// at its time: opened (kind 0) by created_at, resolved (1) by
// resolved_at, closed (2) by closed_at; with the Durations of each
// (none for closed): the wall-clock one, then the business one unless
// it is the same (sameBusiness).
func (r *report) factKinds() (times [3]string, durs [3][]*duration) {
	frIn := r.in("f.first_response_at")
	durs = [3][]*duration{
		{{v: "f.first_response_us", cond: frIn, of: func(m *casetype.Metrics) *casetype.Durations { return &m.FirstResponse }}},
		{{v: "f.resolution_us", cond: "1 = 1", of: func(m *casetype.Metrics) *casetype.Durations { return &m.Resolution }}},
		nil,
	}
	if !r.same[0] {
		durs[0] = append(durs[0], &duration{v: "f.first_response_business_us", cond: frIn, of: func(m *casetype.Metrics) *casetype.Durations { return &m.FirstResponseBusiness }})
	}
	if !r.same[1] {
		durs[1] = append(durs[1], &duration{v: "f.resolution_business_us", cond: "1 = 1", of: func(m *casetype.Metrics) *casetype.Durations { return &m.ResolutionBusiness }})
	}
	return [3]string{"f.created_at", "f.resolved_at", "f.closed_at"}, durs
}

// sameBusiness finds whether every business duration of the period's
// openings (same[0]) and resolutions (same[1]) is its wall-clock one, as
// on a tenant without calendars: then facts adds up and sorts only the
// wall-clock ones, and result copies them. The facts with a business
// time of their own are in the partial indexes of migration 32, so the
// check reads none of the others: the first such fact in the time's
// order, which PostgreSQL reads from the smaller of the two indexes
// ordered by it (an EXISTS it plans as a sequential scan stopping at the
// first match, which the planner expects at once, not knowing how few
// differ). It is over the period, not the filter: a filtered report's
// facts are among these.
func (r *report) sameBusiness(ctx context.Context) error {
	differ := func(at, business, wall string) string {
		return r.t.sql("(SELECT "+at+" FROM ?.case_facts AS f WHERE ", r.t.schema) + r.in(at) + " AND " + business + " IS DISTINCT FROM " + wall +
			" ORDER BY " + at + " LIMIT 1) IS NOT NULL"
	}
	var differs [2]bool
	query := "SELECT " + differ("f.created_at", "f.first_response_business_us", "f.first_response_us") + ", " +
		differ("f.resolved_at", "f.resolution_business_us", "f.resolution_us")
	err := r.query(ctx, query, func() []any { return []any{&differs[0], &differs[1]} }, func() bool { return true })
	r.same = [2]bool{!differs[0], !differs[1]}
	return err
}

// facts adds up the cases opened in the period (their count, first
// response times and SLA attainment), resolved in it (count and
// resolution times) and closed in it, in one statement over the rows of
// case_facts with any of the three times in the period (PostgreSQL reads
// them by an OR of the times' indexes, or for a long period in one pass
// over the table). Its inner query turns each row, once, into the few
// values the aggregates read (factColumns): a 1 for each kind of fact it
// is, its SLA states, the durations it adds, NULL for none; behind the
// dialect's fence, so that no condition is evaluated again by each
// aggregate that needs it. Every number it adds up is a count, a sum or
// a list of values, so a group's are the sum of any split of its rows:
// time groups are grouped by the three kinds' groups at once (factKey)
// and added up here, a year by month in one pass over the facts and not
// three, and the total is the groups' sum (addsTotal).
//
// Where the dialect lists a group's values (ValueList), Go ranks them
// from the same rows. The lists come only while the values of all the
// groups, counted twice where the total holds them too, are at most
// maxRanked, which the statement itself checks on its groups' counts
// before sending any; above it, or without lists, percentiles reads the
// values, sorted by the database when they are that many.
func (r *report) facts(ctx context.Context, p reportPass) error {
	times, durs := r.factKinds()
	var of [3]string // the condition that a row is a fact of kind k
	var either []string
	for k, t := range times {
		of[k] = r.in(t)
		either = append(either, "("+of[k]+")")
	}
	cols, outer := factColumns(of, r.to, r.asOf, durs)
	inner := "SELECT " + r.factKey(p, times, of) + " AS k"
	for _, c := range cols {
		inner += ", " + c.expr + " AS " + c.name
	}
	inner += r.source(p, "("+strings.Join(either, " OR ")+")") + r.t.dialect.Fence()
	var vs, counts []string // each duration's column, and its count
	for kind := range durs {
		for j := range durs[kind] {
			vs = append(vs, "x.d"+strconv.Itoa(kind)+strconv.Itoa(j))
			counts = append(counts, "COUNT("+vs[len(vs)-1]+")")
		}
	}
	held := "SUM(" + strings.Join(counts, " + ") + ") OVER ()" // the values Go would hold
	if p.addsTotal {
		held += " * 2"
	}
	var listed bool // the dialect's, the same for every duration
	for i, v := range vs {
		outer += ", " + counts[i] + ", SUM(" + v + ")"
		var list string
		if list, listed = r.t.dialect.ValueList(v); listed {
			outer += ", CASE WHEN " + held + " <= " + strconv.Itoa(maxRanked) + " THEN " + list + " END"
		}
	}
	query := "SELECT x.k" + outer + " FROM (" + inner + ") AS x" + groupBy(0)
	if !p.grouped() {
		// One row, without grouping by the constant key (which SQLite
		// does by sorting every row by it).
		query = "SELECT ''" + outer + " FROM (" + inner + ") AS x"
	}

	var key string
	var n [3]int
	var sla [2]casetype.Attainment
	type durationRow struct {
		n    int
		sum  sql.NullString
		list sql.RawBytes
	}
	var ds [3][]durationRow
	dest := []any{&key, &n[0], &n[1], &n[2]}
	for i := range sla {
		dest = append(dest, &sla[i].Met, &sla[i].Breached, &sla[i].Running)
	}
	for kind := range durs {
		ds[kind] = make([]durationRow, len(durs[kind]))
		for j := range ds[kind] {
			dest = append(dest, &ds[kind][j].n, &ds[kind][j].sum)
			if listed {
				dest = append(dest, &ds[kind][j].list)
			}
		}
	}
	tallies := map[*casetype.Durations]*durationTally{}
	unlisted := !listed // a list withheld: the values were too many
	var perr error
	err := r.query(ctx, query, func() []any { return dest }, func() bool {
		at, ok, err := r.factTargets(p, key)
		if !ok {
			perr = err
			return false
		}
		for _, m := range at[0] {
			m.Opened += n[0]
			for i, a := range []*casetype.Attainment{&m.ResponseSLA, &m.ResolutionSLA} {
				a.Met, a.Breached, a.Running = a.Met+sla[i].Met, a.Breached+sla[i].Breached, a.Running+sla[i].Running
			}
		}
		for _, m := range at[1] {
			m.Resolved += n[1]
		}
		for _, m := range at[2] {
			m.Closed += n[2]
		}
		for kind := range durs {
			for j, d := range durs[kind] {
				row := &ds[kind][j]
				sum, _ := new(big.Int).SetString(cmp.Or(row.sum.String, "0"), 10)
				if sum == nil {
					perr = fmt.Errorf("report: a sum of durations %q", row.sum.String)
					return false
				}
				unlisted = unlisted || row.n > 0 && row.list == nil
				for _, m := range at[kind] {
					t := tallies[d.of(m)]
					if t == nil {
						t = &durationTally{}
						tallies[d.of(m)] = t
					}
					t.n += row.n
					t.sum.Add(&t.sum, sum)
					if !unlisted {
						t.values = appendValues(t.values, row.list)
					}
				}
			}
		}
		return true
	})
	if err != nil || perr != nil {
		return cmp.Or(err, perr)
	}
	for out, t := range tallies {
		if perr = t.put(out, !unlisted); perr != nil {
			return perr
		}
	}
	if !unlisted {
		return nil
	}
	for kind := range durs {
		if len(durs[kind]) > 0 {
			if err := r.percentiles(ctx, p, kind); err != nil {
				return err
			}
		}
	}
	return nil
}

// factKey is the SQL of the group key of a facts row of pass p: the
// pass's key; for time groups, the groups of the row's three times
// (factTargets), each that of a time in the period or none (B-1, for B
// the number of groups plus one), as the one integer k0*B*B + k1*B + k2:
// a year by month has some 80 of them, each a row facts adds up.
func (r *report) factKey(p reportPass, times, of [3]string) string {
	if !p.timed {
		return p.key(times[0])
	}
	b, none := strconv.Itoa(len(r.q.Bounds)+2), strconv.Itoa(len(r.q.Bounds)+1)
	key := ""
	for k, t := range times {
		if k > 0 {
			key = "(" + key + ") * " + b + " + "
		}
		key += "COALESCE(CASE WHEN " + of[k] + " THEN " + p.key(t) + " END, " + none + ")"
	}
	return key
}

// factTargets returns, for each kind of fact, the metrics the numbers of
// that kind in a facts row with key key add to (targets); ok false once
// there are too many groups, or with an error for a key that is not
// factKey's.
func (r *report) factTargets(p reportPass, key string) (at [3][]*casetype.Metrics, ok bool, err error) {
	if !p.timed {
		m := r.targets(p, key)
		return [3][]*casetype.Metrics{m, m, m}, m != nil, nil
	}
	b := len(r.q.Bounds) + 2
	v, err := strconv.Atoi(key)
	if err != nil || v < 0 || v >= b*b*b {
		return at, false, fmt.Errorf("report: a time group key %q", key)
	}
	for k := 2; k >= 0; k, v = k-1, v/b {
		if g := v % b; g != b-1 {
			if at[k] = r.targets(p, strconv.Itoa(g)); at[k] == nil {
				return at, false, nil
			}
		}
	}
	return at, true, nil
}

// factColumn is a column of facts's inner query: its name, SQL, and the
// kind of fact it is of.
type factColumn struct {
	name, expr string
	kind       int
}

// factColumns are the columns of facts's inner query for a row that is a
// fact of kind k where of[k] holds, and the outer aggregates over them
// but for the durations' (outer): n0, n1 and n2, 1 for a fact of each
// kind (COUNTed); s0 and s1, the state of the response and resolution
// SLA of a case opened in the period with that deadline (1 met, 2
// breached, 3 still running at asOf); and dKJ, the Jth duration of kind K
// (durs) where the row adds it.
func factColumns(of [3]string, to, asOf string, durs [3][]*duration) (cols []factColumn, outer string) {
	for k := range of {
		cols = append(cols, factColumn{"n" + strconv.Itoa(k), "CASE WHEN " + of[k] + " THEN 1 END", k})
		outer += ", COUNT(x.n" + strconv.Itoa(k) + ")"
	}
	stop := "CASE WHEN f.sla_paused_at < " + asOf + " THEN f.sla_paused_at ELSE " + asOf + " END"
	for i, sla := range [][2]string{{"f.first_response_at", "f.response_due"}, {"f.resolved_at", "f.resolution_due"}} {
		done, due := sla[0], sla[1]
		doneIn := done + " < " + to
		s := "s" + strconv.Itoa(i)
		// Done in the period: met or breached by its time; not (yet):
		// breached once the clock, stopped at a pause, passed the due time.
		cols = append(cols, factColumn{s, "CASE WHEN " + of[0] + " AND " + due + " IS NOT NULL THEN CASE WHEN " + doneIn + " THEN CASE WHEN " +
			done + " <= " + due + " THEN 1 ELSE 2 END WHEN " + stop + " > " + due + " THEN 2 ELSE 3 END END", 0})
		for state := 1; state <= 3; state++ {
			outer += ", COUNT(*) FILTER (WHERE x." + s + " = " + strconv.Itoa(state) + ")"
		}
	}
	for kind := range durs {
		for j, d := range durs[kind] {
			cols = append(cols, factColumn{"d" + strconv.Itoa(kind) + strconv.Itoa(j), "CASE WHEN " + of[kind] + " AND " + d.cond + " THEN " + d.v + " END", kind})
		}
	}
	return cols, outer
}

// reopened counts the reopenings in the period of the cases there are,
// by events_type_at_idx.
func (r *report) reopened(ctx context.Context, p reportPass) error {
	var key string
	var n int
	k := p.key("e.at")
	query := "SELECT " + k + ", COUNT(*)" + r.t.sql(" FROM ?.events AS e JOIN ?.case_facts AS f ON f.id = e.case_id", r.t.schema, r.t.schema) +
		p.join + " WHERE e.type = " + r.t.lit(string(casetype.EventReopened)) + " AND " + r.in("e.at") + r.filter + groupBy(0)
	return r.query(ctx, query, func() []any { return []any{&key, &n} }, func() bool {
		at := r.targets(p, key)
		for _, m := range at {
			m.Reopened += n
		}
		return at != nil
	})
}

// rated counts, by level, the cases rated in the period at their last
// rating there.
func (r *report) rated(ctx context.Context, p reportPass) error {
	var key string
	var level, n int
	k := p.key("e.at")
	last := r.t.sql("(SELECT e.case_id, MAX(e.at) AS at FROM ?.events AS e WHERE e.type = ? AND ", r.t.schema, string(casetype.EventRated)) +
		r.in("e.at") + " GROUP BY e.case_id) AS e"
	query := "SELECT " + k + ", f.satisfaction, COUNT(*) FROM " + last + r.t.sql(" JOIN ?.case_facts AS f ON f.id = e.case_id", r.t.schema) +
		p.join + " WHERE f.satisfaction > 0" + r.filter + groupBy(1)
	return r.query(ctx, query, func() []any { return []any{&key, &level, &n} }, func() bool {
		at := r.targets(p, key)
		for _, m := range at {
			if m.Satisfaction == nil {
				m.Satisfaction = map[int]int{}
			}
			m.Satisfaction[level] += n
			m.Rated += n
		}
		return at != nil
	})
}

// countLE is the SQL of the number of bounds (literals, ascending) at or
// before the value of expr: a binary search in nested CASEs, so each
// row costs log2(len(bounds)) comparisons. A NULL expr counts every
// bound, as if it were after them all.
func countLE(expr string, bounds []string) string {
	var rec func(lo, hi int) string
	rec = func(lo, hi int) string {
		if lo == hi {
			return strconv.Itoa(lo)
		}
		mid := (lo + hi) / 2
		return "CASE WHEN " + expr + " < " + bounds[mid] + " THEN " + rec(lo, mid) + " ELSE " + rec(mid+1, hi) + " END"
	}
	return rec(0, len(bounds))
}

// backlog returns the backlog at each of the moments, in total (each by
// fn == nil) or by the group key of pass p (to fn, each key's backlog at
// the one moment). Where case_flow keeps the grouping and no filter
// applies, the counts are case_flow's and the split by age reads the
// cases opened in the 30 days before the moments; otherwise it reads the
// cases open at any of the moments.
func (r *report) backlog(ctx context.Context, p reportPass, moments []time.Time, fn func(string, store.Backlog)) ([]store.Backlog, error) {
	byKey := map[string][]store.Backlog{}
	at := func(key string) []store.Backlog {
		b := byKey[key]
		if b == nil {
			if fn != nil && len(byKey) > r.q.MaxGroups {
				return nil
			}
			b = make([]store.Backlog, len(moments)+1) // one more: the differences' end
			byKey[key] = b
		}
		return b
	}
	ms := make([]string, len(moments))
	for i, m := range moments {
		ms[i] = r.t.lit(m.UTC())
	}
	first, last := ms[0], ms[len(ms)-1]
	rollup := r.filter == "" && (p.dim == "" || slices.Contains(flowDims[:], p.dim))
	ages := len(casetype.AgeBuckets) + 1
	var err error
	if rollup {
		if err = r.flowCounts(ctx, p, moments, ms, at); err != nil {
			return nil, err
		}
		ages--
		err = r.ageSpans(ctx, p, "f.created_at > "+r.t.lit(moments[0].Add(-casetype.AgeBuckets[len(casetype.AgeBuckets)-1]).UTC())+
			" AND f.created_at < "+last+" AND (f.ended_at IS NULL OR f.ended_at >= "+first+")", ms, moments, ages, at)
	} else {
		err = r.ageSpans(ctx, p, "f.created_at < "+last+" AND (f.ended_at IS NULL OR f.ended_at >= "+first+")", ms, moments, ages, at)
	}
	if err != nil {
		return nil, err
	}
	var total []store.Backlog
	for key, b := range byKey {
		// Prefix sums of the differences: the counts at each moment.
		for j := 1; j < len(moments); j++ {
			b[j].Count += b[j-1].Count
			for a := range b[j].ByAge {
				b[j].ByAge[a] += b[j-1].ByAge[a]
			}
		}
		b = b[:len(moments)]
		for j := range b {
			if rollup {
				n := b[j].Count
				for _, c := range b[j].ByAge[:ages] {
					n -= c
				}
				b[j].ByAge[ages] = n
			} else {
				b[j].Count = 0
				for _, c := range b[j].ByAge {
					b[j].Count += c
				}
			}
		}
		if fn == nil {
			total = b
		} else if b[0] != (store.Backlog{}) {
			fn(key, b[0])
		}
	}
	if fn == nil && total == nil {
		total = make([]store.Backlog, len(moments))
	}
	return total, nil
}

// flowCounts adds to at the backlog counts at the moments from
// case_flow: each day before a moment's day, then the cases opened and
// ended on its day before it, as differences (+n at the first moment a
// count applies to, -n after the last).
func (r *report) flowCounts(ctx context.Context, p reportPass, moments []time.Time, ms []string, at func(string) []store.Backlog) error {
	days := make([]string, len(moments))
	starts := make([]string, len(moments))
	var spans []string
	for j, m := range moments {
		d := flowDay(m)
		days[j] = strconv.FormatInt(d, 10)
		start := time.UnixMicro(d * 86400 * 1e6).UTC()
		starts[j] = r.t.lit(start)
		if start.Before(m) {
			spans = append(spans, "(%[1]s >= "+starts[j]+" AND %[1]s < "+ms[j]+")")
		}
	}
	var key string
	var lo, hi, n int
	row := func(sign int) func() bool {
		return func() bool {
			b := at(key)
			if b == nil {
				return false
			}
			if lo < hi {
				b[lo].Count += sign * n
				b[hi].Count -= sign * n
			}
			return true
		}
	}
	val := "val"
	if p.dim == "" {
		val = "''"
	}
	query := "SELECT " + val + ", " + countLE("day", days) + ", SUM(opened - ended)" + r.t.sql(" FROM ?.case_flow WHERE dim = ? AND day < ", r.t.schema, p.dim) +
		days[len(days)-1] + " GROUP BY 1, 2"
	hi = len(moments)
	if err := r.query(ctx, query, func() []any { return []any{&key, &lo, &n} }, row(1)); err != nil || len(spans) == 0 {
		return err
	}
	for _, c := range []struct {
		col  string
		sign int
	}{{"f.created_at", 1}, {"f.ended_at", -1}} {
		where := "(" + fmt.Sprintf(strings.Join(spans, " OR "), c.col) + ")"
		query := "SELECT " + p.key(c.col) + ", " + countLE(c.col, ms) + ", " + countLE(c.col, starts) + ", COUNT(*)" + r.source(p, where) + " GROUP BY 1, 2, 3"
		if err := r.query(ctx, query, func() []any { return []any{&key, &lo, &hi, &n} }, row(c.sign)); err != nil {
			return err
		}
	}
	return nil
}

// ageSpans adds to at, for the cases where selects, the spans of moments
// at which each is open in each of the first ages age buckets, as
// differences. Of a case opened at c and ended at e (NULL: open), the
// moments m with c < m <= e are those from s0 = countLE(c) to E =
// countLE(e); it is in age bucket a at those with m - c in [A(a-1),
// A(a)), from s(a) = #{m < c + A(a-1)} to s(a+1), within [s0, E). The
// cases are counted by their s0, s1, ... and E, which few moments make
// few rows, and the spans made from those here: a row per case and
// bucket would be several times the rows to group.
func (r *report) ageSpans(ctx context.Context, p reportPass, where string, ms []string, moments []time.Time, ages int, at func(string) []store.Backlog) error {
	s := []string{countLE("f.created_at", ms)}
	for _, a := range casetype.AgeBuckets {
		shifted := make([]string, len(moments))
		for j, m := range moments {
			shifted[j] = r.t.lit(m.Add(-a + time.Microsecond).UTC()) // m - a < c: m - a + 1µs <= c
		}
		s = append(s, countLE("f.created_at", shifted))
	}
	cols, group := "SELECT "+p.key("f.created_at")+" AS k", "1"
	for i, e := range s {
		cols += ", " + e + " AS s" + strconv.Itoa(i)
		group += ", " + strconv.Itoa(i+2)
	}
	cols += ", " + countLE("f.ended_at", ms) + " AS e"
	group += ", " + strconv.Itoa(len(s)+2)
	// Only the cases open at some moment (s0 < e) are split by age: a
	// case opened and ended between two moments is in no backlog.
	query := "SELECT x.*, COUNT(*) FROM (" + cols + r.source(p, where) + ") AS x WHERE x.s0 < x.e GROUP BY " + group
	var key string
	var e, n int
	from := make([]int, len(s))
	return r.query(ctx, query, func() []any {
		out := []any{&key}
		for i := range from {
			out = append(out, &from[i])
		}
		return append(out, &e, &n)
	}, func() bool {
		b := at(key)
		if b == nil {
			return false
		}
		for a := range ages {
			lo, hi := from[a], e
			if a+1 < len(from) {
				hi = min(hi, from[a+1])
			}
			if lo < hi {
				b[lo].ByAge[a] += n
				b[hi].ByAge[a] -= n
			}
		}
		return true
	})
}

// filtered reports whether q selects fewer than all cases, so that the
// report joins the facts to the cases it matches; without a filter it
// reads the facts alone.
func filtered(q store.CaseQuery) bool {
	f := q.CaseFilter
	return len(q.IDs)+len(f.Status)+len(f.Priority)+len(f.Tags)+len(q.CustomValues)+len(q.Terms) > 0 ||
		f.Type+f.CustomerID+f.AssigneeID+f.TeamID+f.QueueID+f.Tag+f.SLAID+q.VisibleTo != "" ||
		f.CreatedAfter != nil || f.CreatedBefore != nil || f.DeadlineBefore != nil ||
		f.ResponseDueBefore != nil || f.ResolutionDueBefore != nil || f.Breached || q.Number != 0
}

// factWrites returns the statements that write the case_facts row of the
// case row c (migration 23) and move case_flow from its stored row, for
// the transaction that writes c, so a report never reads a fact or a
// day's count the case does not hold. The stored row is old's (a new
// case: none) when known says the transaction read the case at the
// version c was written from, and is read otherwise.
func (t *Tx) factWrites(ctx context.Context, c *caseRow, old caseRead, known bool) ([]schema.QueryAppender, error) {
	was := old.fact
	if !known {
		var err error
		if was, err = t.oldFact(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	f := rows.FactOf(c)
	q := t.upsert(t.ins(f, "case_facts"), "id", "status", "priority", "type", "queue_id", "team_id",
		"assignee_id", "origin", "customer_id", "first_response_at", "resolved_at", "closed_at", "response_due",
		"resolution_due", "sla_paused_at", "satisfaction", "ended_at", "first_response_us", "resolution_us",
		"first_response_business_us", "resolution_business_us")
	qs := []schema.QueryAppender{q.Returning("")}
	if flow := FlowWrite(t.db, t.schema, t.slot(), was, f); flow != nil {
		qs = append(qs, flow)
	}
	return qs, nil
}
