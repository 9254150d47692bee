package sqlstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
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

// InsertCaseLink implements store.Tx.
func (t *Tx) InsertCaseLink(ctx context.Context, l casetype.CaseLink) error {
	r := &caseLinkRow{ID: l.ID, Kind: string(l.Kind), FromID: l.FromID, ToID: l.ToID, CreatedBy: l.CreatedBy.String(), CreatedAt: l.CreatedAt.UTC()}
	_, err := t.ins(r, "case_links").Exec(ctx)
	return t.err(err, "insert case link")
}

// CaseLinks implements store.Tx.
func (t *Tx) CaseLinks(ctx context.Context, caseID string) ([]casetype.CaseLink, error) {
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
	out := make([]casetype.CaseLink, 0, len(rows))
	for _, r := range rows {
		by, err := casetype.ParseActor(r.CreatedBy)
		if err != nil {
			return nil, err
		}
		out = append(out, casetype.CaseLink{ID: r.ID, Kind: casetype.LinkKind(r.Kind), FromID: r.FromID, ToID: r.ToID, CreatedBy: by, CreatedAt: r.CreatedAt.UTC()})
	}
	// Oldest first; IDs are UUIDv7, so they break ties in creation order.
	slices.SortFunc(out, func(a, b casetype.CaseLink) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// DeleteCaseLink implements store.Tx.
func (t *Tx) DeleteCaseLink(ctx context.Context, id string) error {
	res, err := t.db.NewRaw("DELETE FROM ?.case_links WHERE id = ?", t.schema, id).Exec(ctx)
	if err != nil {
		return t.err(err, "delete case link")
	}
	return affected(res, casetype.ErrNotFound)
}

// MoveCaseContent implements store.Tx.
func (t *Tx) MoveCaseContent(ctx context.Context, fromID, toID string) (casetype.Merged, error) {
	var m casetype.Merged
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
