package main

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, as postgres.Open uses
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, as storage/sqlite uses

	"casekit.dev/casekit"
	"casekit.dev/storage/postgres"
	"casekit.dev/storage/sqlstore"
	"casekit.dev/storage/sqlstore/rows"
)

// baseline writes the rows Desk.OpenCase writes for a case, with plain
// Bun and nothing else: no reads of settings, lookups, statuses, queues
// or SLAs (the values the load configured are known here), no
// validation, no rules. One transaction per case, with the statements
// the rows need at the least:
//
//   - UPDATE the tenant's case number counter, RETURNING the number;
//   - INSERT the case;
//   - for a case under an SLA, INSERT its timers (one multi-row
//     statement) and lower the tenant's timer wakeup (an upsert);
//   - INSERT the history event;
//   - for a case that notifies (a web-form or portal case with a team),
//     INSERT the outbox row and lower the tenant's outbox wakeup.
//
// The tables are the ones casekit provisioned for the tenant, so Kit.Run
// delivers the baseline's notifications and fires its timers like
// casekit's own, and casekit reads its cases back (main_test.go checks).
// On PostgreSQL the wakeups are rows of the store's control schema,
// written in the case's transaction; on SQLite they are rows of the
// registry file, written beside the tenant file's transaction, as the
// stores do.
type baseline struct {
	pg      *bun.DB // PostgreSQL: one pool, sized as postgres.Open sizes its own
	control bun.Ident
	schemas map[string]bun.Ident

	files    map[string]*bun.DB // SQLite: each tenant file, one connection each
	registry *bun.DB

	initial, defaultPriority string
}

// The file names storage/sqlite gives the registry and a tenant's file.
const (
	sqliteRegistry = "_casekit.db"
	sqliteSuffix   = ".db"
)

// sqliteDSN opens a file as storage/sqlite does: WAL, synchronous=NORMAL,
// transactions that begin IMMEDIATE, a busy timeout.
func sqliteDSN(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path) +
		"?mode=rw&_txlock=immediate&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
		"&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"
}

func openSQLiteFile(path string) (*bun.DB, error) {
	sqldb, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		return nil, err
	}
	sqldb.SetMaxOpenConns(1)
	sqldb.SetMaxIdleConns(1)
	sqldb.SetConnMaxIdleTime(0)
	sqldb.SetConnMaxLifetime(0)
	if err := sqldb.Ping(); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return bun.NewDB(sqldb, sqlitedialect.New()), nil
}

// openBaseline connects to the tenants' tables: on PostgreSQL a pool of
// its own on the DSN, on SQLite each tenant's file in the directory.
func openBaseline(ctx context.Context, e *env, tenants []string, st *statuses) (*baseline, error) {
	b := &baseline{defaultPriority: casekit.DefaultSettings().DefaultPriority}
	for key, s := range st.byKey {
		if s.Initial {
			b.initial = key
		}
	}
	if e.pg != nil {
		sqldb, err := sql.Open("pgx", e.cfg.dsn)
		if err != nil {
			return nil, err
		}
		sqldb.SetMaxOpenConns(postgres.DefaultMaxConns)
		sqldb.SetMaxIdleConns(postgres.DefaultMaxConns)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		b.pg = bun.NewDB(sqldb, pgdialect.New())
		if err := b.pg.PingContext(ctx); err != nil {
			b.close()
			return nil, fmt.Errorf("baseline: %w", err)
		}
		b.control = bun.Ident(e.pg.Prefix() + "control")
		b.schemas = map[string]bun.Ident{}
		for _, id := range tenants {
			b.schemas[id] = bun.Ident(e.pg.Schema(id))
		}
		return b, nil
	}
	if e.dir == "" {
		return nil, errors.New("the baseline writes to the tenant files: give -dir a directory, not :memory:")
	}
	var err error
	if b.registry, err = openSQLiteFile(filepath.Join(e.dir, sqliteRegistry)); err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	b.files = map[string]*bun.DB{}
	for _, id := range tenants {
		db, err := openSQLiteFile(filepath.Join(e.dir, id+sqliteSuffix))
		if err != nil {
			b.close()
			return nil, fmt.Errorf("baseline: %w", err)
		}
		b.files[id] = db
	}
	return b, nil
}

