// Package postgres is casekit's PostgreSQL store: one schema per tenant
// plus a control schema holding the tenant registry, on one database that
// many application replicas share.
//
// Every statement names its schema explicitly; the store never sets
// search_path or any other session state (but the prepared statements of
// WithPreparedStatements, which a DSN naming pgx's exec mode turns off),
// so it is safe on pooled connections and behind PgBouncer
// (docs/tenancy.md). Tenant IDs are validated slugs and reach SQL only as
// quoted identifiers.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/sqlstore"
)

// DefaultPrefix starts the name of every schema the store makes: the
// control schema is prefix+"control", a tenant's is prefix+"t_"+ID.
const DefaultPrefix = "casekit_"

// host is sqlstore.Host under a name that keeps it out of the Store's
// exported fields: only its store.Store methods are promoted.
type host = sqlstore.Host

// Store is the PostgreSQL store.Store. It is safe for concurrent use.
type Store struct {
	host // Tenant, Tenants, Migrate and Kit.Run's work

	db     bun.IDB
	pool   *tenantPool // made and closed by Open's store; nil for New and WithTx
	prefix string
	cfg    poolConfig         // Open's options for its pool
	reg    *sqlstore.Registry // in the control schema
	// replay makes new tenants by replaying every migration instead of
	// from the baseline: for the test that holds the two equal.
	replay bool
	// citus says the database has the Citus extension (ensureControl
	// asks), whose coordinator refuses several DDL statements sent as one
	// text: the baseline then goes a statement at a time (Baseline.Whole).
	// A test sets it to send the baseline so anywhere.
	citus bool
	// slots hands out case_flow slots to the store's own transactions
	// (RunIn); nil for a store on a host's transaction (WithTx), whose
	// end the store does not see.
	slots *sqlstore.Slots
	// prepare is WithPreparedStatements.
	prepare bool
	// lead, when set, makes the hot statements of a tenant's commands go
	// with their values as parameters, prepared once per connection
	// (sqlstore.Tx.Prepare): pgx's statement cache, where the store was
	// asked to (prepare), on pgx connections that allow it (prepares),
	// and not on Citus, whose coordinator the prepared statements have
	// not been tried on.
	lead []any
}

// WithPreparedStatements makes the statements every create and status
// change sends (the locking load of a case, its UPDATE, the facts, flow,
// timers, events and wakeup) go with their values as parameters, each
// text prepared once per connection and run prepared after: PostgreSQL
// then parses and plans them once per connection instead of once per
// command. It pays where a connection runs a tenant's statements many
// times, a few busy tenants: with one tenant a status change cost
// PostgreSQL up to a third less CPU and a get two thirds less
// (BENCHMARKS.md, "Statements prepared once"). It costs where a
// connection serves many tenants, each rarely: each text names its
// tenant's schema, its first use on a connection is a round trip more,
// PostgreSQL plans its first five runs anyway, and the caches of 512
// texts a connection keeps turn over; short mixes over 99 tenants ran
// from as fast to a third slower, on a machine whose drift was as large.
// It needs pgx in its default
// mode (cache_statement) and does nothing on bun's pgdriver, on Citus,
// or on a DSN naming another default_query_exec_mode (as behind a
// PgBouncer that keeps no prepared statements).
func WithPreparedStatements() Option { return func(s *Store) { s.prepare = true } }

var _ store.Store = (*Store)(nil)

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

// WithMaxConns sets how many connections the pool that Open makes opens
// at most, all its sub-pools together (WithAffinityPools). Each sub-pool
// keeps two of them open from the start (warmConns) and replaces each one
// it closes (budget, lifetime) in the background, so commands do not wait
// to connect; the rest it opens as the load needs them. It does nothing
// for New: the host's pool is the host's.
func WithMaxConns(n int) Option { return func(s *Store) { s.cfg.conns = n } }

