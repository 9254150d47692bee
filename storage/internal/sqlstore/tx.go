package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"casekit.dev/casekit"
)

// Tx is casekit.Tx on one tenant schema, running every statement on the
// executor it was handed (a bun.Tx in practice): it never opens a
// transaction of its own.
type Tx struct {
	db       bun.IDB
	schema   bun.Ident
	dialect  Dialect
	classify func(error) error
	onWake   func(ctx context.Context, queue string, due time.Time) error
}

var _ casekit.Tx = (*Tx)(nil)

// NewTx returns the casekit.Tx for the tenant schema on db. classify maps
// the driver's errors to casekit's (unique violations to ErrConflict); it
// sees every error except sql.ErrNoRows, which is handled here.
func NewTx(db bun.IDB, d Dialect, schema string, classify func(error) error) *Tx {
	if classify == nil {
		classify = func(err error) error { return err }
	}
	return &Tx{db: db, schema: bun.Ident(schema), dialect: d, classify: classify}
}

func (t *Tx) err(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, casekit.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, t.classify(err))
}

// table returns the schema-qualified table expression with its alias.
func (t *Tx) table(name, alias string) (string, bun.Ident) {
	return "?." + name + " AS " + alias, t.schema
}

func (t *Tx) sel(model any, name, alias string) *bun.SelectQuery {
	expr, s := t.table(name, alias)
	return t.db.NewSelect().Model(model).ModelTableExpr(expr, s)
}

func (t *Tx) ins(model any, name string) *bun.InsertQuery {
	return t.db.NewInsert().Model(model).ModelTableExpr("?."+name, t.schema)
}

func (t *Tx) lock(q *bun.SelectQuery, lock bool) *bun.SelectQuery {
	if lock && t.dialect == Postgres {
		return q.For("UPDATE")
	}
	return q
}

// Settings implements casekit.Tx.
func (t *Tx) Settings(ctx context.Context) (casekit.Settings, error) {
	var r settingsRow
	if err := t.sel(&r, "settings", "st").Where("st.id = 1").Scan(ctx); err != nil {
		return casekit.Settings{}, t.err(err, "settings")
	}
	s := casekit.Settings{DefaultPriority: r.DefaultPriority, AutoCloseDays: r.AutoCloseDays,
		FirstReminderDays: r.FirstReminderDays, SecondReminderDays: r.SecondReminderDays,
		MaxAttachmentBytes: r.MaxAttachmentBytes, AttachmentTypes: r.AttachmentTypes}
	if len(r.PublicTags) > 0 { // none reads as nil, as casekit writes it
		s.PublicTags = r.PublicTags
	}
	return s, nil
}

// SaveSettings implements casekit.Tx.
func (t *Tx) SaveSettings(ctx context.Context, s casekit.Settings) error {
	r := &settingsRow{ID: 1, DefaultPriority: s.DefaultPriority, AutoCloseDays: s.AutoCloseDays,
		FirstReminderDays: s.FirstReminderDays, SecondReminderDays: s.SecondReminderDays,
		MaxAttachmentBytes: s.MaxAttachmentBytes, AttachmentTypes: s.AttachmentTypes, PublicTags: s.PublicTags}
	if r.AttachmentTypes == nil {
		r.AttachmentTypes = []string{}
	}
	if r.PublicTags == nil {
		r.PublicTags = []string{}
	}
	_, err := t.ins(r, "settings").On("CONFLICT (id) DO UPDATE").
		Set("default_priority = EXCLUDED.default_priority").
		Set("auto_close_days = EXCLUDED.auto_close_days").
		Set("first_reminder_days = EXCLUDED.first_reminder_days").
		Set("second_reminder_days = EXCLUDED.second_reminder_days").
		Set("max_attachment_bytes = EXCLUDED.max_attachment_bytes").
		Set("attachment_types = EXCLUDED.attachment_types").
		Set("public_tags = EXCLUDED.public_tags").Exec(ctx)
	return t.err(err, "save settings")
}

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

