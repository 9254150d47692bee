package sqlstore

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/storage/sqlstore/rows"
)

// flowDims are the dimensions case_flow (migration 28) keeps each day's
// opened and ended cases by: "" the total, then the columns a report's
// backlog is grouped by without reading the open cases. Customers and
// tags have too many values for a row per value and day; a report by
// them reads the open cases (report.go).
var flowDims = [...]string{"", "status", "priority", "type", "queue_id", "team_id", "assignee_id", "origin"}

// flowVal is the value of dimension dim of the fact f.
func flowVal(f *rows.CaseFact, dim string) string {
	switch dim {
	case "status":
		return f.Status
	case "priority":
		return f.Priority
	case "type":
		return f.Type
	case "queue_id":
		return f.QueueID
	case "team_id":
		return f.TeamID
	case "assignee_id":
		return f.AssigneeID
	case "origin":
		return f.Origin
	}
	return ""
}

// flowDay is the day of case_flow that t is in: whole days since 1970 in
// UTC, as ReportFacts's SQL counts them.
func flowDay(t time.Time) int64 {
	us := Micros(t)
	d := us / (86400 * 1e6)
	if us < 0 && us%(86400*1e6) != 0 {
		d--
	}
	return d
}

type flowKey struct {
	dim, val string
	day      int64
}

// flowCounts adds sign times f's part of case_flow to m: opened on the
// day of its creation and, once ended, ended on the day of ended_at, in
// every dimension at its value.
func flowCounts(m map[flowKey][2]int, f *rows.CaseFact, sign int) {
	if f == nil {
		return
	}
	for _, dim := range flowDims {
		k := flowKey{dim, flowVal(f, dim), flowDay(f.CreatedAt)}
		c := m[k]
		c[0] += sign
		m[k] = c
		if f.EndedAt != nil {
			k.day = flowDay(*f.EndedAt)
			c = m[k]
			c[1] += sign
			m[k] = c
		}
	}
}

// moveFlow is MoveFlow in the transaction's schema and slot.
func (t *Tx) moveFlow(ctx context.Context, was, now *rows.CaseFact) error {
	return t.err(MoveFlow(ctx, t.db, t.schema, t.slot(), was, now), "case flow")
}

// slot is the transaction's case_flow slot: one of the dialect's
// FlowSlots, drawn at its first move, so that every move of one
// transaction locks its rows in key order. With Slots it is one that no
// other transaction of the store on the tenant holds, while one is free.
func (t *Tx) slot() int {
	if t.flowSlot < 0 {
		n := max(1, t.dialect.FlowSlots())
		if t.slots != nil {
			t.flowSlot, t.slotTaken = t.slots.take(t.schema, n)
		} else {
			t.flowSlot = rand.IntN(n)
		}
	}
	return t.flowSlot
}

// WithSlots makes t draw its case_flow slot from s and returns t. Only a
// transaction whose end the store sees (RunIn, which gives the slot back)
// may: the slot's rows stay locked until then.
func (t *Tx) WithSlots(s *Slots) *Tx {
	t.slots = s
	return t
}

// releaseSlot gives the transaction's slot back to its Slots, once the
// transaction has ended.
func (t *Tx) releaseSlot() {
	if t.slotTaken {
		t.slots.give(t.schema, t.flowSlot)
		t.slotTaken = false
	}
}

// Slots hands out case_flow slots to a store's transactions so that
// those running at once on one tenant write different ones while any is
// free. A transaction keeps its slot's rows of the day locked until it
// ends, so two commands that drew the same slot at random wait for each
// other, and with eight slots eight commands at once nearly always have
// two that do (eight draws without a repeat: 8!/8^8, 0.2%); the waits were
// the most sampled of a status change's at eight clients (BENCHMARKS.md,
// "HTTP API against libredesk"). The search for a free slot starts at a
// random one, so that the stores of several processes on one database,
// which do not see each other's, still spread their transactions. When
// every slot is taken a transaction draws one at random, as without
// Slots. The zero value is ready; a store keeps one.
type Slots struct {
	mu   sync.Mutex
	held map[bun.Ident]uint64 // by tenant schema: a bit per slot taken
}

// take returns a slot of n (at most 64 are tracked) for a transaction on
// schema, and whether it was free and is now taken.
func (s *Slots) take(schema bun.Ident, n int) (int, bool) {
	start := rand.IntN(n)
	s.mu.Lock()
	defer s.mu.Unlock()
	held := s.held[schema]
	for i := range min(n, 64) {
		k := (start + i) % n
		if k < 64 && held&(1<<k) == 0 {
			if s.held == nil {
				s.held = map[bun.Ident]uint64{}
			}
			s.held[schema] = held | 1<<k
			return k, true
		}
	}
	return start, false
}

// give returns a slot take handed out.
func (s *Slots) give(schema bun.Ident, slot int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if held := s.held[schema] &^ (1 << slot); held != 0 {
		s.held[schema] = held
	} else {
		delete(s.held, schema)
	}
}

// MoveFlow changes case_flow in schema from a case's fact was (nil for a
// new case) to now (nil for a deleted one), on db, the transaction that
// writes the fact, in slot: FlowWrite's statement, when there is one. A
// bulk writer of cases that writes their facts calls it too
// (examples/loadgen).
func MoveFlow(ctx context.Context, db bun.IDB, schema bun.Ident, slot int, was, now *rows.CaseFact) error {
	q := FlowWrite(db, schema, slot, was, now)
	if q == nil {
		return nil
	}
	_, err := q.Exec(ctx)
	return err
}

