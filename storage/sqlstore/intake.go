package sqlstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/store"
)

type intakeRow struct {
	bun.BaseModel `bun:"table:intake,alias:ik"`

	Key        string    `bun:"key,pk"`
	CaseID     string    `bun:"case_id"`
	RemoteAddr string    `bun:"remote_addr"`
	At         time.Time `bun:"at"`
	Junk       bool      `bun:"junk"`
	Reason     string    `bun:"reason"`
}

// InsertIntake implements store.Tx.
func (t *Tx) InsertIntake(ctx context.Context, r store.IntakeRecord) error {
	_, err := t.ins(&intakeRow{Key: r.Key, CaseID: r.CaseID, RemoteAddr: r.RemoteAddr, At: r.At.UTC(), Junk: r.Junk, Reason: r.Reason}, "intake").Exec(ctx)
	return t.err(err, "insert intake")
}

// IntakeByKey implements store.Tx.
func (t *Tx) IntakeByKey(ctx context.Context, key string) (*store.IntakeRecord, error) {
	var r intakeRow
	if err := t.sel(&r, "intake", "ik").Where("ik.key = ?", key).Scan(ctx); err != nil {
		return nil, t.err(err, "intake")
	}
	return &store.IntakeRecord{Key: r.Key, CaseID: r.CaseID, RemoteAddr: r.RemoteAddr, At: r.At.UTC(), Junk: r.Junk, Reason: r.Reason}, nil
}

// CountIntakeOpened implements store.Tx: one upsert on the address's
// row, which PostgreSQL locks until the transaction ends (SQLite's
// transactions run one at a time anyway).
func (t *Tx) CountIntakeOpened(ctx context.Context, addr string, hour time.Time) (int, error) {
	var n int
	err := t.db.NewRaw(`INSERT INTO ?.intake_rate AS r (remote_addr, hour, opened) VALUES (?, ?, 1)
		ON CONFLICT (remote_addr) DO UPDATE SET
			opened = CASE WHEN r.hour = excluded.hour THEN r.opened + 1 ELSE 1 END,
			hour = excluded.hour
		RETURNING opened`, t.schema, addr, hour.Unix()).Scan(ctx, &n)
	return n, t.err(err, "count intake")
}
