package casekit

import "time"

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

// NewLink is the input to Desk.LinkCases.
type NewLink struct {
	Kind   LinkKind `json:"kind" validate:"required,oneof=related duplicate parent"`
	FromID string   `json:"from_id" validate:"required,max=100"`
	ToID   string   `json:"to_id" validate:"required,max=100"`
}

// LinkRole is how a linked case stands to the case it is listed for.
type LinkRole string

// The link roles, read from the case the list is for.
const (
	RoleRelated      LinkRole = "related"       // a related case
	RoleDuplicateOf  LinkRole = "duplicate_of"  // this case repeats the other
	RoleDuplicatedBy LinkRole = "duplicated_by" // the other case repeats this one
	RoleParent       LinkRole = "parent"        // the other case is this one's parent
	RoleChild        LinkRole = "child"         // the other case is this one's child
)

// LinkedCase is one entry of Desk.LinkedCases: a link and the case at its
// other end.
type LinkedCase struct {
	Link CaseLink `json:"link"`
	Role LinkRole `json:"role"`
	Case *Case    `json:"case"`
}

// roleOf reads link l from the side of the case with ID id.
func roleOf(l CaseLink, id string) (LinkRole, string) {
	other := l.ToID
	if l.ToID == id {
		other = l.FromID
	}
	switch l.Kind {
	case LinkDuplicate:
		if l.FromID == id {
			return RoleDuplicateOf, other
		}
		return RoleDuplicatedBy, other
	case LinkParent:
		if l.FromID == id {
			return RoleChild, other
		}
		return RoleParent, other
	}
	return RoleRelated, other
}

// Merge is the input to Desk.Merge.
type Merge struct {
	// Note says why; it stands in both cases' history.
	Note string `json:"note" validate:"max=10000"`
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
