package casekit

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"casekit.dev/casekit/internal/mailparse"
)

// ErrMalformedMail: Desk.Inbound was given something that cannot be read
// as a mail (no header, no sender, a body that cannot be split).
var ErrMalformedMail = errors.New("casekit: malformed mail")

// ErrMailTooLarge: the mail is over Desk.Inbound's limits (40 MiB, 100
// attachments, 500 parts).
var ErrMailTooLarge = errors.New("casekit: mail too large")

// MaxMailRecipients bounds the To and Cc addresses of a mail Inbound
// takes: a mail to more is a mass mailing, refused with ErrMailTooLarge.
// It bounds an agent's NewMessage.To and Cc together the same way.
const MaxMailRecipients = 100

// InboundAction says what Desk.Inbound did with a mail.
type InboundAction string

// What Inbound does with a mail.
const (
	// InboundAppended: the mail carries a case's reply token (in the
	// address it was sent to or in the thread references of a mail
	// casekit sent) and was added to that case's conversation, reopening
	// a paused or resolved case.
	InboundAppended InboundAction = "appended"
	// InboundOpened: the mail names no open case by its token: a new case
	// was opened for the sender. A reply to a closed case opens a
	// follow-up related to it; so does "[#N]" in the subject from the
	// contact of case N.
	InboundOpened InboundAction = "opened"
	// InboundIgnored: an automatic mail (out-of-office, bounce, delivery
	// report) or one from the tenant's own address: nothing was written,
	// so no mail loop starts.
	InboundIgnored InboundAction = "ignored"
)

// InboundResult is what Desk.Inbound did.
type InboundResult struct {
	Action InboundAction
	// Reason says why a mail was ignored: "automatic" or "own address".
	Reason string
	// Case is the case the mail was added to or opened; nil when ignored.
	Case *Case
	// RelatedTo is the ID of the case a new case was related to: the
	// closed case replied to, or the one "[#N]" names.
	RelatedTo string
	// Message is the message appended, for InboundAppended, or the
	// opening mail's files as a first message.
	Message *Message
	// SkippedAttachments names the mail's attachments that were not kept,
	// each with the reason: the kit has no BlobStore, or the tenant does
	// not accept the type or the size.
	SkippedAttachments []string
}

// InboundMail is a mail as a receiving server hands it to Desk.Inbound.
type InboundMail struct {
	// Raw is the mail in RFC 5322 form.
	Raw []byte
	// Recipient is the envelope recipient (RCPT TO): the mailbox the mail
	// was received at. When empty, the Delivered-To, To and Cc addresses
	// stand for it.
	Recipient string
	// Verified says the host vouches that the mail comes from its From
	// address (its server checked DMARC, say): the address then becomes
	// the identity of a case it opens (Contact.ID), putting the case in
	// that customer's portal. Otherwise the address is only stored.
	Verified bool
}

// threadRef finds the reply token in a thread reference that notify/smtp
// wrote: "case-<token>@<domain>".
var threadRef = regexp.MustCompile(`^case-([a-z2-7]{26})@`)

