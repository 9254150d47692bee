package casetype

import (
	"time"
)

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
