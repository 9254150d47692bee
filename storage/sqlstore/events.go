package sqlstore

import (
	"context"

	"casekit.dev/casekit"
)

// AppendEvents implements casekit.Tx.
func (t *Tx) AppendEvents(ctx context.Context, events ...casekit.Event) error {
	if len(events) == 0 {
		return nil
	}
	rows := make([]eventRow, len(events))
	for i, e := range events {
		rows[i] = eventRow{ID: e.ID, CaseID: e.CaseID, CaseNumber: e.CaseNumber, Type: string(e.Type), Actor: e.Actor.String(), At: e.At.UTC(), Data: e.Data}
	}
	_, err := t.ins(&rows, "events").ExcludeColumn("seq").Exec(ctx)
	return t.err(err, "append events")
}

// Events implements casekit.Tx.
func (t *Tx) Events(ctx context.Context, caseID string) ([]casekit.Event, error) {
	var rows []eventRow
	if err := t.sel(&rows, "events", "e").Where("e.case_id = ?", caseID).OrderExpr("e.seq").Scan(ctx); err != nil {
		return nil, t.err(err, "events")
	}
	out := make([]casekit.Event, len(rows))
	for i, r := range rows {
		a, err := casekit.ParseActor(r.Actor)
		if err != nil {
			return nil, err
		}
		out[i] = casekit.Event{ID: r.ID, CaseID: r.CaseID, CaseNumber: r.CaseNumber, Type: casekit.EventType(r.Type), Actor: a, At: r.At.UTC(), Data: r.Data}
	}
	return out, nil
}
