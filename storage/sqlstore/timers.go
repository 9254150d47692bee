package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// timerDomain is the timer a row holds.
func timerDomain(r timerRow) casetype.Timer {
	t := casetype.Timer{ID: r.ID, CaseID: r.CaseID, Kind: casetype.TimerKind(r.Kind), Key: r.Key,
		Due: time.UnixMicro(r.DueUS).UTC(), Attempts: r.Attempts, LastError: r.LastError, Dead: r.Dead}
	if r.SinceUS != 0 {
		t.Since = time.UnixMicro(r.SinceUS).UTC()
	}
	return t
}

// Micros returns t as the Unix microseconds timers are stored in.
func Micros(t time.Time) int64 { return t.UnixMicro() }

// The queues of work a tenant keeps for Kit.Run: each has its table and a
// store-wide wakeup per tenant.
const (
	QueueTimers = "timer"
	QueueOutbox = "outbox"
)

// queueTable is the tenant table holding a queue's rows.
var queueTable = map[string]string{QueueTimers: "timers", QueueOutbox: "outbox"}

// OnWake makes the Tx call fn, in the same transaction, whenever it writes
// work due at some time to a queue (QueueTimers or QueueOutbox), with the
// earliest due time written: the store records there that the tenant has
// work due then.
func (t *Tx) OnWake(fn func(ctx context.Context, queue string, due time.Time) error) *Tx {
	t.onWake = fn
	return t
}

func (t *Tx) wake(ctx context.Context, queue string, due time.Time) error {
	if t.onWake == nil {
		return nil
	}
	if err := t.onWake(ctx, queue, due); err != nil {
		return fmt.Errorf("%s wakeup: %w", queue, err)
	}
	return nil
}

// CaseTimers implements store.Tx.
func (t *Tx) CaseTimers(ctx context.Context, caseID string) ([]casetype.Timer, error) {
	var rows []timerRow
	if err := prep(t, t.sel(&rows, "timers", "tm").Where("tm.case_id = ?", caseID).OrderExpr("tm.due_us, tm.kind, tm.key")).Scan(ctx); err != nil {
		return nil, t.err(err, "case timers")
	}
	out := make([]casetype.Timer, len(rows))
	for i, r := range rows {
		out[i] = timerDomain(r)
	}
	return out, nil
}

// SetCaseTimers implements store.Tx. The old timers go and the new ones
// come in one round trip where the dialect batches (execAll).
func (t *Tx) SetCaseTimers(ctx context.Context, caseID string, timers []casetype.Timer) error {
	clear := t.db.NewRaw("DELETE FROM ?.timers WHERE case_id = ? AND dead = ?", t.schema, caseID, false)
	if len(timers) == 0 {
		return t.err(t.writeAll(ctx, clear), "clear timers")
	}
	rows := make([]timerRow, len(timers))
	earliest := timers[0].Due
	for i, tm := range timers {
		rows[i] = timerRow{ID: tm.ID, CaseID: caseID, Kind: string(tm.Kind), Key: tm.Key, DueUS: Micros(tm.Due)}
		if !tm.Since.IsZero() {
			rows[i].SinceUS = Micros(tm.Since)
		}
		if tm.Due.Before(earliest) {
			earliest = tm.Due
		}
	}
	if err := t.writeAll(ctx, clear, t.ins(&rows, "timers").Returning("")); err != nil {
		return t.err(err, "replace timers")
	}
	return t.wake(ctx, QueueTimers, earliest)
}

// fireBatch is how many due timers of a tenant FireOne considers at once.
const fireBatch = 16

