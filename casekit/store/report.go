package store

import "time"

// ReportScan is what a Store is asked to read for Desk.Report: the
// checked filter, the period, and the one column the report groups by.
type ReportScan struct {
	CaseQuery
	From, To time.Time
	// Group is the case column each ReportCase's Group holds: one of
	// status, priority, type, queue_id, team_id, assignee_id, origin,
	// customer_id; "" for none. Tags asks for the cases' tags instead.
	Group string
	Tags  bool
}

// ReportCase is one case as Desk.Report reads it: the times its metrics
// are computed from, and what it is grouped by.
type ReportCase struct {
	ID string
	// Group is the value of ReportScan.Group's column, "" for none.
	Group string
	// Tags are the case's tags, read only when ReportScan.Tags is set.
	Tags      []string
	CreatedAt time.Time
	// The times below are nil when they have not happened.
	FirstResponseAt, ResolvedAt, ClosedAt   *time.Time
	ResponseDue, ResolutionDue, SLAPausedAt *time.Time
	Satisfaction                            int
	// Reopened are the times the case was reopened within the period;
	// RatedAt is when it was rated, if that was within the period.
	Reopened []time.Time
	RatedAt  *time.Time
}