// Lookups implements casekit.Tx.
func (t *Tx) Lookups(ctx context.Context, kind casekit.LookupKind) ([]casekit.Lookup, error) {
	var rows []lookupRow
	if err := t.sel(&rows, "lookups", "l").Where("l.kind = ?", string(kind)).OrderExpr("l.rank, l.key").Scan(ctx); err != nil {
		return nil, t.err(err, "lookups")
	}
	out := make([]casekit.Lookup, len(rows))
	for i, r := range rows {
		out[i] = casekit.Lookup{Kind: casekit.LookupKind(r.Kind), Key: r.Key, Label: r.Label, Rank: r.Rank, Action: r.Action, Disabled: r.Disabled}
	}
	return out, nil
}

// SaveLookup implements casekit.Tx.
func (t *Tx) SaveLookup(ctx context.Context, l casekit.Lookup) error {
	var old []int
	if l.Kind == casekit.LookupPriority {
		err := t.db.NewRaw("SELECT rank FROM ?.lookups WHERE kind = ? AND key = ?", t.schema, string(l.Kind), l.Key).Scan(ctx, &old)
		if err != nil {
			return t.err(err, "save lookup")
		}
	}
	r := &lookupRow{Kind: string(l.Kind), Key: l.Key, Label: l.Label, Rank: l.Rank, Action: l.Action, Disabled: l.Disabled}
	_, err := t.ins(r, "lookups").On("CONFLICT (kind, key) DO UPDATE").
		Set("label = EXCLUDED.label").Set("rank = EXCLUDED.rank").
		Set("action = EXCLUDED.action").Set("disabled = EXCLUDED.disabled").Exec(ctx)
	if err != nil {
		return t.err(err, "save lookup")
	}
	if l.Kind == casekit.LookupPriority && (len(old) == 0 || old[0] != l.Rank) {
		return t.rerank(ctx, l.Key, l.Rank)
	}
	return nil
}

// rerank sets the priority rank kept on every case of priority key (see
// rankSQL): a rank change rewrites that priority's cases, all in this
// transaction.
func (t *Tx) rerank(ctx context.Context, key string, rank int) error {
	_, err := t.db.NewRaw("UPDATE ?.cases SET priority_rank = ? WHERE priority = ?", t.schema, rank, key).Exec(ctx)
	return t.err(err, "rank the priority's cases")
}

// DeleteLookup implements casekit.Tx.
func (t *Tx) DeleteLookup(ctx context.Context, kind casekit.LookupKind, key string) error {
	res, err := t.db.NewRaw("DELETE FROM ?.lookups WHERE kind = ? AND key = ?", t.schema, string(kind), key).Exec(ctx)
	if err != nil {
		return t.err(err, "delete lookup")
	}
	if err := affected(res, casekit.ErrNotFound); err != nil || kind != casekit.LookupPriority {
		return err
	}
	return t.rerank(ctx, key, unrankedPriority)
}

func affected(res sql.Result, none error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return none
	}
	return nil
}

// ConfigVersion implements casekit.Tx.
func (t *Tx) ConfigVersion(ctx context.Context) (int64, error) {
	var v int64
	err := t.db.NewRaw("SELECT value FROM ?.counters WHERE name = 'config_version'", t.schema).Scan(ctx, &v)
	return v, t.err(err, "config version")
}

// SetConfigVersion implements casekit.Tx.
func (t *Tx) SetConfigVersion(ctx context.Context, v int64) error {
	res, err := t.db.NewRaw("UPDATE ?.counters SET value = ? WHERE name = 'config_version'", t.schema, v).Exec(ctx)
	if err != nil {
		return t.err(err, "set config version")
	}
	return affected(res, fmt.Errorf("no config version row: %w", casekit.ErrNotFound))
}

