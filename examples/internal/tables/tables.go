// Package tables holds the rows of a tenant's casekit tables as
// storage/internal/sqlstore models them (the same tables, columns and Go
// types, so Bun writes the values casekit writes), for the examples that
// write them without casekit: loadgen's plain-Bun baseline and bigload's
// bulk loader. Each has a test that reads its rows back through casekit.
package tables

import (
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
)

// PriorityRank is the rank casekit keeps on a case of priority key: its
// rank in a new tenant's priority lookup (casekit.DefaultLookups), for the
// writers here, which keep that lookup.
func PriorityRank(key string) int {
	for _, l := range casekit.DefaultLookups() {
		if l.Kind == casekit.LookupPriority && l.Key == key {
			return l.Rank
		}
	}
	panic("tables: no priority " + key + " in casekit.DefaultLookups")
}

// Case is a row of cases.
type Case struct {
	bun.BaseModel `bun:"table:cases"`

	ID                  string         `bun:"id"`
	Number              int64          `bun:"number"`
	Subject             string         `bun:"subject"`
	Description         string         `bun:"description"`
	CustomerID          string         `bun:"customer_id"`
	ContactID           string         `bun:"contact_id"`
	ContactName         string         `bun:"contact_name"`
	ContactEmail        string         `bun:"contact_email"`
	ContactPhone        string         `bun:"contact_phone"`
	Type                string         `bun:"type"`
	Category            string         `bun:"category"`
	Priority            string         `bun:"priority"`
	PriorityRank        int            `bun:"priority_rank"`
	Origin              string         `bun:"origin"`
	Service             string         `bun:"service"`
	Tags                []string       `bun:"tags,type:json"`
	Deadline            *time.Time     `bun:"deadline"`
	Custom              map[string]any `bun:"custom,type:json"`
	AssigneeID          string         `bun:"assignee_id"`
	TeamID              string         `bun:"team_id"`
	QueueID             string         `bun:"queue_id"`
	SupportLevel        int            `bun:"support_level"`
	SLAID               string         `bun:"sla_id"`
	ResponseDue         *time.Time     `bun:"response_due"`
	ResolutionDue       *time.Time     `bun:"resolution_due"`
	SLAPausedAt         *time.Time     `bun:"sla_paused_at"`
	SLAPausedFor        int64          `bun:"sla_paused_for"`
	FirstResponseAt     *time.Time     `bun:"first_response_at"`
	ResolvedAt          *time.Time     `bun:"resolved_at"`
	ClosedAt            *time.Time     `bun:"closed_at"`
	Status              string         `bun:"status"`
	ClosureReason       string         `bun:"closure_reason"`
	Satisfaction        int            `bun:"satisfaction"`
	SatisfactionComment string         `bun:"satisfaction_comment"`
	CreatedBy           string         `bun:"created_by"`
	CreatedAt           time.Time      `bun:"created_at"`
	UpdatedAt           time.Time      `bun:"updated_at"`
	Version             int64          `bun:"version"`
}

// Message is a row of messages.
type Message struct {
	bun.BaseModel `bun:"table:messages"`

	ID         string    `bun:"id"`
	CaseID     string    `bun:"case_id"`
	Direction  string    `bun:"direction"`
	Channel    string    `bun:"channel"`
	Sender     string    `bun:"sender"`
	Recipients []string  `bun:"recipients,type:json"`
	Subject    string    `bun:"subject"`
	Body       string    `bun:"body"`
	InReplyTo  string    `bun:"in_reply_to"`
	Public     bool      `bun:"public"`
	CreatedBy  string    `bun:"created_by"`
	CreatedAt  time.Time `bun:"created_at"`
}

// Event is a row of events, the history.
type Event struct {
	bun.BaseModel `bun:"table:events"`

	ID         string         `bun:"id"`
	CaseID     string         `bun:"case_id"`
	CaseNumber int64          `bun:"case_number"`
	Type       string         `bun:"type"`
	Actor      string         `bun:"actor"`
	At         time.Time      `bun:"at"`
	Data       map[string]any `bun:"data,type:json"`
}

// Timer is a row of timers.
type Timer struct {
	bun.BaseModel `bun:"table:timers"`

	ID        string `bun:"id"`
	CaseID    string `bun:"case_id"`
	Kind      string `bun:"kind"`
	Key       string `bun:"key"`
	DueUS     int64  `bun:"due_us"`
	Attempts  int    `bun:"attempts"`
	LastError string `bun:"last_error"`
	Dead      bool   `bun:"dead"`
}

// Outbox is a row of outbox, a notification to deliver.
type Outbox struct {
	bun.BaseModel `bun:"table:outbox"`

	ID             string         `bun:"id"`
	EventID        string         `bun:"event_id"`
	EventType      string         `bun:"event_type"`
	CaseID         string         `bun:"case_id"`
	CaseNumber     int64          `bun:"case_number"`
	RecipientKind  string         `bun:"recipient_kind"`
	RecipientID    string         `bun:"recipient_id"`
	RecipientName  string         `bun:"recipient_name"`
	RecipientEmail string         `bun:"recipient_email"`
	Data           map[string]any `bun:"data,type:json"`
	CreatedUS      int64          `bun:"created_us"`
	DueUS          int64          `bun:"due_us"`
	Attempts       int            `bun:"attempts"`
	LastError      string         `bun:"last_error"`
	Dead           bool           `bun:"dead"`
}
