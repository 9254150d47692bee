package sqlstore

import (
	"context"

	"casekit.dev/casekit/casetype"
)

// InsertActivity implements store.Tx.
func (t *Tx) InsertActivity(ctx context.Context, a *casetype.Activity) error {
	_, err := t.ins(activityRowOf(a), "activities").Exec(ctx)
	return t.err(err, "insert activity")
}

// Activity implements store.Tx.
func (t *Tx) Activity(ctx context.Context, id string) (*casetype.Activity, error) {
	var r activityRow
	if err := t.sel(&r, "activities", "a").Where("a.id = ?", id).Scan(ctx); err != nil {
		return nil, t.err(err, "activity")
	}
	return r.domain()
}

// UpdateActivity implements store.Tx.
func (t *Tx) UpdateActivity(ctx context.Context, a *casetype.Activity) error {
	res, err := t.db.NewUpdate().Model(activityRowOf(a)).ModelTableExpr("?.activities AS a", t.schema).
		ExcludeColumn("id", "case_id", "created_by", "created_at").WherePK().Exec(ctx)
	if err != nil {
		return t.err(err, "update activity")
	}
	return affected(res, casetype.ErrNotFound)
}

// Activities implements store.Tx.
func (t *Tx) Activities(ctx context.Context, caseID string) ([]*casetype.Activity, error) {
	var rows []activityRow
	if err := prep(t, t.sel(&rows, "activities", "a").Where("a.case_id = ?", caseID).OrderExpr("a.id")).Scan(ctx); err != nil {
		return nil, t.err(err, "activities")
	}
	out := make([]*casetype.Activity, len(rows))
	for i := range rows {
		a, err := rows[i].domain()
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}
