package casekit

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"casekit.dev/casekit/internal/mailparse"
)

// ErrMalformedMail: Desk.Inbound was given something that cannot be read
// as a mail (no header, no sender, a body that cannot be split).
var ErrMalformedMail = errors.New("casekit: malformed mail")

// ErrMailTooLarge: the mail is over Desk.Inbound's limits (40 MiB, 100
// attachments, 500 parts).
var ErrMailTooLarge = errors.New("casekit: mail too large")

// InboundAction says what Desk.Inbound did with a mail.
type InboundAction string

// What Inbound does with a mail.
const (
	// InboundAppended: the mail is a reply on a case and was added to its
	// conversation (reopening a paused or resolved case).
	InboundAppended InboundAction = "appended"
	// InboundOpened: no case it belongs to (or its case is closed, or the
	// sender is not the case's contact or a watcher): a new case was
	// opened for the sender.
	InboundOpened InboundAction = "opened"
	// InboundIgnored: an automatic mail (out-of-office, bounce, list):
	// nothing was written, so no mail loop starts.
	InboundIgnored InboundAction = "ignored"
)

// InboundResult is what Desk.Inbound did.
type InboundResult struct {
	Action InboundAction
	// Case is the case the mail was added to or opened; nil when ignored.
	Case *Case
	// Message is the message appended, for InboundAppended.
	Message *Message
	// SkippedAttachments names the mail's attachments that were not kept,
	// each with the reason: the kit has no BlobStore, or the tenant does
	// not accept the type or the size.
	SkippedAttachments []string
}

// threadRef finds the case ID in a thread reference that notify/smtp
// wrote: "case-<case ID>@<domain>".
var threadRef = regexp.MustCompile(`^case-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@`)

// Inbound takes a customer's mail (raw RFC 5322 bytes) and finds its case
// by the thread references notify/smtp puts in every mail (In-Reply-To,
// References: "case-<ID>@domain") or by "[#1042]" in the subject. When the
// sender is the case's contact or one of its watchers and the case is not
// closed, the mail's new text (the quoted history folded away) is added to
// the conversation as an inbound e-mail message, which reopens a paused
// or resolved case and clears the assignee, as any customer reply does.
// Otherwise a new case is opened for the sender (origin "email"). An
// automatic mail (Auto-Submitted, bulk precedence, out-of-office) is
// ignored. Run it as System. A mail that cannot be read is
// ErrMalformedMail, one over the limits ErrMailTooLarge; either way
// nothing is written.
func (d *Desk) Inbound(ctx context.Context, raw []byte) (*InboundResult, error) {
	m, err := mailparse.Parse(raw, mailparse.Limits{})
	switch {
	case errors.Is(err, mailparse.ErrTooLarge):
		return nil, fmt.Errorf("%w: %v", ErrMailTooLarge, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrMalformedMail, err)
	}
	if m.AutoReply {
		return &InboundResult{Action: InboundIgnored}, nil
	}
	res := &InboundResult{}
	var stored []string // blob keys, removed again if the command fails
	body := strings.TrimSpace(m.Text)
	if body == "" {
		body = "(no text)"
	}
	subject := strings.TrimSpace(m.Subject)
	err = d.run(ctx, "inbound mail", staffOnly, func(c *cmd) error {
		cs, err := c.mailCase(m)
		if err != nil {
			return err
		}
		if cs != nil {
			st, _, err := c.status(cs)
			if err != nil {
				return err
			}
			if !st.Final && !st.Canceled && c.mailFromCase(cs, m.From.Email) {
				files, err := d.keepAttachments(c, cs.ID, m.Attachments, res, &stored)
				if err != nil {
					return err
				}
				msg, err := c.postMessage(cs.ID, NewMessage{Direction: Inbound, Channel: ChannelEmail, From: m.From.Email,
					Subject: clipRunes(subject, 300), Body: clipRunes(body, 100000), Attachments: files})
				if err != nil {
					return err
				}
				res.Action, res.Message = InboundAppended, msg
				res.Case, err = c.load(cs.ID, false)
				return err
			}
		}
		if subject == "" {
			subject = "(no subject)"
		}
		opened, err := c.openCase(NewCase{Subject: clipRunes(subject, 300), Description: clipRunes(body, 100000), Origin: "email",
			Contact: Contact{ID: EmailContactID(m.From.Email), Name: clipRunes(m.From.Name, 200), Email: m.From.Email}})
		if err != nil {
			return err
		}
		res.Action, res.Case = InboundOpened, opened
		if len(m.Attachments) == 0 {
			return nil
		}
		// The opening mail's files go with it as the case's first message.
		files, err := d.keepAttachments(c, opened.ID, m.Attachments, res, &stored)
		if err != nil || len(files) == 0 {
			return err
		}
		res.Message, err = c.postMessage(opened.ID, NewMessage{Direction: Inbound, Channel: ChannelEmail, From: m.From.Email,
			Subject: clipRunes(subject, 300), Body: clipRunes(body, 100000), Attachments: files})
		return err
	})
	if err != nil {
		d.dropBlobs(ctx, stored)
		return nil, err
	}
	return res, nil
}

