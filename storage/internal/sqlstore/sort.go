package sqlstore

import (
	"fmt"
	"slices"

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
