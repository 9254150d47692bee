// Package rows holds the Bun models of the tenant tables that are written
// in bulk as well as through casekit: cases, messages, events, timers and
// the outbox. sqlstore reads and writes them; the load tools
// (examples/bigload, examples/loadgen) write the same structs, so a
// column added to a table is added once, here, and both writers follow.
//
// The models carry the tables' column names and Go types only; the
// conversion to and from casekit's domain types is sqlstore's. See
// storage/sqlstore's package doc for how the SQL stores fit
// together.
package rows

import (
	"math"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
)

// UnrankedPriority is the rank kept on a case whose priority is not in the
// tenant's priority lookup: below every rank a lookup may hold
// (casetype.Lookup.Rank), so such cases come last in the priority sort and
// first in its reverse, and the rank is never NULL.
const UnrankedPriority = math.MinInt32

// Rank is the rank the store keeps on a case of priority key in a tenant
// whose lookups are lookups (casekit.DefaultLookups() for a new tenant):
// what a bulk writer puts in Case.PriorityRank. It takes the lookups, not
// casekit's defaults, so that the SQL stores never import casekit.
func Rank(lookups []casetype.Lookup, key string) int {
	for _, l := range lookups {
		if l.Kind == casetype.LookupPriority && l.Key == key {
			return l.Rank
		}
	}
	return UnrankedPriority
}

// Case is a row of cases. Its priority_rank is the rank of the case's
// priority in the tenant's priority lookup (UnrankedPriority for none),
// kept on the row for the priority sort: the store sets it in SQL from
// the lookup, a bulk writer with Rank.
type Case struct {
	bun.BaseModel `bun:"table:cases,alias:c"`

	ID                  string         `bun:"id,pk"`
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
	SLAPausedFor        int64          `bun:"sla_paused_for"` // nanoseconds
	FirstResponseAt     *time.Time     `bun:"first_response_at"`
	ResolvedAt          *time.Time     `bun:"resolved_at"`
	ClosedAt            *time.Time     `bun:"closed_at"`
	FirstResponseBiz    *int64         `bun:"first_response_business"` // nanoseconds
	ResolutionBiz       *int64         `bun:"resolution_business"`     // nanoseconds
	Status              string         `bun:"status"`
	ClosureReason       string         `bun:"closure_reason"`
	Satisfaction        int            `bun:"satisfaction"`
	SatisfactionComment string         `bun:"satisfaction_comment"`
	MergedIntoID        string         `bun:"merged_into_id"`
	Process             *ProcessState  `bun:"process,type:json"`
	CreatedBy           string         `bun:"created_by"`
	CreatedAt           time.Time      `bun:"created_at"`
	UpdatedAt           time.Time      `bun:"updated_at"`
	Version             int64          `bun:"version"`
}