// NextCaseNumber implements casekit.Tx. The counter row's update lock
// serialises concurrent commands, and a rollback gives the number back.
func (t *Tx) NextCaseNumber(ctx context.Context) (int64, error) {
	var n int64
	err := t.db.NewRaw("UPDATE ?.counters SET value = value + 1 WHERE name = 'case_number' RETURNING value", t.schema).Scan(ctx, &n)
	return n, t.err(err, "next case number")
}

// InsertCase implements casekit.Tx.
func (t *Tx) InsertCase(ctx context.Context, c *casekit.Case) error {
	_, err := t.ins(caseRowOf(c), "cases").Value("priority_rank", rankSQL, t.schema, c.Priority).Exec(ctx)
	return t.err(err, "insert case")
}

func (t *Tx) oneCase(ctx context.Context, lock bool, where string, arg any) (*casekit.Case, error) {
	var r caseRow
	if err := t.lock(t.sel(&r, "cases", "c").Where(where, arg), lock).Scan(ctx); err != nil {
		return nil, t.err(err, "case")
	}
	return r.domain()
}

// Case implements casekit.Tx.
func (t *Tx) Case(ctx context.Context, id string, lock bool) (*casekit.Case, error) {
	return t.oneCase(ctx, lock, "c.id = ?", id)
}

// CaseByNumber implements casekit.Tx.
func (t *Tx) CaseByNumber(ctx context.Context, number int64, lock bool) (*casekit.Case, error) {
	return t.oneCase(ctx, lock, "c.number = ?", number)
}

// UpdateCase implements casekit.Tx.
func (t *Tx) UpdateCase(ctx context.Context, c *casekit.Case, prevVersion int64) error {
	res, err := t.db.NewUpdate().Model(caseRowOf(c)).ModelTableExpr("?.cases AS c", t.schema).
		ExcludeColumn("id", "number", "created_by", "created_at").
		Value("priority_rank", rankSQL, t.schema, c.Priority).
		WherePK().Where("c.version = ?", prevVersion).Exec(ctx)
	if err != nil {
		return t.err(err, "update case")
	}
	return affected(res, fmt.Errorf("case %s is no longer at version %d: %w", c.ID, prevVersion, casekit.ErrConflict))
}

// DeleteCase implements casekit.Tx.
func (t *Tx) DeleteCase(ctx context.Context, id string) error {
	for _, table := range []string{"attachments", "notes", "messages", "activities", "timers", "watchers", "portal_links"} {
		if _, err := t.db.NewRaw("DELETE FROM ?."+table+" WHERE case_id = ?", t.schema, id).Exec(ctx); err != nil {
			return t.err(err, "delete "+table)
		}
	}
	if _, err := t.db.NewRaw("DELETE FROM ?.case_links WHERE from_id = ? OR to_id = ?", t.schema, id, id).Exec(ctx); err != nil {
		return t.err(err, "delete case links")
	}
	res, err := t.db.NewRaw("DELETE FROM ?.cases WHERE id = ?", t.schema, id).Exec(ctx)
	if err != nil {
		return t.err(err, "delete case")
	}
	return affected(res, casekit.ErrNotFound)
}

