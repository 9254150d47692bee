package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, as storage/sqlite uses

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/postgres"
	"casekit.dev/storage/sqlite"
	"casekit.dev/storage/sqlstore"
	"casekit.dev/storage/sqlstore/rows"
)

// env is the store, its kit and a plain Bun connection to the tenant's
// tables for the bulk writes.
type env struct {
	store  store.Store
	pg     *postgres.Store // nil on SQLite
	kit    *casekit.Kit
	bulk   *bun.DB
	schema bun.Ident
	tenant string
	dir    string
	dsn    string
	hook   *sqlHook
}

func openEnv(ctx context.Context, c config) (*env, error) {
	e := &env{tenant: c.tenant, dir: c.dir, dsn: c.dsn, hook: &sqlHook{}}
	switch c.store {
	case "postgres":
		// One pool, so the hook below sees every statement: with the
		// default affinity sub-pools the tenant's commands may run on
		// another pool than DB()'s (one tenant gains nothing from them).
		s, err := postgres.Open(ctx, c.dsn, postgres.WithPrefix(c.prefix), postgres.WithAffinityPools(1))
		if err != nil {
			return nil, fmt.Errorf("cannot open the store: %w", err)
		}
		e.store, e.pg = s, s
		db, ok := s.DB().(*bun.DB)
		if !ok {
			s.Close()
			return nil, errors.New("postgres store: no *bun.DB to watch")
		}
		db.AddQueryHook(e.hook)
	case "sqlite":
		if c.dir == "" {
			return nil, errors.New("-store sqlite needs -dir")
		}
		s, err := sqlite.Open(c.dir)
		if err != nil {
			return nil, fmt.Errorf("cannot open the store: %w", err)
		}
		e.store = s
	default:
		return nil, fmt.Errorf("unknown store %q: postgres or sqlite", c.store)
	}
	kit, err := casekit.New(e.store)
	if err != nil {
		e.store.Close()
		return nil, err
	}
	e.kit = kit
	return e, nil
}

// openBulk connects to the tenant's tables outside the store: a pool of
// its own on PostgreSQL, the tenant's file on SQLite.
func (e *env) openBulk(ctx context.Context) error {
	if e.bulk != nil {
		return nil
	}
	if e.pg != nil {
		// Each batch is one INSERT with its values written in, so no two
		// texts repeat: pgx's default of preparing and caching every text
		// kept up to 512 plans of several MB in each backend (9 GB apiece
		// was seen), as postgres.Open says; execute them unprepared.
		cfg, err := pgx.ParseConfig(e.dsn)
		if err != nil {
			return err
		}
		cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
		sqldb := stdlib.OpenDB(*cfg)
		sqldb.SetMaxOpenConns(4)
		e.bulk, e.schema = bun.NewDB(sqldb, pgdialect.New()), bun.Ident(e.pg.Schema(e.tenant))
	} else {
		path := filepath.Join(e.dir, e.tenant+".db")
		sqldb, err := sql.Open("sqlite", "file:"+strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)+
			"?mode=rw&_txlock=immediate&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(5000)")
		if err != nil {
			return err
		}
		sqldb.SetMaxOpenConns(1)
		e.bulk, e.schema = bun.NewDB(sqldb, sqlitedialect.New()), bun.Ident("main")
	}
	return e.bulk.PingContext(ctx)
}

func (e *env) close() {
	if e.bulk != nil {
		e.bulk.Close()
	}
	e.store.Close()
}

// casesIn counts the tenant's cases; -1 when the tenant does not exist.
func (e *env) casesIn(ctx context.Context) (int64, error) {
	if _, err := e.store.Tenant(ctx, e.tenant); errors.Is(err, casekit.ErrTenantNotFound) {
		return -1, nil
	} else if err != nil {
		return 0, err
	}
	if err := e.openBulk(ctx); err != nil {
		return 0, err
	}
	var n int64
	err := e.bulk.NewRaw("SELECT count(*) FROM ?.cases", e.schema).Scan(ctx, &n)
	return n, err
}

// batchSize is the number of cases written per transaction.
const batchSize = 1000

