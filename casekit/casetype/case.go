package casetype

import (
	"time"
)

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
	// FirstResponseBusiness and ResolutionBusiness are the working time
	// from creation to FirstResponseAt and to ResolvedAt on the case's
	// calendar (its SLA's; around the clock without one), counted when
	// those were set, so that a report sums them without a calendar; nil
	// while they are not set, and for cases answered or resolved before
	// casekit counted them (schema 28).
	FirstResponseBusiness *time.Duration `json:"first_response_business,omitempty"`
	ResolutionBusiness    *time.Duration `json:"resolution_business,omitempty"`

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
