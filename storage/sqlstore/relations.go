package sqlstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
)

type caseLinkRow struct {
	bun.BaseModel `bun:"table:case_links,alias:cl"`

	ID        string    `bun:"id,pk"`
	Kind      string    `bun:"kind"`
	FromID    string    `bun:"from_id"`
	ToID      string    `bun:"to_id"`
	CreatedBy string    `bun:"created_by"`
	CreatedAt time.Time `bun:"created_at"`
}

// InsertCaseLink implements casekit.Tx.
func (t *Tx) InsertCaseLink(ctx context.Context, l casekit.CaseLink) error {
	r := &caseLinkRow{ID: l.ID, Kind: string(l.Kind), FromID: l.FromID, ToID: l.ToID, CreatedBy: l.CreatedBy.String(), CreatedAt: l.CreatedAt.UTC()}
	_, err := t.ins(r, "case_links").Exec(ctx)
	return t.err(err, "insert case link")
}

// CaseLinks implements casekit.Tx.
func (t *Tx) CaseLinks(ctx context.Context, caseID string) ([]casekit.CaseLink, error) {
	var rows []caseLinkRow
	// Two index lookups rather than one OR, so each side uses its index.
	if err := t.sel(&rows, "case_links", "cl").Where("cl.from_id = ?", caseID).Scan(ctx); err != nil {
		return nil, t.err(err, "case links")
	}
	var to []caseLinkRow
	if err := t.sel(&to, "case_links", "cl").Where("cl.to_id = ?", caseID).Scan(ctx); err != nil {
		return nil, t.err(err, "case links")
	}
	rows = append(rows, to...)
	out := make([]casekit.CaseLink, 0, len(rows))
	for _, r := range rows {
		by, err := casekit.ParseActor(r.CreatedBy)
		if err != nil {
			return nil, err
		}
		out = append(out, casekit.CaseLink{ID: r.ID, Kind: casekit.LinkKind(r.Kind), FromID: r.FromID, ToID: r.ToID, CreatedBy: by, CreatedAt: r.CreatedAt.UTC()})
	}
	// Oldest first; IDs are UUIDv7, so they break ties in creation order.
	slices.SortFunc(out, func(a, b casekit.CaseLink) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// DeleteCaseLink implements casekit.Tx.
func (t *Tx) DeleteCaseLink(ctx context.Context, id string) error {
	res, err := t.db.NewRaw("DELETE FROM ?.case_links WHERE id = ?", t.schema, id).Exec(ctx)
	if err != nil {
		return t.err(err, "delete case link")
	}
	return affected(res, casekit.ErrNotFound)
}

// MoveCaseContent implements casekit.Tx.
func (t *Tx) MoveCaseContent(ctx context.Context, fromID, toID string) (casekit.Merged, error) {
	var m casekit.Merged
	for _, step := range []struct {
		table string
		n     *int
	}{{"messages", &m.Messages}, {"activities", &m.Activities}, {"notes", &m.Notes}, {"attachments", nil}} {
		res, err := t.db.NewRaw("UPDATE ?."+step.table+" SET case_id = ? WHERE case_id = ?", t.schema, toID, fromID).Exec(ctx)
		if err != nil {
			return m, t.err(err, "move "+step.table)
		}
		if step.n != nil {
			n, err := res.RowsAffected()
			if err != nil {
				return m, t.err(err, "move "+step.table)
			}
			*step.n = int(n)
		}
	}
	return m, nil
}
