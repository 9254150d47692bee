package sqlstore

import (
	"casekit.dev/casekit/store"
	"context"

	"github.com/uptrace/bun"
)

// RowEstimator is what a Dialect may add so that CountCases can say how
// many rows a query would give beyond its bound without reading them: the
// planner's estimate for query, SQL with its arguments in place. A
// dialect without it makes CountCases answer bound+1.
type RowEstimator interface {
	EstimateRows(ctx context.Context, db bun.IDB, query string) (int64, error)
}

// CountCases implements casekit.Tx. It counts the rows of the matching
// cases' query cut at bound+1, so it reads at most that many, and asks
// the dialect's RowEstimator for the rest.
func (t *Tx) CountCases(ctx context.Context, q store.CaseQuery, bound int) (int64, bool, error) {
	match := t.caseFilters(t.db.NewSelect().ColumnExpr("1").TableExpr("?.cases AS c", t.schema), q)
	if len(q.Terms) > 0 {
		match = match.Where("?", t.search(q))
	}
	var n int64
	capped := t.db.NewSelect().ColumnExpr("count(*)").TableExpr("(?) AS x", match.Limit(int64(bound)+1))
	if err := capped.Scan(ctx, &n); err != nil {
		return 0, false, t.err(err, "count cases")
	}
	if n <= int64(bound) {
		return n, false, nil
	}
	est, ok := t.dialect.(RowEstimator)
	if !ok {
		return n, true, nil
	}
	e, err := est.EstimateRows(ctx, t.db, match.Limit(0).String())
	if err != nil {
		return 0, false, t.err(err, "estimate cases")
	}
	return max(e, n), true, nil
}
