package casekit

import "time"

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

// NewAttachment is a file Desk.Upload stored, as it returns it. To
// attach the file, pass it (or just its Key) with PostMessage or AddNote:
// they read the name, type and size from what Upload recorded in the
// blob store, never from these fields, which a caller could forge.
type NewAttachment struct {
	// Name is the file's name, without any directory part.
	Name string `json:"name"`
	// ContentType is the media type detected from the content (see
	// Desk.Upload).
	ContentType string `json:"content_type"`
	// Size is the file's size in bytes as stored.
	Size int64 `json:"size"`
	// Key names the file in the blob store: "<case ID>/<upload ID>".
	Key string `json:"key" validate:"required,max=500"`
	// stored is set on what the kit read from the blob store or put there
	// itself, never on a caller's input.
	stored bool
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

// NewNote is the input to Desk.AddNote.
type NewNote struct {
	Subject     string          `json:"subject" validate:"required,max=64"`
	Body        string          `json:"body" validate:"required,max=100000"`
	Public      bool            `json:"public"`
	Attachments []NewAttachment `json:"attachments" validate:"max=20,dive"`
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
	Subject   string    `json:"subject,omitempty"`
	Body      string    `json:"body"`
	// InReplyTo is the ID of the message this one answers, for threading.
	InReplyTo string `json:"in_reply_to,omitempty"`
	// Public messages are part of the customer's thread. An agent may post
	// an internal message (e.g. a forward to a colleague) with Public false.
	Public      bool         `json:"public"`
	Attachments []Attachment `json:"attachments,omitempty"`
	CreatedBy   Actor        `json:"created_by"`
	CreatedAt   time.Time    `json:"created_at"`
}

// NewMessage is the input to Desk.PostMessage. For a customer actor the
// message is always inbound, public and on the portal channel.
type NewMessage struct {
	Direction   Direction       `json:"direction" validate:"omitempty,oneof=inbound outbound"`
	Channel     Channel         `json:"channel" validate:"omitempty,oneof=email portal chat phone"`
	From        string          `json:"from" validate:"max=320"`
	To          []string        `json:"to" validate:"max=50,dive,max=320"`
	Subject     string          `json:"subject" validate:"max=300"`
	Body        string          `json:"body" validate:"required,max=100000"`
	InReplyTo   string          `json:"in_reply_to" validate:"max=64"`
	Internal    bool            `json:"internal"`
	Attachments []NewAttachment `json:"attachments" validate:"max=20,dive"`
}
