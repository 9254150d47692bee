package casekit

import "time"

// Contact is the snapshot of the customer contact taken when a case is
// opened, so the case keeps who asked even if the host's record changes.
type Contact struct {
	ID    string `json:"id,omitempty" validate:"max=200"`
	Name  string `json:"name,omitempty" validate:"max=200"`
	Email string `json:"email,omitempty" validate:"omitempty,email,max=320"`
	Phone string `json:"phone,omitempty" validate:"max=50"`
}

// Case is one customer-service case.
type Case struct {
	// ID is global and sortable by creation time (a UUIDv7).
	ID string `json:"id"`
	// Number is the tenant's human case number (#1042): 1, 2, 3, ... with no
	// gaps or duplicates.
	Number      int64   `json:"number"`
	Subject     string  `json:"subject"`
	Description string  `json:"description,omitempty"`
	CustomerID  string  `json:"customer_id,omitempty"`
	Contact     Contact `json:"contact"`
	// Type is a key of the tenant's case type lookup; empty for none.
	Type     string `json:"type,omitempty"`
	Category string `json:"category,omitempty"`
	// Priority is a key of the tenant's priority lookup.
	Priority string `json:"priority"`
	// Origin is how the case came in: a key of the origin lookup (phone,
	// email, web, portal, chat, api).
	Origin string `json:"origin,omitempty"`
	// Service is the product or service the case is about.
	Service  string         `json:"service,omitempty"`
	Tags     []string       `json:"tags,omitempty"`
	Deadline *time.Time     `json:"deadline,omitempty"`
	Custom   map[string]any `json:"custom,omitempty"`
	// AssigneeID is the agent working the case; TeamID the group; QueueID
	// the queue it waits in.
	AssigneeID   string `json:"assignee_id,omitempty"`
	TeamID       string `json:"team_id,omitempty"`
	QueueID      string `json:"queue_id,omitempty"`
	SupportLevel int    `json:"support_level,omitempty"`
	SLAID        string `json:"sla_id,omitempty"`

	// ResponseDue and ResolutionDue are the SLA's deadlines: the case's
	// creation plus the target for its priority plus the working time its
	// SLA clock stood still, counted on the SLA's business calendar.
	ResponseDue   *time.Time `json:"response_due,omitempty"`
	ResolutionDue *time.Time `json:"resolution_due,omitempty"`
	// SLAPausedAt is when the SLA clock stopped (the case entered a
	// paused, resolved, closed or canceled status); nil while it runs.
	SLAPausedAt *time.Time `json:"sla_paused_at,omitempty"`
	// SLAPausedFor is the working time the clock has stood still before
	// SLAPausedAt; the deadlines are pushed back by it.
	SLAPausedFor time.Duration `json:"sla_paused_for,omitempty"`

	FirstResponseAt *time.Time `json:"first_response_at,omitempty"`
	ResolvedAt      *time.Time `json:"resolved_at,omitempty"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`

	// Status is a key of the tenant's status lookup.
	Status        string `json:"status"`
	ClosureReason string `json:"closure_reason,omitempty"`
	// Satisfaction is the customer's rating level, 0 when not rated.
	Satisfaction        int    `json:"satisfaction,omitempty"`
	SatisfactionComment string `json:"satisfaction_comment,omitempty"`

	// MergedIntoID names the case this one was merged into.
	MergedIntoID string `json:"merged_into_id,omitempty"`
	// Process is where the case stands in its guided process, nil when it
	// never started one or the last was stopped.
	Process *ProcessState `json:"process,omitempty"`

	CreatedBy Actor     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version grows by one with every change; pass it back as IfVersion.
	Version int64 `json:"version"`
}

// Age is how long the case has existed at now, or how long it lived until it
// was closed.
func (c *Case) Age(now time.Time) time.Duration {
	if c.ClosedAt != nil {
		return c.ClosedAt.Sub(c.CreatedAt)
	}
	return now.Sub(c.CreatedAt)
}

