package casekit

// Resolution is the input to Desk.Resolve.
type Resolution struct {
	// Summary records how the case was resolved.
	Summary string `json:"summary" validate:"max=100000"`
	// CancelOpenActivities cancels the case's open activities in the same
	// transaction instead of refusing with ErrOpenActivities.
	CancelOpenActivities bool `json:"cancel_open_activities"`
}

// Closure is the input to Desk.Close: a reason from the tenant's closure
// reason lookup and a note, both required.
type Closure struct {
	Reason string `json:"reason" validate:"required,max=64"`
	Note   string `json:"note" validate:"required,max=100000"`
	// CancelOpenActivities cancels the case's open activities in the same
	// transaction instead of refusing with ErrOpenActivities.
	CancelOpenActivities bool `json:"cancel_open_activities"`
}

// Reopening is the input to Desk.Reopen: a reason from the tenant's reopen
// reason lookup and a note, both required.
type Reopening struct {
	Reason string `json:"reason" validate:"required,max=64"`
	Note   string `json:"note" validate:"required,max=100000"`
}

// Rating is a satisfaction rating of a resolved case, usually the
// customer's, from the resolution notice's links.
type Rating struct {
	// Level is the rank of one of the tenant's enabled satisfaction
	// levels (by default 1 to 5).
	Level   int    `json:"level" validate:"min=1,max=1000"`
	Comment string `json:"comment" validate:"max=5000"`
}