// load provisions the tenant through casekit and fills it with count
// cases generated from seed, ending at end, writing in bulk: the same
// rows casekit writes, with the case number counter left at count so
// that the next OpenCase gets count+1. It calls keep, when not nil, with
// every case generated (for tests). Progress goes to log.
func (e *env) load(ctx context.Context, count int64, seed uint64, end time.Time, log io.Writer, keep func(loaded)) error {
	if err := e.kit.CreateTenant(ctx, casekit.TenantSpec{ID: e.tenant, Name: "Big load"}); err != nil {
		return fmt.Errorf("create tenant: %w", err)
	}
	if err := e.openBulk(ctx); err != nil {
		return err
	}
	start := time.Now()
	g := newGenerator(seed, count, end)
	workers := 1
	if e.pg != nil {
		workers = 2
	}
	batches := make(chan []loaded, workers)
	errc := make(chan error, workers)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range workers {
		wg.Go(func() {
			for b := range batches {
				if err := e.write(ctx, b); err != nil {
					errc <- err
					cancel()
					for range batches {
					}
					return
				}
			}
		})
	}
	var written int64
	lastLog := time.Now()
gen:
	for !g.done() {
		b := make([]loaded, 0, batchSize)
		for len(b) < batchSize && !g.done() {
			l := g.nextCase()
			if keep != nil {
				keep(l)
			}
			b = append(b, l)
		}
		select {
		case batches <- b:
		case <-ctx.Done():
			break gen
		}
		written += int64(len(b))
		if time.Since(lastLog) > 10*time.Second {
			el := time.Since(start)
			fmt.Fprintf(log, "bigload: %d cases queued in %v (%.0f cases/s)\n", written, el.Round(time.Second), float64(written)/el.Seconds())
			lastLog = time.Now()
		}
	}
	close(batches)
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := e.bulk.NewRaw("UPDATE ?.counters SET value = ? WHERE name = 'case_number'", e.schema, count).Exec(ctx); err != nil {
		return fmt.Errorf("case number counter: %w", err)
	}
	// The backlog's daily rollup, which the store keeps case by case, in
	// one statement over the facts written.
	var d sqlstore.Dialect = sqlite.Dialect{}
	if e.pg != nil {
		d = postgres.Dialect{}
	}
	if err := sqlstore.RebuildFlow(ctx, e.bulk, d, string(e.schema)); err != nil {
		return fmt.Errorf("case flow: %w", err)
	}
	fmt.Fprintf(log, "bigload: wrote %d cases in %v; analyzing\n", count, time.Since(start).Round(time.Second))
	if err := e.analyze(ctx); err != nil {
		return err
	}
	fmt.Fprintf(log, "bigload: loaded %d cases in %v\n", count, time.Since(start).Round(time.Second))
	return nil
}

// analyze vacuums and analyzes the tenant's large tables, as autovacuum
// would in time (it may be off): after a load, and after a migration that
// rewrote rows, so that the lists are measured on tables as they settle.
func (e *env) analyze(ctx context.Context) error {
	if e.pg == nil {
		if _, err := e.bulk.ExecContext(ctx, "ANALYZE"); err != nil {
			return fmt.Errorf("analyze: %w", err)
		}
		return nil
	}
	for _, t := range []string{"cases", "case_facts", "messages", "events"} {
		if _, err := e.bulk.NewRaw("VACUUM (ANALYZE) ?.?", e.schema, bun.Ident(t)).Exec(ctx); err != nil {
			return fmt.Errorf("vacuum analyze %s: %w", t, err)
		}
	}
	return nil
}

// write inserts one batch of cases, their facts, tags, messages and
// events in one transaction.
func (e *env) write(ctx context.Context, b []loaded) error {
	cases := make([]rows.Case, 0, len(b))
	facts := make([]*rows.CaseFact, 0, len(b))
	var tags []rows.CaseTag
	var msgs []rows.Message
	var evs []rows.Event
	for i := range b {
		cases = append(cases, b[i].c)
		facts = append(facts, rows.FactOf(&b[i].c))
		tags = append(tags, rows.TagsOf(&b[i].c)...)
		msgs = append(msgs, b[i].messages...)
		evs = append(evs, b[i].events...)
	}
	return e.bulk.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&cases).ModelTableExpr("?.cases", e.schema).Exec(ctx); err != nil {
			return fmt.Errorf("insert cases: %w", err)
		}
		if _, err := tx.NewInsert().Model(&facts).ModelTableExpr("?.case_facts", e.schema).Exec(ctx); err != nil {
			return fmt.Errorf("insert case facts: %w", err)
		}
		if len(tags) > 0 {
			if _, err := tx.NewInsert().Model(&tags).ModelTableExpr("?.case_tags", e.schema).Exec(ctx); err != nil {
				return fmt.Errorf("insert case tags: %w", err)
			}
		}
		if _, err := tx.NewInsert().Model(&msgs).ModelTableExpr("?.messages", e.schema).Exec(ctx); err != nil {
			return fmt.Errorf("insert messages: %w", err)
		}
		if _, err := tx.NewInsert().Model(&evs).ModelTableExpr("?.events", e.schema).ExcludeColumn("seq").Exec(ctx); err != nil {
			return fmt.Errorf("insert events: %w", err)
		}
		return nil
	})
}
