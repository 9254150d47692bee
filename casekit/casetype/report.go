package casetype

import "time"

// AgeBuckets are the upper bounds of Metrics.BacklogByAge's buckets; the
// last bucket holds the older cases.
var AgeBuckets = [...]time.Duration{24 * time.Hour, 3 * 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}

// Metrics are the numbers of one group of a report. The counts are of
// facts in the period: Opened cases created in it, Resolved and Closed
// those resolved or closed in it, Reopened the reopenings in it. Times
// are from the creation of the cases opened in the period to their first
// public reply (FirstResponse), and from creation to resolution of the
// cases resolved in it (Resolution): wall-clock, and, in the Business
// ones, the working time of the case's calendar (its SLA's; around the
// clock for a case with none) as it was counted when the case was
// answered or resolved.
type Metrics struct {
	Opened   int `json:"opened"`
	Resolved int `json:"resolved"`
	Closed   int `json:"closed"`
	Reopened int `json:"reopened"`
	// ReopenRate is Reopened / Resolved, 0 when nothing was resolved.
	ReopenRate float64 `json:"reopen_rate"`
	// Backlog counts the cases open at the report's AsOf (for a time
	// group, at its end): opened before, neither resolved nor closed
	// before. BacklogByAge splits them by age at that moment (AgeBuckets).
	Backlog               int                      `json:"backlog"`
	BacklogByAge          [len(AgeBuckets) + 1]int `json:"backlog_by_age"`
	FirstResponse         Durations                `json:"first_response"`
	Resolution            Durations                `json:"resolution"`
	FirstResponseBusiness Durations                `json:"first_response_business"`
	ResolutionBusiness    Durations                `json:"resolution_business"`
	// ResponseSLA and ResolutionSLA judge the cases opened in the period
	// that have the deadline, as of AsOf.
	ResponseSLA   Attainment `json:"response_sla"`
	ResolutionSLA Attainment `json:"resolution_sla"`
	// Satisfaction counts the ratings given in the period by level (a
	// case rated more than once in it counts once, at its last rating);
	// Rated is their sum and CSAT the share of the report's satisfied
	// levels.
	Satisfaction map[int]int `json:"satisfaction"`
	Rated        int         `json:"rated"`
	CSAT         float64     `json:"csat"`
}

// Durations summarises a set of times: the median and 90th percentile by
// nearest rank (the value below which at least half, or 90%, lie), the
// mean to the microsecond.
type Durations struct {
	Count  int           `json:"count"`
	Median time.Duration `json:"median"`
	P90    time.Duration `json:"p90"`
	Mean   time.Duration `json:"mean"`
}

// Attainment counts the cases whose SLA target was met (done by the
// deadline), breached (done late, or not done and past it; a paused clock
// judged at its pause), and still running.
type Attainment struct {
	Met      int `json:"met"`
	Breached int `json:"breached"`
	Running  int `json:"running"`
}
