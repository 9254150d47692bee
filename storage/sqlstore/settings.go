package sqlstore

import (
	"context"
	"fmt"

	"casekit.dev/casekit/casetype"
)

// Settings implements store.Tx.
func (t *Tx) Settings(ctx context.Context) (casetype.Settings, error) {
	var r settingsRow
	if err := t.sel(&r, "settings", "st").Where("st.id = 1").Scan(ctx); err != nil {
		return casetype.Settings{}, t.err(err, "settings")
	}
	s := casetype.Settings{DefaultPriority: r.DefaultPriority, AutoCloseDays: r.AutoCloseDays,
		FirstReminderDays: r.FirstReminderDays, SecondReminderDays: r.SecondReminderDays,
		MaxAttachmentBytes: r.MaxAttachmentBytes, AttachmentTypes: r.AttachmentTypes}
	if len(r.PublicTags) > 0 { // none reads as nil, as casekit writes it
		s.PublicTags = r.PublicTags
	}
	return s, nil
}

// SaveSettings implements store.Tx.
func (t *Tx) SaveSettings(ctx context.Context, s casetype.Settings) error {
	r := &settingsRow{ID: 1, DefaultPriority: s.DefaultPriority, AutoCloseDays: s.AutoCloseDays,
		FirstReminderDays: s.FirstReminderDays, SecondReminderDays: s.SecondReminderDays,
		MaxAttachmentBytes: s.MaxAttachmentBytes, AttachmentTypes: s.AttachmentTypes, PublicTags: s.PublicTags}
	if r.AttachmentTypes == nil {
		r.AttachmentTypes = []string{}
	}
	if r.PublicTags == nil {
		r.PublicTags = []string{}
	}
	err := t.write(ctx, t.upsert(t.ins(r, "settings"), "id", "default_priority", "auto_close_days", "first_reminder_days",
		"second_reminder_days", "max_attachment_bytes", "attachment_types", "public_tags"))
	return t.err(err, "save settings")
}

// ConfigVersion implements store.Tx. The version read with a case
// (oneCase), or set, earlier in the transaction serves without a round
// trip: under READ COMMITTED each statement sees its own snapshot, so the
// version read a statement earlier is as good as one read now, and the
// configuration cache is keyed by it (casekit/configcache.go).
func (t *Tx) ConfigVersion(ctx context.Context) (int64, error) {
	if t.config != nil {
		return *t.config, nil
	}
	var v int64
	err := t.db.NewRaw("SELECT value FROM ?.counters WHERE name = 'config_version'", t.schema).Scan(ctx, &v)
	if err != nil {
		return 0, t.err(err, "config version")
	}
	t.config = &v
	return v, nil
}

// SetConfigVersion implements store.Tx.
func (t *Tx) SetConfigVersion(ctx context.Context, v int64) error {
	res, err := t.db.NewRaw("UPDATE ?.counters SET value = ? WHERE name = 'config_version'", t.schema, v).Exec(ctx)
	if err != nil {
		return t.err(err, "set config version")
	}
	if err := affected(res, fmt.Errorf("no config version row: %w", casetype.ErrNotFound)); err != nil {
		return err
	}
	t.config = &v
	return nil
}
