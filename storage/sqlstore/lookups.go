package sqlstore

import (
	"context"

	"casekit.dev/casekit/casetype"
)

// Lookups implements store.Tx.
func (t *Tx) Lookups(ctx context.Context, kind casetype.LookupKind) ([]casetype.Lookup, error) {
	var rows []lookupRow
	if err := t.sel(&rows, "lookups", "l").Where("l.kind = ?", string(kind)).OrderExpr("l.rank, l.key").Scan(ctx); err != nil {
		return nil, t.err(err, "lookups")
	}
	out := make([]casetype.Lookup, len(rows))
	for i, r := range rows {
		out[i] = casetype.Lookup{Kind: casetype.LookupKind(r.Kind), Key: r.Key, Label: r.Label, Rank: r.Rank, Action: r.Action, Disabled: r.Disabled}
	}
	return out, nil
}

// SaveLookup implements store.Tx.
func (t *Tx) SaveLookup(ctx context.Context, l casetype.Lookup) error {
	var old []int
	if l.Kind == casetype.LookupPriority {
		err := t.db.NewRaw("SELECT rank FROM ?.lookups WHERE kind = ? AND key = ?", t.schema, string(l.Kind), l.Key).Scan(ctx, &old)
		if err != nil {
			return t.err(err, "save lookup")
		}
	}
	r := &lookupRow{Kind: string(l.Kind), Key: l.Key, Label: l.Label, Rank: l.Rank, Action: l.Action, Disabled: l.Disabled}
	err := t.write(ctx, t.upsert(t.ins(r, "lookups"), "kind, key", "label", "rank", "action", "disabled"))
	if err != nil {
		return t.err(err, "save lookup")
	}
	if l.Kind == casetype.LookupPriority && (len(old) == 0 || old[0] != l.Rank) {
		return t.rerank(ctx, l.Key, l.Rank)
	}
	return nil
}

// rerank sets the priority rank kept on every case of priority key (see
// rankSQL): a rank change rewrites that priority's cases, all in this
// transaction.
func (t *Tx) rerank(ctx context.Context, key string, rank int) error {
	err := t.write(ctx, t.db.NewRaw("UPDATE ?.cases SET priority_rank = ? WHERE priority = ?", t.schema, rank, key))
	return t.err(err, "rank the priority's cases")
}

// DeleteLookup implements store.Tx.
func (t *Tx) DeleteLookup(ctx context.Context, kind casetype.LookupKind, key string) error {
	res, err := t.db.NewRaw("DELETE FROM ?.lookups WHERE kind = ? AND key = ?", t.schema, string(kind), key).Exec(ctx)
	if err != nil {
		return t.err(err, "delete lookup")
	}
	if err := affected(res, casetype.ErrNotFound); err != nil || kind != casetype.LookupPriority {
		return err
	}
	return t.rerank(ctx, key, unrankedPriority)
}
