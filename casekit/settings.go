package casekit

import (
	"context"
	"reflect"
	"slices"

	"casekit.dev/casekit/casetype"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// Settings are a tenant's case settings.
	Settings = casetype.Settings
)

// settingsFilled gives zero attachment settings their defaults (settings made
// before there were any read as the defaults) and trims the public tags
// and drops their repeats, as a case's tags are kept.
func settingsFilled(s Settings) Settings {
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

// Settings returns the tenant's case settings.
func (cf *Config) Settings(ctx context.Context) (Settings, error) {
	return runValue(cf.d, ctx, "settings", staffRead, func(c *cmd) (Settings, error) {
		return c.tx.Settings(c.ctx)
	})
}

// SaveSettings replaces the tenant's case settings. The default priority
// must be an enabled priority.
func (cf *Config) SaveSettings(ctx context.Context, s Settings) error {
	return cf.d.run(ctx, "save settings", adminOnly, func(c *cmd) error {
		s = settingsFilled(s)
		prios, err := c.tx.Lookups(c.ctx, LookupPriority)
		if err != nil {
			return err
		}
		if err := validateSettings(s, prios); err != nil {
			return err
		}
		old, err := c.tx.Settings(c.ctx)
		if err != nil {
			return err
		}
		if reflect.DeepEqual(old, s) {
			return nil
		}
		if err := c.tx.SaveSettings(c.ctx, s); err != nil {
			return err
		}
		c.record(nil, EventSettingsChanged, map[string]any{
			"default_priority":     []any{old.DefaultPriority, s.DefaultPriority},
			"auto_close_days":      []any{old.AutoCloseDays, s.AutoCloseDays},
			"first_reminder_days":  []any{old.FirstReminderDays, s.FirstReminderDays},
			"second_reminder_days": []any{old.SecondReminderDays, s.SecondReminderDays},
			"max_attachment_bytes": []any{old.MaxAttachmentBytes, s.MaxAttachmentBytes},
			"attachment_types":     []any{old.AttachmentTypes, s.AttachmentTypes},
			"public_tags":          []any{old.PublicTags, s.PublicTags},
		})
		return nil
	})
}
