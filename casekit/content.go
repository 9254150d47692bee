package casekit

import (
	"context"
	"fmt"
	"strings"

	"casekit.dev/casekit/casetype"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// Attachment is the metadata of a file on a note or message.
	Attachment = casetype.Attachment
	// Note is an agent's note on a case, internal or public.
	Note = casetype.Note
	// Direction says whether a message came from the customer or went to them.
	Direction = casetype.Direction
	// Channel is how a message travelled.
	Channel = casetype.Channel
	// Message is one message of a case's conversation with the customer.
	Message = casetype.Message
)

const (
	Inbound       = casetype.Inbound
	Outbound      = casetype.Outbound
	ChannelEmail  = casetype.ChannelEmail
	ChannelPortal = casetype.ChannelPortal
	ChannelChat   = casetype.ChannelChat
	ChannelPhone  = casetype.ChannelPhone
)

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

// NewNote is the input to Desk.AddNote.
type NewNote struct {
	Subject     string          `json:"subject" validate:"required,max=64"`
	Body        string          `json:"body" validate:"required,max=100000"`
	Public      bool            `json:"public"`
	Attachments []NewAttachment `json:"attachments" validate:"max=20,dive"`
}

// NewMessage is the input to Desk.PostMessage. For a customer actor the
// message is always inbound, public and on the portal channel.
type NewMessage struct {
	Direction Direction `json:"direction" validate:"omitempty,oneof=inbound outbound"`
	Channel   Channel   `json:"channel" validate:"omitempty,oneof=email portal chat phone"`
	From      string    `json:"from" validate:"max=320"`
	// To and Cc are addresses an agent's public outbound e-mail also goes
	// to, besides the case's contact and watchers: each one bare address
	// ("a@example.com", no display name), at most MaxMailRecipients
	// together (checkCopies, mailout.go).
	To          []string        `json:"to" validate:"max=100,dive,max=320"`
	Cc          []string        `json:"cc" validate:"max=100,dive,max=320"`
	Subject     string          `json:"subject" validate:"max=300"`
	Body        string          `json:"body" validate:"required,max=100000"`
	InReplyTo   string          `json:"in_reply_to" validate:"max=64"`
	Internal    bool            `json:"internal"`
	Attachments []NewAttachment `json:"attachments" validate:"max=20,dive"`
}