// Open connects to the database at dsn (a postgres:// URL or key=value
// string) through pgx and returns a store that owns the pool. It fails
// with a clear error when the server cannot be reached or refuses the
// login.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	cfg := pcfg.ConnConfig
	// The hot statements are prepared (WithPreparedStatements) where the
	// DSN leaves pgx its default mode (cache_statement) and statement
	// cache: a DSN that names another mode, such as exec for a PgBouncer
	// that keeps no prepared statements, or statement_cache_capacity=0,
	// keeps every statement unprepared.
	prepare := prepares(cfg)
	// Bun writes the values into the SQL text, so almost no other
	// statement repeats: pgx's default of preparing and caching each one
	// costs a round trip and memory for nothing (measured with
	// examples/loadgen). A DSN that names default_query_exec_mode keeps
	// its choice.
	if _, set := cfg.RuntimeParams["default_query_exec_mode"]; !set && !strings.Contains(dsn, "default_query_exec_mode") {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	pc, prefix := defaultPool, DefaultPrefix
	for _, o := range opts {
		probe := &Store{cfg: pc, prefix: prefix}
		o(probe)
		pc, prefix = probe.cfg, probe.prefix
	}
	if err := pc.check(); err != nil {
		return nil, err
	}
	pool, err := newTenantPool(ctx, pcfg, pc, controlSchema(prefix))
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	// Pinged through the pgx pool, not database/sql: Open's own wait
	// for a first connection is not a request's (PoolStats.WaitedForDial).
	if err := pool.subs[0].pgx.Ping(ctx); err != nil {
		pool.close()
		switch sqlState(err) {
		case "28P01", "28000": // invalid_password, invalid_authorization_specification
			return nil, fmt.Errorf("postgres: cannot connect: the server refused the user name or password in the DSN: %w", err)
		case "3D000": // invalid_catalog_name
			return nil, fmt.Errorf("postgres: cannot connect: the database named in the DSN does not exist: %w", err)
		}
		return nil, fmt.Errorf("postgres: cannot connect: %w", err)
	}
	s, err := New(ctx, pool.subs[0].db, opts...) // the control schema's
	if err != nil {
		pool.close()
		return nil, err
	}
	s.pool = pool
	if prepare && s.prepare && !s.citus {
		s.lead = cacheStatement
	}
	return s, nil
}

// cacheStatement is the lead of the hot statements (Store.lead) on pgx:
// the mode that prepares a text once per connection and keeps it in the
// connection's statement cache (StatementCacheCapacity statements, least
// recently used out first, with a DEALLOCATE).
var cacheStatement = []any{pgx.QueryExecModeCacheStatement}

// prepares reports whether pgx on cfg may prepare and cache statements:
// its default mode is cache_statement and its cache holds any.
func prepares(cfg *pgx.ConnConfig) bool {
	return cfg.DefaultQueryExecMode == pgx.QueryExecModeCacheStatement && cfg.StatementCacheCapacity > 0
}

// hostPrepares reports whether the host's db runs on pgx connections that
// may prepare and cache statements (prepares); false for any other
// driver, bun's pgdriver included, whose statements keep their values in
// the text.
func hostPrepares(ctx context.Context, db *bun.DB) (bool, error) {
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	var ok bool
	err = conn.Raw(func(dc any) error {
		if c, is := dc.(*stdlib.Conn); is {
			ok = prepares(c.Conn().Config())
		}
		return nil
	})
	return ok, err
}

// New returns a store on the host's own *bun.DB (pgdialect), which keeps
// its pool; Close does not close it. It makes the control schema if it is
// missing.
func New(ctx context.Context, db *bun.DB, opts ...Option) (*Store, error) {
	s := &Store{prefix: DefaultPrefix}
	for _, o := range opts {
		o(s)
	}
	if !prefixRE.MatchString(s.prefix) && s.prefix != DefaultPrefix {
		return nil, fmt.Errorf("postgres: schema prefix %q must be 1-12 lower-case letters, digits or underscores, starting with a letter", s.prefix)
	}
	s = s.on(db)
	s.slots = new(sqlstore.Slots)
	if err := s.ensureControl(ctx); err != nil {
		return nil, err
	}
	if s.prepare && !s.citus {
		prepare, err := hostPrepares(ctx, db)
		if err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		if prepare {
			s.lead = cacheStatement
		}
	}
	return s, nil
}

