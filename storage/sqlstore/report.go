package sqlstore

import (
	"casekit.dev/casekit/store"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"casekit.dev/casekit"
	"casekit.dev/storage/sqlstore/rows"
)

// reportGroups maps store.ReportScan.Group to its column: the only
// names that reach the SQL.
var reportGroups = map[string]string{
	"": "''", "status": "f.status", "priority": "f.priority", "type": "f.type", "queue_id": "f.queue_id",
	"team_id": "f.team_id", "assignee_id": "f.assignee_id", "origin": "f.origin", "customer_id": "f.customer_id",
}

// ReportCases implements casekit.Tx. The reopen and rating events of the
// period come first, by events_type_at_idx (migration 23); then the
// cases' facts (case_facts, the narrow copy of their rows), streamed row
// by row: those opened in the period, those closed in it or not closed
// before it (closed_at NULL or from its start on) and those resolved in
// it, each arm of the OR by an index of its own, so a period's report
// reads the period's cases and the open ones, never the whole history. A
// filter joins the facts to the cases it matches.
func (t *Tx) ReportCases(ctx context.Context, q store.ReportScan, fn func(*store.ReportCase) error) error {
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
	var tags schema.QueryAppender = bun.Safe("NULL")
	if q.Tags {
		tags = bun.SafeQuery("(SELECT c.tags FROM ?.cases AS c WHERE c.id = f.id)", t.schema)
	}
	cases := func() *bun.SelectQuery {
		s := t.db.NewSelect().TableExpr("?.case_facts AS f", t.schema).
			ColumnExpr("f.id, "+col+", ?, f.created_at, f.first_response_at, f.resolved_at, f.closed_at, "+
				"f.response_due, f.resolution_due, f.sla_paused_at, f.satisfaction", tags)
		if filtered(q.CaseQuery) {
			match := t.caseFilters(t.db.NewSelect().ColumnExpr("c.id").TableExpr("?.cases AS c", t.schema), q.CaseQuery)
			if len(q.Terms) > 0 {
				match = match.Where("?", t.search(q.CaseQuery))
			}
			s = s.Where("f.id IN (?)", match)
		}
		return s
	}
	// A case reopened in the period is open now or was closed after its
	// reopening, so the stream has it; one rated in the period may have
	// been closed before it, and is read after, by ID.
	emit := func(rc *store.ReportCase) error {
		rc.Reopened = reopened[rc.ID]
		if at, ok := rated[rc.ID]; ok {
			rc.RatedAt = &at
			delete(rated, rc.ID)
		}
		return fn(rc)
	}
	// Each arm bounds the column its index reads, and the creation
	// within the same index scan's rows, so none reads every case.
	err = t.scanReport(ctx, cases().WhereGroup(" AND ", func(s *bun.SelectQuery) *bun.SelectQuery {
		return s.Where("f.created_at >= ? AND f.created_at < ?", from, to).
			WhereOr("f.closed_at IS NULL AND f.created_at < ?", to).
			WhereOr("f.closed_at >= ? AND f.created_at < ?", from, to).
			WhereOr("f.resolved_at >= ? AND f.resolved_at < ?", from, to)
	}), emit)
	if err != nil || len(rated) == 0 {
		return err
	}
	return t.scanReport(ctx, cases().Where("f.created_at < ? AND f.closed_at < ?", to, from).Where("f.id IN (?)", bun.In(slices.Collect(maps.Keys(rated)))), emit)
}

// filtered reports whether q selects fewer than all cases, so that the
// report joins the facts to the cases it matches; without a filter it
// reads the facts alone.
func filtered(q store.CaseQuery) bool {
	f := q.CaseFilter
	return len(q.IDs)+len(f.Status)+len(f.Priority)+len(f.Tags)+len(q.CustomValues)+len(q.Terms) > 0 ||
		f.Type+f.CustomerID+f.AssigneeID+f.TeamID+f.QueueID+f.Tag+f.SLAID+q.VisibleTo != "" ||
		f.CreatedAfter != nil || f.CreatedBefore != nil || f.DeadlineBefore != nil ||
		f.ResponseDueBefore != nil || f.ResolutionDueBefore != nil || f.Breached || q.Number != 0
}

// scanReport reads the report rows s selects one at a time into fn.
func (t *Tx) scanReport(ctx context.Context, s *bun.SelectQuery, fn func(*store.ReportCase) error) error {
	rows, err := s.Rows(ctx)
	if err != nil {
		return t.err(err, "report cases")
	}
	defer rows.Close()
	for rows.Next() {
		var (
			rc                                      store.ReportCase
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
		var times [6]time.Time // one allocation for the six, not six
		rc.FirstResponseAt, rc.ResolvedAt, rc.ClosedAt = nullTime(fr, &times[0]), nullTime(res, &times[1]), nullTime(cl, &times[2])
		rc.ResponseDue, rc.ResolutionDue, rc.SLAPausedAt = nullTime(rdue, &times[3]), nullTime(sdue, &times[4]), nullTime(pause, &times[5])
		if err := fn(&rc); err != nil {
			return err
		}
	}
	return t.err(rows.Err(), "report cases")
}

// writeFact writes the case_facts row of the case row c (migration 23),
// in the transaction that writes c, so a report never reads a fact the
// case does not hold.
func (t *Tx) writeFact(ctx context.Context, c *caseRow) error {
	q := t.upsert(t.ins(rows.FactOf(c), "case_facts"), "id", "status", "priority", "type", "queue_id", "team_id",
		"assignee_id", "origin", "customer_id", "first_response_at", "resolved_at", "closed_at", "response_due",
		"resolution_due", "sla_paused_at", "satisfaction")
	_, err := q.Returning("").Exec(ctx)
	return t.err(err, "write case facts")
}

// nullTime is the time a nullable column held, in UTC, kept in at; or
// nil.
func nullTime(t bun.NullTime, at *time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	*at = t.Time.UTC()
	return at
}
