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
	if b, ok := t.dialect.(Batcher); ok && b.Batches() && (len(qs) > 1 || t.batch != nil) {
		texts := make([]string, len(qs))
		for i, q := range qs {
			text, err := q.AppendQuery(gen, nil)
			if err != nil {
				return nil, err
			}
			texts[i] = string(text)
		}
		text := strings.Join(texts, ";\n")
		if stmts, ok := t.batched(texts); ok {
			// Prepared, in one round trip (Tx.Batch); Bun's hooks see
			// the one text.
			return t.db.NewRaw("?", bun.Safe(text)).Conn(batchConn{t.batch, stmts}).Exec(ctx)
		}
		// No arguments: the text goes as it is, and pgx sends it by the
		// simple protocol, which takes several statements.
		return t.db.ExecContext(ctx, text)
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