// WithTx returns a store whose commands run inside the host's transaction
// tx: each command runs in a savepoint of it, so a refused command undoes
// only its own writes, and what a command wrote commits or rolls back with
// the host's rows. casekit never commits or rolls back tx itself.
func (s *Store) WithTx(tx bun.Tx) *Store { return s.on(tx) }

// on returns a store with s's prefix on the executor db, with a registry
// of its own: a host's transaction must not fill the cache of the pool's
// store with tenants it may roll back.
func (s *Store) on(db bun.IDB) *Store {
	n := &Store{db: db, prefix: s.prefix, replay: s.replay, citus: s.citus, prepare: s.prepare, lead: s.lead, reg: sqlstore.NewRegistry(db, Dialect{}, controlSchema(s.prefix))}
	// The control schema's wakeup tables say which tenants have work due;
	// a schema dropped meanwhile (SQLSTATE 3F000) is skipped.
	n.host = sqlstore.NewHost(n.reg, sqlstore.Access{InTenant: n.onTenant, MoveWakeup: n.moveWakeup, MigrateTenant: n.migrateTenant})
	return n
}

// controlSchema names the control schema of the stores under prefix: the
// one place the name is made, for Open's pool (before the Store exists)
// and the Store alike.
func controlSchema(prefix string) string { return prefix + "control" }

// control is the store's control schema as an identifier.
func (s *Store) control() bun.Ident { return bun.Ident(controlSchema(s.prefix)) }

// Schema returns the schema that holds a tenant's tables.
func (s *Store) Schema(tenant string) string { return s.prefix + "t_" + tenant }

// ensureControl makes the control schema and registry, serialised by an
// advisory lock so replicas starting together do not race. An existing
// control schema is not made again: a role that owns it but may not
// create schemas (an administrator made it) still opens the store.
func (s *Store) ensureControl(ctx context.Context) error {
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext(?))", controlSchema(s.prefix)); err != nil {
			return err
		}
		if err := place(ctx, tx, placeControl); err != nil {
			return err
		}
		var exists, citus bool
		if err := tx.NewRaw(`SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ?),
			EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')`, controlSchema(s.prefix)).Scan(ctx, &exists, &citus); err != nil {
			return err
		}
		s.citus = s.citus || citus
		if !exists {
			if _, err := tx.NewRaw("CREATE SCHEMA ?", s.control()).Exec(ctx); err != nil {
				return mayNotCreate(err)
			}
		}
		return s.reg.CreateTables(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("postgres: control schema %s: %w", controlSchema(s.prefix), err)
	}
	return nil
}

// mayNotCreate says what to do about CREATE SCHEMA refused to the role
// (SQLSTATE 42501, insufficient_privilege), and returns other errors as
// they are.
func mayNotCreate(err error) error {
	if sqlState(err) == "42501" {
		return fmt.Errorf("the database role may not create schemas in this database: GRANT CREATE ON DATABASE to it: %w", err)
	}
	return err
}

// classify maps unique violations (SQLSTATE 23505) to casetype.ErrConflict
// and a full disk (53100) to an error that says so (diskFull), whichever
// driver the *bun.DB runs on.
func classify(err error) error {
	if sqlState(err) == "23505" { // unique_violation
		return sqlstore.Conflict(err)
	}
	return diskFull(err)
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

// lockTenant takes a transaction-scoped advisory lock on a tenant's schema.
func (s *Store) lockTenant(ctx context.Context, tx bun.IDB, id string) error {
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext(?))", s.Schema(id))
	return err
}

// baseline is what new tenants are made from: the migrations squashed
// (sqlstore.Squash), once per process.
var baseline = sync.OnceValues(func() (sqlstore.Baseline, error) { return sqlstore.Squash(Dialect{}) })

// serialIndexBuilds spares each CREATE INDEX of a new tenant's empty
// tables the planner's estimate of parallel workers for its build
// (plan_create_index_workers: a planner set up, the table's size and every
// column's width looked up in the catalogs, all to choose none), which
// PostgreSQL skips when the setting is 0; for this transaction only.
const serialIndexBuilds = "SET LOCAL max_parallel_maintenance_workers = 0"

