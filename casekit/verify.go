package casekit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"casekit.dev/casekit/casetype"
)

// A case's contact address, typed into a form or read from a mail's
// From, is no identity: anyone can write anyone's address. It becomes the
// contact's identity (Contact.ID, EmailContactID of the address), and the
// case that customer's in the portal, only when the address is verified:
// by a portal link mailed to it and opened (MailPortalLink), or by the
// host vouching for it (InboundMail.Verified, Submission.Verified,
// VerifyContact).

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
const (
	// EventPortalLinkMailed: a portal link went to the contact's address; its
	// notification carries the link's token as "portal_token" (the host's
	// templates.Links turn it into the portal's URL).
	EventPortalLinkMailed = casetype.EventPortalLinkMailed
	// EventContactVerified: the contact's address became its identity.
	EventContactVerified = casetype.EventContactVerified
)

// ErrNoNotifier: a command would mail something and the kit has no
// Notifier (WithNotifier) to send it.
var ErrNoNotifier = errors.New("casekit: no notifier (use WithNotifier)")

// MailPortalLink mails the case's contact a portal link, valid for ttl
// (DefaultPortalLinkTTL when 0): opening it shows the case and verifies
// the address, so that the case appears in that customer's portal. The
// token goes only into the mail. A case without a contact address is a
// ValidationError on contact.email.
func (d *Desk) MailPortalLink(ctx context.Context, caseID string, ttl time.Duration) (*PortalLink, error) {
	return runValue(d, ctx, "mail portal link", staffOnly, func(c *cmd) (out *PortalLink, err error) {
		if !c.notify {
			return nil, ErrNoNotifier
		}
		cs, err := c.load(caseID, true)
		if err != nil {
			return nil, err
		}
		addr := strings.ToLower(cs.Contact.Email)
		if addr == "" {
			return nil, invalid("contact.email", "required", "case %d has no contact address to mail the link to", cs.Number)
		}
		token, l, err := c.createPortalLink(cs, ttl, addr)
		if err != nil {
			return nil, err
		}
		if c.linkTokens == nil {
			c.linkTokens = map[string]string{}
		}
		c.linkTokens[l.ID] = token
		c.record(cs, EventPortalLinkMailed, map[string]any{"link_id": l.ID, "expires_at": l.ExpiresAt.Format(time.RFC3339Nano)})
		return l, nil
	})
}

// VerifyContact makes the case's contact address its identity, as the
// host vouches for it (the agent called the customer back, the host's
// own sign-in proved the address): the case appears in that customer's
// portal. A case with a customer or a contact identity already is left
// as it is.
func (d *Desk) VerifyContact(ctx context.Context, caseID string) (*Case, error) {
	return runValue(d, ctx, "verify contact", staffOnly, func(c *cmd) (out *Case, err error) {
		cs, err := c.load(caseID, true)
		if err != nil {
			return nil, err
		}
		if cs.Contact.Email == "" {
			return nil, invalid("contact.email", "required", "case %d has no contact address to verify", cs.Number)
		}
		return cs, c.verifyContact(cs, cs.Contact.Email)
	})
}

// verifyContact gives cs the contact identity of addr when addr is still
// its contact address and the case has no identity for its customer yet.
func (c *cmd) verifyContact(cs *Case, addr string) error {
	if addr == "" || cs.CustomerID != "" || cs.Contact.ID != "" || !strings.EqualFold(cs.Contact.Email, addr) {
		return nil
	}
	cs.Contact.ID = EmailContactID(addr)
	if err := c.save(cs); err != nil {
		return fmt.Errorf("verify contact: %w", err)
	}
	c.record(cs, EventContactVerified, map[string]any{"contact_id": cs.Contact.ID})
	return nil
}