// ListCases implements casekit.Tx.
func (t *Tx) ListCases(ctx context.Context, q casekit.CaseQuery) ([]*casekit.Case, error) {
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
	out := make([]*casekit.Case, len(rows))
	for i := range rows {
		c, err := rows[i].domain()
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// caseFilters adds q's conditions to s, all but the full-text search.
func (t *Tx) caseFilters(s *bun.SelectQuery, q casekit.CaseQuery) *bun.SelectQuery {
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
		s = s.Where("?", t.customCond(k, q.CustomValues[k]))
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

// InsertActivity implements casekit.Tx.
func (t *Tx) InsertActivity(ctx context.Context, a *casekit.Activity) error {
	_, err := t.ins(activityRowOf(a), "activities").Exec(ctx)
	return t.err(err, "insert activity")
}

// Activity implements casekit.Tx.
func (t *Tx) Activity(ctx context.Context, id string) (*casekit.Activity, error) {
	var r activityRow
	if err := t.sel(&r, "activities", "a").Where("a.id = ?", id).Scan(ctx); err != nil {
		return nil, t.err(err, "activity")
	}
	return r.domain()
}

// UpdateActivity implements casekit.Tx.
func (t *Tx) UpdateActivity(ctx context.Context, a *casekit.Activity) error {
	res, err := t.db.NewUpdate().Model(activityRowOf(a)).ModelTableExpr("?.activities AS a", t.schema).
		ExcludeColumn("id", "case_id", "created_by", "created_at").WherePK().Exec(ctx)
	if err != nil {
		return t.err(err, "update activity")
	}
	return affected(res, casekit.ErrNotFound)
}

// Activities implements casekit.Tx.
func (t *Tx) Activities(ctx context.Context, caseID string) ([]*casekit.Activity, error) {
	var rows []activityRow
	if err := t.sel(&rows, "activities", "a").Where("a.case_id = ?", caseID).OrderExpr("a.id").Scan(ctx); err != nil {
		return nil, t.err(err, "activities")
	}
	out := make([]*casekit.Activity, len(rows))
	for i := range rows {
		a, err := rows[i].domain()
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

func (t *Tx) insertAttachments(ctx context.Context, ownerID string, as []casekit.Attachment) error {
	if len(as) == 0 {
		return nil
	}
	rows := make([]attachmentRow, len(as))
	for i, a := range as {
		rows[i] = attachmentRow{ID: a.ID, CaseID: a.CaseID, OwnerID: ownerID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, BlobKey: a.Key, CreatedAt: a.CreatedAt.UTC()}
	}
	_, err := t.ins(&rows, "attachments").Exec(ctx)
	return t.err(err, "insert attachments")
}

// attachments returns a case's attachments grouped by owner.
func (t *Tx) attachments(ctx context.Context, caseID string) (map[string][]casekit.Attachment, error) {
	var rows []attachmentRow
	if err := t.sel(&rows, "attachments", "f").Where("f.case_id = ?", caseID).OrderExpr("f.id").Scan(ctx); err != nil {
		return nil, t.err(err, "attachments")
	}
	out := map[string][]casekit.Attachment{}
	for _, r := range rows {
		out[r.OwnerID] = append(out[r.OwnerID], r.domain())
	}
	return out, nil
}

// InsertNote implements casekit.Tx.
func (t *Tx) InsertNote(ctx context.Context, n *casekit.Note) error {
	r := &noteRow{ID: n.ID, CaseID: n.CaseID, Subject: n.Subject, Body: n.Body, Public: n.Public, CreatedBy: n.CreatedBy.String(), CreatedAt: n.CreatedAt.UTC()}
	if _, err := t.ins(r, "notes").Exec(ctx); err != nil {
		return t.err(err, "insert note")
	}
	return t.insertAttachments(ctx, n.ID, n.Attachments)
}

// Notes implements casekit.Tx.
func (t *Tx) Notes(ctx context.Context, caseID string) ([]*casekit.Note, error) {
	var rows []noteRow
	if err := t.sel(&rows, "notes", "n").Where("n.case_id = ?", caseID).OrderExpr("n.id").Scan(ctx); err != nil {
		return nil, t.err(err, "notes")
	}
	files, err := t.attachments(ctx, caseID)
	if err != nil {
		return nil, err
	}
	out := make([]*casekit.Note, len(rows))
	for i, r := range rows {
		by, err := casekit.ParseActor(r.CreatedBy)
		if err != nil {
			return nil, err
		}
		out[i] = &casekit.Note{ID: r.ID, CaseID: r.CaseID, Subject: r.Subject, Body: r.Body, Public: r.Public,
			Attachments: files[r.ID], CreatedBy: by, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// InsertMessage implements casekit.Tx.
func (t *Tx) InsertMessage(ctx context.Context, m *casekit.Message) error {
	to := m.To
	if len(to) == 0 {
		to = nil
	}
	r := &messageRow{ID: m.ID, CaseID: m.CaseID, Direction: string(m.Direction), Channel: string(m.Channel), Sender: m.From,
		Recipients: to, Subject: m.Subject, Body: m.Body, InReplyTo: m.InReplyTo, Public: m.Public,
		CreatedBy: m.CreatedBy.String(), CreatedAt: m.CreatedAt.UTC()}
	if _, err := t.ins(r, "messages").Exec(ctx); err != nil {
		return t.err(err, "insert message")
	}
	return t.insertAttachments(ctx, m.ID, m.Attachments)
}

func (t *Tx) messages(ctx context.Context, where string, arg any) ([]*casekit.Message, error) {
	var rows []messageRow
	if err := t.sel(&rows, "messages", "m").Where(where, arg).OrderExpr("m.id").Scan(ctx); err != nil {
		return nil, t.err(err, "messages")
	}
	var files map[string][]casekit.Attachment
	if len(rows) > 0 {
		var err error
		if files, err = t.attachments(ctx, rows[0].CaseID); err != nil {
			return nil, err
		}
	}
	out := make([]*casekit.Message, len(rows))
	for i, r := range rows {
		by, err := casekit.ParseActor(r.CreatedBy)
		if err != nil {
			return nil, err
		}
		to := r.Recipients
		if len(to) == 0 {
			to = nil
		}
		out[i] = &casekit.Message{ID: r.ID, CaseID: r.CaseID, Direction: casekit.Direction(r.Direction), Channel: casekit.Channel(r.Channel),
			From: r.Sender, To: to, Subject: r.Subject, Body: r.Body, InReplyTo: r.InReplyTo, Public: r.Public,
			Attachments: files[r.ID], CreatedBy: by, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// Message implements casekit.Tx.
func (t *Tx) Message(ctx context.Context, id string) (*casekit.Message, error) {
	ms, err := t.messages(ctx, "m.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("message %s: %w", id, casekit.ErrNotFound)
	}
	return ms[0], nil
}

// Messages implements casekit.Tx.
func (t *Tx) Messages(ctx context.Context, caseID string) ([]*casekit.Message, error) {
	return t.messages(ctx, "m.case_id = ?", caseID)
}

// AttachedKeys implements casekit.Tx.
func (t *Tx) AttachedKeys(ctx context.Context, keys []string) ([]string, error) {
	var out []string
	if len(keys) == 0 {
		return nil, nil
	}
	err := t.db.NewRaw("SELECT DISTINCT blob_key FROM ?.attachments WHERE blob_key IN (?)", t.schema, bun.In(keys)).Scan(ctx, &out)
	return out, t.err(err, "attached keys")
}

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

// anyTagCond matches the cases with at least one of tags, found in
// case_tags (migration 13), whose (tag, case_id) key serves it.
func (t *Tx) anyTagCond(tags []string) schema.QueryWithArgs {
	return bun.SafeQuery("EXISTS (SELECT 1 FROM ?.case_tags AS t WHERE t.case_id = c.id AND t.tag IN (?))", t.schema, bun.In(tags))
}

// customCond matches a custom field's value exactly, in its JSON type:
// jsonb containment on Postgres, json_extract on SQLite (where a JSON
// true is 1, never the text "1").
func (t *Tx) customCond(key string, val any) schema.QueryWithArgs {
	if t.dialect == Postgres {
		b, _ := json.Marshal(map[string]any{key: val})
		return bun.SafeQuery("c.custom @> ?::jsonb", string(b))
	}
	path := `$."` + key + `"` // keys are checked: no quotes
	if b, ok := val.(bool); ok {
		return bun.SafeQuery("json_type(c.custom, ?) = ?", path, map[bool]string{true: "true", false: "false"}[b])
	}
	return bun.SafeQuery("json_extract(c.custom, ?) = ?", path, val)
}