// AddNote adds a note with a subject from the tenant's note subject lookup,
// internal unless Public is set. Attachments are named by the keys Upload
// returned, and their name, type and size are what Upload recorded, not
// what the caller's NewAttachment says. A key that is not an upload to
// this case (of this tenant), or that is attached already, is a
// ValidationError on "attachments[i].key" (rules "case", "upload",
// "attached"), and nothing is written.
func (d *Desk) AddNote(ctx context.Context, caseID string, in NewNote) (*Note, error) {
	var err error
	if in.Attachments, err = d.uploaded(ctx, in.Attachments); err != nil {
		return nil, err
	}
	return runValue(d, ctx, "add note", staffOnly, func(c *cmd) (*Note, error) {
		var v validations
		if err := v.Merge(validateStruct(in)); err != nil {
			return nil, err
		}
		if err := c.checkLookups(&v, map[LookupKind][2]string{LookupNoteSubject: {"subject", in.Subject}}); err != nil {
			return nil, err
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
		cs, err := c.loadEditable(caseID)
		if err != nil {
			return nil, err
		}
		files, err := c.attachments(cs, in.Attachments)
		if err != nil {
			return nil, err
		}
		n := &Note{
			ID: newID(), CaseID: cs.ID, Subject: in.Subject, Body: in.Body, Public: in.Public,
			Attachments: files, CreatedBy: c.actor, CreatedAt: c.now,
		}
		if err := c.tx.InsertNote(c.ctx, n); err != nil {
			return nil, fmt.Errorf("case %s: %w", cs.ID, err)
		}
		c.record(cs, EventNoteAdded, map[string]any{"note_id": n.ID, "subject": n.Subject, "public": n.Public, "attachments": len(n.Attachments)})
		return n, nil
	})
}

// Notes lists a case's notes, oldest first. A customer sees only public
// notes.
func (d *Desk) Notes(ctx context.Context, caseID string) ([]*Note, error) {
	return ofCase(d, ctx, "notes", customerRead, caseID, (*cmd).notesOf)
}

// notesOf lists the case's notes the actor may see: a customer only the
// public ones.
func (c *cmd) notesOf(cs *Case) ([]*Note, error) {
	all, err := c.tx.Notes(c.ctx, cs.ID)
	return shownList(c, keep(all, func(n *Note) bool { return !c.customer() || n.Public }), hideNote), err
}

// PostMessage adds a message to a case's conversation. An agent's message
// is outbound by e-mail unless said otherwise; a customer's is always an
// inbound, public portal comment. An inbound message on a paused or
// resolved (not final) case reopens it and clears the assignee, so it
// returns to its queue. A final case refuses messages with ErrReadOnly, as
// does a resolved one for outbound messages. The first public outbound
// message sets the case's FirstResponseAt. Attachments are named by the
// keys Upload returned; their name, type and size are what Upload
// recorded (see AddNote). An agent's public outbound e-mail also goes to
// its To and Cc (see NewMessage); on any other message they are a
// ValidationError on "to" or "cc" (rule "outbound"), and an address that
// is not one bare e-mail address one on "to[i]" or "cc[i]" (rule
// "email"), with nothing written.
func (d *Desk) PostMessage(ctx context.Context, caseID string, in NewMessage) (*Message, error) {
	var err error
	if in.Attachments, err = d.uploaded(ctx, in.Attachments); err != nil {
		return nil, err
	}
	return runValue(d, ctx, "post message", customerToo, func(c *cmd) (*Message, error) {
		return c.postMessage(caseID, in)
	})
}

// postMessage is PostMessage inside a command.
func (c *cmd) postMessage(caseID string, in NewMessage) (*Message, error) {
	var out *Message
	if c.customer() {
		if in.Internal || in.Direction == Outbound {
			return nil, fmt.Errorf("a customer posts only public inbound comments: %w", ErrForbidden)
		}
		in.Direction, in.Channel, in.From = Inbound, ChannelPortal, c.actor.ID
	}
	if in.Direction == "" {
		in.Direction = Outbound
	}
	if in.Channel == "" {
		in.Channel = ChannelEmail
	}
	if err := validateStruct(in); err != nil {
		return nil, err
	}
	if err := c.checkCopies(&in); err != nil {
		return nil, err
	}
	cs, err := c.load(caseID, true)
	if err != nil {
		return nil, err
	}
	cur, set, err := c.status(cs)
	if err != nil {
		return nil, err
	}
	if cur.Final || (cur.Resolved && in.Direction == Outbound) {
		return nil, fmt.Errorf("case %s is %s; reopen it first: %w", cs.ID, cur.Key, ErrReadOnly)
	}
	files, err := c.attachments(cs, in.Attachments)
	if err != nil {
		return nil, err
	}
	if in.InReplyTo != "" {
		parent, err := c.tx.Message(c.ctx, in.InReplyTo)
		if err != nil || parent.CaseID != cs.ID || (c.customer() && !parent.Public) {
			return nil, invalid("in_reply_to", "known", "message %q is not part of case %s", in.InReplyTo, cs.ID)
		}
	}
	m := &Message{
		ID: newID(), CaseID: cs.ID, Direction: in.Direction, Channel: in.Channel,
		From: in.From, To: in.To, Cc: in.Cc, Subject: in.Subject, Body: in.Body, InReplyTo: in.InReplyTo,
		Public: !in.Internal, Attachments: files,
		CreatedBy: c.actor, CreatedAt: c.now,
	}
	if err := c.tx.InsertMessage(c.ctx, m); err != nil {
		return nil, fmt.Errorf("case %s: %w", cs.ID, err)
	}
	if c.posted == nil {
		c.posted = map[string]*Message{}
	}
	c.posted[m.ID] = m // its mail carries it whole
	c.record(cs, EventMessagePosted, map[string]any{
		"message_id": m.ID, "direction": string(m.Direction), "channel": string(m.Channel), "public": m.Public,
		"excerpt": excerpt(m.Body, 500),
	})
	out = m
	switch {
	case m.Direction == Inbound && m.Public && (cur.Paused || cur.Resolved):
		to, ok := set.first(func(s Status) bool { return s.Reopen && !s.ReadOnly() })
		if !ok || !set.can(cur.Key, to.Key) {
			return out, nil // the tenant's table keeps the case where it is
		}
		prev := cs.AssigneeID
		cs.AssigneeID = ""
		data := map[string]any{"reason": "customer_reply", "message_id": m.ID}
		if prev != "" {
			data["unassigned"] = prev
		}
		return out, c.reopen(cs, cur, to, data)
	case m.Direction == Outbound && m.Public && cs.FirstResponseAt == nil:
		now := c.now
		cs.FirstResponseAt = &now
		return out, c.save(cs)
	}
	return out, nil
}

// Messages lists a case's conversation, oldest first. A customer sees only
// public messages.
func (d *Desk) Messages(ctx context.Context, caseID string) ([]*Message, error) {
	return ofCase(d, ctx, "messages", customerRead, caseID, (*cmd).messagesOf)
}

// messagesOf lists the case's messages the actor may see: a customer
// only the public ones.
func (c *cmd) messagesOf(cs *Case) ([]*Message, error) {
	all, err := c.tx.Messages(c.ctx, cs.ID)
	return shownList(c, keep(all, func(m *Message) bool { return !c.customer() || m.Public }), hideMessage), err
}

// excerpt gives the first n characters of s, with "…" when it was cut.
func excerpt(s string, n int) string {
	if cut := clipRunes(s, n); len(cut) < len(s) {
		return strings.TrimSpace(cut) + "…"
	}
	return s
}
