package sqlstore

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"casekit.dev/casekit"
)

// caseOrder is one order of the case list: by a value, then by ID. The
// time values compare as times on PostgreSQL and as text on SQLite, where
// Bun writes every time in one UTC form whose text order is time order
// (the filters on times rely on the same); a position's time is bound the
// same way.
type caseOrder struct {
	// value is the expression sorted on before the ID; nil for the
	// created sorts, which are the ID order.
	value *schema.QueryWithArgs
	// desc sorts the value descending, idDesc the ID.
	desc, idDesc bool
	// nullable says the value may be NULL; nullsLast where NULLs go.
	nullable, nullsLast bool
	// pos returns a position's value, nil for none.
	pos func(p *casekit.CasePosition) any
}

func timeOf(p *casekit.CasePosition) any {
	if p.Time == nil {
		return nil
	}
	return p.Time.UTC()
}

func rankOf(p *casekit.CasePosition) any {
	if p.Rank == nil {
		return nil
	}
	return *p.Rank
}

// caseOrderOf returns the order of q.Sort.
func caseOrderOf(q casekit.CaseQuery) (caseOrder, error) {
	col := func(c string) *schema.QueryWithArgs { v := bun.SafeQuery(c); return &v }
	switch q.Sort {
	case casekit.SortCreated:
		return caseOrder{}, nil
	case casekit.SortCreatedDesc, "":
		return caseOrder{idDesc: true}, nil
	case casekit.SortUpdated:
		return caseOrder{value: col("c.updated_at"), pos: timeOf}, nil
	case casekit.SortUpdatedDesc:
		return caseOrder{value: col("c.updated_at"), desc: true, idDesc: true, pos: timeOf}, nil
	case casekit.SortDue:
		return caseOrder{value: col("c.resolution_due"), nullable: true, nullsLast: true, pos: timeOf}, nil
	case casekit.SortDueDesc:
		return caseOrder{value: col("c.resolution_due"), desc: true, idDesc: true, nullable: true, pos: timeOf}, nil
	case casekit.SortPriority:
		return caseOrder{value: rankExpr(q.Ranks), desc: true, nullable: true, nullsLast: true, pos: rankOf}, nil
	case casekit.SortPriorityDesc:
		return caseOrder{value: rankExpr(q.Ranks), idDesc: true, nullable: true, pos: rankOf}, nil
	}
	return caseOrder{}, fmt.Errorf("list cases: unknown sort %q", q.Sort)
}

// rankExpr is a case's priority rank: a CASE over the tenant's priority
// lookup, passed in by casekit, NULL for a priority not in it. A CASE on
// the cases table keeps the list a scan of that one table, so the indexes
// of the filters still choose the rows; a join with the lookups table
// would sort the same way with a join more to plan. Keys are bound as
// literals, in key order so that the same lookup gives the same SQL.
func rankExpr(ranks map[string]int) *schema.QueryWithArgs {
	if len(ranks) == 0 {
		q := bun.SafeQuery("CAST(NULL AS INTEGER)")
		return &q
	}
	keys := make([]string, 0, len(ranks))
	for k := range ranks {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	sql := "CASE c.priority"
	args := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		sql += " WHEN ? THEN ?"
		args = append(args, k, ranks[k])
	}
	q := bun.SafeQuery(sql+" END", args...)
	return &q
}

// orderCases orders s by q.Sort and, when q.Position is set, keeps only the
// cases after it.
func orderCases(s *bun.SelectQuery, q casekit.CaseQuery) (*bun.SelectQuery, error) {
	o, err := caseOrderOf(q)
	if err != nil {
		return nil, err
	}
	if q.Position != nil {
		after, err := o.after(q.Sort, q.Position)
		if err != nil {
			return nil, err
		}
		s = s.Where("?", after)
	}
	if o.value != nil {
		dir := "ASC"
		if o.desc {
			dir = "DESC"
		}
		if o.nullable && o.nullsLast {
			dir += " NULLS LAST"
		} else if o.nullable {
			dir += " NULLS FIRST"
		}
		s = s.OrderExpr("? "+dir, *o.value)
	}
	if o.idDesc {
		return s.OrderExpr("c.id DESC"), nil
	}
	return s.OrderExpr("c.id ASC"), nil
}

