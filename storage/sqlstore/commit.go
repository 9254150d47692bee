package sqlstore

import (
	"context"
	"database/sql/driver"
	"time"

	"github.com/uptrace/bun"
)

// RunCommitting returns the InTxFunc that runs each fn in a transaction
// it opens itself on conn, for a dialect that batches (Batcher): BEGIN,
// the command's statements, and at the end the writes the Tx held
// (Tx.holding) and the COMMIT as one text, one round trip. A
// database/sql transaction (RunIn) sends its COMMIT alone once the held
// writes have come back: a round trip more for every command, and one
// during which an opening still holds its tenant's case number, so eight
// clients opening cases queue on it (BENCHMARKS.md, "The commit with the
// last writes").
//
// A held write that fails stops the text before its COMMIT, and a
// COMMIT that fails ends the transaction: either way, as after any
// failure of fn, a panic in it or its context ended, the transaction is
// rolled back. A
// connection whose rollback fails (a context cancelled during a
// statement makes pgx close it) is discarded, never handed back to the
// pool inside a transaction.
//
// conn must be a connection no one else uses meanwhile; a host's
// transaction (WithTx stores) goes through RunIn, whose savepoints this
// does not make.
func RunCommitting(conn bun.Conn, newTx func(bun.IDB) *Tx) InTxFunc {
	return func(ctx context.Context, fn func(context.Context, *Tx) error) (err error) {
		if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
			return err
		}
		t := newTx(conn)
		defer t.releaseSlot() // once the transaction has ended, below
		committed := false
		defer func() {
			if !committed {
				rollback(ctx, conn)
			}
		}()
		run := func() error {
			if err := fn(ctx, t); err != nil {
				return err
			}
			// As database/sql's Commit: a command whose context has ended
			// commits nothing, whichever driver would still send the text.
			return ctx.Err()
		}
		if err := t.holding(ctx, run, "COMMIT"); err != nil {
			return err
		}
		committed = true
		return nil
	}
}

// rollbackTimeout bounds the ROLLBACK of a transaction whose command
// failed: a server that does not answer in that time is taken for gone,
// and its connection dropped.
const rollbackTimeout = 5 * time.Second

// rollback ends conn's transaction, whatever state the failure left it
// in (aborted, or already ended by a failed COMMIT, where PostgreSQL only
// warns), under a context of its own: the command's may be what was
// cancelled. A connection it cannot roll back is discarded: database/sql
// closes a connection whose Raw returns driver.ErrBadConn.
func rollback(ctx context.Context, conn bun.Conn) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}
