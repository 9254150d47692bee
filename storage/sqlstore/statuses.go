package sqlstore

import (
	"context"

	"casekit.dev/casekit"
)

// Statuses implements casekit.Tx.
func (t *Tx) Statuses(ctx context.Context) ([]casekit.Status, error) {
	var rows []statusRow
	if err := t.sel(&rows, "statuses", "s").OrderExpr("s.sort_order, s.key").Scan(ctx); err != nil {
		return nil, t.err(err, "statuses")
	}
	out := make([]casekit.Status, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// Transitions implements casekit.Tx.
func (t *Tx) Transitions(ctx context.Context) ([]casekit.Transition, error) {
	var rows []transitionRow
	if err := t.sel(&rows, "transitions", "t").OrderExpr("t.from_status, t.to_status").Scan(ctx); err != nil {
		return nil, t.err(err, "transitions")
	}
	out := make([]casekit.Transition, len(rows))
	for i, r := range rows {
		out[i] = casekit.Transition{From: r.From, To: r.To}
	}
	return out, nil
}

// ReplaceStatuses implements casekit.Tx.
func (t *Tx) ReplaceStatuses(ctx context.Context, statuses []casekit.Status, transitions []casekit.Transition) error {
	for _, table := range []string{"transitions", "statuses"} {
		if _, err := t.db.NewRaw("DELETE FROM ?."+table, t.schema).Exec(ctx); err != nil {
			return t.err(err, "replace statuses")
		}
	}
	if len(statuses) > 0 {
		rows := make([]statusRow, len(statuses))
		for i, s := range statuses {
			rows[i] = statusRowOf(s)
		}
		if _, err := t.ins(&rows, "statuses").Exec(ctx); err != nil {
			return t.err(err, "insert statuses")
		}
	}
	if len(transitions) > 0 {
		rows := make([]transitionRow, 0, len(transitions))
		seen := map[casekit.Transition]bool{}
		for _, tr := range transitions {
			if !seen[tr] {
				seen[tr] = true
				rows = append(rows, transitionRow{From: tr.From, To: tr.To})
			}
		}
		if _, err := t.ins(&rows, "transitions").Exec(ctx); err != nil {
			return t.err(err, "insert transitions")
		}
	}
	return nil
}
