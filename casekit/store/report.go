package store

import (
	"time"

	"casekit.dev/casekit/casetype"
)

// ReportScan is what a Store is asked to add up for Desk.Report: the
// checked filter, the period, the grouping and the moments the backlog is
// taken at. casekit has checked it: From before To, every time a whole
// microsecond (as the store keeps times), Bounds and Moments ascending,
// at most casekit.MaxReportGroups+1 of each.
type ReportScan struct {
	CaseQuery
	// From and To bound the period [From, To); AsOf is when the SLA
	// clocks still running are judged (To, or the report's time when
	// that is earlier).
	From, To, AsOf time.Time
	// Group is the case column the groups are the values of: one of
	// status, priority, type, queue_id, team_id, assignee_id, origin,
	// customer_id; "tag" for one group per tag of a case ("" holding the
	// cases with none); "" for no group by value.
	Group string
	// Bounds, when not nil (even empty), make time groups instead: group i holds the facts
	// at t with Bounds[i-1] <= t < Bounds[i] (group 0 those before
	// Bounds[0], the last those from its last bound on), so len(Bounds)+1
	// groups; Group is then "".
	Bounds []time.Time
	// Moments are when the backlog is taken for ReportTotals.Backlogs
	// (each time group's end); AsOf is always among them, and last.
	Moments []time.Time
	// MaxGroups bounds the groups by value a store returns.
	MaxGroups int
}

// ReportTotals is what ReportMetrics added up: exact counts, never
// estimates, over the cases matching the scan's filter that exist now.
type ReportTotals struct {
	// Total is every fact of the period once, whatever the grouping (a
	// case with two tags counts once); its Backlog is at AsOf.
	Total casetype.Metrics
	// Groups are the groups with at least one fact or backlog case, in no
	// particular order; at most MaxGroups+1 of them, so that casekit can
	// tell that there were more than MaxGroups, and refuse: a store may
	// stop reading at the one group too many, leaving the numbers (the
	// Total's too, which may add up the groups) unfinished. A group by
	// value has its Backlog at AsOf; a time group none (see Backlogs).
	Groups []ReportTally
	// Backlogs are the backlog at each of the scan's Moments, in their
	// order: the cases open then, by age (casetype.AgeBuckets).
	Backlogs []Backlog
}

// ReportTally is one group's part of ReportTotals.
type ReportTally struct {
	// Key is the group's value (ReportScan.Group); Bucket the time
	// group's index (ReportScan.Bounds), 0 otherwise.
	Key    string
	Bucket int
	casetype.Metrics
}

// Backlog is the number of cases open at a moment, and their split by
// age then.
type Backlog struct {
	Count int
	ByAge [len(casetype.AgeBuckets) + 1]int
}
