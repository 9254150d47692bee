package sqlstore

import (
	"context"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
)

// triggerRow is a casekit.Trigger: its key and position as columns for
// the order, the rest as one JSON document.
type triggerRow struct {
	bun.BaseModel `bun:"table:triggers,alias:tg"`

	Key      string          `bun:"key,pk"`
	Position int             `bun:"position"`
	Doc      casekit.Trigger `bun:"doc,type:json"`
}

// macroRow is a casekit.Macro as one JSON document by its key.
type macroRow struct {
	bun.BaseModel `bun:"table:macros,alias:mc"`

	Key string        `bun:"key,pk"`
	Doc casekit.Macro `bun:"doc,type:json"`
}

// Triggers implements casekit.Tx.
func (t *Tx) Triggers(ctx context.Context) ([]casekit.Trigger, error) {
	var rows []triggerRow
	if err := t.sel(&rows, "triggers", "tg").OrderExpr("tg.position, tg.key").Scan(ctx); err != nil {
		return nil, t.err(err, "triggers")
	}
	out := make([]casekit.Trigger, len(rows))
	for i, r := range rows {
		out[i] = r.Doc
		out[i].Key, out[i].Position = r.Key, r.Position
	}
	return out, nil
}

// SaveTrigger implements casekit.Tx.
func (t *Tx) SaveTrigger(ctx context.Context, x casekit.Trigger) error {
	_, err := t.upsert(t.ins(&triggerRow{Key: x.Key, Position: x.Position, Doc: x}, "triggers"),
		"key", "position", "doc").Exec(ctx)
	return t.err(err, "save trigger")
}

// DeleteTrigger implements casekit.Tx.
func (t *Tx) DeleteTrigger(ctx context.Context, key string) error {
	return t.deleteByKey(ctx, "triggers", key)
}

// Macros implements casekit.Tx.
func (t *Tx) Macros(ctx context.Context) ([]casekit.Macro, error) {
	var rows []macroRow
	if err := t.sel(&rows, "macros", "mc").OrderExpr("mc.key").Scan(ctx); err != nil {
		return nil, t.err(err, "macros")
	}
	out := make([]casekit.Macro, len(rows))
	for i, r := range rows {
		out[i] = r.Doc
		out[i].Key = r.Key
	}
	return out, nil
}

// SaveMacro implements casekit.Tx.
func (t *Tx) SaveMacro(ctx context.Context, m casekit.Macro) error {
	_, err := t.upsert(t.ins(&macroRow{Key: m.Key, Doc: m}, "macros"), "key", "doc").Exec(ctx)
	return t.err(err, "save macro")
}

// DeleteMacro implements casekit.Tx.
func (t *Tx) DeleteMacro(ctx context.Context, key string) error {
	return t.deleteByKey(ctx, "macros", key)
}

// deleteByKey deletes the row of table with the key; ErrNotFound if
// there is none.
func (t *Tx) deleteByKey(ctx context.Context, table, key string) error {
	res, err := t.db.NewRaw("DELETE FROM ?."+table+" WHERE key = ?", t.schema, key).Exec(ctx)
	if err != nil {
		return t.err(err, "delete from "+table)
	}
	return affected(res, casekit.ErrNotFound)
}
