package casetype

import (
	"time"
)

// PortalLink opens one case in the customer portal without an account,
// e.g. from a mail. Its token is shown once, when it is made; the store
// keeps only the token's SHA-256.
type PortalLink struct {
	ID        string     `json:"id"`
	CaseID    string     `json:"case_id"`
	CreatedBy Actor      `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// Verifies is the contact address the link was mailed to
	// (Desk.MailPortalLink): opening it proves the address, which then
	// becomes the case's contact identity.
	Verifies string `json:"verifies,omitempty"`
}

// The portal link events, in the case's history.
const (
	EventPortalLinkCreated EventType = "portal_link.created"
	EventPortalLinkRevoked EventType = "portal_link.revoked"
)
