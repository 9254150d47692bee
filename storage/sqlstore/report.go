package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
)

// reportGroups maps casekit.ReportScan.Group to its column: the only
// names that reach the SQL.
var reportGroups = map[string]string{
	"": "''", "status": "c.status", "priority": "c.priority", "type": "c.type", "queue_id": "c.queue_id",
	"team_id": "c.team_id", "assignee_id": "c.assignee_id", "origin": "c.origin", "customer_id": "c.customer_id",
}

// ReportCases implements casekit.Tx. The reopen events of the period come
// first, by events_type_at_idx (migration 23); then the cases, streamed
// row by row: those opened in the period, those closed in it or not
// closed before it (closed_at NULL or from its start on) and those
// resolved in it, each arm of the OR by an index of its own, so a
// period's report reads the period's cases and the open ones, never the
// whole history.
func (t *Tx) ReportCases(ctx context.Context, q casekit.ReportScan, fn func(*casekit.ReportCase) error) error {
	col, ok := reportGroups[q.Group]
	if !ok {
		return fmt.Errorf("report cases: unknown group %q", q.Group)
	}
	from, to := q.From.UTC(), q.To.UTC()
	var evs []struct {
		CaseID string    `bun:"case_id"`
		Type   string    `bun:"type"`
		At     time.Time `bun:"at"`
	}
	err := t.db.NewSelect().TableExpr("?.events AS e", t.schema).ColumnExpr("e.case_id, e.type, e.at").
		Where("e.type IN (?) AND e.at >= ? AND e.at < ?", bun.In([]string{string(casekit.EventReopened), string(casekit.EventRated)}), from, to).
		Scan(ctx, &evs)
	if err != nil {
		return t.err(err, "report events")
	}
	reopened, rated := map[string][]time.Time{}, map[string]time.Time{}
	for _, e := range evs {
		if e.Type == string(casekit.EventRated) {
			rated[e.CaseID] = e.At.UTC()
		} else {
			reopened[e.CaseID] = append(reopened[e.CaseID], e.At.UTC())
		}
	}
	tags := "NULL"
	if q.Tags {
		tags = "c.tags"
	}
	cases := func() *bun.SelectQuery {
		s := t.caseFilters(t.db.NewSelect().TableExpr("?.cases AS c", t.schema).
			ColumnExpr("c.id, COALESCE("+col+", ''), "+tags+", c.created_at, c.first_response_at, c.resolved_at, c.closed_at, "+
				"c.response_due, c.resolution_due, c.sla_paused_at, c.satisfaction"), q.CaseQuery)
		if len(q.Terms) > 0 {
			s = s.Where("?", t.search(q.CaseQuery))
		}
		return s.Where("c.created_at < ?", to)
	}
	// A case reopened in the period is open now or was closed after its
	// reopening, so the stream has it; one rated in the period may have
	// been closed before it, and is read after, by ID.
	emit := func(rc *casekit.ReportCase) error {
		rc.Reopened = reopened[rc.ID]
		if at, ok := rated[rc.ID]; ok {
			rc.RatedAt = &at
			delete(rated, rc.ID)
		}
		return fn(rc)
	}
	err = t.scanReport(ctx, cases().WhereGroup(" AND ", func(s *bun.SelectQuery) *bun.SelectQuery {
		return s.Where("c.created_at >= ?", from).WhereOr("c.closed_at IS NULL").
			WhereOr("c.closed_at >= ?", from).WhereOr("c.resolved_at >= ?", from)
	}), emit)
	if err != nil || len(rated) == 0 {
		return err
	}
	return t.scanReport(ctx, cases().Where("c.closed_at < ?", from).Where("c.id IN (?)", bun.In(slices.Collect(maps.Keys(rated)))), emit)
}

// scanReport reads the report rows s selects one at a time into fn.
func (t *Tx) scanReport(ctx context.Context, s *bun.SelectQuery, fn func(*casekit.ReportCase) error) error {
	rows, err := s.Rows(ctx)
	if err != nil {
		return t.err(err, "report cases")
	}
	defer rows.Close()
	for rows.Next() {
		var (
			rc                                      casekit.ReportCase
			tagText                                 sql.NullString
			created, fr, res, cl, rdue, sdue, pause bun.NullTime
		)
		if err := rows.Scan(&rc.ID, &rc.Group, &tagText, &created, &fr, &res, &cl, &rdue, &sdue, &pause, &rc.Satisfaction); err != nil {
			return t.err(err, "report cases")
		}
		if tagText.Valid && tagText.String != "" {
			if err := json.Unmarshal([]byte(tagText.String), &rc.Tags); err != nil {
				return fmt.Errorf("report cases: tags of case %s: %w", rc.ID, err)
			}
		}
		rc.CreatedAt = created.Time.UTC()
		rc.FirstResponseAt, rc.ResolvedAt, rc.ClosedAt = nullTime(fr), nullTime(res), nullTime(cl)
		rc.ResponseDue, rc.ResolutionDue, rc.SLAPausedAt = nullTime(rdue), nullTime(sdue), nullTime(pause)
		if err := fn(&rc); err != nil {
			return err
		}
	}
	return t.err(rows.Err(), "report cases")
}

// nullTime is the time a nullable column held, in UTC, or nil.
func nullTime(t bun.NullTime) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.Time.UTC()
	return &u
}
