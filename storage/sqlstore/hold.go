package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// holdDB is the executor of a Tx that holds its writes back (Tx.holding):
// the writes that nobody reads a result of (Tx.write) are kept, and sent
// together, in one round trip, just before anything else reaches the
// database through the Tx (a read, a write whose rows affected are
// checked, a savepoint) and when the holding ends. So the database sees
// every statement in the order the Tx made them, and a read sees every
// write made before it. Build holds a new tenant's seed: about 50 small
// writes, each otherwise a round trip (BENCHMARKS.md, "Provisioning: round
// trips"), go as a handful.
//
// Every query it makes is bound to it (conn below), so no statement can
// pass the held ones.
type holdDB struct {
	bun.IDB           // the transaction
	raw     bun.IConn // the transaction's connection under Bun's hooks, which bind queries run on
	held    []string  // the writes held, in order
	gen     schema.QueryGen
	tx      *Tx // the holder, which sends a flush as it sends its batches (sendTexts)
}

// newHoldDB returns t's executor holding writes, or false where it is not
// a transaction, connection or database of Bun's (whose connection under
// the hooks the queries need).
func newHoldDB(t *Tx) (*holdDB, bool) {
	raw, ok := underHooks(t.db)
	if !ok {
		return nil, false
	}
	return &holdDB{IDB: t.db, raw: raw, gen: schema.NewQueryGen(t.db.Dialect()), tx: t}, true
}

// underHooks returns the connection under Bun's hooks of db, one of Bun's
// executors, which a query bound to a connection of its own (holdDB's,
// the prepared statements' params) hands the text Bun wrote; false for
// any other executor.
func underHooks(db bun.IDB) (bun.IConn, bool) {
	switch v := db.(type) {
	case bun.Tx:
		return v.Tx, true
	case *bun.DB:
		return v.DB, true
	case bun.Conn:
		return v.Conn, true
	}
	return nil, false
}

// hold keeps q to be sent with the next flush.
func (h *holdDB) hold(q schema.QueryAppender) error {
	text, err := q.AppendQuery(h.gen, nil)
	if err != nil {
		return err
	}
	h.held = append(h.held, string(text))
	return nil
}

// flush sends the writes held, if any, and then end, as one text: the
// statements run in order and the first that fails stops the rest, its
// error returned (the transaction is then for rolling back).
func (h *holdDB) flush(ctx context.Context, end ...string) error {
	if len(h.held) == 0 && len(end) == 0 {
		return nil
	}
	texts := append(h.take(), end...)
	// No arguments, unless the holder prepares: Bun sends the text as it
	// is, pgx by the simple protocol, which takes several statements
	// (sendTexts).
	if _, err := h.tx.sendTexts(ctx, h.IDB, texts); err != nil {
		return fmt.Errorf("%d statements held together: %w", len(texts), err)
	}
	return nil
}

// take returns the writes held and holds none.
func (h *holdDB) take() []string {
	held := h.held
	h.held = nil
	return held
}

func (h *holdDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := h.flush(ctx); err != nil {
		return nil, err
	}
	return h.IDB.ExecContext(ctx, query, args...)
}

func (h *holdDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := h.flush(ctx); err != nil {
		return nil, err
	}
	return h.IDB.QueryContext(ctx, query, args...)
}

// QueryRowContext flushes first (neither Bun's queries nor the store
// read a row this way, but a host's code on the Tx's executor could).
func (h *holdDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := h.flush(ctx); err != nil {
		return failedRow(ctx, h.IDB, query)
	}
	return h.IDB.QueryRowContext(ctx, query, args...)
}

// failedRow is the row a read gets after the writes held before it
// failed: one that holds an error, never the row of a read that missed
// them. A *sql.Row carries no error of its own making, so it is the
// error of a context already cancelled.
func failedRow(ctx context.Context, c bun.IConn, query string) *sql.Row {
	done, cancel := context.WithCancel(ctx)
	cancel()
	return c.QueryRowContext(done, query)
}

func (h *holdDB) BeginTx(ctx context.Context, opts *sql.TxOptions) (bun.Tx, error) {
	if err := h.flush(ctx); err != nil {
		return bun.Tx{}, err
	}
	return h.IDB.BeginTx(ctx, opts)
}