// after is the condition that a case comes after position p. It is the
// expanded form of the row comparison (value, id) > (v, i), because the
// value and the ID may run in opposite directions and the value may be
// NULL; its first term, value >= v, is a plain range on the value for an
// index to serve.
func (o caseOrder) after(sort string, p *casekit.CasePosition) (schema.QueryWithArgs, error) {
	idOp := ">"
	if o.idDesc {
		idOp = "<"
	}
	if o.value == nil {
		return bun.SafeQuery("c.id "+idOp+" ?", p.ID), nil
	}
	val := *o.value
	v := o.pos(p)
	switch {
	case v != nil:
		op, opEq := ">", ">="
		if o.desc {
			op, opEq = "<", "<="
		}
		after := bun.SafeQuery("? "+opEq+" ? AND (? "+op+" ? OR c.id "+idOp+" ?)", val, v, val, v, p.ID)
		if o.nullable && o.nullsLast { // the cases with no value come after every value
			return bun.SafeQuery("(?) OR ? IS NULL", after, val), nil
		}
		return after, nil // NULLs, if any, came first: a comparison leaves them out
	case !o.nullable:
		return schema.QueryWithArgs{}, fmt.Errorf("list cases: sort %q needs a position with a value", sort)
	case o.nullsLast: // among the cases with no value, which come last
		return bun.SafeQuery("? IS NULL AND c.id "+idOp+" ?", val, p.ID), nil
	default: // among the cases with no value, which come first
		return bun.SafeQuery("(? IS NULL AND c.id "+idOp+" ?) OR ? IS NOT NULL", val, p.ID, val), nil
	}
}

// arm is one part of a case list (see listArms): its conditions and, when
// it holds the cases of one priority, that priority's rank (nil for the
// priorities not in the lookup).
type arm struct {
	conds []schema.QueryWithArgs
	prio  bool
	rank  *int
}

func (a arm) with(c schema.QueryWithArgs) arm {
	return arm{conds: append(slices.Clone(a.conds), c), prio: a.prio, rank: a.rank}
}

// listArms splits a list no single index serves into arms that each can
// be read from an index in the list's order, so that a page reads at most
// a page from each arm instead of every matching case. The arms cover
// the list, and each arm's first page (after the position) holds every
// case of the list's page that it holds, so the page is the first of the
// arms' pages merged: the same rows, in the same order.
//
//   - A full-text search on PostgreSQL splits into the cases whose own
//     text matches and those with a matching message: one OR of the two
//     can use neither GIN index.
//   - A priority sort splits by priority, and then by status when the
//     list has a status filter: within one priority the order is the
//     ID's, which the (status, priority, id) and (priority, id) indexes
//     hold, where the rank expression has to sort every matching case.
//
// It returns nil when the list is best read in one piece. With
// rankedOnly, it leaves out the arm of the priorities not in the lookup.
func (t *Tx) listArms(q casekit.CaseQuery, rankedOnly bool) []arm {
	if q.Limit <= 0 {
		return nil
	}
	arms, split := []arm{{}}, false
	switch {
	case len(q.Terms) > 0 && t.dialect == Postgres:
		inCase, inMessage := t.searchConds(q)
		arms, split = []arm{arm{}.with(inCase), arm{}.with(inMessage)}, true
	case len(q.Terms) > 0:
		// SQLite reads each half's FTS matches whole and sorts them,
		// slower than its one scan newest first (BENCHMARKS.md): the
		// search stays one condition, in every arm.
		arms = []arm{arm{}.with(t.search(q))}
	}
	if (q.Sort == casekit.SortPriority || q.Sort == casekit.SortPriorityDesc) && len(q.Ranks) > 0 {
		keys := slices.Sorted(maps.Keys(q.Ranks))
		var next []arm
		for _, a := range arms {
			for _, k := range keys {
				r := q.Ranks[k]
				b := a.with(bun.SafeQuery("c.priority = ?", k))
				b.prio, b.rank = true, &r
				next = append(next, b)
			}
			if !rankedOnly {
				b := a.with(bun.SafeQuery("c.priority NOT IN (?)", bun.In(keys)))
				b.prio = true
				next = append(next, b)
			}
		}
		arms, split = next, true
		if len(q.Status) > 0 {
			statuses := slices.Compact(slices.Sorted(slices.Values(q.Status)))
			next = nil
			for _, a := range arms {
				for _, st := range statuses {
					next = append(next, a.with(bun.SafeQuery("c.status = ?", st)))
				}
			}
			arms = next
		}
	}
	if !split {
		return nil
	}
	return arms
}

