package sqlstore

import (
	"context"

	"casekit.dev/casekit/casetype"
)

// Statuses implements store.Tx.
func (t *Tx) Statuses(ctx context.Context) ([]casetype.Status, error) {
	var rows []statusRow
	if err := t.sel(&rows, "statuses", "s").OrderExpr("s.sort_order, s.key").Scan(ctx); err != nil {
		return nil, t.err(err, "statuses")
	}
	out := make([]casetype.Status, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// Transitions implements store.Tx.
func (t *Tx) Transitions(ctx context.Context) ([]casetype.Transition, error) {
	var rows []transitionRow
	if err := t.sel(&rows, "transitions", "t").OrderExpr("t.from_status, t.to_status").Scan(ctx); err != nil {
		return nil, t.err(err, "transitions")
	}
	out := make([]casetype.Transition, len(rows))
	for i, r := range rows {
		out[i] = casetype.Transition{From: r.From, To: r.To}
	}
	return out, nil
}

// ReplaceStatuses implements store.Tx.
func (t *Tx) ReplaceStatuses(ctx context.Context, statuses []casetype.Status, transitions []casetype.Transition) error {
	for _, table := range []string{"transitions", "statuses"} {
		if err := t.write(ctx, t.db.NewRaw("DELETE FROM ?."+table, t.schema)); err != nil {
			return t.err(err, "replace statuses")
		}
	}
	if len(statuses) > 0 {
		rows := make([]statusRow, len(statuses))
		for i, s := range statuses {
			rows[i] = statusRowOf(s)
		}
		if err := t.write(ctx, t.ins(&rows, "statuses")); err != nil {
			return t.err(err, "insert statuses")
		}
	}
	if len(transitions) > 0 {
		rows := make([]transitionRow, 0, len(transitions))
		seen := map[casetype.Transition]bool{}
		for _, tr := range transitions {
			if !seen[tr] {
				seen[tr] = true
				rows = append(rows, transitionRow{From: tr.From, To: tr.To})
			}
		}
		if err := t.write(ctx, t.ins(&rows, "transitions")); err != nil {
			return t.err(err, "insert transitions")
		}
	}
	return nil
}