// CreateTenant implements store.Store: schema, tables, indexes, seed and
// registry row in one transaction, the schema made from the baseline (at
// the latest version) in one round trip.
func (s *Store) CreateTenant(ctx context.Context, t casetype.Tenant, seed func(context.Context, store.Tx) error) error {
	if err := casetype.ValidateTenantID(t.ID); err != nil {
		return err
	}
	schema := s.Schema(t.ID)
	err := s.inTenantTx(ctx, t.ID, func(ctx context.Context, tx bun.Tx) error {
		if err := s.lockTenant(ctx, tx, t.ID); err != nil {
			return err
		}
		if ok, err := s.reg.Registered(ctx, tx, t.ID); err != nil || ok {
			if err == nil {
				err = casetype.ErrTenantExists
			}
			return err
		}
		if err := schemaTaken(ctx, tx, schema); err != nil {
			return err
		}
		if err := place(ctx, tx, placeTenant); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, serialIndexBuilds); err != nil {
			return err
		}
		if _, err := tx.NewRaw("CREATE SCHEMA ?", bun.Ident(schema)).Exec(ctx); err != nil {
			if sqlState(err) == "42P06" { // duplicate_schema: made since by something outside casekit's lock
				return fmt.Errorf("schema %s exists: %w", schema, casetype.ErrTenantExists)
			}
			return mayNotCreate(err)
		}
		b, err := baseline()
		if s.replay {
			b, err = sqlstore.Baseline{}, nil
		}
		if err != nil {
			return err
		}
		b.Whole = !s.citus && b.Version > 0
		if err := sqlstore.Build(ctx, s.tx(tx, t.ID, nil), b, seed); err != nil {
			return err
		}
		return s.reg.Register(ctx, tx, t, classify)
	})
	if err != nil {
		return sqlstore.TenantErr(t.ID, err)
	}
	s.reg.Remember(t.ID)
	return nil
}

