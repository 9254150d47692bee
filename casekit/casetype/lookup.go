package casetype

// LookupKind names one of a tenant's lookup lists.
type LookupKind string

// The lookup lists every tenant has.
const (
	LookupPriority      LookupKind = "priority"
	LookupCaseType      LookupKind = "case_type"
	LookupOrigin        LookupKind = "origin"
	LookupClosureReason LookupKind = "closure_reason"
	LookupReopenReason  LookupKind = "reopen_reason"
	LookupNoteSubject   LookupKind = "note_subject"
	LookupSatisfaction  LookupKind = "satisfaction"
	LookupSupportLevel  LookupKind = "support_level"
)

// Lookup is one entry of a tenant lookup list.
type Lookup struct {
	Kind  LookupKind `json:"kind"`
	Key   string     `json:"key" validate:"required,max=64"`
	Label string     `json:"label" validate:"required,max=200"`
	// Rank orders the list. For priorities a higher rank is more urgent;
	// for satisfaction and support levels it is the level itself. It
	// lies within ±2,147,483,647, so that every store holds it in a 32-bit
	// integer and can rank a priority not in the lookup below them all.
	Rank int `json:"rank" validate:"min=-2147483647,max=2147483647"`
	// Action is what a satisfaction level does: RatingReopens or
	// RatingCloses. Other kinds leave it empty.
	Action string `json:"action,omitempty" validate:"omitempty,oneof=reopen close"`
	// Disabled entries stay valid on existing cases but cannot be chosen
	// for new input.
	Disabled bool `json:"disabled,omitempty"`
}

// Satisfaction actions: what a rating at a level does to the case.
const (
	RatingReopens = "reopen"
	RatingCloses  = "close"
)
