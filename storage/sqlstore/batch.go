package sqlstore

import (
	"context"
	"strings"

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
func (t *Tx) execAll(ctx context.Context, qs ...schema.QueryAppender) error {
	gen := schema.NewQueryGen(t.db.Dialect())
	texts := make([]string, 0, len(qs))
	for _, q := range qs {
		b, err := q.AppendQuery(gen, nil)
		if err != nil {
			return err
		}
		texts = append(texts, string(b))
	}
	if b, ok := t.dialect.(Batcher); ok && b.Batches() && len(texts) > 1 {
		// No arguments: the text goes as it is, and pgx sends it by the
		// simple protocol, which takes several statements.
		_, err := t.db.ExecContext(ctx, strings.Join(texts, ";\n"))
		return err
	}
	for _, s := range texts {
		if _, err := t.db.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}