// NewCase is the input to Desk.OpenCase.
type NewCase struct {
	Subject     string  `json:"subject" validate:"required,max=300"`
	Description string  `json:"description" validate:"max=100000"`
	CustomerID  string  `json:"customer_id" validate:"max=200"`
	Contact     Contact `json:"contact"`
	Type        string  `json:"type" validate:"max=100"`
	Category    string  `json:"category" validate:"max=100"`
	// Priority is a priority key; empty takes the tenant's default.
	Priority string `json:"priority" validate:"max=100"`
	// Origin is an origin key; empty means "api" for agents and "portal"
	// for customers.
	Origin   string         `json:"origin" validate:"max=100"`
	Service  string         `json:"service" validate:"max=100"`
	Tags     []string       `json:"tags" validate:"max=50,dive,required,max=100"`
	Deadline *time.Time     `json:"deadline"`
	Custom   map[string]any `json:"custom" validate:"max=200"`
	// AssigneeID, TeamID and QueueID place the case at once.
	AssigneeID string `json:"assignee_id" validate:"max=200"`
	TeamID     string `json:"team_id" validate:"max=200"`
	QueueID    string `json:"queue_id" validate:"max=200"`
	// SLAID names the SLA policy; empty takes the queue's default SLA, if
	// any.
	SLAID string `json:"sla_id" validate:"omitempty,key"`
}

// CaseUpdate changes a case's fields. Nil fields stay as they are.
type CaseUpdate struct {
	// IfVersion, when not zero, makes the update fail with ErrConflict
	// unless the case is still at this version.
	IfVersion   int64      `json:"if_version"`
	Subject     *string    `json:"subject" validate:"omitempty,min=1,max=300"`
	Description *string    `json:"description" validate:"omitempty,max=100000"`
	Contact     *Contact   `json:"contact"`
	Type        *string    `json:"type" validate:"omitempty,max=100"`
	Category    *string    `json:"category" validate:"omitempty,max=100"`
	Priority    *string    `json:"priority" validate:"omitempty,min=1,max=100"`
	Tags        *[]string  `json:"tags" validate:"omitempty,max=50,dive,required,max=100"`
	Deadline    *time.Time `json:"deadline"`
	// ClearDeadline removes the deadline.
	ClearDeadline bool           `json:"clear_deadline"`
	Custom        map[string]any `json:"custom" validate:"max=200"`
}

// CaseFilter selects cases for Desk.ListCases. Zero fields do not filter.
// A customer may not filter by assignee, team, queue, SLA, the due and
// breached filters, a tag not in Settings.PublicTags or a custom field
// they do not read: each is a *ValidationError on its field.
type CaseFilter struct {
	// Status keeps cases in any of these statuses.
	Status     []string `json:"status"`
	Priority   []string `json:"priority"`
	Type       string   `json:"type"`
	CustomerID string   `json:"customer_id"`
	AssigneeID string   `json:"assignee_id"`
	TeamID     string   `json:"team_id"`
	QueueID    string   `json:"queue_id"`
	Tag        string   `json:"tag"`
	// Tags keeps cases with any of these tags, or with all of them when
	// AllTags is set.
	Tags    []string `json:"tags" validate:"max=20,dive,required,max=100"`
	AllTags bool     `json:"all_tags"`
	// StatusFlags keeps cases whose status has any of these flags:
	// initial, progress, paused, reopen, resolved, final, canceled, or
	// active (neither final nor canceled). With Status as well, a case
	// passes when it matches either.
	StatusFlags   []string   `json:"status_flags" validate:"max=8,dive,oneof=initial progress paused reopen resolved final canceled active"`
	CreatedAfter  *time.Time `json:"created_after"`
	CreatedBefore *time.Time `json:"created_before"`
	// DeadlineBefore keeps cases whose deadline is before this time.
	DeadlineBefore *time.Time `json:"deadline_before"`
	SLAID          string     `json:"sla_id"`
	// ResponseDueBefore keeps cases still waiting for their first
	// response, with the SLA clock running, whose response is due before
	// this time; ResolutionDueBefore the same for the resolution.
	ResponseDueBefore   *time.Time `json:"response_due_before"`
	ResolutionDueBefore *time.Time `json:"resolution_due_before"`
	// Breached keeps cases with the SLA clock running whose first response
	// or resolution is overdue now.
	Breached bool `json:"breached"`
	// Text keeps cases whose subject and description, or one of whose
	// messages, hold every word; "quoted words" must stand together, in
	// order. Words are runs of letters and digits, matched whole and
	// without regard to case; punctuation separates them. "#1042" finds
	// case 1042. A customer's search never looks into internal messages.
	// A search holds at most 8 different words, a phrase's words included;
	// more is a ValidationError on "text" (rule "max_words").
	Text string `json:"text" validate:"max=500"`
	// Sort orders the list; empty means SortCreatedDesc, newest first. The
	// keys are the Sort constants: created, updated, priority and due, each
	// also with a leading "-" for the exact reverse order. Every order
	// ends with the case ID, so no two cases tie and pages never overlap.
	Sort string `json:"sort" validate:"omitempty,oneof=created -created updated -updated priority -priority due -due"`
	// Custom keeps cases whose custom fields hold these values, written as
	// text: "true", "42", "2026-11-23", an option. Each key must be one
	// of the tenant's custom fields.
	Custom map[string]string `json:"custom" validate:"max=20"`
	// After is the cursor from the previous page's Next, which must come
	// from a list with the same Sort. The page continues right after the
	// place the previous one ended, however cases have been opened,
	// changed or deleted since.
	After string `json:"after"`
	// Limit is the page size: 0 means 50, at most 500.
	Limit int `json:"limit" validate:"min=0,max=500"`
}

