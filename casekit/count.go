package casekit

import "context"

// Count is how many cases a filter matches: exact up to CountBound, and
// beyond it an estimate, flagged, so that counting never reads every case
// of a large tenant.
type Count struct {
	// N is the number of matching cases, or the estimate of it.
	N int64 `json:"n"`
	// Estimated is set when more than CountBound cases match and N is the
	// store's estimate (PostgreSQL's planner estimate; SQLite, which has
	// none, gives CountBound+1: "more than 10,000").
	Estimated bool `json:"estimated,omitempty"`
}

// CountBound is the number of cases up to which CountCases counts exactly.
// Counting reads each matching row once; ten thousand rows cost a few
// milliseconds on either store, a million would cost a second.
const CountBound = 10000

// CountCases counts the cases matching f, ignoring its Sort, After and
// Limit: exactly up to CountBound, and beyond it an estimate flagged
// Estimated. It is a method of its own rather than a field of CasePage
// because the count is a query a list page does not need: a page stays as
// cheap as it was, and a caller asks for the total only where it shows
// one. A customer counts only their own cases and may filter only as in
// ListCases.
func (d *Desk) CountCases(ctx context.Context, f CaseFilter) (Count, error) {
	return runValue(d, ctx, "count cases", customerRead, func(c *cmd) (Count, error) {
		f.After, f.Sort, f.Limit = "", "", 0 // a count has no page
		q, ok, err := c.caseQuery(f)
		if err != nil || !ok {
			return Count{}, err
		}
		n, estimated, err := c.tx.CountCases(c.ctx, q, CountBound)
		return Count{N: n, Estimated: estimated}, err
	})
}
