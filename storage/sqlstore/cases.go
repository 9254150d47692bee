package sqlstore

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// InsertCase implements store.Tx. The number comes from the tenant's
// counter row, whose update lock serialises the tenant's openings until
// commit and whose rollback gives the number back. The statement that
// takes the number also reads the priority's rank, and the case, its
// tags, its facts and the day's case_flow rows then go in one round trip
// where the dialect batches (execAll): the lock is held over that batch,
// the command's events and the commit, as long as over the case's own
// INSERT before, and the facts and flow, once written ahead of the
// number, cost no round trips of their own. Where the command holds its
// writes (RunIn), the batch is held too and goes with the command's
// events, just before the commit: one round trip fewer while the number
// is locked. The rank is read rather than
// computed by a subquery in the VALUES, and the number taken by its own
// UPDATE rather than in a WITH, because Citus routes no INSERT that
// holds a subquery (docs/scale-out.md).
func (t *Tx) InsertCase(ctx context.Context, c *casetype.Case) error {
	row := caseRowOf(c)
	var n int64
	var rank int
	if err := prep(t, t.db.NewRaw("UPDATE ?.counters SET value = value + 1 WHERE name = 'case_number' RETURNING value, "+rankSQL,
		t.schema, t.schema, c.Priority)).Scan(ctx, &n, &rank); err != nil {
		return t.err(err, "next case number")
	}
	row.Number, c.Number, row.PriorityRank = n, n, rank
	qs := []schema.QueryAppender{t.ins(row, "cases").Returning("")} // nothing to read back: the row is not kept
	qs = append(qs, t.tagWrites(row, caseRead{}, true, true)...)
	facts, err := t.factWrites(ctx, row, caseRead{}, true)
	if err != nil {
		return err
	}
	t.noteRead(row, nil, true)
	return t.err(t.writeAll(ctx, append(qs, facts...)...), "insert case")
}

// caseAndConfig is a case row read with the tenant's configuration
// version (oneCase).
type caseAndConfig struct {
	caseRow       `bun:",extend"`
	ConfigVersion int64 `bun:"config_version,scanonly"`
}

// oneCase reads the case that matches where. A case read FOR UPDATE
// comes with, in the same statement, the configuration version, which
// oneCase keeps for ConfigVersion: a command that loads a case to change
// it reads its configuration next, and this spares that read its round
// trip. A read to show a case (a get) reads no configuration, so it is
// spared the subquery.
func (t *Tx) oneCase(ctx context.Context, lock bool, where string, arg any) (*casetype.Case, error) {
	var r caseAndConfig
	q := t.sel(&r, "cases", "c")
	if lock && t.config == nil {
		q = q.ColumnExpr("?TableColumns").
			ColumnExpr("(SELECT k.value FROM ?.counters AS k WHERE k.name = 'config_version') AS config_version", t.schema)
	}
	if err := prep(t, t.lock(q.Where(where, arg), lock)).Scan(ctx); err != nil {
		return nil, t.err(err, "case")
	}
	var cols [][]byte
	if lock {
		if t.config == nil {
			t.config = &r.ConfigVersion
		}
		cols = t.caseLiterals(&r.caseRow)
	}
	t.noteRead(&r.caseRow, cols, lock)
	return caseDomain(&r.caseRow)
}

// Case implements store.Tx.
func (t *Tx) Case(ctx context.Context, id string, lock bool) (*casetype.Case, error) {
	return t.oneCase(ctx, lock, "c.id = ?", id)
}

// CaseByNumber implements store.Tx.
func (t *Tx) CaseByNumber(ctx context.Context, number int64, lock bool) (*casetype.Case, error) {
	return t.oneCase(ctx, lock, "c.number = ?", number)
}

