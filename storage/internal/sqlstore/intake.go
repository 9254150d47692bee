package sqlstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
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

// InsertIntake implements casekit.Tx.
func (t *Tx) InsertIntake(ctx context.Context, r casekit.IntakeRecord) error {
	_, err := t.ins(&intakeRow{Key: r.Key, CaseID: r.CaseID, RemoteAddr: r.RemoteAddr, At: r.At.UTC(), Junk: r.Junk, Reason: r.Reason}, "intake").Exec(ctx)
	return t.err(err, "insert intake")
}

// IntakeByKey implements casekit.Tx.
func (t *Tx) IntakeByKey(ctx context.Context, key string) (*casekit.IntakeRecord, error) {
	var r intakeRow
	if err := t.sel(&r, "intake", "ik").Where("ik.key = ?", key).Scan(ctx); err != nil {
		return nil, t.err(err, "intake")
	}
	return &casekit.IntakeRecord{Key: r.Key, CaseID: r.CaseID, RemoteAddr: r.RemoteAddr, At: r.At.UTC(), Junk: r.Junk, Reason: r.Reason}, nil
}

// CountIntake implements casekit.Tx.
func (t *Tx) CountIntake(ctx context.Context, addr string, since time.Time) (int, error) {
	n, err := t.sel((*intakeRow)(nil), "intake", "ik").Where("ik.remote_addr = ? AND ik.at >= ?", addr, since.UTC()).Count(ctx)
	return int(n), t.err(err, "count intake")
}
