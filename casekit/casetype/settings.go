package casetype

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
	// SaveSettings and CreateTenant read 0 as DefaultMaxAttachmentBytes.
	MaxAttachmentBytes int64 `json:"max_attachment_bytes" validate:"min=1,max=1073741824"`
	// AttachmentTypes are the media types an attachment may have, such as
	// "application/pdf", or "image/*" for every image type;
	// SaveSettings and CreateTenant read nil as DefaultAttachmentTypes (an empty list
	// allows none).
	AttachmentTypes []string `json:"attachment_types" validate:"max=100,dive,mediatype"`
	// PublicTags are the tags a customer may see on their cases and
	// filter their list by. Tags are the staff's own labels, so any tag
	// not listed here stays internal: a new tenant shows customers none.
	PublicTags []string `json:"public_tags,omitempty" validate:"max=200,dive,required,max=100"`
}
