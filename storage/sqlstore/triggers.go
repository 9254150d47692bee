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

// keyedDoc is a row of a table that keeps one JSON document by its key
// (macros, webhooks): the key a column, the rest the document.
type keyedDoc[T any] struct {
	bun.BaseModel `bun:"alias:kd"` // the table is the caller's

	Key string `bun:"key,pk"`
	Doc T      `bun:"doc,type:json"`
}

// keyedDocs reads the documents of table, a keyedDoc table, in key
// order, each given its key by setKey.
func keyedDocs[T any](ctx context.Context, t *Tx, table string, setKey func(*T, string)) ([]T, error) {
	var rows []keyedDoc[T]
	if err := t.sel(&rows, table, "kd").OrderExpr("kd.key").Scan(ctx); err != nil {
		return nil, t.err(err, table)
	}
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = r.Doc
		setKey(&out[i], r.Key)
	}
	return out, nil
}

// saveKeyedDoc inserts or replaces the document of key in table.
func saveKeyedDoc[T any](ctx context.Context, t *Tx, table, key string, doc T) error {
	_, err := t.upsert(t.ins(&keyedDoc[T]{Key: key, Doc: doc}, table), "key", "doc").Exec(ctx)
	return t.err(err, "save "+table)
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
	return keyedDocs(ctx, t, "macros", func(m *casekit.Macro, key string) { m.Key = key })
}

// SaveMacro implements casekit.Tx.
func (t *Tx) SaveMacro(ctx context.Context, m casekit.Macro) error {
	return saveKeyedDoc(ctx, t, "macros", m.Key, m)
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
