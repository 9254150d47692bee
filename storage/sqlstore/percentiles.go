package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"casekit.dev/casekit/casetype"
)

// MaxRankedValues is the most durations a report's percentiles hold in
// Go's memory at once, 8 bytes each: 4 Mi values, 32 MiB. A kind of fact
// whose values in a pass's groups (and total) would be more is ranked by
// the database instead (rankSorted). A year at a million cases holds
// about 2 Mi (500,000 openings, two durations, once in a group and once
// in the total); three years over ten million cases would be 40 Mi, 320
// MiB, which the cap turns into sorts SQLite spills to temporary files.
const MaxRankedValues = 4 << 20

// rankedInGo counts the values Go has ranked, and listedInGo those of
// them that came in a facts statement's lists, for tests to tell which
// way a report's percentiles went (export_test.go).
var rankedInGo, listedInGo atomic.Int64

// maxRanked is the cap percentiles applies: MaxRankedValues, lowered by
// tests (export_test.go) to rank every report by the database.
var maxRanked = MaxRankedValues

// percentiles sets the median and 90th percentile of each duration of
// the facts of kind in every group of pass p, where facts could not rank
// them from lists (the dialect has none, as SQLite, or the values were
// more than maxRanked): one query streams the group key and all
// the kind's durations of the period's facts, unsorted, and Go picks the
// nearest ranks, the ceil(n*50/100)-th and ceil(n*90/100)-th smallest,
// from each group's values. Ranking them in SQL, a window over a sort of
// every value by duration, cost a query and a sort per duration, several
// times Go's (BENCHMARKS.md, "SQLite report percentiles").
//
// A pass p.addsTotal ranks the total's values too, from the same rows:
// a grouped report reads each value once, not once for the total and
// once for the groups.
//
// Where facts had lists, the ranks come from them and this is never
// reached below maxRanked; above it, it goes to rankSorted.
//
// Memory: each value is an int64 of microseconds, and each group's slice
// is made at the size the facts statement just counted (the Durations'
// Count, read in the same transaction), so what the values would hold is
// known before any is read: the kind's durations times its facts in the
// period (at most casekit.MaxReportSpan long) in the groups (at most
// MaxGroups+1; a case in a group per tag), twice with the total. Above
// maxRanked values the database ranks them instead (rankSorted), holding
// none in Go. They are freed when the kind is done, before the next
// kind's are read.
func (r *report) percentiles(ctx context.Context, p reportPass, kind int) error {
	times, durs := r.factKinds()
	ds := durs[kind]
	if r.ranked(p, ds) > maxRanked {
		return r.rankSorted(ctx, p, times[kind], ds)
	}
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
	if p.addsTotal {
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
				setRanks(d.of(g.m), p50, p90)
			}
		}
	}
	return nil
}

// ranked is how many values percentiles would hold for the durations ds
// of pass p: their Counts, which the facts statement set, in the pass's
// groups and, where it ranks the total, the total.
func (r *report) ranked(p reportPass, ds []*duration) int {
	ms := []*casetype.Metrics{&r.out.Total}
	if p.grouped() {
		if !p.addsTotal {
			ms = nil
		}
		for _, g := range r.groups {
			ms = append(ms, &g.Metrics)
		}
	}
	n := 0
	for _, m := range ms {
		for _, d := range ds {
			n += d.of(m).Count
		}
	}
	return n
}

