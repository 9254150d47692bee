package sqlstore

import (
	"casekit.dev/casekit/store"
	"context"
	"database/sql"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
)

// idempotencyRow is one store.IdempotencyRecord.
type idempotencyRow struct {
	bun.BaseModel `bun:"table:idempotency,alias:ip"`

	Key         string            `bun:"key,pk"`
	Fingerprint string            `bun:"fingerprint"`
	Status      int               `bun:"status"`
	Header      map[string]string `bun:"header,type:json"`
	Body        string            `bun:"body"`
	CreatedAt   time.Time         `bun:"created_at"`
	ExpiresAt   time.Time         `bun:"expires_at"`
}

// InsertIdempotency implements store.Tx: expired rows go first, so the
// key's insert meets only a live holder, whose primary key refuses it.
func (t *Tx) InsertIdempotency(ctx context.Context, r store.IdempotencyRecord) error {
	if _, err := t.db.NewRaw("DELETE FROM ?.idempotency WHERE expires_at <= ?", t.schema, r.CreatedAt.UTC()).Exec(ctx); err != nil {
		return t.err(err, "expire idempotency keys")
	}
	_, err := t.ins(idempotencyFrom(r), "idempotency").Exec(ctx)
	return t.err(err, "insert idempotency key")
}

// IdempotencyByKey implements store.Tx.
func (t *Tx) IdempotencyByKey(ctx context.Context, key string, now time.Time) (*store.IdempotencyRecord, error) {
	var r idempotencyRow
	if err := t.sel(&r, "idempotency", "ip").Where("ip.key = ? AND ip.expires_at > ?", key, now.UTC()).Scan(ctx); err != nil {
		return nil, t.err(err, "idempotency key")
	}
	return &store.IdempotencyRecord{Key: r.Key, Fingerprint: r.Fingerprint, Status: r.Status, Header: r.Header,
		Body: []byte(r.Body), CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}, nil
}

// FinishIdempotency implements store.Tx.
func (t *Tx) FinishIdempotency(ctx context.Context, r store.IdempotencyRecord) error {
	var (
		res sql.Result
		err error
	)
	if r.Status == 0 {
		res, err = t.db.NewRaw("DELETE FROM ?.idempotency WHERE key = ?", t.schema, r.Key).Exec(ctx)
	} else {
		res, err = t.db.NewUpdate().Model(idempotencyFrom(r)).ModelTableExpr("?.idempotency AS ip", t.schema).
			Column("status", "header", "body").WherePK().Exec(ctx)
	}
	if err != nil {
		return t.err(err, "finish idempotency key")
	}
	return affected(res, casekit.ErrNotFound)
}

// idempotencyFrom is the row of r, with an empty header rather than none.
func idempotencyFrom(r store.IdempotencyRecord) *idempotencyRow {
	h := r.Header
	if h == nil {
		h = map[string]string{}
	}
	return &idempotencyRow{Key: r.Key, Fingerprint: r.Fingerprint, Status: r.Status, Header: h, Body: string(r.Body),
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}
}