// FlowWrite is the statement that changes case_flow in schema from a
// case's fact was to now: one upsert of the rows that change in slot, in
// key order so that two transactions lock shared rows in the same order.
// A day's count of a value is the sum of its slots' rows (migration 31),
// so that transactions in different slots, which every command of a busy
// tenant would otherwise queue on (today's total row), do not wait for
// each other. It is nil when a change moves no counted value (a note, a
// tag).
func FlowWrite(db bun.IDB, schema bun.Ident, slot int, was, now *rows.CaseFact) *bun.RawQuery {
	m := map[flowKey][2]int{}
	flowCounts(m, was, -1)
	flowCounts(m, now, 1)
	keys := make([]flowKey, 0, len(m))
	for k, c := range m {
		if c != [2]int{} {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, func(a, b flowKey) int {
		return cmp.Or(strings.Compare(a.dim, b.dim), cmp.Compare(a.day, b.day), strings.Compare(a.val, b.val))
	})
	args := []any{schema}
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = "(?, ?, ?, ?, ?, ?)"
		args = append(args, k.dim, k.val, k.day, slot, m[k][0], m[k][1])
	}
	return db.NewRaw(`INSERT INTO ?.case_flow AS w (dim, val, day, slot, opened, ended) VALUES `+strings.Join(vals, ", ")+`
		ON CONFLICT (dim, day, val, slot) DO UPDATE SET opened = w.opened + EXCLUDED.opened, ended = w.ended + EXCLUDED.ended`,
		args...)
}

// oldFact reads the stored fact of case id, nil when there is none.
func (t *Tx) oldFact(ctx context.Context, id string) (*rows.CaseFact, error) {
	var f []rows.CaseFact
	err := t.db.NewSelect().Model(&f).ModelTableExpr("?.case_facts AS f", t.schema).
		Column("id", "status", "priority", "type", "queue_id", "team_id", "assignee_id", "origin", "created_at", "ended_at").
		Where("f.id = ?", id).Scan(ctx)
	if err != nil || len(f) == 0 {
		return nil, t.err(err, "case facts")
	}
	return &f[0], nil
}

// ReportFacts is HookReportFacts in the SQL every dialect shares, given
// micros, the dialect's expression of a time column as microseconds
// since 1970 (NULL for NULL): the new columns of case_facts in one pass
// (the business times, of a case with no calendar, the wall-clock ones;
// casekit counts those of a case with one at its next change), then
// case_flow summed from them.
func ReportFacts(micros func(col string) string) []string {
	least := func(a, b string) string {
		return "CASE WHEN " + a + " IS NULL THEN " + b + " WHEN " + b + " IS NULL OR " + a + " < " + b + " THEN " + a + " ELSE " + b + " END"
	}
	ended := "CASE WHEN resolved_at IS NULL AND closed_at IS NULL THEN NULL WHEN (" + least("resolved_at", "closed_at") +
		") < created_at THEN created_at ELSE " + least("resolved_at", "closed_at") + " END"
	dims := make([]string, len(flowDims))
	val := "CASE d.dim"
	for i, dim := range flowDims {
		dims[i] = "SELECT '" + dim + "' AS dim"
		if dim != "" {
			val += " WHEN '" + dim + "' THEN f." + dim
		}
	}
	val += " ELSE '' END"
	day := func(col string) string { return "(" + micros(col) + ") / 86400000000" }
	from := " FROM ?.case_facts AS f, (" + strings.Join(dims, " UNION ALL ") + ") AS d"
	fr := micros("first_response_at") + " - " + micros("created_at")
	res := micros("resolved_at") + " - " + micros("created_at")
	noCalendar := "id IN (SELECT c.id FROM ?.cases AS c WHERE c.sla_id NOT IN (SELECT s.id FROM ?.slas AS s WHERE s.calendar_id <> ''))"
	return []string{
		"UPDATE ?.case_facts SET ended_at = " + ended + ", first_response_us = " + fr + ", resolution_us = " + res +
			", first_response_business_us = CASE WHEN " + noCalendar + " THEN " + fr + " END" +
			", resolution_business_us = CASE WHEN " + noCalendar + " THEN " + res + " END",
		"INSERT INTO ?.case_flow (dim, val, day, opened, ended) SELECT dim, val, day, SUM(o), SUM(e) FROM (" +
			"SELECT d.dim AS dim, " + val + " AS val, " + day("f.created_at") + " AS day, 1 AS o, 0 AS e" + from +
			" UNION ALL SELECT d.dim, " + val + ", " + day("f.ended_at") + ", 0, 1" + from + " WHERE f.ended_at IS NOT NULL" +
			") AS x GROUP BY dim, val, day",
	}
}

// RebuildFlow recomputes case_flow of the tenant schema from its
// case_facts on db, for a bulk writer of cases (examples/bigload) that
// wrote facts without it: what migration 28 did for the cases there.
func RebuildFlow(ctx context.Context, db bun.IDB, d Dialect, schema string) error {
	stmts, _ := d.Hook(HookReportFacts)
	return execDDL(ctx, db, d, schema, append([]string{"DELETE FROM ?.case_flow"}, stmts[len(stmts)-1]))
}
