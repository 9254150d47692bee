package sqlstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
)

type templateRow struct {
	bun.BaseModel `bun:"table:templates,alias:tp"`

	Name      string    `bun:"name,pk"`
	Source    string    `bun:"source"`
	UpdatedBy string    `bun:"updated_by"`
	UpdatedAt time.Time `bun:"updated_at"`
}

// TemplateOverrides implements store.Tx.
func (t *Tx) TemplateOverrides(ctx context.Context) ([]casetype.TemplateOverride, error) {
	var rows []templateRow
	if err := t.sel(&rows, "templates", "tp").OrderExpr("tp.name").Scan(ctx); err != nil {
		return nil, t.err(err, "templates")
	}
	out := make([]casetype.TemplateOverride, len(rows))
	for i, r := range rows {
		by, err := casetype.ParseActor(r.UpdatedBy)
		if err != nil {
			return nil, err
		}
		out[i] = casetype.TemplateOverride{Name: r.Name, Source: r.Source, UpdatedBy: by, UpdatedAt: r.UpdatedAt.UTC()}
	}
	return out, nil
}

// SaveTemplateOverride implements store.Tx.
func (t *Tx) SaveTemplateOverride(ctx context.Context, o casetype.TemplateOverride) error {
	_, err := t.upsert(t.ins(&templateRow{Name: o.Name, Source: o.Source, UpdatedBy: o.UpdatedBy.String(), UpdatedAt: o.UpdatedAt.UTC()}, "templates"),
		"name", "source", "updated_by", "updated_at").Exec(ctx)
	return t.err(err, "save template")
}

// DeleteTemplateOverride implements store.Tx.
func (t *Tx) DeleteTemplateOverride(ctx context.Context, name string) error {
	res, err := t.db.NewRaw("DELETE FROM ?.templates WHERE name = ?", t.schema, name).Exec(ctx)
	if err != nil {
		return t.err(err, "delete template")
	}
	return affected(res, casetype.ErrNotFound)
}
