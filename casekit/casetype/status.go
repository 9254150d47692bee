package casetype

// Status is one entry of a tenant's status lookup. The flags drive the rules.
type Status struct {
	// Key identifies the status in cases and transitions, e.g. "in_progress".
	Key   string `json:"key" validate:"required,max=64"`
	Label string `json:"label" validate:"required,max=200"`
	// Order sorts statuses for display.
	Order int `json:"order"`
	// Initial: a new case takes this status. Exactly one status has it.
	Initial bool `json:"initial"`
	// Paused: the SLA clock stops (e.g. "Waiting for response"); a
	// customer's reply reopens the case.
	Paused bool `json:"paused"`
	// Resolved: the work is done; the case is read-only until reopened.
	Resolved bool `json:"resolved"`
	// Final: the case is closed for good (or canceled); read-only until
	// reopened.
	Final bool `json:"final"`
	// Canceled: the case was opened by mistake or is no longer needed.
	Canceled bool `json:"canceled"`
	// Reopen: Reopen and a customer's reply move a case to this status.
	Reopen bool `json:"reopen"`
	// Progress: work is under way; moving here assigns the acting agent
	// when nobody is assigned.
	Progress bool `json:"progress"`
}

// ReadOnly reports whether a case in this status refuses edits.
func (s Status) ReadOnly() bool { return s.Resolved || s.Final }

// Transition allows a case to move from one status to another.
type Transition struct {
	From string `json:"from"`
	To   string `json:"to"`
}
