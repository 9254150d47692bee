package casetype

import (
	"time"
)

// MailSettings say how a tenant converses by e-mail: where replies go,
// which addresses are its own, which mailbox feeds which queue and when a
// new case is acknowledged. Config.SaveMailSettings replaces them.
type MailSettings struct {
	// Address is the tenant's support address, e.g. "help@acme.example":
	// mail from it is never taken in, and the default reply addresses are
	// made from it.
	Address string `json:"address" validate:"omitempty,email,max=320"`
	// ReplyAddress is the form of a case's reply address, with "{token}"
	// where the case's reply token goes, e.g.
	// "reply+{token}@in.acme.example". Empty means plus-addressing on
	// Address: "help+{token}@acme.example". Without either, mail carries
	// no reply address and only its thread references find the case.
	ReplyAddress string `json:"reply_address" validate:"max=320"`
	// OwnAddresses are more addresses of the tenant (its notifier's
	// sender, other mailboxes): mail from any of them is ignored, so that
	// casekit never answers itself.
	OwnAddresses []string `json:"own_addresses" validate:"max=50,dive,email,max=320"`
	// Mailboxes send the mail received at an address to a queue.
	Mailboxes []Mailbox `json:"mailboxes" validate:"max=100,dive"`
	// Acknowledge lists the origins ("email", "web", "portal", "api",
	// "phone", ...) whose new cases send their contact "we have your
	// case": DefaultAcknowledge when nil, none when empty.
	Acknowledge []string `json:"acknowledge" validate:"max=20,dive,max=32"`
	// AckLimit is the most acknowledgements one address gets per hour,
	// so that two auto-responders answering each other stop;
	// DefaultAckLimit when 0.
	AckLimit int `json:"ack_limit" validate:"min=0,max=1000"`
}

// Mailbox sends the mail received at Address (or at a plus-address of it)
// to a queue; the queue's team is told of the cases it opens.
type Mailbox struct {
	Address string `json:"address" validate:"required,email,max=320"`
	QueueID string `json:"queue_id" validate:"required,key"`
}

// EventReplyTokensRevoked: a case's reply tokens were revoked; mail with
// them opens new cases.
const EventReplyTokensRevoked EventType = "mail.tokens_revoked"

// ReplyToken is the secret that lets mail join a case: it stands in the
// case's reply address and in the thread references of the mail casekit
// sends. Case numbers and IDs are no secret, so they never do this.
type ReplyToken struct {
	Token     string     `json:"token"`
	CaseID    string     `json:"case_id"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}
