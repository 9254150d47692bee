package sqlstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
)

// The mail conversation's tables (migration 17): the tenant's mail
// settings, the cases' reply tokens and the acknowledgements sent.

type mailSettingsRow struct {
	bun.BaseModel `bun:"table:mail_settings,alias:ms"`

	ID  int                   `bun:"id,pk"`
	Doc casetype.MailSettings `bun:"doc,type:json"`
}

type replyTokenRow struct {
	bun.BaseModel `bun:"table:reply_tokens,alias:rt"`

	Token     string     `bun:"token,pk"`
	CaseID    string     `bun:"case_id"`
	CreatedAt time.Time  `bun:"created_at"`
	RevokedAt *time.Time `bun:"revoked_at"`
}

func (r replyTokenRow) token() casetype.ReplyToken {
	t := casetype.ReplyToken{Token: r.Token, CaseID: r.CaseID, CreatedAt: r.CreatedAt.UTC()}
	if r.RevokedAt != nil {
		at := r.RevokedAt.UTC()
		t.RevokedAt = &at
	}
	return t
}

type mailAckRow struct {
	bun.BaseModel `bun:"table:mail_acks,alias:ma"`

	Address string    `bun:"address"`
	At      time.Time `bun:"at"`
}

// MailSettings implements store.Tx.
func (t *Tx) MailSettings(ctx context.Context) (casetype.MailSettings, error) {
	var r mailSettingsRow
	if err := t.sel(&r, "mail_settings", "ms").Where("ms.id = 1").Scan(ctx); err != nil {
		return casetype.MailSettings{}, t.err(err, "mail settings")
	}
	return r.Doc, nil
}

// SaveMailSettings implements store.Tx.
func (t *Tx) SaveMailSettings(ctx context.Context, s casetype.MailSettings) error {
	_, err := t.upsert(t.ins(&mailSettingsRow{ID: 1, Doc: s}, "mail_settings"), "id", "doc").Exec(ctx)
	return t.err(err, "save mail settings")
}

// InsertReplyToken implements store.Tx.
func (t *Tx) InsertReplyToken(ctx context.Context, r casetype.ReplyToken) error {
	_, err := t.ins(&replyTokenRow{Token: r.Token, CaseID: r.CaseID, CreatedAt: r.CreatedAt.UTC()}, "reply_tokens").Exec(ctx)
	return t.err(err, "insert reply token")
}

// ReplyTokens implements store.Tx.
func (t *Tx) ReplyTokens(ctx context.Context, caseID string) ([]casetype.ReplyToken, error) {
	var rows []replyTokenRow
	if err := t.sel(&rows, "reply_tokens", "rt").Where("rt.case_id = ?", caseID).OrderExpr("rt.created_at, rt.token").Scan(ctx); err != nil {
		return nil, t.err(err, "reply tokens")
	}
	out := make([]casetype.ReplyToken, len(rows))
	for i, r := range rows {
		out[i] = r.token()
	}
	return out, nil
}

// ReplyTokenByToken implements store.Tx.
func (t *Tx) ReplyTokenByToken(ctx context.Context, token string) (*casetype.ReplyToken, error) {
	var r replyTokenRow
	if err := t.sel(&r, "reply_tokens", "rt").Where("rt.token = ?", token).Scan(ctx); err != nil {
		return nil, t.err(err, "reply token")
	}
	out := r.token()
	return &out, nil
}

// RevokeReplyTokens implements store.Tx.
func (t *Tx) RevokeReplyTokens(ctx context.Context, caseID string, at time.Time) (int, error) {
	res, err := t.db.NewRaw("UPDATE ?.reply_tokens SET revoked_at = ? WHERE case_id = ? AND revoked_at IS NULL",
		t.schema, at.UTC(), caseID).Exec(ctx)
	if err != nil {
		return 0, t.err(err, "revoke reply tokens")
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// InsertMailAck implements store.Tx.
func (t *Tx) InsertMailAck(ctx context.Context, addr string, at time.Time) error {
	_, err := t.ins(&mailAckRow{Address: addr, At: at.UTC()}, "mail_acks").Exec(ctx)
	return t.err(err, "insert mail acknowledgement")
}

// CountMailAcks implements store.Tx.
func (t *Tx) CountMailAcks(ctx context.Context, addr string, since time.Time) (int, error) {
	n, err := t.sel((*mailAckRow)(nil), "mail_acks", "ma").Where("ma.address = ? AND ma.at >= ?", addr, since.UTC()).Count(ctx)
	return int(n), t.err(err, "count mail acknowledgements")
}

// DeleteMailAcks implements store.Tx.
func (t *Tx) DeleteMailAcks(ctx context.Context, before time.Time) error {
	_, err := t.db.NewRaw("DELETE FROM ?.mail_acks WHERE at < ?", t.schema, before.UTC()).Exec(ctx)
	return t.err(err, "delete mail acknowledgements")
}
