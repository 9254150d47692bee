package casekit

import "slices"

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

// LookupKinds lists every lookup kind.
var LookupKinds = []LookupKind{
	LookupPriority, LookupCaseType, LookupOrigin, LookupClosureReason,
	LookupReopenReason, LookupNoteSubject, LookupSatisfaction, LookupSupportLevel,
}

func (k LookupKind) valid() bool {
	for _, x := range LookupKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Satisfaction actions: what a rating at a level does to the case.
const (
	RatingReopens = "reopen"
	RatingCloses  = "close"
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

// DefaultLookups returns the lookup lists a new tenant starts with.
func DefaultLookups() []Lookup {
	l := func(kind LookupKind, key, label string, rank int) Lookup {
		return Lookup{Kind: kind, Key: key, Label: label, Rank: rank}
	}
	sat := func(level int, label, action string) Lookup {
		return Lookup{Kind: LookupSatisfaction, Key: string(rune('0' + level)), Label: label, Rank: level, Action: action}
	}
	return []Lookup{
		l(LookupPriority, "low", "Low", 10),
		l(LookupPriority, "medium", "Medium", 20),
		l(LookupPriority, "high", "High", 30),
		l(LookupPriority, "critical", "Critical", 40),

		l(LookupCaseType, "question", "Question", 10),
		l(LookupCaseType, "problem", "Problem", 20),
		l(LookupCaseType, "request", "Request", 30),
		l(LookupCaseType, "complaint", "Complaint", 40),

		l(LookupOrigin, "phone", "Phone", 10),
		l(LookupOrigin, "email", "E-mail", 20),
		l(LookupOrigin, "web", "Web form", 30),
		l(LookupOrigin, "portal", "Portal", 40),
		l(LookupOrigin, "chat", "Chat", 50),
		l(LookupOrigin, "api", "API", 60),

		l(LookupClosureReason, "fixed", "Problem solved", 10),
		l(LookupClosureReason, "answered", "Question answered", 20),
		l(LookupClosureReason, "workaround", "Workaround given", 30),
		l(LookupClosureReason, "no_response", "No response from customer", 40),
		l(LookupClosureReason, "duplicate", "Duplicate", 50),
		l(LookupClosureReason, "merged", "Merged into another case", 60),

		l(LookupReopenReason, "not_fixed", "Problem not solved", 10),
		l(LookupReopenReason, "new_information", "New information", 20),
		l(LookupReopenReason, "closed_by_mistake", "Closed by mistake", 30),
		l(LookupReopenReason, "customer_reply", "Customer replied", 40),
		l(LookupReopenReason, "low_rating", "Low satisfaction rating", 50),

		l(LookupNoteSubject, "general", "General", 10),
		l(LookupNoteSubject, "diagnosis", "Diagnosis", 20),
		l(LookupNoteSubject, "solution", "Solution", 30),
		l(LookupNoteSubject, "customer_call", "Customer call", 40),

		sat(1, "Very dissatisfied", RatingReopens),
		sat(2, "Dissatisfied", RatingReopens),
		sat(3, "Neutral", RatingCloses),
		sat(4, "Satisfied", RatingCloses),
		sat(5, "Very satisfied", RatingCloses),

		l(LookupSupportLevel, "1", "First line", 1),
		l(LookupSupportLevel, "2", "Second line", 2),
		l(LookupSupportLevel, "3", "Third line", 3),
	}
}

// Settings are a tenant's case settings.
type Settings struct {
	// DefaultPriority is the priority key a case takes when opened without
	// one.
	DefaultPriority string `json:"default_priority" validate:"required,max=64"`
	// AutoCloseDays is how long a resolved case waits before it closes by
	// itself; 0 switches auto-close off.
	AutoCloseDays int `json:"auto_close_days" validate:"min=0,max=365"`
	// FirstReminderDays is how long after its resolution a case waiting
	// to close reminds the customer to reevaluate it; 0 sends no first
	// reminder. SecondReminderDays is how long after the first the second
	// comes; 0 sends none. Both reminders come before the auto-close.
	FirstReminderDays  int `json:"first_reminder_days" validate:"min=0,max=365"`
	SecondReminderDays int `json:"second_reminder_days" validate:"min=0,max=365"`
	// MaxAttachmentBytes bounds the size of one attachment (Desk.Upload);
	// UpdateSettings and CreateTenant read 0 as DefaultMaxAttachmentBytes.
	MaxAttachmentBytes int64 `json:"max_attachment_bytes" validate:"min=1,max=1073741824"`
	// AttachmentTypes are the media types an attachment may have, such as
	// "application/pdf", or "image/*" for every image type;
	// UpdateSettings and CreateTenant read nil as DefaultAttachmentTypes (an empty list
	// allows none).
	AttachmentTypes []string `json:"attachment_types" validate:"max=100,dive,mediatype"`
	// PublicTags are the tags a customer may see on their cases and
	// filter their list by. Tags are the staff's own labels, so any tag
	// not listed here stays internal: a new tenant shows customers none.
	PublicTags []string `json:"public_tags,omitempty" validate:"max=200,dive,required,max=100"`
}

// filled gives zero attachment settings their defaults (settings made
// before there were any read as the defaults) and trims the public tags
// and drops their repeats, as a case's tags are kept.
func (s Settings) filled() Settings {
	if s.MaxAttachmentBytes == 0 {
		s.MaxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	if s.AttachmentTypes == nil {
		s.AttachmentTypes = slices.Clone(DefaultAttachmentTypes)
	}
	s.PublicTags = normalizeTags(s.PublicTags)
	return s
}

// DefaultMaxAttachmentBytes is a new tenant's attachment size limit.
const DefaultMaxAttachmentBytes = 10 << 20

// DefaultAttachmentTypes are the media types a new tenant accepts:
// images that cannot carry script, PDF, plain text and office documents.
// HTML and SVG are left out.
var DefaultAttachmentTypes = []string{
	"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain", "text/csv",
	"application/zip", "message/rfc822", "application/msword", "application/vnd.ms-excel",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
}

// DefaultSettings returns the settings a new tenant starts with.
func DefaultSettings() Settings {
	return Settings{DefaultPriority: "medium", AutoCloseDays: 7, FirstReminderDays: 3, SecondReminderDays: 2,
		MaxAttachmentBytes: DefaultMaxAttachmentBytes, AttachmentTypes: slices.Clone(DefaultAttachmentTypes)}
}