func (b *baseline) close() {
	if b.pg != nil {
		b.pg.Close()
	}
	for _, db := range b.files {
		db.Close()
	}
	if b.registry != nil {
		b.registry.Close()
	}
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// caseRows is what opening one case writes.
type caseRows struct {
	c      *rows.Case
	timers []rows.Timer
	event  *rows.Event
	outbox []rows.Outbox
}

// rowsFor builds the rows Desk.OpenCase writes for s as case number n at
// now, from what the load configured: the queue's team and SLA, the
// default priority, the initial status.
func (b *baseline) rowsFor(s shape, n int64, now time.Time) caseRows {
	in := s.in
	origin := in.Origin
	switch {
	case s.actor.Kind == casekit.KindCustomer && origin == "":
		origin = "portal"
	case origin == "":
		origin = "api"
	}
	prio := in.Priority
	if prio == "" {
		prio = b.defaultPriority
	}
	team, slaID := "", ""
	if in.QueueID != "" {
		q := queueOf(in.QueueID)
		team, slaID = q.TeamID, q.SLAID
	}
	var tags []string
	for _, t := range in.Tags {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	custom := in.Custom
	if len(custom) == 0 {
		custom = nil
	}
	c := &rows.Case{
		ID: newID(), Number: n, Subject: strings.TrimSpace(in.Subject), Description: in.Description,
		CustomerID: in.CustomerID, ContactID: in.Contact.ID, ContactName: in.Contact.Name,
		ContactEmail: in.Contact.Email, ContactPhone: in.Contact.Phone,
		Type: in.Type, Category: in.Category, Priority: prio, PriorityRank: rows.Rank(casekit.DefaultLookups(), prio), Origin: origin, Service: in.Service,
		Tags: tags, Custom: custom, AssigneeID: in.AssigneeID, TeamID: team, QueueID: in.QueueID, SLAID: slaID,
		Status: b.initial, CreatedBy: s.actor.String(), CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	var r caseRows
	r.c = c
	if slaID == standardSLA.ID {
		for _, t := range standardSLA.Targets {
			if t.Priority != prio {
				continue
			}
			resp, res := now.Add(t.FirstResponse), now.Add(t.Resolution)
			c.ResponseDue, c.ResolutionDue = &resp, &res
			for _, d := range []struct {
				key string
				due time.Time
			}{{"response", resp}, {"resolution", res}} {
				if w := standardSLA.WarnBefore; w > 0 && d.due.Add(-w).After(now) {
					r.timers = append(r.timers, rows.Timer{ID: newID(), CaseID: c.ID, Kind: string(casekit.TimerSLAWarning), Key: d.key, DueUS: d.due.Add(-w).UnixMicro()})
				}
				r.timers = append(r.timers, rows.Timer{ID: newID(), CaseID: c.ID, Kind: string(casekit.TimerSLABreach), Key: d.key, DueUS: d.due.UnixMicro()})
			}
			slices.SortStableFunc(r.timers, func(a, b rows.Timer) int { return cmp.Compare(a.DueUS, b.DueUS) })
		}
	}
	data := map[string]any{"number": n, "subject": c.Subject, "status": c.Status,
		"priority": prio, "origin": origin, "customer_id": c.CustomerID}
	r.event = &rows.Event{ID: newID(), CaseID: c.ID, CaseNumber: n, Type: string(casekit.EventCaseOpened),
		Actor: c.CreatedBy, At: now, Data: data}
	// The queue's team hears of a case from the portal, a web form or
	// mail, unless it was opened with an assignee (here always the agent
	// opening it, who is not told of their own doing).
	if (origin == "portal" || origin == "web" || origin == "email") && team != "" && in.AssigneeID == "" {
		nd := map[string]any{"subject": c.Subject, "status": c.Status, "priority": prio}
		if c.ResolutionDue != nil {
			nd["resolution_due"] = c.ResolutionDue.Format(time.RFC3339Nano)
		}
		for k, v := range data {
			nd[k] = v
		}
		r.outbox = append(r.outbox, rows.Outbox{ID: newID(), EventID: r.event.ID, EventType: r.event.Type,
			CaseID: c.ID, CaseNumber: n, RecipientKind: string(casekit.RecipientTeam), RecipientID: team,
			Data: nd, CreatedUS: now.UnixMicro(), DueUS: now.UnixMicro()})
	}
	return r
}

// open writes one case of shape s in tenant in one transaction and
// returns its ID and number.
func (b *baseline) open(ctx context.Context, tenant string, s shape) (string, int64, error) {
	db, schema := bun.IDB(b.pg), b.schemas[tenant]
	if b.pg == nil {
		db, schema = b.files[tenant], bun.Ident("main")
	}
	var r caseRows
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := time.Now().UTC().Truncate(time.Microsecond)
		var n int64
		err := tx.NewRaw("UPDATE ?.counters SET value = value + 1 WHERE name = 'case_number' RETURNING value", schema).Scan(ctx, &n)
		if err != nil {
			return fmt.Errorf("next case number: %w", err)
		}
		r = b.rowsFor(s, n, now)
		if _, err := tx.NewInsert().Model(r.c).ModelTableExpr("?.cases", schema).Exec(ctx); err != nil {
			return fmt.Errorf("insert case: %w", err)
		}
		fact := rows.FactOf(r.c)
		if _, err := tx.NewInsert().Model(fact).ModelTableExpr("?.case_facts", schema).Exec(ctx); err != nil {
			return fmt.Errorf("insert case facts: %w", err)
		}
		if tags := rows.TagsOf(r.c); len(tags) > 0 {
			if _, err := tx.NewInsert().Model(&tags).ModelTableExpr("?.case_tags", schema).Exec(ctx); err != nil {
				return fmt.Errorf("insert case tags: %w", err)
			}
		}
		if err := sqlstore.MoveFlow(ctx, tx, schema, 0, nil, fact); err != nil {
			return fmt.Errorf("case flow: %w", err)
		}
		if len(r.timers) > 0 {
			if _, err := tx.NewInsert().Model(&r.timers).ModelTableExpr("?.timers", schema).Exec(ctx); err != nil {
				return fmt.Errorf("insert timers: %w", err)
			}
			if err := b.wake(ctx, tx, tenant, "timer", r.timers[0].DueUS); err != nil {
				return err
			}
		}
		if _, err := tx.NewInsert().Model(r.event).ModelTableExpr("?.events", schema).ExcludeColumn("seq").Exec(ctx); err != nil {
			return fmt.Errorf("insert event: %w", err)
		}
		if len(r.outbox) > 0 {
			if _, err := tx.NewInsert().Model(&r.outbox).ModelTableExpr("?.outbox", schema).Exec(ctx); err != nil {
				return fmt.Errorf("insert outbox: %w", err)
			}
			if err := b.wake(ctx, tx, tenant, "outbox", r.outbox[0].DueUS); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", 0, fmt.Errorf("baseline: tenant %q: %w", tenant, err)
	}
	return r.c.ID, r.c.Number, nil
}

// wake lowers the tenant's wakeup for a queue ("timer" or "outbox") to
// due, as the stores do whenever they queue work, so Kit.Run finds it.
func (b *baseline) wake(ctx context.Context, tx bun.Tx, tenant, queue string, due int64) error {
	table := bun.Ident(queue + "_wakeups")
	var err error
	if b.pg != nil {
		_, err = tx.NewRaw(`INSERT INTO ?.? AS w (tenant, due_us) VALUES (?, ?)
			ON CONFLICT (tenant) DO UPDATE SET due_us = LEAST(w.due_us, EXCLUDED.due_us)`,
			b.control, table, tenant, due).Exec(ctx)
	} else {
		_, err = b.registry.NewRaw(`INSERT INTO ? (tenant, due_us) VALUES (?, ?)
			ON CONFLICT (tenant) DO UPDATE SET due_us = MIN(due_us, excluded.due_us)`, table, tenant, due).Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("%s wakeup: %w", queue, err)
	}
	return nil
}

// queueOf returns a queue the load configured.
func queueOf(id string) casekit.Queue {
	for _, q := range queues {
		if q.ID == id {
			return q
		}
	}
	return casekit.Queue{}
}
