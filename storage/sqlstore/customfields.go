package sqlstore

import (
	"context"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
)

type customFieldRow struct {
	bun.BaseModel `bun:"table:custom_fields,alias:cf"`

	Key      string   `bun:"key,pk"`
	Label    string   `bun:"label"`
	Type     string   `bun:"type"`
	Required bool     `bun:"required"`
	Options  []string `bun:"options,type:json"`
	Audience string   `bun:"audience"`
}

// CustomFields implements store.Tx.
func (t *Tx) CustomFields(ctx context.Context) ([]casetype.CustomField, error) {
	var rows []customFieldRow
	if err := t.sel(&rows, "custom_fields", "cf").OrderExpr("cf.key").Scan(ctx); err != nil {
		return nil, t.err(err, "custom fields")
	}
	out := make([]casetype.CustomField, len(rows))
	for i, r := range rows {
		out[i] = casetype.CustomField{Key: r.Key, Label: r.Label, Type: casetype.CustomFieldType(r.Type), Required: r.Required, Options: r.Options}
		if r.Audience != string(casetype.AudienceInternal) {
			out[i].Audience = casetype.CustomFieldAudience(r.Audience)
		}
		if len(r.Options) == 0 {
			out[i].Options = nil
		}
	}
	return out, nil
}

// SaveCustomField implements store.Tx.
func (t *Tx) SaveCustomField(ctx context.Context, f casetype.CustomField) error {
	opts := f.Options
	if opts == nil {
		opts = []string{}
	}
	audience := f.Audience
	if audience == "" {
		audience = casetype.AudienceInternal
	}
	_, err := t.upsert(t.ins(&customFieldRow{Key: f.Key, Label: f.Label, Type: string(f.Type), Required: f.Required, Options: opts, Audience: string(audience)}, "custom_fields"),
		"key", "label", "type", "required", "options", "audience").Exec(ctx)
	return t.err(err, "save custom field")
}

// DeleteCustomField implements store.Tx.
func (t *Tx) DeleteCustomField(ctx context.Context, key string) error {
	res, err := t.db.NewRaw("DELETE FROM ?.custom_fields WHERE key = ?", t.schema, key).Exec(ctx)
	if err != nil {
		return t.err(err, "delete custom field")
	}
	return affected(res, casetype.ErrNotFound)
}
