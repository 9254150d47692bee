package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// Tx is store.Tx on one tenant schema, running every statement on the
// executor it was handed (a bun.Tx in practice): it never opens a
// transaction of its own.
type Tx struct {
	db        bun.IDB
	schema    bun.Ident
	dialect   Dialect
	classify  func(error) error
	onWake    func(ctx context.Context, queue string, due time.Time) error
	read      map[string]caseRead // by case ID: see noteRead
	flowSlot  int                 // case_flow's slot of this transaction, -1 until drawn: see moveFlow
	slots     *Slots              // where flowSlot is drawn from, if the store keeps them: see WithSlots
	slotTaken bool                // flowSlot was taken from slots and is to be given back
	config    *int64              // the configuration version read or set, nil until then: see ConfigVersion
	lead      []any               // the arguments that make the driver prepare the hot statements: see Prepare
	batch     Batch               // what sends execAll's statements prepared, nil for one text: see Tx.Batch
}

var _ store.Tx = (*Tx)(nil)

// NewTx returns the store.Tx for the tenant schema on db, speaking d.
// classify maps the driver's errors to casekit's (unique violations to
// ErrConflict); it sees every error except sql.ErrNoRows, which is
// handled here.
func NewTx(db bun.IDB, d Dialect, schema string, classify func(error) error) *Tx {
	if classify == nil {
		classify = func(err error) error { return err }
	}
	return &Tx{db: db, schema: bun.Ident(schema), dialect: d, classify: classify, flowSlot: -1}
}

func (t *Tx) err(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, casetype.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, t.classify(err))
}

// table returns the schema-qualified table expression with its alias.
func (t *Tx) table(name, alias string) (string, bun.Ident) {
	return "?." + name + " AS " + alias, t.schema
}

func (t *Tx) sel(model any, name, alias string) *bun.SelectQuery {
	expr, s := t.table(name, alias)
	return t.db.NewSelect().Model(model).ModelTableExpr(expr, s)
}

func (t *Tx) ins(model any, name string) *bun.InsertQuery {
	return t.db.NewInsert().Model(model).ModelTableExpr("?."+name, t.schema)
}

func (t *Tx) lock(q *bun.SelectQuery, lock bool) *bun.SelectQuery {
	if lock {
		return t.dialect.LockRows(q, Lock{})
	}
	return q
}

// upsert makes the insert q update the row of the same key instead,
// setting its set columns to q's values (Dialect.Upsert).
func (t *Tx) upsert(q *bun.InsertQuery, key string, set ...string) *bun.InsertQuery {
	return t.dialect.Upsert(q, key, set...)
}

func affected(res sql.Result, none error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return none
	}
	return nil
}