// UpdateCase implements store.Tx. The case_flow move starts from the
// facts of the case as the transaction read it at prevVersion, the usual
// case (a command loads what it updates), and from its stored facts row,
// read, otherwise. From a case read FOR UPDATE (or updated) at
// prevVersion the UPDATE sets only the columns whose values differ from
// the row read (changedCaseCols): the version check makes sure the stored
// row is that one, since every writer of a case but a priority's rank
// change (which a priority set here overrides) moves its version.
//
// The case's tags, facts and case_flow rows go in one round trip where
// the dialect batches (execAll). When the transaction holds the case
// row's lock (it read it FOR UPDATE), the versioned UPDATE goes last in
// that same round trip, and its rows affected, the last statement's, make
// the version check: a stale one is ErrConflict, and the command's
// transaction, rolled back, keeps none of the batch. Without the lock the
// UPDATE runs alone first, so that the case row is locked before the facts
// and flow rows, in the order every other writer of the case takes them.
func (t *Tx) UpdateCase(ctx context.Context, c *casetype.Case, prevVersion int64) error {
	row := caseRowOf(c)
	old, known := t.readAt(c.ID, prevVersion)
	cols := t.caseLiterals(row)
	q := t.db.NewUpdate().Model(row).ModelTableExpr("?.cases AS c", t.schema)
	if known && old.cols != nil {
		set, priority := t.changedCaseCols(old.cols, cols)
		if priority {
			set = append(set, "priority_rank")
			q = q.Value("priority_rank", rankSQL, t.schema, c.Priority)
		}
		q = q.Column(set...)
	} else {
		q = q.ExcludeColumn(insertOnlyCaseCols...).
			Value("priority_rank", rankSQL, t.schema, c.Priority)
	}
	q = q.WherePK().Where("c.version = ?", prevVersion)
	stale := fmt.Errorf("case %s is no longer at version %d: %w", c.ID, prevVersion, casetype.ErrConflict)
	batched := known && old.locked // the UPDATE goes last in the batch below
	if !batched {
		res, err := q.Exec(ctx)
		if err != nil {
			return t.err(err, "update case")
		}
		if err := affected(res, stale); err != nil {
			return err
		}
	}
	qs := t.tagWrites(row, old, known, false)
	facts, err := t.factWrites(ctx, row, old, known)
	if err != nil {
		return err
	}
	qs = append(qs, facts...)
	if batched {
		qs = append(qs, q)
	}
	res, err := t.execAll(ctx, qs...)
	if err != nil {
		return t.err(err, "update case, its tags and facts")
	}
	if batched {
		if err := affected(res, stale); err != nil {
			return err
		}
	}
	t.noteRead(row, cols, true)
	return nil
}

// DeleteCase implements store.Tx.
func (t *Tx) DeleteCase(ctx context.Context, id string) error {
	delete(t.read, id)
	for _, table := range []string{"attachments", "notes", "messages", "activities", "timers", "watchers", "portal_links", "case_tags"} {
		if _, err := t.db.NewRaw("DELETE FROM ?."+table+" WHERE case_id = ?", t.schema, id).Exec(ctx); err != nil {
			return t.err(err, "delete "+table)
		}
	}
	was, err := t.oldFact(ctx, id)
	if err != nil {
		return err
	}
	if _, err := t.db.NewRaw("DELETE FROM ?.case_facts WHERE id = ?", t.schema, id).Exec(ctx); err != nil {
		return t.err(err, "delete case facts")
	}
	if err := t.moveFlow(ctx, was, nil); err != nil {
		return err
	}
	if _, err := t.db.NewRaw("DELETE FROM ?.case_links WHERE from_id = ? OR to_id = ?", t.schema, id, id).Exec(ctx); err != nil {
		return t.err(err, "delete case links")
	}
	res, err := t.db.NewRaw("DELETE FROM ?.cases WHERE id = ?", t.schema, id).Exec(ctx)
	if err != nil {
		return t.err(err, "delete case")
	}
	return affected(res, casetype.ErrNotFound)
}

