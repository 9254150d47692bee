package sqlstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
)

type templateRow struct {
	bun.BaseModel `bun:"table:templates,alias:tp"`

	Name      string    `bun:"name,pk"`
	Source    string    `bun:"source"`
	UpdatedBy string    `bun:"updated_by"`
	UpdatedAt time.Time `bun:"updated_at"`
}

// TemplateOverrides implements casekit.Tx.
func (t *Tx) TemplateOverrides(ctx context.Context) ([]casekit.TemplateOverride, error) {
	var rows []templateRow
	if err := t.sel(&rows, "templates", "tp").OrderExpr("tp.name").Scan(ctx); err != nil {
		return nil, t.err(err, "templates")
	}
	out := make([]casekit.TemplateOverride, len(rows))
	for i, r := range rows {
		by, err := casekit.ParseActor(r.UpdatedBy)
		if err != nil {
			return nil, err
		}
		out[i] = casekit.TemplateOverride{Name: r.Name, Source: r.Source, UpdatedBy: by, UpdatedAt: r.UpdatedAt.UTC()}
	}
	return out, nil
}

// SaveTemplateOverride implements casekit.Tx.
func (t *Tx) SaveTemplateOverride(ctx context.Context, o casekit.TemplateOverride) error {
	_, err := t.upsert(t.ins(&templateRow{Name: o.Name, Source: o.Source, UpdatedBy: o.UpdatedBy.String(), UpdatedAt: o.UpdatedAt.UTC()}, "templates"),
		"name", "source", "updated_by", "updated_at").Exec(ctx)
	return t.err(err, "save template")
}

// DeleteTemplateOverride implements casekit.Tx.
func (t *Tx) DeleteTemplateOverride(ctx context.Context, name string) error {
	res, err := t.db.NewRaw("DELETE FROM ?.templates WHERE name = ?", t.schema, name).Exec(ctx)
	if err != nil {
		return t.err(err, "delete template")
	}
	return affected(res, casekit.ErrNotFound)
}
