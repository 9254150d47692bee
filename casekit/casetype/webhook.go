package casetype

import "time"

// EventWebhookChanged is recorded when a webhook subscription is saved,
// deleted or given a new secret.
const EventWebhookChanged EventType = "webhook.changed"

// RecipientWebhook is a tenant's webhook subscription: a notification to
// it is one delivery of one event, posted by casekit itself (never handed
// to the kit's Notifier), its Recipient.ID the subscription's key.
const RecipientWebhook RecipientKind = "webhook"

// Webhook is a tenant's subscription of one URL to events: every event
// of a type in Events (every event when Events is empty) that a command
// records is posted to URL, as JSON signed with the subscription's own
// Secret, through the outbox.
type Webhook struct {
	Key string `json:"key" validate:"required,key"`
	// URL receives the POSTs: http or https, with no user or password in
	// it.
	URL string `json:"url" validate:"required,max=2000"`
	// Events are the event types posted; empty for every event, those of
	// types added to casekit later included.
	Events      []EventType `json:"events,omitempty"`
	Description string      `json:"description,omitempty" validate:"max=500"`
	// Enabled subscriptions are posted to; a disabled one keeps its
	// secret and its log, and what was queued for it is dropped.
	Enabled bool `json:"enabled"`
	// Secret is the HMAC-SHA256 key of the signature: casekit makes it
	// when the subscription is created and when it is rotated, and hands
	// it out only then.
	Secret    string    `json:"secret,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// WebhookAttempt is one entry of a subscription's delivery log: one POST
// of one delivery, or a delivery dropped unsent.
type WebhookAttempt struct {
	ID      string `json:"id"`
	Webhook string `json:"webhook"`
	// DeliveryID is the outbox's ID of the delivery, the same on every
	// attempt and in the Casekit-Id header.
	DeliveryID string    `json:"delivery_id"`
	EventID    string    `json:"event_id"`
	Event      EventType `json:"event"`
	// Attempt counts the delivery's attempts, this one included.
	Attempt int       `json:"attempt"`
	At      time.Time `json:"at"`
	// Status is the receiver's HTTP status, 0 when none came.
	Status int `json:"status,omitempty"`
	// Error says why the attempt failed, "" for a delivery.
	Error     string        `json:"error,omitempty"`
	Duration  time.Duration `json:"duration"`
	Delivered bool          `json:"delivered"`
}