// rankSorted is percentiles for more values than Go may hold: for each
// duration of ds, the database sorts the facts' values at time col by
// the group key of pass p and then by value, and Go reads them in that
// order, keeping of each group only the values at its two ranks, which
// the group's Count places. A query per duration (and another for the
// total where p ranks it), each a sort SQLite spills to temporary files
// when it outgrows its cache: slower than ranking in Go, but memory is
// the database's bounded sort's, not 8 bytes a value here. (A query per
// rank, ORDER BY v LIMIT 1 OFFSET k, would sort the values again for
// each of the two ranks of each group and duration.)
func (r *report) rankSorted(ctx context.Context, p reportPass, col string, ds []*duration) error {
	passes := []reportPass{p}
	if p.grouped() && p.addsTotal {
		passes = append(passes, reportPass{key: func(string) string { return "''" }, join: p.join,
			into: func(string) *casetype.Metrics { return &r.out.Total }})
	}
	for _, q := range passes {
		for _, d := range ds {
			if err := r.rankOrdered(ctx, q, col, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// rankOrdered sets the percentiles of the duration d of each group of
// pass p from its values at time col, read sorted by group and value.
func (r *report) rankOrdered(ctx context.Context, p reportPass, col string, d *duration) error {
	query := "SELECT " + p.key(col) + ", " + d.v + r.source(p, r.in(col)+" AND "+d.cond+" AND "+d.v+" IS NOT NULL") + " ORDER BY 1, 2"
	var key, last sql.RawBytes
	var v int64
	var out *casetype.Durations
	var at, n, i50, i90 int // the row's place in its group, the group's count and ranks
	var p50 int64
	ended := func() error {
		if out != nil && at != n {
			return fmt.Errorf("report: %d durations of group %q, where the count was %d", at, last, n)
		}
		return nil
	}
	var perr error
	err := r.query(ctx, query, func() []any { return []any{&key, &v} }, func() bool {
		if out == nil || string(key) != string(last) {
			if perr = ended(); perr != nil {
				return false
			}
			m := p.into(string(key))
			if m == nil {
				return false
			}
			out, last, at = d.of(m), append(last[:0], key...), 0
			n = out.Count
			i50, i90 = rankPlaces(n)
		}
		if at == i50 {
			p50 = v
		}
		if at == i90 { // i50 <= i90: p50 is set
			setRanks(out, p50, v)
		}
		at++
		return true
	})
	return cmp.Or(err, perr, ended())
}

// nearestRanks returns the ceil(n*50/100)-th and ceil(n*90/100)-th
// smallest of the n values vs (n > 0), which it reorders: a selection of
// the one place and then of the other among the values before it, not a
// sort of them all (a year's 450,000 first responses: a few ms, not 40).
func nearestRanks(vs []int64) (p50, p90 int64) {
	rankedInGo.Add(int64(len(vs)))
	i50, i90 := rankPlaces(len(vs))
	p90 = selectNth(vs, i90)
	return selectNth(vs[:i90+1], i50), p90
}

// selectNth reorders vs so that vs[k] is the value a sort would put
// there, every value before it no greater and every one after it no
// smaller, and returns it: Hoare's selection, partitioning around the
// median of three, with a sort for the last few values.
func selectNth(vs []int64, k int) int64 {
	lo, hi := 0, len(vs)-1
	for hi-lo > 16 {
		mid := lo + (hi-lo)/2
		if vs[mid] < vs[lo] {
			vs[mid], vs[lo] = vs[lo], vs[mid]
		}
		if vs[hi] < vs[lo] {
			vs[hi], vs[lo] = vs[lo], vs[hi]
		}
		if vs[hi] < vs[mid] {
			vs[hi], vs[mid] = vs[mid], vs[hi]
		}
		pivot := vs[mid]
		i, j := lo, hi
		for i <= j {
			for vs[i] < pivot {
				i++
			}
			for vs[j] > pivot {
				j--
			}
			if i <= j {
				vs[i], vs[j] = vs[j], vs[i]
				i++
				j--
			}
		}
		// vs[lo..j] <= pivot <= vs[i..hi], and any place between holds
		// the pivot itself.
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return vs[k]
		}
	}
	slices.Sort(vs[lo : hi+1])
	return vs[k]
}

// appendValues appends to vs the integers of the text list b, as
// Dialect.ValueList makes it: decimal integers, each maybe with a '-',
// separated by any other bytes.
func appendValues(vs []int64, b []byte) []int64 {
	var v int64
	neg, in := false, false
	for i := 0; i <= len(b); i++ {
		c := byte(',') // past the end: a separator
		if i < len(b) {
			c = b[i]
		}
		switch {
		case c >= '0' && c <= '9':
			v, in = v*10+int64(c-'0'), true
		case c == '-' && !in:
			neg = true
		default:
			if in {
				if neg {
					v = -v
				}
				vs = append(vs, v)
			}
			v, neg, in = 0, false, false
		}
	}
	return vs
}

// rankPlaces returns the places, from 0, of the ceil(n*50/100)-th and
// ceil(n*90/100)-th smallest of n values.
func rankPlaces(n int) (i50, i90 int) {
	return (n*50+99)/100 - 1, (n*90+99)/100 - 1
}

// setRanks sets the median and 90th percentile of out from microseconds.
func setRanks(out *casetype.Durations, p50, p90 int64) {
	out.Median, out.P90 = time.Duration(p50)*time.Microsecond, time.Duration(p90)*time.Microsecond
}
