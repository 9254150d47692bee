package sqlstore

import (
	"context"

	"casekit.dev/casekit/casetype"
)

// AppendEvents implements store.Tx.
func (t *Tx) AppendEvents(ctx context.Context, events ...casetype.Event) error {
	if len(events) == 0 {
		return nil
	}
	rows := make([]eventRow, len(events))
	for i, e := range events {
		rows[i] = eventRow{ID: e.ID, CaseID: e.CaseID, CaseNumber: e.CaseNumber, Type: string(e.Type), Actor: e.Actor.String(), At: e.At.UTC(), Data: e.Data}
	}
	_, err := prep(t, t.ins(&rows, "events").ExcludeColumn("seq")).Exec(ctx)
	return t.err(err, "append events")
}

// Events implements store.Tx.
func (t *Tx) Events(ctx context.Context, caseID string) ([]casetype.Event, error) {
	var rows []eventRow
	if err := t.sel(&rows, "events", "e").Where("e.case_id = ?", caseID).OrderExpr("e.seq").Scan(ctx); err != nil {
		return nil, t.err(err, "events")
	}
	out := make([]casetype.Event, len(rows))
	for i, r := range rows {
		a, err := casetype.ParseActor(r.Actor)
		if err != nil {
			return nil, err
		}
		out[i] = casetype.Event{ID: r.ID, CaseID: r.CaseID, CaseNumber: r.CaseNumber, Type: casetype.EventType(r.Type), Actor: a, At: r.At.UTC(), Data: r.Data}
	}
	return out, nil
}