func (h *holdDB) RunInTx(ctx context.Context, opts *sql.TxOptions, f func(ctx context.Context, tx bun.Tx) error) error {
	if err := h.flush(ctx); err != nil {
		return err
	}
	return h.IDB.RunInTx(ctx, opts, f)
}

// conn is the connection holdDB binds its queries to: Bun has run their
// hooks and written their values into the text before it calls it, so it
// flushes and hands the text to the connection under the hooks.
type conn struct{ h *holdDB }

func (c conn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := c.h.flush(ctx); err != nil {
		return nil, err
	}
	return c.h.raw.ExecContext(ctx, query, args...)
}

func (c conn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := c.h.flush(ctx); err != nil {
		return nil, err
	}
	return c.h.raw.QueryContext(ctx, query, args...)
}

func (c conn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := c.h.flush(ctx); err != nil {
		return failedRow(ctx, c.h.raw, query)
	}
	return c.h.raw.QueryRowContext(ctx, query, args...)
}

func (h *holdDB) NewValues(model any) *bun.ValuesQuery { return h.IDB.NewValues(model).Conn(conn{h}) }
func (h *holdDB) NewSelect() *bun.SelectQuery          { return h.IDB.NewSelect().Conn(conn{h}) }
func (h *holdDB) NewInsert() *bun.InsertQuery          { return h.IDB.NewInsert().Conn(conn{h}) }
func (h *holdDB) NewUpdate() *bun.UpdateQuery          { return h.IDB.NewUpdate().Conn(conn{h}) }
func (h *holdDB) NewDelete() *bun.DeleteQuery          { return h.IDB.NewDelete().Conn(conn{h}) }
func (h *holdDB) NewMerge() *bun.MergeQuery            { return h.IDB.NewMerge().Conn(conn{h}) }
func (h *holdDB) NewRaw(query string, args ...any) *bun.RawQuery {
	return h.IDB.NewRaw(query, args...).Conn(conn{h})
}
func (h *holdDB) NewCreateTable() *bun.CreateTableQuery { return h.IDB.NewCreateTable().Conn(conn{h}) }
func (h *holdDB) NewDropTable() *bun.DropTableQuery     { return h.IDB.NewDropTable().Conn(conn{h}) }
func (h *holdDB) NewCreateIndex() *bun.CreateIndexQuery { return h.IDB.NewCreateIndex().Conn(conn{h}) }
func (h *holdDB) NewDropIndex() *bun.DropIndexQuery     { return h.IDB.NewDropIndex().Conn(conn{h}) }
func (h *holdDB) NewTruncateTable() *bun.TruncateTableQuery {
	return h.IDB.NewTruncateTable().Conn(conn{h})
}
func (h *holdDB) NewAddColumn() *bun.AddColumnQuery   { return h.IDB.NewAddColumn().Conn(conn{h}) }
func (h *holdDB) NewDropColumn() *bun.DropColumnQuery { return h.IDB.NewDropColumn().Conn(conn{h}) }

// writeQuery is a query Tx.write takes: Bun's insert and raw queries.
type writeQuery interface {
	schema.QueryAppender
	Exec(ctx context.Context, dest ...any) (sql.Result, error)
}

// write runs q, a write of which nobody reads a result (rows affected
// included), or holds it while t holds its writes (holdDB).
func (t *Tx) write(ctx context.Context, q writeQuery) error {
	if h, ok := t.db.(*holdDB); ok {
		return h.hold(q)
	}
	_, err := q.Exec(ctx)
	return err
}

// holding runs f with t holding its writes (holdDB) where its dialect
// batches (Batcher) and t is on Bun's own executor, and sends what is
// held when f returns without an error, followed by end, statements that
// go last in the same round trip (RunCommitting's COMMIT). Where t holds
// nothing, end goes alone.
func (t *Tx) holding(ctx context.Context, f func() error, end ...string) error {
	h, ok := t.holder()
	if !ok {
		if err := f(); err != nil {
			return err
		}
		for _, q := range end {
			if _, err := t.db.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}
	db := t.db
	t.db = h
	defer func() { t.db = db }()
	if err := f(); err != nil {
		return err
	}
	return t.err(h.flush(ctx, end...), "writes held")
}

// holder returns the executor that holds t's writes, or false where its
// dialect does not batch or t is not on Bun's own executor.
func (t *Tx) holder() (*holdDB, bool) {
	if b, ok := t.dialect.(Batcher); !ok || !b.Batches() {
		return nil, false
	}
	return newHoldDB(t)
}
