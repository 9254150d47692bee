package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"casekit.dev/casekit/casetype"
)

// percentiles sets the median and 90th percentile of each duration of
// the facts of kind in every group of pass p, where the dialect has no
// percentile aggregate (SQLite): one query streams the group key and all
// the kind's durations of the period's facts, unsorted, and Go picks the
// nearest ranks, the ceil(n*50/100)-th and ceil(n*90/100)-th smallest,
// from each group's values. Ranking them in SQL, a window over a sort of
// every value by duration, cost a query and a sort per duration, several
// times Go's (BENCHMARKS.md, "SQLite report percentiles").
//
// A pass p.ranksTotal ranks the total's values too, from the same rows:
// a grouped report reads each value once, not once for the total and
// once for the groups.
//
// Memory: each value is an int64 of microseconds, and each group's slice
// is made at the size the facts statement just counted (the Durations'
// Count, read in the same transaction), so the most held is 8 bytes
// times the kind's durations times the facts of the kind in the period
// (at most casekit.MaxReportSpan long) in the groups (at most
// MaxGroups+1; a case in a group per tag), twice with the total. They
// are freed when the kind is done, before the next kind's are read.
func (r *report) percentiles(ctx context.Context, p reportPass, kind int) error {
	times, durs := r.factKinds()
	ds := durs[kind]
	query, some := "SELECT "+p.key(times[kind]), ""
	for j, d := range ds {
		query += ", CASE WHEN " + d.cond + " THEN " + d.v + " END"
		if j > 0 {
			some += " OR "
		}
		some += "(" + d.cond + " AND " + d.v + " IS NOT NULL)"
	}
	query += r.source(p, r.in(times[kind])+" AND ("+some+")")
	type values struct {
		m  *casetype.Metrics
		vs [][]int64
	}
	made := func(m *casetype.Metrics) *values {
		g := &values{m: m, vs: make([][]int64, len(ds))}
		for j, d := range ds {
			g.vs[j] = make([]int64, 0, d.of(m).Count)
		}
		return g
	}
	var all []*values
	var total *values
	if p.ranksTotal {
		total = made(&r.out.Total)
		all = append(all, total)
	}
	groups := map[string]*values{}
	var key sql.RawBytes // reused: a row's key is looked up, not kept
	vals := make([]sql.NullInt64, len(ds))
	dest := []any{&key}
	for j := range vals {
		dest = append(dest, &vals[j])
	}
	err := r.query(ctx, query, func() []any { return dest }, func() bool {
		g := groups[string(key)]
		if g == nil {
			m := p.into(string(key))
			if m == nil {
				return false
			}
			g = made(m)
			groups[string(key)], all = g, append(all, g)
		}
		for j, v := range vals {
			if v.Valid {
				g.vs[j] = append(g.vs[j], v.Int64)
				if total != nil {
					total.vs[j] = append(total.vs[j], v.Int64)
				}
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, g := range all {
		for j, d := range ds {
			if vs := g.vs[j]; len(vs) > 0 {
				p50, p90 := nearestRanks(vs)
				out := d.of(g.m)
				out.Median, out.P90 = time.Duration(p50)*time.Microsecond, time.Duration(p90)*time.Microsecond
			}
		}
	}
	return nil
}

// nearestRanks returns the ceil(n*50/100)-th and ceil(n*90/100)-th
// smallest of the n values vs (n > 0), which it sorts.
func nearestRanks(vs []int64) (p50, p90 int64) {
	slices.Sort(vs)
	n := len(vs)
	return vs[(n*50+99)/100-1], vs[(n*90+99)/100-1]
}
