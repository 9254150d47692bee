package sqlstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
)

type portalLinkRow struct {
	bun.BaseModel `bun:"table:portal_links,alias:pl"`

	ID        string     `bun:"id,pk"`
	CaseID    string     `bun:"case_id"`
	TokenHash string     `bun:"token_hash"`
	CreatedBy string     `bun:"created_by"`
	CreatedAt time.Time  `bun:"created_at"`
	ExpiresAt time.Time  `bun:"expires_at"`
	RevokedAt *time.Time `bun:"revoked_at"`
	// Verifies came with migration 17.
	Verifies string `bun:"verifies"`
}

func (r portalLinkRow) link() (casetype.PortalLink, error) {
	by, err := casetype.ParseActor(r.CreatedBy)
	if err != nil {
		return casetype.PortalLink{}, err
	}
	l := casetype.PortalLink{ID: r.ID, CaseID: r.CaseID, CreatedBy: by, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), Verifies: r.Verifies}
	if r.RevokedAt != nil {
		at := r.RevokedAt.UTC()
		l.RevokedAt = &at
	}
	return l, nil
}

// InsertPortalLink implements store.Tx.
func (t *Tx) InsertPortalLink(ctx context.Context, l casetype.PortalLink, tokenHash string) error {
	_, err := t.ins(&portalLinkRow{ID: l.ID, CaseID: l.CaseID, TokenHash: tokenHash, CreatedBy: l.CreatedBy.String(),
		CreatedAt: l.CreatedAt.UTC(), ExpiresAt: l.ExpiresAt.UTC(), Verifies: l.Verifies}, "portal_links").Exec(ctx)
	return t.err(err, "insert portal link")
}

// PortalLinks implements store.Tx.
func (t *Tx) PortalLinks(ctx context.Context, caseID string) ([]casetype.PortalLink, error) {
	var rows []portalLinkRow
	if err := t.sel(&rows, "portal_links", "pl").Where("pl.case_id = ?", caseID).OrderExpr("pl.created_at, pl.id").Scan(ctx); err != nil {
		return nil, t.err(err, "portal links")
	}
	out := make([]casetype.PortalLink, len(rows))
	for i, r := range rows {
		l, err := r.link()
		if err != nil {
			return nil, err
		}
		out[i] = l
	}
	return out, nil
}

// PortalLinkByHash implements store.Tx.
func (t *Tx) PortalLinkByHash(ctx context.Context, tokenHash string) (*casetype.PortalLink, error) {
	var r portalLinkRow
	if err := t.sel(&r, "portal_links", "pl").Where("pl.token_hash = ?", tokenHash).Scan(ctx); err != nil {
		return nil, t.err(err, "portal link")
	}
	l, err := r.link()
	return &l, err
}

// RevokePortalLink implements store.Tx.
func (t *Tx) RevokePortalLink(ctx context.Context, caseID, id string, at time.Time) error {
	res, err := t.db.NewRaw("UPDATE ?.portal_links SET revoked_at = ? WHERE case_id = ? AND id = ? AND revoked_at IS NULL",
		t.schema, at.UTC(), caseID, id).Exec(ctx)
	if err != nil {
		return t.err(err, "revoke portal link")
	}
	return affected(res, casetype.ErrNotFound)
}
