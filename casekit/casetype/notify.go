package casetype

import (
	"time"
)

// RecipientKind says who a notification goes to.
type RecipientKind string

// The kinds of recipient.
const (
	RecipientAgent    RecipientKind = "agent"
	RecipientCustomer RecipientKind = "customer"
	// RecipientTeam is a whole team, used when the kit has no Directory to
	// name its members.
	RecipientTeam RecipientKind = "team"
	// RecipientWatcher is a third party watching a case: told what the
	// customer is told, never anything internal.
	RecipientWatcher RecipientKind = "watcher"
)

// Watcher is a third party kept informed about a case: a colleague of the
// customer, a supplier, a manager.
type Watcher struct {
	ID      string    `json:"id"`
	CaseID  string    `json:"case_id"`
	Name    string    `json:"name" validate:"max=200"`
	Email   string    `json:"email" validate:"required,email,max=320"`
	AddedBy Actor     `json:"added_by"`
	AddedAt time.Time `json:"added_at"`
}

// Recipient is who a notification is for.
type Recipient struct {
	Kind RecipientKind `json:"kind"`
	ID   string        `json:"id"`
	// Name and Email are the case contact's for a customer, and the
	// Directory's for an agent (filled in at delivery).
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// Notification is one message to one recipient about one event, kept in
// the tenant's outbox from the command's commit until a Notifier has taken
// it.
type Notification struct {
	// ID is the idempotency key: the same on every delivery attempt, so a
	// receiver can drop repeats.
	ID         string         `json:"id"`
	Tenant     string         `json:"tenant"`
	EventID    string         `json:"event_id"`
	Event      EventType      `json:"event"`
	CaseID     string         `json:"case_id"`
	CaseNumber int64          `json:"case_number"`
	Recipient  Recipient      `json:"recipient"`
	Data       map[string]any `json:"data,omitempty"`
	// Template, when set, names the message template a notify action
	// chose to word this notice instead of the event's own.
	Template  string    `json:"template,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Attempts counts delivery attempts, this one included.
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error,omitempty"`
	// Dead notifications failed MaxDeliveryAttempts times; RetryDeadLetter
	// sends them again.
	Dead bool `json:"dead,omitempty"`
	// Rendered is the notification in words, filled in at delivery when
	// the kit has a TemplateEngine (WithTemplates); never stored.
	Rendered *RenderedMessage `json:"rendered,omitempty"`
}
