package casetype

import (
	"time"
)

// LinkKind says how two cases are related.
type LinkKind string

// The link kinds. A link has a direction, From and To, except related,
// which reads the same both ways.
const (
	// LinkRelated: the cases are about the same thing.
	LinkRelated LinkKind = "related"
	// LinkDuplicate: From repeats To. Merging From into To records one.
	LinkDuplicate LinkKind = "duplicate"
	// LinkParent: From is the parent of To. A case has at most one parent
	// and a family never loops.
	LinkParent LinkKind = "parent"
)

// CaseLink is one stored relationship between two cases of a tenant.
type CaseLink struct {
	ID        string    `json:"id"`
	Kind      LinkKind  `json:"kind"`
	FromID    string    `json:"from_id"`
	ToID      string    `json:"to_id"`
	CreatedBy Actor     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Merged counts what a merge moved from the source to the target.
type Merged struct {
	Messages   int `json:"messages"`
	Activities int `json:"activities"`
	Notes      int `json:"notes"`
	Watchers   int `json:"watchers"`
	Links      int `json:"links"`
}

// The relationship event types.
const (
	EventLinked   EventType = "case.linked"
	EventUnlinked EventType = "case.unlinked"
	// EventMerged is recorded on the source of a merge, EventMergedIn on
	// its target.
	EventMerged   EventType = "case.merged"
	EventMergedIn EventType = "case.merged_in"
)
