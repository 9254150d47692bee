// Package postgres is casekit's PostgreSQL store: one schema per tenant
// plus a control schema holding the tenant registry, on one database that
// many application replicas share.
//
// Every statement names its schema explicitly; the store never sets
// search_path or any other session state, so it is safe on pooled
// connections and behind PgBouncer. Tenant IDs are validated slugs and
// reach SQL only as quoted identifiers.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"

	"casekit.dev/casekit"
	"casekit.dev/storage/internal/sqlstore"
)

// DefaultPrefix starts the name of every schema the store makes: the
// control schema is prefix+"control", a tenant's is prefix+"t_"+ID.
const DefaultPrefix = "casekit_"

// Store is the PostgreSQL casekit.Store. It is safe for concurrent use.
type Store struct {
	db     bun.IDB
	own    *bun.DB // closed by Close when Open made it
	prefix string
	conns  int // pool size for Open

	mu    sync.Mutex
	known map[string]bool
}

var _ casekit.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

var prefixRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,11}$`)

// WithPrefix names the store's schemas with prefix instead of
// DefaultPrefix: several independent stores (or test runs) can share one
// database. It is at most 12 characters: lower-case letters, digits and
// underscores, starting with a letter.
func WithPrefix(prefix string) Option { return func(s *Store) { s.prefix = prefix } }

// DefaultMaxConns is the pool size Open gives its connection pool.
const DefaultMaxConns = 20

// WithMaxConns sets the most connections the pool that Open makes keeps
// open, and keeps as many idle, so busy commands do not reconnect. It
// does nothing for New: the host's pool is the host's.
func WithMaxConns(n int) Option { return func(s *Store) { s.conns = n } }

// Open connects to the database at dsn (a postgres:// URL or key=value
// string) through pgx and returns a store that owns the pool. It fails
// with a clear error when the server cannot be reached or refuses the
// login.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	// Bun writes the values into the SQL text, so almost no statement
	// repeats: pgx's default of preparing and caching each one costs a
	// round trip and memory for nothing (measured with examples/loadgen).
	// A DSN that names default_query_exec_mode keeps its choice.
	if _, set := cfg.RuntimeParams["default_query_exec_mode"]; !set && !strings.Contains(dsn, "default_query_exec_mode") {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	sqldb := stdlib.OpenDB(*cfg)
	conns := DefaultMaxConns
	for _, o := range opts {
		probe := &Store{conns: -1}
		o(probe)
		if probe.conns != -1 {
			conns = probe.conns
		}
	}
	if conns < 1 {
		sqldb.Close()
		return nil, fmt.Errorf("postgres: WithMaxConns(%d): the pool needs at least one connection", conns)
	}
	sqldb.SetMaxOpenConns(conns)
	sqldb.SetMaxIdleConns(conns)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	db := bun.NewDB(sqldb, pgdialect.New())
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		switch sqlState(err) {
		case "28P01", "28000": // invalid_password, invalid_authorization_specification
			return nil, fmt.Errorf("postgres: cannot connect: the server refused the user name or password in the DSN: %w", err)
		case "3D000": // invalid_catalog_name
			return nil, fmt.Errorf("postgres: cannot connect: the database named in the DSN does not exist: %w", err)
		}
		return nil, fmt.Errorf("postgres: cannot connect: %w", err)
	}
	s, err := New(ctx, db, opts...)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.own = db
	return s, nil
}

// New returns a store on the host's own *bun.DB (pgdialect), which keeps
// its pool; Close does not close it. It makes the control schema if it is
// missing.
func New(ctx context.Context, db *bun.DB, opts ...Option) (*Store, error) {
	s := &Store{db: db, prefix: DefaultPrefix, known: map[string]bool{}}
	for _, o := range opts {
		o(s)
	}
	if !prefixRE.MatchString(s.prefix) && s.prefix != DefaultPrefix {
		return nil, fmt.Errorf("postgres: schema prefix %q must be 1-12 lower-case letters, digits or underscores, starting with a letter", s.prefix)
	}
	if err := s.ensureControl(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// WithTx returns a store whose commands run inside the host's transaction
// tx: each command runs in a savepoint of it, so a refused command undoes
// only its own writes, and what a command wrote commits or rolls back with
// the host's rows. casekit never commits or rolls back tx itself.
func (s *Store) WithTx(tx bun.Tx) *Store {
	return &Store{db: tx, prefix: s.prefix, known: map[string]bool{}}
}

func (s *Store) control() bun.Ident { return bun.Ident(s.prefix + "control") }

// Schema returns the schema that holds a tenant's tables.
func (s *Store) Schema(tenant string) string { return s.prefix + "t_" + tenant }

// ensureControl makes the control schema and registry, serialised by an
// advisory lock so replicas starting together do not race.
func (s *Store) ensureControl(ctx context.Context) error {
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext(?))", s.prefix+"control"); err != nil {
			return err
		}
		if _, err := tx.NewRaw("CREATE SCHEMA IF NOT EXISTS ?", s.control()).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewRaw(`CREATE TABLE IF NOT EXISTS ?.tenants (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			created_at TIMESTAMPTZ NOT NULL)`, s.control()).Exec(ctx)
		if err != nil {
			return err
		}
		// The earliest due time of each tenant's timers and outbox (or
		// earlier): Kit.Run finds the tenants with due work here, without
		// visiting every schema.
		for _, q := range []string{sqlstore.QueueTimers, sqlstore.QueueOutbox} {
			_, err = tx.NewRaw(`CREATE TABLE IF NOT EXISTS ?.? (
				tenant TEXT PRIMARY KEY,
				due_us BIGINT NOT NULL)`, s.control(), wakeups(q)).Exec(ctx)
			if err != nil {
				return err
			}
			_, err = tx.NewRaw(`CREATE INDEX IF NOT EXISTS ? ON ?.? (due_us)`,
				bun.Ident(q+"_wakeups_due_idx"), s.control(), wakeups(q)).Exec(ctx)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: control schema %s: %w", s.prefix+"control", err)
	}
	return nil
}

// classify maps unique violations (SQLSTATE 23505) to casekit.ErrConflict,
// whichever driver the *bun.DB runs on.
func classify(err error) error {
	if sqlState(err) == "23505" { // unique_violation
		return sqlstore.Conflict(err)
	}
	return err
}

// sqlState returns the SQLSTATE of a server error from either driver a
// host may hand New: pgx (*pgconn.PgError) or bun's pgdriver
// (pgdriver.Error, a value type). It returns "" for any other error.
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	var de pgdriver.Error
	if errors.As(err, &de) {
		return de.Field('C')
	}
	return ""
}

func tenantErr(id string, err error) error { return fmt.Errorf("tenant %q: %w", id, err) }

// lockTenant takes a transaction-scoped advisory lock on a tenant's schema.
func (s *Store) lockTenant(ctx context.Context, tx bun.IDB, id string) error {
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext(?))", s.Schema(id))
	return err
}

// CreateTenant implements casekit.Store: schema, tables, indexes, seed and
// registry row in one transaction.
func (s *Store) CreateTenant(ctx context.Context, t casekit.Tenant, seed func(context.Context, casekit.Tx) error) error {
	if err := casekit.ValidateTenantID(t.ID); err != nil {
		return err
	}
	schema := s.Schema(t.ID)
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := s.lockTenant(ctx, tx, t.ID); err != nil {
			return err
		}
		n, err := tx.NewSelect().TableExpr("?.tenants", s.control()).Where("id = ?", t.ID).Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return casekit.ErrTenantExists
		}
		if _, err := tx.NewRaw("CREATE SCHEMA ?", bun.Ident(schema)).Exec(ctx); err != nil {
			if sqlState(err) == "42P06" { // duplicate_schema
				return fmt.Errorf("schema %s exists: %w", schema, casekit.ErrTenantExists)
			}
			return err
		}
		if err := sqlstore.MigrateAll(ctx, tx, sqlstore.Postgres, schema); err != nil {
			return err
		}
		if err := seed(ctx, s.tx(tx, t.ID)); err != nil {
			return err
		}
		_, err = tx.NewRaw("INSERT INTO ?.tenants (id, name, created_at) VALUES (?, ?, ?)",
			s.control(), t.ID, t.Name, t.CreatedAt.UTC()).Exec(ctx)
		return err
	})
	if err != nil {
		return tenantErr(t.ID, err)
	}
	s.remember(t.ID, true)
	return nil
}

func (s *Store) remember(id string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ok {
		s.known[id] = true
	} else {
		delete(s.known, id)
	}
}

// DropTenant implements casekit.Store.
func (s *Store) DropTenant(ctx context.Context, id string) error {
	if err := casekit.ValidateTenantID(id); err != nil {
		return err
	}
	s.remember(id, false)
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := s.lockTenant(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.NewRaw("DELETE FROM ?.tenants WHERE id = ?", s.control(), id).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return casekit.ErrTenantNotFound
		}
		for _, q := range []string{sqlstore.QueueTimers, sqlstore.QueueOutbox} {
			if _, err := tx.NewRaw("DELETE FROM ?.? WHERE tenant = ?", s.control(), wakeups(q), id).Exec(ctx); err != nil {
				return err
			}
		}
		_, err = tx.NewRaw("DROP SCHEMA IF EXISTS ? CASCADE", bun.Ident(s.Schema(id))).Exec(ctx)
		return err
	})
	if err != nil {
		return tenantErr(id, err)
	}
	return nil
}

type tenantRow struct {
	ID        string    `bun:"id"`
	Name      string    `bun:"name"`
	CreatedAt time.Time `bun:"created_at"`
}

// Tenant implements casekit.Store.
func (s *Store) Tenant(ctx context.Context, id string) (casekit.Tenant, error) {
	if err := casekit.ValidateTenantID(id); err != nil {
		return casekit.Tenant{}, err
	}
	var r tenantRow
	err := s.db.NewRaw("SELECT id, name, created_at FROM ?.tenants WHERE id = ?", s.control(), id).Scan(ctx, &r)
	if errors.Is(err, sql.ErrNoRows) {
		return casekit.Tenant{}, tenantErr(id, casekit.ErrTenantNotFound)
	}
	if err != nil {
		return casekit.Tenant{}, tenantErr(id, err)
	}
	return casekit.Tenant{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt.UTC()}, nil
}

// Tenants implements casekit.Store.
func (s *Store) Tenants(ctx context.Context) ([]casekit.Tenant, error) {
	var rows []tenantRow
	if err := s.db.NewRaw("SELECT id, name, created_at FROM ?.tenants ORDER BY id", s.control()).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("postgres: tenants: %w", err)
	}
	out := make([]casekit.Tenant, len(rows))
	for i, r := range rows {
		out[i] = casekit.Tenant{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// Migrate implements casekit.Store: every tenant schema is brought to the
// latest version, one migration per transaction under the tenant's
// advisory lock, at most opts.Concurrency tenants at once. A tenant left
// half-way by a crash is finished on the next run.
func (s *Store) Migrate(ctx context.Context, opts casekit.MigrateOptions) error {
	tenants, err := s.Tenants(ctx)
	if err != nil {
		return err
	}
	return sqlstore.MigrateTenants(ctx, tenants, opts, s.migrateTenant)
}

func (s *Store) migrateTenant(ctx context.Context, id string) (int, int, error) {
	step := func(ctx context.Context, fn func(context.Context, bun.IDB) error) error {
		return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if err := s.lockTenant(ctx, tx, id); err != nil {
				return err
			}
			return fn(ctx, tx)
		})
	}
	return sqlstore.Migrate(ctx, s.db, step, sqlstore.Postgres, s.Schema(id))
}

// exists reports whether the tenant is registered, asking the registry the
// first time this store sees it.
func (s *Store) exists(ctx context.Context, id string) (bool, error) {
	s.mu.Lock()
	ok := s.known[id]
	s.mu.Unlock()
	if ok {
		return true, nil
	}
	n, err := s.db.NewSelect().TableExpr("?.tenants", s.control()).Where("id = ?", id).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("postgres: tenant registry: %w", err)
	}
	if n > 0 {
		s.remember(id, true)
	}
	return n > 0, nil
}

// InTx implements casekit.Store.
func (s *Store) InTx(ctx context.Context, tenant string, fn func(context.Context, casekit.Tx) error) error {
	if err := casekit.ValidateTenantID(tenant); err != nil {
		return err
	}
	ok, err := s.exists(ctx, tenant)
	if err != nil {
		return err
	}
	if !ok {
		return tenantErr(tenant, casekit.ErrTenantNotFound)
	}
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return fn(ctx, s.tx(tx, tenant))
	})
	if sqlState(err) == "3F000" { // invalid_schema_name: dropped by another replica
		s.remember(tenant, false)
		return tenantErr(tenant, casekit.ErrTenantNotFound)
	}
	return err
}

// Close closes the pool if Open made it.
func (s *Store) Close() error {
	if s.own != nil {
		return s.own.Close()
	}
	return nil
}

// DropControl removes the control schema once no tenant is left: what a
// host uninstalling casekit, or a test cleaning up, calls last.
func (s *Store) DropControl(ctx context.Context) error {
	ts, err := s.Tenants(ctx)
	if err != nil {
		return err
	}
	if len(ts) > 0 {
		return fmt.Errorf("postgres: %d tenants remain; drop them first", len(ts))
	}
	_, err = s.db.NewRaw("DROP SCHEMA IF EXISTS ? CASCADE", s.control()).Exec(ctx)
	return err
}

// Prefix returns the prefix of the store's schema names.
func (s *Store) Prefix() string { return s.prefix }

// DB returns the executor the store runs on: the *bun.DB, or the host's
// transaction for a store from WithTx.
func (s *Store) DB() bun.IDB { return s.db }

// wakeups names the control table of a queue's per-tenant wakeups.
func wakeups(queue string) bun.Ident { return bun.Ident(queue + "_wakeups") }

// tx returns the casekit.Tx of a tenant on the transaction tx. Work it
// queues (timers, notifications) lowers the tenant's wakeup in the control
// schema, in the same transaction.
func (s *Store) tx(tx bun.IDB, tenant string) *sqlstore.Tx {
	return sqlstore.NewTx(tx, sqlstore.Postgres, s.Schema(tenant), classify).OnWake(func(ctx context.Context, queue string, due time.Time) error {
		_, err := tx.NewRaw(`INSERT INTO ?.? AS w (tenant, due_us) VALUES (?, ?)
			ON CONFLICT (tenant) DO UPDATE SET due_us = LEAST(w.due_us, EXCLUDED.due_us)`,
			s.control(), wakeups(queue), tenant, sqlstore.Micros(due)).Exec(ctx)
		return err
	})
}

// wakeupBatch is how many tenants with due work Run looks at per query.
const wakeupBatch = 16

// dueTenants lists tenants whose wakeup for queue is due at now, earliest
// first.
func (s *Store) dueTenants(ctx context.Context, queue string, now time.Time) ([]string, error) {
	var tenants []string
	err := s.db.NewRaw("SELECT tenant FROM ?.? WHERE due_us <= ? ORDER BY due_us LIMIT ?",
		s.control(), wakeups(queue), sqlstore.Micros(now), wakeupBatch).Scan(ctx, &tenants)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s wakeups: %w", queue, err)
	}
	return tenants, nil
}

// inTx runs fn in a transaction on the tenant's schema.
func (s *Store) inTx(tenant string) sqlstore.InTxFunc {
	return func(ctx context.Context, fn func(context.Context, *sqlstore.Tx) error) error {
		return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return fn(ctx, s.tx(tx, tenant)) })
	}
}

// work runs Kit.Run's work across tenants: the control schema's wakeup
// tables say which tenants have work due; a schema dropped meanwhile
// (SQLSTATE 3F000) is skipped.
func (s *Store) work() sqlstore.Work {
	return sqlstore.Work{
		DueTenants: s.dueTenants,
		InTenant: func(ctx context.Context, tenant, _ string, fn func(sqlstore.InTxFunc) error) error {
			err := fn(s.inTx(tenant))
			if sqlState(err) == "3F000" { // invalid_schema_name
				return sqlstore.ErrTenantGone
			}
			return err
		},
		MoveWakeup: func(ctx context.Context, tenant, queue string, _ sqlstore.InTxFunc) error {
			return s.moveWakeup(ctx, tenant, queue)
		},
	}
}

// FireTimer implements casekit.Store.
func (s *Store) FireTimer(ctx context.Context, now time.Time, fn func(context.Context, string, casekit.Tx, casekit.Timer) error, retryAt func(int) time.Time) (bool, error) {
	return s.work().FireTimer(ctx, now, fn, retryAt)
}

// ClaimNotifications implements casekit.Store; rows are claimed FOR
// UPDATE SKIP LOCKED.
func (s *Store) ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]casekit.Notification, error) {
	return s.work().ClaimNotifications(ctx, now, lease, limit)
}

// SettleNotifications implements casekit.Store.
func (s *Store) SettleNotifications(ctx context.Context, results []casekit.Settlement) error {
	return s.work().SettleNotifications(ctx, results)
}

// moveWakeup sets a tenant's wakeup for queue to its next due row, or
// removes it. It locks the wakeup row first; the next statement's snapshot
// then sees every command that lowered it before, so a wakeup is never
// moved past work a command queued meanwhile.
func (s *Store) moveWakeup(ctx context.Context, tenant, queue string) error {
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var cur int64
		err := tx.NewRaw("SELECT due_us FROM ?.? WHERE tenant = ? FOR UPDATE", s.control(), wakeups(queue), tenant).Scan(ctx, &cur)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		next, ok, err := sqlstore.NextDue(ctx, s.tx(tx, tenant), queue)
		if err != nil {
			return err
		}
		if !ok {
			_, err = tx.NewRaw("DELETE FROM ?.? WHERE tenant = ?", s.control(), wakeups(queue), tenant).Exec(ctx)
			return err
		}
		_, err = tx.NewRaw("UPDATE ?.? SET due_us = ? WHERE tenant = ?", s.control(), wakeups(queue), sqlstore.Micros(next), tenant).Exec(ctx)
		return err
	})
	if sqlState(err) == "3F000" {
		return nil
	}
	if err != nil {
		return tenantErr(tenant, fmt.Errorf("%s wakeup: %w", queue, err))
	}
	return nil
}
