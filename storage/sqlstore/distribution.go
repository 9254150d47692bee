package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// Teams implements store.Tx.
func (t *Tx) Teams(ctx context.Context) ([]casetype.Team, error) {
	var rows []teamRow
	if err := t.sel(&rows, "teams", "tm").OrderExpr("tm.id").Scan(ctx); err != nil {
		return nil, t.err(err, "teams")
	}
	out := make([]casetype.Team, len(rows))
	for i, r := range rows {
		out[i] = casetype.Team{ID: r.ID, Name: r.Name}
	}
	return out, nil
}

// SaveTeam implements store.Tx.
func (t *Tx) SaveTeam(ctx context.Context, tm casetype.Team) error {
	_, err := t.upsert(t.ins(&teamRow{ID: tm.ID, Name: tm.Name}, "teams"), "id", "name").Exec(ctx)
	return t.err(err, "save team")
}

// DeleteTeam implements store.Tx.
func (t *Tx) DeleteTeam(ctx context.Context, id string) error {
	return t.deleteByID(ctx, "teams", id)
}

// Queues implements store.Tx.
func (t *Tx) Queues(ctx context.Context) ([]casetype.Queue, error) {
	var rows []queueRow
	if err := t.sel(&rows, "queues", "q").OrderExpr("q.id").Scan(ctx); err != nil {
		return nil, t.err(err, "queues")
	}
	out := make([]casetype.Queue, len(rows))
	for i, r := range rows {
		out[i] = casetype.Queue{ID: r.ID, Name: r.Name, TeamID: r.TeamID, SLAID: r.SLAID,
			AssignMode: casetype.AssignMode(r.AssignMode), Capacity: r.Capacity}
	}
	return out, nil
}

// SaveQueue implements store.Tx.
func (t *Tx) SaveQueue(ctx context.Context, q casetype.Queue) error {
	r := &queueRow{ID: q.ID, Name: q.Name, TeamID: q.TeamID, SLAID: q.SLAID, AssignMode: string(q.AssignMode), Capacity: q.Capacity}
	_, err := t.upsert(t.ins(r, "queues"), "id", "name", "team_id", "sla_id", "assign_mode", "capacity").Exec(ctx)
	return t.err(err, "save queue")
}

// DeleteQueue implements store.Tx.
func (t *Tx) DeleteQueue(ctx context.Context, id string) error {
	return t.deleteByID(ctx, "queues", id)
}

func (t *Tx) deleteByID(ctx context.Context, table, id string) error {
	res, err := t.db.NewRaw("DELETE FROM ?."+table+" WHERE id = ?", t.schema, id).Exec(ctx)
	if err != nil {
		return t.err(err, "delete from "+table)
	}
	return affected(res, casetype.ErrNotFound)
}

// NextInQueue implements store.Tx. It asks once per priority, most
// urgent first, so each query is an index range (cases_pick_idx: queue,
// assignee, priority, created_at) read in order, not a sort of the whole
// queue; cases of priorities no longer in the lookup come last. On
// PostgreSQL the row is locked FOR UPDATE SKIP LOCKED, so concurrent
// pickers each get a different case without waiting; SQLite runs one
// write transaction at a time.
func (t *Tx) NextInQueue(ctx context.Context, q store.PickQuery) (*casetype.Case, error) {
	if len(q.Statuses) == 0 {
		return nil, t.err(sql.ErrNoRows, "next in queue")
	}
	for i := 0; i <= len(q.Priorities); i++ {
		var r caseRow
		s := t.sel(&r, "cases", "c").
			Where("c.queue_id = ?", q.QueueID).
			Where("c.assignee_id = ''").
			Where("c.status IN (?)", bun.In(q.Statuses))
		if i < len(q.Priorities) {
			s = s.Where("c.priority = ?", q.Priorities[i])
		} else if len(q.Priorities) > 0 {
			s = s.Where("c.priority NOT IN (?)", bun.In(q.Priorities))
		}
		s = s.OrderExpr("c.created_at, c.id").Limit(1)
		err := t.dialect.LockRows(s, Lock{Of: "c", SkipLocked: true}).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, t.err(err, "next in queue")
		}
		return caseDomain(&r)
	}
	return nil, t.err(sql.ErrNoRows, "next in queue")
}

// Calendars implements store.Tx.
func (t *Tx) Calendars(ctx context.Context) ([]casetype.Calendar, error) {
	var rows []calendarRow
	if err := t.sel(&rows, "calendars", "cal").OrderExpr("cal.id").Scan(ctx); err != nil {
		return nil, t.err(err, "calendars")
	}
	out := make([]casetype.Calendar, len(rows))
	for i, r := range rows {
		out[i] = casetype.Calendar{ID: r.ID, Name: r.Name, TimeZone: r.TimeZone, Hours: r.Hours, Holidays: r.Holidays}
	}
	return out, nil
}

// SaveCalendar implements store.Tx.
func (t *Tx) SaveCalendar(ctx context.Context, c casetype.Calendar) error {
	r := &calendarRow{ID: c.ID, Name: c.Name, TimeZone: c.TimeZone, Hours: c.Hours, Holidays: c.Holidays}
	_, err := t.upsert(t.ins(r, "calendars"), "id", "name", "time_zone", "hours", "holidays").Exec(ctx)
	return t.err(err, "save calendar")
}

// DeleteCalendar implements store.Tx.
func (t *Tx) DeleteCalendar(ctx context.Context, id string) error {
	return t.deleteByID(ctx, "calendars", id)
}

// SLAs implements store.Tx.
func (t *Tx) SLAs(ctx context.Context) ([]casetype.SLA, error) {
	var rows []slaRow
	if err := t.sel(&rows, "slas", "sla").OrderExpr("sla.id").Scan(ctx); err != nil {
		return nil, t.err(err, "slas")
	}
	out := make([]casetype.SLA, len(rows))
	for i, r := range rows {
		s := casetype.SLA{ID: r.ID, Name: r.Name, CalendarID: r.CalendarID, WarnBefore: time.Duration(r.WarnBefore)}
		for _, tg := range r.Targets {
			s.Targets = append(s.Targets, casetype.SLATarget{Priority: tg.Priority,
				FirstResponse: time.Duration(tg.FirstResponse), Resolution: time.Duration(tg.Resolution)})
		}
		out[i] = s
	}
	return out, nil
}

// SaveSLA implements store.Tx.
func (t *Tx) SaveSLA(ctx context.Context, s casetype.SLA) error {
	r := &slaRow{ID: s.ID, Name: s.Name, CalendarID: s.CalendarID, WarnBefore: int64(s.WarnBefore)}
	for _, tg := range s.Targets {
		r.Targets = append(r.Targets, slaTarget{Priority: tg.Priority, FirstResponse: int64(tg.FirstResponse), Resolution: int64(tg.Resolution)})
	}
	_, err := t.upsert(t.ins(r, "slas"), "id", "name", "calendar_id", "warn_before", "targets").Exec(ctx)
	return t.err(err, "save sla")
}

// DeleteSLA implements store.Tx.
func (t *Tx) DeleteSLA(ctx context.Context, id string) error {
	return t.deleteByID(ctx, "slas", id)
}