// ListCases implements store.Tx.
func (t *Tx) ListCases(ctx context.Context, q store.CaseQuery) ([]*casetype.Case, error) {
	var rows []caseRow
	s := t.caseFilters(t.sel(&rows, "cases", "c"), q)
	if arms := t.listArms(q); arms != nil {
		// The page is the first of the arms' own first pages: see
		// listArms.
		top, err := t.armsQuery(q, arms)
		if err != nil {
			return nil, err
		}
		s = s.Where("c.id IN (?)", top)
	} else if len(q.Terms) > 0 {
		s = s.Where("?", t.search(q))
	}
	s, err := orderCases(s, q)
	if err != nil {
		return nil, err
	}
	if q.Limit > 0 {
		s = s.Limit(int64(q.Limit))
	}
	if err := s.Scan(ctx); err != nil {
		return nil, t.err(err, "list cases")
	}
	out := make([]*casetype.Case, len(rows))
	for i := range rows {
		c, err := caseDomain(&rows[i])
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// caseFilters adds q's conditions to s, all but the full-text search.
func (t *Tx) caseFilters(s *bun.SelectQuery, q store.CaseQuery) *bun.SelectQuery {
	if len(q.IDs) > 0 {
		s = s.Where("c.id IN (?)", bun.In(q.IDs))
	}
	if len(q.Status) > 0 {
		s = s.Where("c.status IN (?)", bun.In(q.Status))
	}
	if len(q.Priority) > 0 {
		s = s.Where("c.priority IN (?)", bun.In(q.Priority))
	}
	for col, v := range map[string]string{
		"c.type": q.Type, "c.customer_id": q.CustomerID, "c.assignee_id": q.AssigneeID,
		"c.team_id": q.TeamID, "c.queue_id": q.QueueID,
	} {
		if v != "" {
			s = s.Where("? = ?", bun.Safe(col), v)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(q.CustomValues)) {
		s = s.Where("?", t.dialect.JSONEquals("c.custom", k, q.CustomValues[k]))
	}
	if q.Tag != "" {
		s = s.Where("?", t.anyTagCond([]string{q.Tag}))
	}
	if len(q.Tags) > 0 && q.AllTags {
		for _, tag := range q.Tags {
			s = s.Where("?", t.anyTagCond([]string{tag}))
		}
	} else if len(q.Tags) > 0 {
		s = s.Where("?", t.anyTagCond(q.Tags))
	}
	if q.CreatedAfter != nil {
		s = s.Where("c.created_at > ?", q.CreatedAfter.UTC())
	}
	if q.CreatedBefore != nil {
		s = s.Where("c.created_at < ?", q.CreatedBefore.UTC())
	}
	if q.DeadlineBefore != nil {
		s = s.Where("c.deadline < ?", q.DeadlineBefore.UTC())
	}
	if q.SLAID != "" {
		s = s.Where("c.sla_id = ?", q.SLAID)
	}
	if q.ResponseDueBefore != nil {
		s = s.Where("c.response_due < ? AND c.first_response_at IS NULL AND c.sla_paused_at IS NULL", q.ResponseDueBefore.UTC())
	}
	if q.ResolutionDueBefore != nil {
		s = s.Where("c.resolution_due < ? AND c.resolved_at IS NULL AND c.sla_paused_at IS NULL", q.ResolutionDueBefore.UTC())
	}
	if q.Breached {
		now := q.Now.UTC()
		s = s.Where("c.sla_paused_at IS NULL AND ((c.response_due < ? AND c.first_response_at IS NULL) OR (c.resolution_due < ? AND c.resolved_at IS NULL))", now, now)
	}
	if q.Number != 0 {
		s = s.Where("c.number = ?", q.Number)
	}
	if q.VisibleTo != "" {
		s = s.Where("(c.customer_id = ? OR c.contact_id = ?)", q.VisibleTo, q.VisibleTo)
	}
	return s
}

// anyTagCond matches the cases with at least one of tags, found in
// case_tags (migration 13), whose (tag, case_id) key serves it.
func (t *Tx) anyTagCond(tags []string) schema.QueryWithArgs {
	return bun.SafeQuery("EXISTS (SELECT 1 FROM ?.case_tags AS t WHERE t.case_id = c.id AND t.tag IN (?))", t.schema, bun.In(tags))
}
