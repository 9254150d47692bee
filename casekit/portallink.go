package casekit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"casekit.dev/casekit/casetype"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// PortalLink opens one case in the customer portal without an account,
	// e.g.
	PortalLink = casetype.PortalLink
)

const (
	EventPortalLinkCreated = casetype.EventPortalLinkCreated
	EventPortalLinkRevoked = casetype.EventPortalLinkRevoked
)

// ErrLinkExpired: the portal link's time is over.
var ErrLinkExpired = errors.New("casekit: portal link expired")

// DefaultPortalLinkTTL is how long a portal link works unless
// CreatePortalLink is told otherwise; MaxPortalLinkTTL is the longest.
const (
	DefaultPortalLinkTTL = 30 * 24 * time.Hour
	MaxPortalLinkTTL     = 365 * 24 * time.Hour
)

// PortalLinkHash is what the store keeps of a token.
func PortalLinkHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// CreatePortalLink makes a link to the case for its customer, valid for
// ttl (DefaultPortalLinkTTL when 0, at most MaxPortalLinkTTL), and returns
// its token: 256 random bits, base64url, which only this call ever sees.
// The link's visitor acts as LinkCustomer(case).
func (d *Desk) CreatePortalLink(ctx context.Context, caseID string, ttl time.Duration) (string, *PortalLink, error) {
	var (
		token string
		out   *PortalLink
	)
	err := d.run(ctx, "create portal link", staffOnly, func(c *cmd) error {
		cs, err := c.load(caseID, true)
		if err != nil {
			return err
		}
		token, out, err = c.createPortalLink(cs, ttl, "")
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return token, out, nil
}

// createPortalLink makes a link to cs valid for ttl (the default when
// 0) that verifies the address verifies ("" for none), and returns its
// token.
func (c *cmd) createPortalLink(cs *Case, ttl time.Duration, verifies string) (string, *PortalLink, error) {
	if ttl == 0 {
		ttl = DefaultPortalLinkTTL
	}
	if ttl < time.Minute || ttl > MaxPortalLinkTTL {
		return "", nil, invalid("ttl", "range", "must be between a minute and %v", MaxPortalLinkTTL)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	l := PortalLink{ID: newID(), CaseID: cs.ID, CreatedBy: c.actor, CreatedAt: c.now, ExpiresAt: c.now.Add(ttl), Verifies: verifies}
	if err := c.tx.InsertPortalLink(c.ctx, l, PortalLinkHash(token)); err != nil {
		return "", nil, err
	}
	c.record(cs, EventPortalLinkCreated, map[string]any{"link_id": l.ID, "expires_at": l.ExpiresAt.Format(time.RFC3339Nano)})
	return token, &l, nil
}

// LinkCustomer is the customer a portal link to cs acts as: its
// CustomerID, or else its Contact.ID, or else, for a case whose contact is
// only an unverified address, CaseCustomer(cs.ID), who sees that one case.
func LinkCustomer(cs *Case) string {
	if cs.CustomerID != "" {
		return cs.CustomerID
	}
	if cs.Contact.ID != "" {
		return cs.Contact.ID
	}
	return CaseCustomer(cs.ID)
}

// CaseCustomer is the customer ID that may see one case and no other:
// what a portal link to a case without a known customer acts as.
func CaseCustomer(caseID string) string { return "case:" + caseID }

// PortalLinks lists the case's portal links, oldest first, revoked and
// expired ones included.
func (d *Desk) PortalLinks(ctx context.Context, caseID string) ([]PortalLink, error) {
	return ofCase(d, ctx, "portal links", staffRead, caseID, func(c *cmd, cs *Case) ([]PortalLink, error) {
		return c.tx.PortalLinks(c.ctx, cs.ID)
	})
}

// RevokePortalLink stops a portal link at once; ErrNotFound if the case
// has no such link or it is revoked already.
func (d *Desk) RevokePortalLink(ctx context.Context, caseID, id string) error {
	return d.run(ctx, "revoke portal link", staffOnly, func(c *cmd) error {
		cs, err := c.load(caseID, true)
		if err != nil {
			return err
		}
		if err := c.tx.RevokePortalLink(c.ctx, cs.ID, id, c.now); err != nil {
			return fmt.Errorf("portal link %s: %w", id, err)
		}
		c.record(cs, EventPortalLinkRevoked, map[string]any{"link_id": id})
		return nil
	})
}

// OpenPortalLink returns the case and link a token opens: ErrNotFound for
// a token that was never made or is revoked, ErrLinkExpired for one whose
// time is over. A portal calls it as System, then serves that one case as
// LinkCustomer(case).
func (d *Desk) OpenPortalLink(ctx context.Context, token string) (*Case, *PortalLink, error) {
	var (
		cs *Case
		l  *PortalLink
	)
	err := d.run(ctx, "open portal link", staffRead, func(c *cmd) error {
		if len(token) != 43 { // 32 bytes in base64url: anything else was never made
			return fmt.Errorf("portal link: %w", ErrNotFound)
		}
		found, err := c.tx.PortalLinkByHash(c.ctx, PortalLinkHash(token))
		if err != nil {
			return fmt.Errorf("portal link: %w", err)
		}
		return c.checkLink(found, &cs, &l)
	})
	return cs, l, err
}

// PortalLink returns a case's link by ID, under the same rules as
// OpenPortalLink: a portal checks the link of a visitor's session with it
// on every request, so revoking takes effect at once.
func (d *Desk) PortalLink(ctx context.Context, caseID, id string) (*Case, *PortalLink, error) {
	var (
		cs *Case
		l  *PortalLink
	)
	err := d.run(ctx, "portal link", staffRead, func(c *cmd) error {
		links, err := c.tx.PortalLinks(c.ctx, caseID)
		if err != nil {
			return err
		}
		for i := range links {
			if links[i].ID == id {
				return c.checkLink(&links[i], &cs, &l)
			}
		}
		return fmt.Errorf("portal link %s: %w", id, ErrNotFound)
	})
	return cs, l, err
}

func (c *cmd) checkLink(found *PortalLink, cs **Case, l **PortalLink) error {
	if found.RevokedAt != nil {
		return fmt.Errorf("portal link %s is revoked: %w", found.ID, ErrNotFound)
	}
	if !c.now.Before(found.ExpiresAt) {
		return fmt.Errorf("portal link %s: %w", found.ID, ErrLinkExpired)
	}
	got, err := c.load(found.CaseID, found.Verifies != "")
	if err != nil {
		return err
	}
	if err := c.verifyContact(got, found.Verifies); err != nil {
		return err
	}
	*cs, *l = got, found
	return nil
}
