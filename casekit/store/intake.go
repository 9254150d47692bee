package store

import (
	"time"
)

// IntakeRecord is one submission as the store keeps it, for the
// idempotency key: a repeat gets the first one's answer.
type IntakeRecord struct {
	Key        string
	CaseID     string
	RemoteAddr string
	At         time.Time
	Junk       bool
	Reason     string
}