// DropTenant implements store.Store. The schema goes before the registry
// row: on a Citus coordinator a dropped table constraint makes Citus lock
// every Citus local table (the control schema's) against new foreign
// keys, so a drop that had written a registry row first would wait for,
// and deadlock with, another drop that had done the same.
func (s *Store) DropTenant(ctx context.Context, id string) error {
	if err := casetype.ValidateTenantID(id); err != nil {
		return err
	}
	s.reg.Forget(id)
	err := s.inTenantTx(ctx, id, func(ctx context.Context, tx bun.Tx) error {
		if err := s.lockTenant(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.NewRaw("DROP SCHEMA IF EXISTS ? CASCADE", bun.Ident(s.Schema(id))).Exec(ctx); err != nil {
			return err
		}
		return s.reg.Unregister(ctx, tx, id)
	})
	if err != nil {
		return sqlstore.TenantErr(id, err)
	}
	return nil
}

// migrateTenant brings one tenant schema to the latest version, one
// migration per transaction under the tenant's advisory lock. A tenant
// left half-way by a crash is finished on the next run.
func (s *Store) migrateTenant(ctx context.Context, id string) (int, int, error) {
	lock := func(ctx context.Context, tx bun.IDB) error { return s.lockTenant(ctx, tx, id) }
	var from, to int
	err := s.with(ctx, id, func(db bun.IDB) (err error) {
		from, to, err = sqlstore.Migrate(ctx, db, Dialect{}, s.Schema(id), lock)
		return err
	})
	return from, to, diskFull(err)
}

// inTenantTx runs fn in a transaction on a connection for the tenant. A
// full disk anywhere in it, the statements that bypass classify (a
// baseline's scripts, a migration's DDL) and the commit included, is told
// in words a person can act on (diskFull).
func (s *Store) inTenantTx(ctx context.Context, tenant string, fn func(context.Context, bun.Tx) error) error {
	return diskFull(s.with(ctx, tenant, func(db bun.IDB) error { return db.RunInTx(ctx, nil, fn) }))
}

// InTx implements store.Store.
func (s *Store) InTx(ctx context.Context, tenant string, fn func(context.Context, store.Tx) error) error {
	if err := s.reg.Require(ctx, tenant); err != nil {
		return err
	}
	// The commit bypasses classify.
	err := diskFull(s.runner(tenant).Run(ctx, fn))
	if sqlState(err) == "3F000" { // invalid_schema_name: dropped by another replica
		s.reg.Forget(tenant)
		return sqlstore.TenantErr(tenant, casetype.ErrTenantNotFound)
	}
	return err
}

// Close closes the pool if Open made it.
func (s *Store) Close() error {
	if s.pool != nil {
		return s.pool.close()
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

// DB returns the executor the store runs on: the *bun.DB (for a store
// from Open, the sub-pool that serves the control schema), or the host's
// transaction for a store from WithTx.
func (s *Store) DB() bun.IDB { return s.db }

// tx returns the store.Tx of a tenant on the transaction tx. Work it
// queues (timers, notifications) lowers the tenant's wakeup in the control
// schema, in the same transaction. lead (Store.lead, or nil) makes its hot
// statements prepared: the commands' transactions do, a new tenant's
// build and a wakeup's move, whose statements run once, do not.
func (s *Store) tx(tx bun.IDB, tenant string, lead []any) *sqlstore.Tx {
	return sqlstore.NewTx(tx, Dialect{}, s.Schema(tenant), classify).Prepare(lead...).OnWake(s.reg.WakeOn(tx, tenant, lead...))
}

// runner runs transactions on a tenant's schema. A connection of the
// store's own pool, or one taken from the host's *bun.DB, runs each in a
// transaction the store opens and ends itself, its COMMIT sent with the
// command's last writes (sqlstore.RunCommitting), on a Citus coordinator
// too (TestCitusConformance); a host's transaction (WithTx) runs each in
// a savepoint of it (sqlstore.RunIn).
func (s *Store) runner(tenant string) sqlstore.InTxFunc {
	return func(ctx context.Context, fn func(context.Context, *sqlstore.Tx) error) error {
		return s.with(ctx, tenant, func(db bun.IDB) error {
			batch := s.batcher(db)
			newTx := func(tx bun.IDB) *sqlstore.Tx { return s.tx(tx, tenant, s.lead).Batch(batch).WithSlots(s.slots) }
			switch db := db.(type) {
			case bun.Conn:
				return sqlstore.RunCommitting(db, newTx)(ctx, fn)
			case *bun.DB:
				conn, err := db.Conn(ctx)
				if err != nil {
					return err
				}
				defer conn.Close()
				return sqlstore.RunCommitting(conn, newTx)(ctx, fn)
			}
			return sqlstore.RunIn(db, newTx)(ctx, fn)
		})
	}
}

// onTenant calls fn with the runner of transactions on the tenant's
// schema; a schema dropped meanwhile (SQLSTATE 3F000) gives
// sqlstore.ErrTenantGone. Outbox rows are claimed FOR UPDATE SKIP LOCKED.
func (s *Store) onTenant(ctx context.Context, tenant, _ string, fn func(sqlstore.InTxFunc) error) error {
	err := fn(s.runner(tenant))
	if sqlState(err) == "3F000" { // invalid_schema_name
		return sqlstore.ErrTenantGone
	}
	return err
}

// moveWakeup moves a tenant's wakeup in a transaction of its own. It
// locks the wakeup row first, which waits for no command: a row that
// commands hold (they read or lower it as they queue work, Registry.Wake)
// is left early for the next round. Once it holds the lock, the next
// statement's snapshot sees every command that read or lowered the row
// before, and later ones wait for it, so a wakeup is never moved past
// work a command queued meanwhile.
func (s *Store) moveWakeup(ctx context.Context, tenant, queue string, _ sqlstore.InTxFunc) error {
	err := s.inTenantTx(ctx, tenant, func(ctx context.Context, tx bun.Tx) error {
		if ok, err := s.reg.LockWakeup(ctx, tx, tenant, queue); err != nil || !ok {
			return err
		}
		return s.reg.MoveWakeup(ctx, tx, s.tx(tx, tenant, nil), tenant, queue)
	})
	if sqlState(err) == "3F000" {
		return nil
	}
	return err
}
