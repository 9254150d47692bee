package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// Batcher is implemented by a Dialect whose database takes several
// statements sent as one text and runs them in order, stopping at the
// first that fails: PostgreSQL, where pgx sends a statement without
// arguments by the simple query protocol, and Bun writes every value into
// the text. Each statement that rides along is a round trip saved, and a
// round trip costs both the client and the server more CPU than a small
// statement does (BENCHMARKS.md, "CPU per request").
type Batcher interface {
	// Batches reports whether several statements may be sent as one.
	Batches() bool
}

// execAll runs qs, statements whose results nobody reads, in order: in
// one round trip where the dialect batches (Batcher), one by one
// elsewhere. Its error is the first statement's that failed; the
// transaction is then for rolling back, as after any failed statement.
// Its result is the last statement's, whose rows affected a caller may
// check (UpdateCase's version check): the server reports each
// statement's count, and pgx hands back the last.
func (t *Tx) execAll(ctx context.Context, qs ...schema.QueryAppender) (sql.Result, error) {
	gen := schema.NewQueryGen(t.db.Dialect())
	h, holding := t.db.(*holdDB)
	if b, ok := t.dialect.(Batcher); ok && b.Batches() && (len(qs) > 1 || t.batch != nil || holding) {
		texts := make([]string, len(qs))
		for i, q := range qs {
			text, err := q.AppendQuery(gen, nil)
			if err != nil {
				return nil, err
			}
			texts[i] = string(text)
		}
		if holding {
			// The writes held ride ahead, in the same round trip.
			return t.sendTexts(ctx, h.IDB, append(h.take(), texts...))
		}
		return t.sendTexts(ctx, t.db, texts)
	}
	var res sql.Result
	for _, q := range qs {
		text, err := q.AppendQuery(gen, nil)
		if err != nil {
			return nil, err
		}
		if res, err = t.db.ExecContext(ctx, string(text)); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// writeAll is execAll for writes of which nobody reads a result, rows
// affected included: while t holds its writes (holdDB) they are held,
// to go with the next statement that reaches the database or with the
// end of the transaction; otherwise they run now, in one round trip
// where the dialect batches. A failure of a held write is told by the
// statement that sends it (a later read, or the store's InTx before it
// commits), classified as its own would have been: every command is one
// transaction, rolled back on any failure, so no caller can act on it
// earlier anyway.
func (t *Tx) writeAll(ctx context.Context, qs ...schema.QueryAppender) error {
	if h, ok := t.db.(*holdDB); ok {
		for _, q := range qs {
			if err := h.hold(q); err != nil {
				return err
			}
		}
		return nil
	}
	_, err := t.execAll(ctx, qs...)
	return err
}

// sendTexts runs texts, statements as Bun wrote them, in order in one
// round trip on db: prepared as one Batch where t sends one (batched),
// or else as one text, which pgx sends by the simple protocol (no
// arguments), which takes several statements. Its result is the last
// statement's.
func (t *Tx) sendTexts(ctx context.Context, db bun.IDB, texts []string) (sql.Result, error) {
	text := strings.Join(texts, ";\n")
	if stmts, ok := t.batched(texts); ok {
		// Bun's hooks see the one text.
		return db.NewRaw("?", bun.Safe(text)).Conn(batchConn{t.batch, stmts}).Exec(ctx)
	}
	return db.ExecContext(ctx, text)
}