// Inbound takes a customer's mail. A mail joins a case only by the
// case's reply token, in the address it was sent to (the tenant's reply
// address form, MailSettings) or in a thread reference of a mail casekit
// sent (In-Reply-To, References: "case-<token>@domain"); its new text
// (the quoted history folded away) is added to the conversation as an
// inbound e-mail message, which reopens a paused or resolved case and
// clears the assignee, and tells the assignee or team. Any other mail
// opens a new case (origin "email") in the queue of the mailbox that
// received it (MailSettings.Mailboxes), for the sender as contact; a reply
// to a closed case, and "[#N]" in the subject from case N's contact, open
// one related to that case. A revoked token, or one of another tenant,
// joins nothing. Automatic mail (Auto-Submitted, bulk precedence,
// out-of-office, delivery reports) and mail from the tenant's own
// addresses are ignored. Run it as System. A mail that cannot be read is
// ErrMalformedMail; one over the limits (40 MiB, 100 attachments, 500
// parts, MaxMailRecipients) ErrMailTooLarge; either way nothing is
// written.
func (d *Desk) Inbound(ctx context.Context, in InboundMail) (*InboundResult, error) {
	m, err := mailparse.Parse(in.Raw, mailparse.Limits{})
	switch {
	case errors.Is(err, mailparse.ErrTooLarge):
		return nil, fmt.Errorf("%w: %v", ErrMailTooLarge, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrMalformedMail, err)
	}
	if n := len(m.To) + len(m.Cc); n > MaxMailRecipients {
		return nil, fmt.Errorf("%w: %d recipients, limit %d", ErrMailTooLarge, n, MaxMailRecipients)
	}
	if m.AutoReply {
		return &InboundResult{Action: InboundIgnored, Reason: "automatic"}, nil
	}
	// The addresses the mail was received at, the envelope's first.
	received := append([]string{in.Recipient}, m.DeliveredTo...)
	for _, a := range append(slices.Clone(m.To), m.Cc...) {
		received = append(received, a.Email)
	}
	res := &InboundResult{}
	var stored []string // blob keys, removed again if the command fails
	body := strings.TrimSpace(m.Text)
	if body == "" {
		body = "(no text)"
	}
	subject := clipRunes(strings.TrimSpace(m.Subject), 300)
	from := strings.ToLower(m.From.Email)
	err = d.run(ctx, "inbound mail", staffOnly, func(c *cmd) error {
		settings, err := c.mailSettings()
		if err != nil {
			return err
		}
		if mailOwn(settings, from) {
			res.Action, res.Reason = InboundIgnored, "own address"
			return nil
		}
		msg := NewMessage{Direction: Inbound, Channel: ChannelEmail, From: clipRunes(from, 320), Subject: subject, Body: clipRunes(body, 100000)}
		cs, err := c.mailCase(settings, m, received)
		if err != nil {
			return err
		}
		if cs != nil {
			st, _, err := c.status(cs)
			if err != nil {
				return err
			}
			if !st.Final && !st.Canceled {
				if msg.Attachments, err = d.keepAttachments(c, cs.ID, m.Attachments, res, &stored); err != nil {
					return err
				}
				if res.Message, err = c.postMessage(cs.ID, msg); err != nil {
					return err
				}
				res.Action = InboundAppended
				res.Case, err = c.load(cs.ID, false)
				return err
			}
			res.RelatedTo = cs.ID // a reply to a closed case: its follow-up
		} else if n, ok := mailparse.CaseNumberFromSubject(m.Subject); ok {
			named, err := c.tx.CaseByNumber(c.ctx, n, false)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			if err == nil && named.Contact.Email != "" && strings.EqualFold(named.Contact.Email, from) {
				res.RelatedTo = named.ID
			}
		}
		nc := NewCase{Subject: subject, Description: msg.Body, Origin: "email", QueueID: mailQueueFor(settings, received),
			Contact: Contact{Name: clipRunes(m.From.Name, 200), Email: msg.From}}
		if nc.Subject == "" {
			nc.Subject = "(no subject)"
		}
		if in.Verified {
			nc.Contact.ID = EmailContactID(from)
		}
		opened, err := c.openCase(nc)
		if err != nil {
			return err
		}
		res.Action, res.Case = InboundOpened, opened
		if m.List {
			c.quiet(opened.ID)
		}
		if m.MessageID != "" {
			c.mailRef(opened.ID, m.MessageID)
		}
		if res.RelatedTo != "" {
			if _, err := c.linkCases(NewLink{Kind: LinkRelated, FromID: opened.ID, ToID: res.RelatedTo}); err != nil {
				return err
			}
		}
		if len(m.Attachments) == 0 {
			return nil
		}
		// The opening mail's files go with it as the case's first message.
		if msg.Attachments, err = d.keepAttachments(c, opened.ID, m.Attachments, res, &stored); err != nil || len(msg.Attachments) == 0 {
			return err
		}
		res.Message, err = c.postMessage(opened.ID, msg)
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

// mailCase finds the case a mail is for by a reply token: in an address
// it was received at, then in its thread references. A revoked token, or
// one this tenant never made, finds nothing; so does a bare "[#N]".
func (c *cmd) mailCase(s MailSettings, m *mailparse.Mail, received []string) (*Case, error) {
	var tokens []string
	for _, a := range received {
		if t := mailTokenOf(s, a); t != "" {
			tokens = append(tokens, t)
		}
	}
	for _, ref := range append(slices.Clone(m.InReplyTo), m.References...) {
		if sub := threadRef.FindStringSubmatch(strings.ToLower(ref)); sub != nil {
			tokens = append(tokens, sub[1])
		}
	}
	for _, t := range tokens[:min(len(tokens), 20)] { // a bounded look, whatever the mail holds
		rt, err := c.tx.ReplyTokenByToken(c.ctx, t)
		if errors.Is(err, ErrNotFound) || (err == nil && rt.RevokedAt != nil) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return c.tx.Case(c.ctx, rt.CaseID, true)
	}
	return nil, nil
}

// quiet marks a case opened by the command as one whose opening is not
// acknowledged (a mailing list's mail).
func (c *cmd) quiet(caseID string) {
	if c.noAck == nil {
		c.noAck = map[string]bool{}
	}
	c.noAck[caseID] = true
}

// mailRef keeps the Message-ID of the mail that opened a case, for the
// acknowledgement to answer.
func (c *cmd) mailRef(caseID, messageID string) {
	if c.mailRefs == nil {
		c.mailRefs = map[string]string{}
	}
	c.mailRefs[caseID] = messageID
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
// a case they open when the address is verified (InboundMail.Verified,
// Submission.Verified, Desk.VerifyContact): "email:" and the address in
// lower case, so that the sender's cases are theirs in the portal when
// the host signs them in under that ID. "" for no address.
func EmailContactID(addr string) string {
	if addr == "" {
		return ""
	}
	return clipRunes("email:"+strings.ToLower(addr), 200)
}
