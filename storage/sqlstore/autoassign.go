package sqlstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
)

type availabilityRow struct {
	bun.BaseModel `bun:"table:agent_availability,alias:av"`

	AgentID   string    `bun:"agent_id,pk"`
	Available bool      `bun:"available"`
	Capacity  *int      `bun:"capacity"`
	UpdatedAt time.Time `bun:"updated_at"`
}

type assignCursorRow struct {
	bun.BaseModel `bun:"table:assign_cursors,alias:ac"`

	QueueID string `bun:"queue_id,pk"`
	AgentID string `bun:"agent_id"`
}

// LockAssigning implements store.Tx. It locks the counters row
// 'assign_lock' (migration 25) FOR UPDATE; on PostgreSQL, at read
// committed, the cursors are read by a statement after the lock was
// granted, so they include what the transaction that held it before
// committed.
func (t *Tx) LockAssigning(ctx context.Context) (map[string]string, error) {
	var v int64
	q := t.db.NewSelect().ColumnExpr("value").TableExpr("?.counters", t.schema).Where("name = 'assign_lock'")
	if err := t.dialect.LockRows(q, Lock{}).Scan(ctx, &v); err != nil {
		return nil, t.err(err, "assignment lock")
	}
	var rows []assignCursorRow
	if err := t.sel(&rows, "assign_cursors", "ac").Scan(ctx); err != nil {
		return nil, t.err(err, "assignment cursors")
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.QueueID] = r.AgentID
	}
	return out, nil
}

// SetAssignCursor implements store.Tx.
func (t *Tx) SetAssignCursor(ctx context.Context, queueID, agentID string) error {
	_, err := t.upsert(t.ins(&assignCursorRow{QueueID: queueID, AgentID: agentID}, "assign_cursors"), "queue_id", "agent_id").Exec(ctx)
	return t.err(err, "set assignment cursor")
}

// OpenAssigned implements store.Tx, on cases_assignee_status_idx.
func (t *Tx) OpenAssigned(ctx context.Context, agents, statuses []string) (map[string]int, error) {
	out := map[string]int{}
	if len(agents) == 0 || len(statuses) == 0 {
		return out, nil
	}
	var rows []struct {
		AssigneeID string `bun:"assignee_id"`
		N          int    `bun:"n"`
	}
	err := t.db.NewSelect().ColumnExpr("c.assignee_id, COUNT(*) AS n").TableExpr("?.cases AS c", t.schema).
		Where("c.assignee_id IN (?)", bun.In(agents)).Where("c.status IN (?)", bun.In(statuses)).
		GroupExpr("c.assignee_id").Scan(ctx, &rows)
	if err != nil {
		return nil, t.err(err, "open assigned cases")
	}
	for _, r := range rows {
		out[r.AssigneeID] = r.N
	}
	return out, nil
}

// Availabilities implements store.Tx.
func (t *Tx) Availabilities(ctx context.Context, agents []string) ([]casetype.Availability, error) {
	if agents != nil && len(agents) == 0 {
		return nil, nil
	}
	var rows []availabilityRow
	q := t.sel(&rows, "agent_availability", "av").OrderExpr("av.agent_id")
	if agents != nil {
		q = q.Where("av.agent_id IN (?)", bun.In(agents))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, t.err(err, "availabilities")
	}
	out := make([]casetype.Availability, len(rows))
	for i, r := range rows {
		out[i] = casetype.Availability{AgentID: r.AgentID, Available: r.Available, Capacity: r.Capacity, UpdatedAt: r.UpdatedAt.UTC()}
	}
	return out, nil
}

// SaveAvailability implements store.Tx.
func (t *Tx) SaveAvailability(ctx context.Context, a casetype.Availability) error {
	r := &availabilityRow{AgentID: a.AgentID, Available: a.Available, Capacity: a.Capacity, UpdatedAt: a.UpdatedAt.UTC()}
	_, err := t.upsert(t.ins(r, "agent_availability"), "agent_id", "available", "capacity", "updated_at").Exec(ctx)
	return t.err(err, "save availability")
}
