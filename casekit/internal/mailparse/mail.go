package mailparse

import (
	"errors"
	"time"
)

// Mail is an inbound e-mail as case management sees it.
type Mail struct {
	// MessageID is the Message-ID, without angle brackets; empty when the
	// message has none.
	MessageID string
	// InReplyTo lists the In-Reply-To message IDs, without angle brackets.
	InReplyTo []string
	// References lists the References message IDs, oldest first, without
	// angle brackets.
	References []string
	// From is the sender: the first address of the From header.
	From Address
	// To and Cc are the recipients as written in the header.
	To, Cc []Address
	// DeliveredTo lists the Delivered-To addresses the receiving servers
	// added, the last hop first: the mailbox the mail was delivered to.
	DeliveredTo []string
	// List reports a mailing list's mail: it has a List-Id, List-Post,
	// List-Unsubscribe or another List-* header (RFC 2369, RFC 2919).
	List bool
	// Subject is the decoded subject (RFC 2047), on one line.
	Subject string
	// Date is the Date header; the zero time when it is missing or
	// unreadable.
	Date time.Time
	// Text is the new content as plain text: the text/plain body, or text
	// made from the HTML body when there is no (non-empty) text/plain one,
	// with the trailing quoted history folded away into Quoted. Inline
	// quotes followed by new text (an interleaved reply) and signatures
	// stay. Text comes from the first MiB of plain text, or from the
	// first 256 KiB of the HTML.
	Text string
	// Quoted is the quoted history folded away from Text: a trailing block
	// of "> " lines with its "On ... wrote:" line, an Outlook
	// "-----Original Message-----" or "From: / Sent: / To: / Subject:"
	// block and all after it, or the HTML quote containers of Gmail,
	// Apple Mail, Thunderbird and Outlook. Empty when nothing was folded.
	Quoted string
	// HTML is the text/html body as sent, decoded to UTF-8, cut after
	// its first MiB. It is untrusted: the caller sanitises it before
	// showing it.
	HTML string
	// Attachments are the parts that are not body text, in message order,
	// including inline images and forwarded messages (message/rfc822).
	Attachments []Attachment
	// AutoReply reports a message sent by a machine: Auto-Submitted other
	// than "no", Precedence bulk, junk, list or auto_reply, X-Autoreply,
	// X-Autorespond and their kin, X-Auto-Response-Suppress naming all,
	// OOF or AutoReply, a null Return-Path, or a delivery report
	// (multipart/report). Never answer such a message automatically.
	AutoReply bool
}

// Address is a mailbox: a display name and an e-mail address.
type Address struct {
	// Name is the decoded display name; it may be empty.
	Name string
	// Email is the address as written (addr-spec), e.g. "jane@example.com".
	Email string
}

// Attachment is a non-body part of a message.
type Attachment struct {
	// Filename is the decoded file name (RFC 2231 and RFC 2047 forms
	// both), without any directory part; it may be empty.
	Filename string
	// ContentType is the media type in lower case, without parameters,
	// e.g. "application/pdf".
	ContentType string
	// Data is the content with its transfer encoding (base64,
	// quoted-printable) removed. Text attachments keep their own charset.
	Data []byte
	// Inline reports a part meant to be shown inside the message, such as
	// an image the HTML body refers to by ContentID: a part with
	// Content-Disposition inline, or with a Content-ID and no disposition.
	Inline bool
	// ContentID is the Content-ID, without angle brackets, as an HTML body
	// refers to it with "cid:"; it may be empty.
	ContentID string
}

// Limits bound the work Parse does on one message. A field that is zero or
// negative takes its default. Exceeding a limit makes Parse return an error
// wrapping ErrTooLarge.
type Limits struct {
	// MaxSize is the largest raw message in bytes; default DefaultMaxSize.
	MaxSize int64
	// MaxAttachments is the most attachments a message may have, inline
	// images included; default DefaultMaxAttachments.
	MaxAttachments int
	// MaxParts is the most MIME entities a message may have, counting the
	// message itself and every multipart container; default
	// DefaultMaxParts.
	MaxParts int
}

// Defaults for the zero fields of Limits.
const (
	// DefaultMaxSize allows 25 MiB of attachments after base64's growth by
	// a third, with room for the text.
	DefaultMaxSize = 40 << 20
	// DefaultMaxAttachments is the default Limits.MaxAttachments.
	DefaultMaxAttachments = 100
	// DefaultMaxParts is the default Limits.MaxParts.
	DefaultMaxParts = 500
)

// maxDepth is how deeply multiparts may nest. Real mail rarely goes past
// five levels (signed > mixed > alternative > related); deeper is abuse.
const maxDepth = 20

func (l Limits) withDefaults() Limits {
	if l.MaxSize <= 0 {
		l.MaxSize = DefaultMaxSize
	}
	if l.MaxAttachments <= 0 {
		l.MaxAttachments = DefaultMaxAttachments
	}
	if l.MaxParts <= 0 {
		l.MaxParts = DefaultMaxParts
	}
	return l
}

// Sentinel errors returned by Parse, wrapped with the reason; test for them
// with errors.Is.
var (
	// ErrMalformed: the message cannot be read as an e-mail: it has no
	// header, no usable From address, or a multipart body whose boundary
	// cannot be found.
	ErrMalformed = errors.New("mailparse: malformed message")
	// ErrTooLarge: the message exceeds one of the Limits.
	ErrTooLarge = errors.New("mailparse: message too large")
)