// armsQuery is the IDs of the first page of each arm, after q's position:
// SELECT id FROM (arm 1) UNION SELECT id FROM (arm 2) ... (the form
// both dialects accept with ORDER BY and LIMIT in each arm).
func (t *Tx) armsQuery(q casekit.CaseQuery, arms []arm) (schema.QueryWithArgs, error) {
	o, err := caseOrderOf(q)
	if err != nil {
		return schema.QueryWithArgs{}, err
	}
	var sql []string
	var args []any
	for i, a := range arms {
		s := t.db.NewSelect().ColumnExpr("c.id").TableExpr("?.cases AS c", t.schema)
		if o.value != nil { // the value sorted on, to merge the arms by
			s = s.ColumnExpr("? AS v", *o.value)
		}
		s = t.caseFilters(s, q)
		for _, c := range a.conds {
			s = s.Where("?", c)
		}
		if a.prio {
			// One priority, one rank: the order is the ID's.
			if q.Position != nil {
				after, skip := o.afterInRank(a.rank, q.Position)
				if skip {
					continue
				}
				if after != nil {
					s = s.Where("?", *after)
				}
			}
			if o.idDesc {
				s = s.OrderExpr("c.id DESC")
			} else {
				s = s.OrderExpr("c.id ASC")
			}
		} else if s, err = orderCases(s, q); err != nil {
			return schema.QueryWithArgs{}, err
		}
		cols := "id"
		if o.value != nil {
			cols = "id, v"
		}
		sql = append(sql, fmt.Sprintf("SELECT %s FROM (?) AS a%d", cols, i))
		args = append(args, s.Limit(int64(q.Limit)))
	}
	if len(sql) == 0 { // every arm lies before the position
		return bun.SafeQuery("SELECT CAST(NULL AS TEXT) WHERE 1 = 0"), nil
	}
	// The page's IDs are the first of the arms' merged, found from the
	// narrow rows the arms read from their indexes: only they are then
	// read whole. UNION, not UNION ALL: a case may be in two arms (its
	// text and a message match), and must take one place on the page.
	order := "u.id " + map[bool]string{false: "ASC", true: "DESC"}[o.idDesc]
	if o.value != nil {
		dir := "ASC"
		if o.desc {
			dir = "DESC"
		}
		if o.nullable && o.nullsLast {
			dir += " NULLS LAST"
		} else if o.nullable {
			dir += " NULLS FIRST"
		}
		order = "u.v " + dir + ", " + order
	}
	return bun.SafeQuery("SELECT u.id FROM ("+strings.Join(sql, " UNION ")+") AS u ORDER BY "+order+
		fmt.Sprintf(" LIMIT %d", q.Limit), args...), nil
}

// afterInRank is after for the cases of one priority sort rank (nil for
// the priorities not in the lookup): skip when they all come before
// position p, else the condition on the ID, nil for none when they all
// come after it.
func (o caseOrder) afterInRank(rank *int, p *casekit.CasePosition) (after *schema.QueryWithArgs, skip bool) {
	idOp := ">"
	if o.idDesc {
		idOp = "<"
	}
	same := bun.SafeQuery("c.id "+idOp+" ?", p.ID)
	// before reports whether rank a comes before rank b in this order,
	// where nil (no rank) comes last when sorting by descending rank and
	// first otherwise.
	before := func(a, b *int) bool {
		switch {
		case a == nil && b == nil:
			return false
		case a == nil:
			return !o.nullsLast
		case b == nil:
			return o.nullsLast
		case o.desc:
			return *a > *b
		default:
			return *a < *b
		}
	}
	switch {
	case before(rank, p.Rank):
		return nil, true
	case before(p.Rank, rank):
		return nil, false
	default:
		return &same, false
	}
}
