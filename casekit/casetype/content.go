package casetype

import (
	"time"
)

// Attachment is the metadata of a file on a note or message. The bytes live
// in a blob store under Key.
type Attachment struct {
	ID          string    `json:"id"`
	CaseID      string    `json:"case_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Key         string    `json:"key"`
	CreatedAt   time.Time `json:"created_at"`
}

// Note is an agent's note on a case, internal or public.
type Note struct {
	ID     string `json:"id"`
	CaseID string `json:"case_id"`
	// Subject is a key of the tenant's note subject lookup.
	Subject string `json:"subject"`
	Body    string `json:"body"`
	// Public notes are shown to the customer; others are internal.
	Public      bool         `json:"public"`
	Attachments []Attachment `json:"attachments,omitempty"`
	CreatedBy   Actor        `json:"created_by"`
	CreatedAt   time.Time    `json:"created_at"`
}

// Direction says whether a message came from the customer or went to them.
type Direction string

// Message directions.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

// Channel is how a message travelled.
type Channel string

// Message channels.
const (
	ChannelEmail  Channel = "email"
	ChannelPortal Channel = "portal"
	ChannelChat   Channel = "chat"
	ChannelPhone  Channel = "phone"
)

// Message is one message of a case's conversation with the customer.
type Message struct {
	ID        string    `json:"id"`
	CaseID    string    `json:"case_id"`
	Direction Direction `json:"direction"`
	Channel   Channel   `json:"channel"`
	From      string    `json:"from,omitempty"`
	To        []string  `json:"to,omitempty"`
	// Cc are the addresses an agent's mail was copied to, shown in its
	// Cc header (see NewMessage.Cc).
	Cc      []string `json:"cc,omitempty"`
	Subject string   `json:"subject,omitempty"`
	Body    string   `json:"body"`
	// InReplyTo is the ID of the message this one answers, for threading.
	InReplyTo string `json:"in_reply_to,omitempty"`
	// Public messages are part of the customer's thread. An agent may post
	// an internal message (e.g. a forward to a colleague) with Public false.
	Public      bool         `json:"public"`
	Attachments []Attachment `json:"attachments,omitempty"`
	CreatedBy   Actor        `json:"created_by"`
	CreatedAt   time.Time    `json:"created_at"`
}
