package sqlstore

import (
	"context"
	"strings"

	"casekit.dev/casekit/casetype"
	"github.com/uptrace/bun"
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

// SaveLookup implements store.Tx: SaveLookups of one, whose statements
// are the same (a priority's old rank read, the upsert, its cases'
// ranks rewritten when the rank changed).
func (t *Tx) SaveLookup(ctx context.Context, l casetype.Lookup) error {
	return t.SaveLookups(ctx, []casetype.Lookup{l})
}

// SaveLookups implements store.Tx with one upsert of the rows and, when
// priorities are among them, one read of their ranks before and one
// rewrite of the ranks of the cases of those whose rank changed, where
// SaveLookup takes three statements a priority and one for every other
// lookup; each statement costs its parse, plan and executor start, one
// over cases a plan against every index of it (BENCHMARKS.md,
// "Provisioning: the rows a new tenant does not need").
func (t *Tx) SaveLookups(ctx context.Context, ls []casetype.Lookup) error {
	type kindKey struct{ kind, key string }
	at := map[kindKey]int{} // each kind and key to its row in rows
	var rows []lookupRow
	var priorities []string
	for _, l := range ls {
		r := lookupRow{Kind: string(l.Kind), Key: l.Key, Label: l.Label, Rank: l.Rank, Action: l.Action, Disabled: l.Disabled}
		if i, ok := at[kindKey{r.Kind, r.Key}]; ok {
			rows[i] = r // saved in order, the later wins
			continue
		}
		at[kindKey{r.Kind, r.Key}] = len(rows)
		rows = append(rows, r)
		if l.Kind == casetype.LookupPriority {
			priorities = append(priorities, l.Key)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	var old []lookupRow
	if len(priorities) > 0 {
		err := t.db.NewRaw("SELECT key, rank FROM ?.lookups WHERE kind = ? AND key IN (?)",
			t.schema, string(casetype.LookupPriority), bun.In(priorities)).Scan(ctx, &old)
		if err != nil {
			return t.err(err, "save lookups")
		}
	}
	err := t.write(ctx, t.upsert(t.ins(&rows, "lookups"), "kind, key", "label", "rank", "action", "disabled"))
	if err != nil {
		return t.err(err, "save lookups")
	}
	was := map[string]int{}
	for _, o := range old {
		was[o.Key] = o.Rank
	}
	var ranks []any
	var changed []string
	for _, key := range priorities {
		rank := rows[at[kindKey{string(casetype.LookupPriority), key}]].Rank
		if r, ok := was[key]; !ok || r != rank {
			ranks = append(ranks, key, rank)
			changed = append(changed, key)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	set := "CASE priority" + strings.Repeat(" WHEN ? THEN ?", len(changed)) + " END"
	err = t.write(ctx, t.db.NewRaw("UPDATE ?.cases SET priority_rank = "+set+" WHERE priority IN (?)",
		append(append([]any{t.schema}, ranks...), bun.In(changed))...))
	return t.err(err, "rank the priorities' cases")
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