// ProcessState is a case's process as its process column stores it
// (JSON).
type ProcessState struct {
	Key        string     `json:"key"`
	Stage      string     `json:"stage"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// Message is a row of messages.
type Message struct {
	bun.BaseModel `bun:"table:messages,alias:m"`

	ID         string    `bun:"id,pk"`
	CaseID     string    `bun:"case_id"`
	Direction  string    `bun:"direction"`
	Channel    string    `bun:"channel"`
	Sender     string    `bun:"sender"`
	Recipients []string  `bun:"recipients,type:json"`
	Cc         []string  `bun:"cc,type:json"`
	Subject    string    `bun:"subject"`
	Body       string    `bun:"body"`
	InReplyTo  string    `bun:"in_reply_to"`
	Public     bool      `bun:"public"`
	CreatedBy  string    `bun:"created_by"`
	CreatedAt  time.Time `bun:"created_at"`
}

// Event is a row of events, the history. Seq is the database's own: a
// writer excludes it (ExcludeColumn("seq")).
type Event struct {
	bun.BaseModel `bun:"table:events,alias:e"`

	Seq        int64          `bun:"seq,pk,autoincrement"`
	ID         string         `bun:"id"`
	CaseID     string         `bun:"case_id"`
	CaseNumber int64          `bun:"case_number"`
	Type       string         `bun:"type"`
	Actor      string         `bun:"actor"`
	At         time.Time      `bun:"at"`
	Data       map[string]any `bun:"data,type:json"`
}

// Timer is a timer as stored: due as Unix microseconds, comparable in
// every dialect.
type Timer struct {
	bun.BaseModel `bun:"table:timers,alias:tm"`

	ID        string `bun:"id,pk"`
	CaseID    string `bun:"case_id"`
	Kind      string `bun:"kind"`
	Key       string `bun:"key"`
	DueUS     int64  `bun:"due_us"`
	Attempts  int    `bun:"attempts"`
	LastError string `bun:"last_error"`
	Dead      bool   `bun:"dead"`
	// SinceUS is when a time rule's clock started, 0 for other timers
	// (migration 27).
	SinceUS int64 `bun:"since_us"`
}

// Outbox is a notification as stored; times are Unix microseconds.
type Outbox struct {
	bun.BaseModel `bun:"table:outbox,alias:ob"`

	ID             string         `bun:"id,pk"`
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
	// Template is the message template a notify action chose, '' for
	// the event's own (migration 27).
	Template string `bun:"template"`
}

// CaseFact is a row of case_facts (migration 23): the narrow copy of a
// case's row that reports read, its group values and its times, a tenth
// of the width of cases, so that a year of cases is read in a fraction of
// the pages. The store writes it with the case in the same transaction;
// a bulk writer of cases writes FactOf each of them too.
type CaseFact struct {
	bun.BaseModel `bun:"table:case_facts,alias:f"`

	ID              string     `bun:"id,pk"`
	Status          string     `bun:"status"`
	Priority        string     `bun:"priority"`
	Type            string     `bun:"type"`
	QueueID         string     `bun:"queue_id"`
	TeamID          string     `bun:"team_id"`
	AssigneeID      string     `bun:"assignee_id"`
	Origin          string     `bun:"origin"`
	CustomerID      string     `bun:"customer_id"`
	CreatedAt       time.Time  `bun:"created_at"`
	FirstResponseAt *time.Time `bun:"first_response_at"`
	ResolvedAt      *time.Time `bun:"resolved_at"`
	ClosedAt        *time.Time `bun:"closed_at"`
	ResponseDue     *time.Time `bun:"response_due"`
	ResolutionDue   *time.Time `bun:"resolution_due"`
	SLAPausedAt     *time.Time `bun:"sla_paused_at"`
	Satisfaction    int        `bun:"satisfaction"`
	// EndedAt is when the case stopped being open (migration 28): the
	// earlier of ResolvedAt and ClosedAt, never before CreatedAt.
	EndedAt *time.Time `bun:"ended_at"`
	// The durations from creation to the first response and to the
	// resolution in microseconds, wall-clock and business (migration 28).
	FirstResponseUS         *int64 `bun:"first_response_us"`
	ResolutionUS            *int64 `bun:"resolution_us"`
	FirstResponseBusinessUS *int64 `bun:"first_response_business_us"`
	ResolutionBusinessUS    *int64 `bun:"resolution_business_us"`
}

// FactOf is the case_facts row of the case row c.
func FactOf(c *Case) *CaseFact {
	return &CaseFact{ID: c.ID, Status: c.Status, Priority: c.Priority, Type: c.Type, QueueID: c.QueueID, TeamID: c.TeamID,
		AssigneeID: c.AssigneeID, Origin: c.Origin, CustomerID: c.CustomerID, CreatedAt: c.CreatedAt,
		FirstResponseAt: c.FirstResponseAt, ResolvedAt: c.ResolvedAt, ClosedAt: c.ClosedAt, ResponseDue: c.ResponseDue,
		ResolutionDue: c.ResolutionDue, SLAPausedAt: c.SLAPausedAt, Satisfaction: c.Satisfaction,
		EndedAt: endedAt(c), FirstResponseUS: since(c.CreatedAt, c.FirstResponseAt), ResolutionUS: since(c.CreatedAt, c.ResolvedAt),
		FirstResponseBusinessUS: micros(c.FirstResponseBiz), ResolutionBusinessUS: micros(c.ResolutionBiz)}
}

// endedAt is when the case c stopped being open: the earlier of its
// resolution and closing, but not before its creation; nil while open.
func endedAt(c *Case) *time.Time {
	end := c.ResolvedAt
	if end == nil || (c.ClosedAt != nil && c.ClosedAt.Before(*end)) {
		end = c.ClosedAt
	}
	if end != nil && end.Before(c.CreatedAt) {
		end = &c.CreatedAt
	}
	return end
}

// since is the time from start to t in whole microseconds (times are
// kept to the microsecond), nil when t is.
func since(start time.Time, t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	us := t.Truncate(time.Microsecond).Sub(start.Truncate(time.Microsecond)).Microseconds()
	return &us
}

// micros is nanoseconds ns in microseconds, nil for nil.
func micros(ns *int64) *int64 {
	if ns == nil {
		return nil
	}
	us := *ns / 1000
	return &us
}

// CaseTag is a row of case_tags (migration 13): one tag of one case, what
// the tag filters read by index. The store writes a case's rows with the
// case in the same transaction (since migration 30; triggers kept them
// before); a bulk writer of cases writes TagsOf each of them too.
type CaseTag struct {
	bun.BaseModel `bun:"table:case_tags,alias:ct"`

	Tag    string `bun:"tag,pk"`
	CaseID string `bun:"case_id,pk"`
}

// TagsOf is the case_tags rows of the case row c: one per distinct tag,
// in the tags' order.
func TagsOf(c *Case) []CaseTag {
	out := make([]CaseTag, 0, len(c.Tags))
	for i, t := range c.Tags {
		if !slices.Contains(c.Tags[:i], t) {
			out = append(out, CaseTag{Tag: t, CaseID: c.ID})
		}
	}
	return out
}