// keepAttachments keeps a mail's attachments for the case (keepFiles)
// and names the others in res.SkippedAttachments.
func (d *Desk) keepAttachments(c *cmd, caseID string, as []mailparse.Attachment, res *InboundResult, stored *[]string) ([]NewAttachment, error) {
	files := make([]fileData, len(as))
	for i, a := range as {
		files[i] = fileData{name: a.Filename, ctype: a.ContentType, data: a.Data}
	}
	if d.kit.blobs == nil {
		for _, f := range files {
			res.SkippedAttachments = append(res.SkippedAttachments, fileName(f.name)+" (no blob store)")
		}
		return nil, nil
	}
	kept, refused, err := d.keepFiles(c, caseID, files, stored)
	for _, r := range refused {
		res.SkippedAttachments = append(res.SkippedAttachments, r.name+" ("+r.reason+")")
	}
	return kept, err
}

// mailCase finds the case a mail is about: by a thread reference first,
// then by the subject's "[#1042]"; nil when neither names one.
func (c *cmd) mailCase(m *mailparse.Mail) (*Case, error) {
	for _, ref := range append(append([]string{}, m.InReplyTo...), m.References...) {
		if sub := threadRef.FindStringSubmatch(strings.ToLower(ref)); sub != nil {
			cs, err := c.tx.Case(c.ctx, sub[1], true)
			if err == nil {
				return cs, nil
			}
			if !errors.Is(err, ErrNotFound) {
				return nil, err
			}
		}
	}
	if n, ok := mailparse.CaseNumberFromSubject(m.Subject); ok {
		cs, err := c.tx.CaseByNumber(c.ctx, n, true)
		if err == nil {
			return cs, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	return nil, nil
}

// mailFromCase reports whether addr is the case's contact's or one of its
// watchers': only they may add to a case by mail.
func (c *cmd) mailFromCase(cs *Case, addr string) bool {
	if addr == "" {
		return false
	}
	if strings.EqualFold(cs.Contact.Email, addr) {
		return true
	}
	ws, err := c.tx.Watchers(c.ctx, cs.ID)
	if err != nil {
		return false
	}
	for _, w := range ws {
		if strings.EqualFold(w.Email, addr) {
			return true
		}
	}
	return false
}

// clipRunes cuts s to at most n characters.
func clipRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// EmailContactID is the contact ID Inbound and Intake give the sender of
// a case they open, "email:" and the address in lower case, so that a
// portal link (which acts as the case's contact) works for it and the
// sender's cases are theirs in the portal when the host signs them in
// under that ID. "" for no address.
func EmailContactID(addr string) string {
	if addr == "" {
		return ""
	}
	return clipRunes("email:"+strings.ToLower(addr), 200)
}