// FireOne fires at most one due timer of the tenant whose store.Tx is tx
// (in the transaction the caller opened), following the lock order every
// command follows: it reads due timers without locking, locks a timer's
// case (on PostgreSQL FOR UPDATE SKIP LOCKED, passing over cases another
// runner or a command holds), then locks the timer and checks it is still
// there and due. The timer is deleted and fn runs on it. It reports
// whether a timer fired and whether any was due at all.
func FireOne(ctx context.Context, tx *Tx, now time.Time, fn func(context.Context, casetype.Timer) error) (fired, due bool, err error) {
	// A batch read without locks goes stale while other runners fire its
	// timers: when every candidate turned out gone, read again, so a
	// runner gives up only when the due timers left are held by runners
	// that will go on after firing theirs.
	for range 64 {
		var rows []timerRow
		err = tx.sel(&rows, "timers", "tm").Where("tm.dead = ?", false).Where("tm.due_us <= ?", Micros(now)).
			OrderExpr("tm.due_us, tm.id").Limit(fireBatch).Scan(ctx)
		if err != nil {
			return false, false, tx.err(err, "due timers")
		}
		if len(rows) == 0 {
			return false, false, nil
		}
		held := false
		for _, r := range rows {
			ok, err := tx.lockCaseSkip(ctx, r.CaseID)
			if err != nil {
				return false, true, err
			}
			if !ok {
				held = true // someone holds the case: a runner or a command
				continue
			}
			var again timerRow
			err = tx.lock(tx.sel(&again, "timers", "tm").Where("tm.id = ?", r.ID).Where("tm.dead = ?", false).
				Where("tm.due_us <= ?", Micros(now)), true).Scan(ctx)
			if errors.Is(err, sql.ErrNoRows) {
				continue // fired or moved by someone else meanwhile
			}
			if err != nil {
				return false, true, tx.err(err, "lock timer")
			}
			// Delete first: fn then sees the case's timers without the one
			// firing, and a failure rolls the deletion back with the rest.
			if _, err := tx.db.NewRaw("DELETE FROM ?.timers WHERE id = ?", tx.schema, again.ID).Exec(ctx); err != nil {
				return false, true, tx.err(err, "delete fired timer")
			}
			if err := fn(ctx, timerDomain(again)); err != nil {
				return false, true, err
			}
			return true, true, nil
		}
		if held {
			return false, true, nil
		}
	}
	return false, true, nil
}

// lockCaseSkip locks a case for the rest of the transaction unless another
// transaction holds it (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite runs
// one write transaction at a time). It reports false when the case is
// held by someone else or gone.
func (t *Tx) lockCaseSkip(ctx context.Context, id string) (bool, error) {
	q := t.db.NewSelect().TableExpr("?.cases AS c", t.schema).Column("c.id").Where("c.id = ?", id)
	var got string
	err := t.dialect.LockRows(q, Lock{SkipLocked: true}).Scan(ctx, &got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, t.err(err, "lock case")
}

// PutOff records a failed firing of timer id on tx: one more attempt, the
// error, and the new due time, or dead when retry is the zero time.
func PutOff(ctx context.Context, tx *Tx, id string, attempts int, failure error, retry time.Time) error {
	q := tx.db.NewRaw("UPDATE ?.timers SET attempts = ?, last_error = ?, due_us = ?, dead = ? WHERE id = ?",
		tx.schema, attempts, truncate(failure.Error(), 2000), Micros(retry), retry.IsZero(), id)
	if retry.IsZero() {
		q = tx.db.NewRaw("UPDATE ?.timers SET attempts = ?, last_error = ?, dead = ? WHERE id = ?",
			tx.schema, attempts, truncate(failure.Error(), 2000), true, id)
	}
	_, err := q.Exec(ctx)
	return tx.err(err, "put off timer")
}

// NextDue returns the earliest due time of the rows of a queue
// (QueueTimers or QueueOutbox) that are not dead, and false when there are
// none.
func NextDue(ctx context.Context, tx *Tx, queue string) (time.Time, bool, error) {
	var v sql.NullInt64
	err := tx.db.NewRaw("SELECT MIN(due_us) FROM ?."+queueTable[queue]+" WHERE dead = ?", tx.schema, false).Scan(ctx, &v)
	if err != nil {
		return time.Time{}, false, tx.err(err, "next timer")
	}
	if !v.Valid {
		return time.Time{}, false, nil
	}
	return time.UnixMicro(v.Int64).UTC(), true, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// FireFunc is what casekit runs on a fired timer (store.Store.FireTimer's
// fn).
type FireFunc = func(ctx context.Context, tenant string, tx store.Tx, t casetype.Timer) error

// FireIn fires at most one due timer of tenant: FireOne in a transaction
// that inTx opens, and, when fn fails, PutOff in a second one, returning
// fn's error with the timer it was about. It reports whether a timer fired
// and whether any was due.
func FireIn(ctx context.Context, tenant string, inTx InTxFunc,
	now time.Time, fn FireFunc, retryAt func(int) time.Time) (fired, due bool, err error) {
	var (
		failed *casetype.Timer
		cause  error
	)
	err = inTx(ctx, func(ctx context.Context, tx *Tx) error {
		var err error
		fired, due, err = FireOne(ctx, tx, now, func(ctx context.Context, t casetype.Timer) error {
			if err := fn(ctx, tenant, tx, t); err != nil {
				failed, cause = &t, err
				return err
			}
			return nil
		})
		return err
	})
	if failed == nil {
		return fired, due, err
	}
	perr := inTx(ctx, func(ctx context.Context, tx *Tx) error {
		return PutOff(ctx, tx, failed.ID, failed.Attempts+1, cause, retryAt(failed.Attempts+1))
	})
	return false, true, errors.Join(fmt.Errorf("timer %s (%s) of case %s: %w", failed.ID, failed.Kind, failed.CaseID, cause), perr)
}
