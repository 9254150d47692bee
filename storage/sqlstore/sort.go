package sqlstore

import (
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/sqlstore/rows"
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
	pos func(p *store.CasePosition) any
}

func timeOf(p *store.CasePosition) any {
	if p.Time == nil {
		return nil
	}
	return p.Time.UTC()
}

// unrankedPriority is the rank kept on a case whose priority is not in
// the tenant's priority lookup (see rows.UnrankedPriority).
const unrankedPriority = rows.UnrankedPriority

// rankSQL is the rank a case of priority ? (the second argument; the first
// is the schema) keeps in cases.priority_rank, set on every insert and
// update of the case; SaveLookup and DeleteLookup set it again on the
// cases of a priority whose rank changes.
var rankSQL = fmt.Sprintf("COALESCE((SELECT l.rank FROM ?.lookups AS l WHERE l.kind = 'priority' AND l.key = ?), %d)",
	unrankedPriority)

func rankOf(p *store.CasePosition) any {
	if p.Rank == nil {
		return unrankedPriority
	}
	return *p.Rank
}

// caseOrderOf returns the order of q.Sort.
func caseOrderOf(q store.CaseQuery) (caseOrder, error) {
	col := func(c string) *schema.QueryWithArgs { v := bun.SafeQuery(c); return &v }
	switch q.Sort {
	case casetype.SortCreated:
		return caseOrder{}, nil
	case casetype.SortCreatedDesc, "":
		return caseOrder{idDesc: true}, nil
	case casetype.SortUpdated:
		return caseOrder{value: col("c.updated_at"), pos: timeOf}, nil
	case casetype.SortUpdatedDesc:
		return caseOrder{value: col("c.updated_at"), desc: true, idDesc: true, pos: timeOf}, nil
	case casetype.SortDue:
		return caseOrder{value: col("c.resolution_due"), nullable: true, nullsLast: true, pos: timeOf}, nil
	case casetype.SortDueDesc:
		return caseOrder{value: col("c.resolution_due"), desc: true, idDesc: true, nullable: true, pos: timeOf}, nil
	case casetype.SortPriority:
		return caseOrder{value: col("c.priority_rank"), desc: true, pos: rankOf}, nil
	case casetype.SortPriorityDesc:
		return caseOrder{value: col("c.priority_rank"), idDesc: true, pos: rankOf}, nil
	}
	return caseOrder{}, fmt.Errorf("list cases: unknown sort %q", q.Sort)
}

// orderCases orders s by q.Sort and, when q.Position is set, keeps only the
// cases after it.
func orderCases(s *bun.SelectQuery, q store.CaseQuery) (*bun.SelectQuery, error) {
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
	valueDir, idDir := o.directions()
	if o.value != nil {
		s = s.OrderExpr("? "+valueDir, *o.value)
	}
	return s.OrderExpr("c.id " + idDir), nil
}

// directions returns the ORDER BY directions of the value and of the ID,
// with where the value's NULLs go: the one place they are decided, for the
// list and for the merge of its arms alike.
func (o caseOrder) directions() (value, id string) {
	value, id = "ASC", "ASC"
	if o.desc {
		value = "DESC"
	}
	if o.nullable && o.nullsLast {
		value += " NULLS LAST"
	} else if o.nullable {
		value += " NULLS FIRST"
	}
	if o.idDesc {
		id = "DESC"
	}
	return value, id
}

// after is the condition that a case comes after position p. It is the
// expanded form of the row comparison (value, id) > (v, i), because the
// value and the ID may run in opposite directions and the value may be
// NULL; its first term, value >= v, is a plain range on the value for an
// index to serve.
func (o caseOrder) after(sort string, p *store.CasePosition) (schema.QueryWithArgs, error) {
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

// arm is one part of a case list (see listArms): its conditions.
type arm []schema.QueryWithArgs

func (a arm) with(c schema.QueryWithArgs) arm {
	return append(slices.Clone(a), c)
}

// listArms splits a list no single index serves into arms that each can
// be read from an index in the list's order, so that a page reads at most
// a page from each arm instead of every matching case. The arms cover
// the list, and each arm's first page (after the position) holds every
// case of the list's page that it holds, so the page is the first of the
// arms' pages merged: the same rows, in the same order.
//
//   - A full-text search splits, where the dialect says so
//     (Dialect.SearchApart), into the cases whose own text matches and
//     those with a matching message: on PostgreSQL one OR of the two can
//     use neither GIN index.
//   - A priority sort over more than one status splits by status: the
//     (status, priority_rank DESC, id) index holds each status's cases in
//     the sort's order, where a list of several statuses has to read
//     every matching case and sort them.
//
// It returns nil when the list is best read in one piece.
func (t *Tx) listArms(q store.CaseQuery) []arm {
	if q.Limit <= 0 {
		return nil
	}
	arms, split := []arm{{}}, false
	switch {
	case len(q.Terms) > 0 && t.dialect.SearchApart():
		inCase, inMessage := t.searchConds(q)
		arms, split = []arm{arm{}.with(inCase), arm{}.with(inMessage)}, true
	case len(q.Terms) > 0:
		// SQLite reads each half's FTS matches whole and sorts them,
		// slower than its one scan newest first (BENCHMARKS.md): the
		// search stays one condition, in every arm.
		arms = []arm{arm{}.with(t.search(q))}
	}
	statuses := slices.Compact(slices.Sorted(slices.Values(q.Status)))
	if (q.Sort == casetype.SortPriority || q.Sort == casetype.SortPriorityDesc) && len(statuses) > 1 {
		var next []arm
		for _, a := range arms {
			for _, st := range statuses {
				next = append(next, a.with(bun.SafeQuery("c.status = ?", st)))
			}
		}
		arms, split = next, true
	}
	if !split {
		return nil
	}
	return arms
}

// armsQuery is the IDs of the first page of each arm, after q's position:
// SELECT id FROM (arm 1) UNION SELECT id FROM (arm 2) ... (the form
// both dialects accept with ORDER BY and LIMIT in each arm).
func (t *Tx) armsQuery(q store.CaseQuery, arms []arm) (schema.QueryWithArgs, error) {
	o, err := caseOrderOf(q)
	if err != nil {
		return schema.QueryWithArgs{}, err
	}
	sql := make([]string, len(arms))
	args := make([]any, len(arms))
	for i, a := range arms {
		s := t.db.NewSelect().ColumnExpr("c.id").TableExpr("?.cases AS c", t.schema)
		cols := "id"
		if o.value != nil { // the value sorted on, to merge the arms by
			s = s.ColumnExpr("? AS v", *o.value)
			cols = "id, v"
		}
		s = t.caseFilters(s, q)
		for _, c := range a {
			s = s.Where("?", c)
		}
		if s, err = orderCases(s, q); err != nil {
			return schema.QueryWithArgs{}, err
		}
		sql[i] = fmt.Sprintf("SELECT %s FROM (?) AS a%d", cols, i)
		args[i] = s.Limit(int64(q.Limit))
	}
	// The page's IDs are the first of the arms' merged, found from the
	// narrow rows the arms read from their indexes: only they are then
	// read whole. UNION, not UNION ALL: a case may be in two arms (its
	// text and a message match), and must take one place on the page.
	valueDir, idDir := o.directions()
	order := "u.id " + idDir
	if o.value != nil {
		order = "u.v " + valueDir + ", " + order
	}
	return bun.SafeQuery("SELECT u.id FROM ("+strings.Join(sql, " UNION ")+") AS u ORDER BY "+order+
		fmt.Sprintf(" LIMIT %d", q.Limit), args...), nil
}