// CaseQuery is what a Store is asked to list: the filter, already checked,
// plus the restriction casekit adds for a customer actor. Its Sort is one
// of the Sort constants, or empty for SortCreatedDesc; the store ignores
// After and reads Position.
type CaseQuery struct {
	CaseFilter
	// VisibleTo, when not empty, keeps only cases whose CustomerID or
	// Contact.ID equals it.
	VisibleTo string
	// Position, when not nil, is where the previous page ended: the store
	// lists only the cases that come after it in the order of Sort.
	Position *CasePosition
	// Limit is the number of rows to return (already bounded).
	Limit int
	// Now is the time Breached is judged at.
	Now time.Time
	// Number, when not 0, keeps only the case with this number (Text was
	// "#1042").
	Number int64
	// CustomValues are Custom's values in their field's type (string,
	// float64 or bool), for the store to match exactly.
	CustomValues map[string]any
	// Terms are Text's search terms, all of which must match the case's
	// subject and description or one message (public ones only when
	// VisibleTo is set): each a word, or a phrase of words in order, in
	// lower case, letters and digits only. The store ignores Text.
	Terms [][]string
	// IDs, when not empty, keeps only the cases with these IDs (casekit
	// reads a case's linked cases with it, in one query).
	IDs []string
}

// The orders of CaseFilter.Sort. Each key without "-" and its "-" form are
// exact reverses of each other, down to the case ID that ends every order.
const (
	// SortCreated lists the oldest case first: ascending case ID, which is
	// the order cases were opened in (IDs are UUIDv7s).
	SortCreated = "created"
	// SortCreatedDesc lists the newest case first: descending case ID. It
	// is the default.
	SortCreatedDesc = "-created"
	// SortUpdated lists the case changed longest ago first: ascending
	// UpdatedAt, then ascending ID.
	SortUpdated = "updated"
	// SortUpdatedDesc lists the most recently changed case first:
	// descending UpdatedAt, then descending ID.
	SortUpdatedDesc = "-updated"
	// SortPriority lists the most urgent case first: descending rank of
	// its priority in the tenant's priority lookup, cases whose priority
	// is no longer in the lookup last, and within one rank the oldest case
	// first (ascending ID), much as Desk.Pick takes them.
	SortPriority = "priority"
	// SortPriorityDesc is SortPriority reversed: cases whose priority is
	// not in the lookup first, then ascending rank, and within one rank the
	// newest case first.
	SortPriorityDesc = "-priority"
	// SortDue lists cases by resolution deadline, the earliest first
	// (ascending ResolutionDue, then ascending ID); cases with none come
	// last, as if never due.
	SortDue = "due"
	// SortDueDesc is SortDue reversed: cases with no resolution deadline
	// first, then the latest ResolutionDue first, then descending ID.
	SortDueDesc = "-due"
)

// CasePosition is a place in a sorted list of cases: the values one case
// was sorted by when a page ended on it. A store lists the cases strictly
// after it, so the next page continues where the last one ended even if
// that case has since changed or gone.
type CasePosition struct {
	// ID is the case's ID, the last key of every order; for the created
	// sorts it is the only one.
	ID string
	// Time is the case's UpdatedAt for the updated sorts and its
	// ResolutionDue for the due sorts, nil when the case had no
	// resolution deadline.
	Time *time.Time
	// Rank is the rank of the case's priority for the priority sorts, nil
	// when the priority was not in the lookup.
	Rank *int
}

// CasePage is one page of cases, in the order of the filter's Sort.
type CasePage struct {
	Cases []*Case `json:"cases"`
	// Next is the cursor for the following page, empty on the last page.
	Next string `json:"next,omitempty"`
}
