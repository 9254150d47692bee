// Package sqlite is casekit's SQLite store: one database file per tenant in
// a directory, opened lazily with a bound on open files, or everything in
// memory for tests and examples. It is built on Bun with sqlitedialect and
// the pure-Go modernc.org/sqlite driver, so it needs no cgo.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/sqlstore"
)

// Memory is the directory name that keeps every tenant in memory.
const Memory = ":memory:"

// errMissing marks a tenant file that is registered but not on disk.
var errMissing = errors.New("the tenant's database file is missing")

// controlFile holds the tenant registry; no tenant slug can produce it.
const controlFile = "_casekit.db"

// schema is the name SQLite gives a database file's own tables.
const schema = "main"

// host is sqlstore.Host under a name that keeps it out of the Store's
// exported fields: only its store.Store methods are promoted.
type host = sqlstore.Host

// Store is the SQLite store.Store. It is safe for concurrent use.
type Store struct {
	host // Tenant, Tenants, Migrate and Kit.Run's work

	dir     string // empty in memory
	maxOpen int
	busy    time.Duration
	control *bun.DB
	reg     *sqlstore.Registry // in the control file

	mu       sync.Mutex
	open     map[string]*handle
	creating map[string]bool
	tick     uint64
}

// handle is one tenant's open database with the commands using it.
type handle struct {
	db      *bun.DB
	refs    int
	used    uint64
	dropped bool
}

// Option configures a Store.
type Option func(*Store)

// WithMaxOpen bounds how many tenant files are open at once (default 64).
// Past the bound the least recently used idle one is closed; it reopens on
// its next use. In memory every tenant stays open.
func WithMaxOpen(n int) Option {
	return func(s *Store) {
		if n > 0 {
			s.maxOpen = n
		}
	}
}

// WithBusyTimeout sets how long SQLite waits on a lock held by another
// process before failing (default 5s).
func WithBusyTimeout(d time.Duration) Option { return func(s *Store) { s.busy = d } }

var _ store.Store = (*Store)(nil)

// Open opens the store in dir, creating the directory if needed, or in
// memory when dir is ":memory:" (every in-memory store is independent).
func Open(dir string, opts ...Option) (*Store, error) {
	s := &Store{maxOpen: 64, busy: 5 * time.Second, open: map[string]*handle{}, creating: map[string]bool{}}
	for _, o := range opts {
		o(s)
	}
	if dir == "" {
		return nil, errors.New("sqlite: Open needs a directory or \":memory:\"")
	}
	if dir != Memory {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
		s.dir = dir
	}
	control, err := s.openDB(controlFile, true)
	if err != nil {
		return nil, err
	}
	s.control = control
	s.reg = sqlstore.NewRegistry(control, Dialect{}, schema)
	if err := s.reg.CreateTables(context.Background(), control); err != nil {
		control.Close()
		return nil, fmt.Errorf("sqlite: tenant registry: %w", err)
	}
	// The registry's wakeup tables say which tenants have work due; each
	// file runs one transaction at a time, so a timer fires once and
	// claims are disjoint.
	s.host = sqlstore.NewHost(s.reg, sqlstore.Access{InTenant: s.onTenant, MoveWakeup: s.moveWakeup, MigrateTenant: s.migrateTenant})
	return s, nil
}

func (s *Store) memory() bool { return s.dir == "" }

func (s *Store) path(file string) string { return filepath.Join(s.dir, file) }

func tenantFile(id string) string { return id + ".db" }

// uriPath escapes the characters that would end or garble the path of a
// SQLite "file:" URI.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")

// openDB opens one database with a single connection: SQLite has one
// writer, and one connection per file keeps SQLITE_BUSY out of the process.
// Transactions begin IMMEDIATE, taking the write lock at once, so two
// processes on one file wait for each other (busy timeout) instead of
// failing when a reader turns writer. Unless create is set, a missing file
// is not made: it gives errMissing.
func (s *Store) openDB(file string, create bool) (*bun.DB, error) {
	dsn := ":memory:"
	if !s.memory() {
		mode := "rw"
		if create {
			mode = "rwc"
		}
		dsn = "file:" + uriPath.Replace(s.path(file)) + "?mode=" + mode + "&_txlock=immediate" +
			"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
			"&_pragma=busy_timeout(" + strconv.FormatInt(s.busy.Milliseconds(), 10) + ")&_pragma=foreign_keys(1)"
	}
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	sqldb.SetMaxOpenConns(1)
	sqldb.SetMaxIdleConns(1)
	sqldb.SetConnMaxIdleTime(0)
	sqldb.SetConnMaxLifetime(0)
	if err := sqldb.Ping(); err != nil {
		sqldb.Close()
		var se *msqlite.Error
		if !create && errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CANTOPEN {
			return nil, fmt.Errorf("sqlite: %s: %w", file, errMissing)
		}
		return nil, fmt.Errorf("sqlite: open %s: %w", file, err)
	}
	return bun.NewDB(sqldb, sqlitedialect.New()), nil
}

// classify maps SQLite's unique and primary-key violations to
// casetype.ErrConflict, by extended result code.
var classify = sqlstore.ClassifyCode(func(e *msqlite.Error) string { return strconv.Itoa(e.Code()) },
	strconv.Itoa(sqlite3.SQLITE_CONSTRAINT_UNIQUE), strconv.Itoa(sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY))

// acquire returns the tenant's open database, opening it if needed (and
// creating the file only when create is set), and holds it open until
// release. A registered tenant whose file is gone gives ErrTenantNotFound.
func (s *Store) acquire(id string, create bool) (*handle, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick++
	if h, ok := s.open[id]; ok && !h.dropped {
		h.refs++
		h.used = s.tick
		return h, nil
	}
	db, err := s.openDB(tenantFile(id), create)
	if errors.Is(err, errMissing) {
		s.reg.Forget(id)
		return nil, sqlstore.TenantErr(id, fmt.Errorf("%w: %w", err, casetype.ErrTenantNotFound))
	}
	if err != nil {
		return nil, err
	}
	h := &handle{db: db, refs: 1, used: s.tick}
	s.open[id] = h
	s.evict()
	return h, nil
}

func (s *Store) release(h *handle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h.refs--
	if h.refs == 0 && h.dropped {
		h.db.Close()
		return
	}
	s.evict()
}

// evict closes least recently used idle files while over the bound. Called
// with s.mu held.
func (s *Store) evict() {
	if s.memory() {
		return
	}
	for len(s.open) > s.maxOpen {
		var victim string
		var oldest uint64
		for id, h := range s.open {
			if h.refs == 0 && (victim == "" || h.used < oldest) {
				victim, oldest = id, h.used
			}
		}
		if victim == "" {
			return // every file is in use; close some when released
		}
		s.open[victim].db.Close()
		delete(s.open, victim)
	}
}

// OpenFiles reports how many tenant databases are open now.
func (s *Store) OpenFiles() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.open)
}

// CreateTenant implements store.Store.
func (s *Store) CreateTenant(ctx context.Context, t casetype.Tenant, seed func(context.Context, store.Tx) error) (err error) {
	if err := casetype.ValidateTenantID(t.ID); err != nil {
		return err
	}
	s.mu.Lock()
	busy := s.creating[t.ID]
	s.creating[t.ID] = true
	s.mu.Unlock()
	if busy {
		return sqlstore.TenantErr(t.ID, casetype.ErrTenantExists)
	}
	defer func() {
		s.mu.Lock()
		delete(s.creating, t.ID)
		s.mu.Unlock()
	}()
	if ok, err := s.reg.Exists(ctx, t.ID); err != nil || ok {
		if err == nil {
			err = sqlstore.TenantErr(t.ID, casetype.ErrTenantExists)
		}
		return err
	}
	if !s.memory() {
		if _, err := os.Stat(s.path(tenantFile(t.ID))); err == nil {
			return fmt.Errorf("tenant %q: file %s exists: %w", t.ID, tenantFile(t.ID), casetype.ErrTenantExists)
		}
	}
	h, err := s.acquire(t.ID, true)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			s.discard(t.ID, h)
		} else {
			s.release(h)
		}
	}()
	// A tenant file replays every migration (no baseline): its catalog is
	// its own, shared with no other tenant, and small.
	err = s.runner(h, t.ID)(ctx, func(ctx context.Context, tx *sqlstore.Tx) error {
		return sqlstore.Build(ctx, tx, sqlstore.Baseline{}, seed)
	})
	if err != nil {
		return sqlstore.TenantErr(t.ID, err)
	}
	if err = s.reg.Register(ctx, s.control, t, classify); err != nil {
		return sqlstore.TenantErr(t.ID, err)
	}
	s.reg.Remember(t.ID)
	return nil
}

// discard closes and deletes a tenant database that failed to be created.
func (s *Store) discard(id string, h *handle) {
	s.mu.Lock()
	delete(s.open, id)
	h.dropped = true
	s.mu.Unlock()
	s.release(h)
	s.removeFiles(id)
}

func (s *Store) removeFiles(id string) {
	if s.memory() {
		return
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(s.path(tenantFile(id) + suffix))
	}
}

// DropTenant implements store.Store.
func (s *Store) DropTenant(ctx context.Context, id string) error {
	if err := casetype.ValidateTenantID(id); err != nil {
		return err
	}
	if err := s.reg.Unregister(ctx, s.control, id); err != nil {
		return sqlstore.TenantErr(id, err)
	}
	s.mu.Lock()
	if h, ok := s.open[id]; ok {
		delete(s.open, id)
		h.dropped = true
		if h.refs == 0 {
			h.db.Close()
		}
	}
	s.mu.Unlock()
	s.removeFiles(id)
	return nil
}

// migrateTenant brings one tenant's file to the latest version, one
// migration per transaction.
func (s *Store) migrateTenant(ctx context.Context, id string) (int, int, error) {
	h, err := s.acquire(id, false)
	if err != nil {
		return 0, 0, err
	}
	defer s.release(h)
	return sqlstore.Migrate(ctx, h.db, Dialect{}, schema, nil)
}

// InTx implements store.Store.
func (s *Store) InTx(ctx context.Context, tenant string, fn func(context.Context, store.Tx) error) error {
	if err := s.reg.Require(ctx, tenant); err != nil {
		return err
	}
	return s.onFile(tenant, func(in sqlstore.InTxFunc) error { return in.Run(ctx, fn) })
}

// Close closes every open database. The store cannot be used after.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for id, h := range s.open {
		errs = append(errs, h.db.Close())
		delete(s.open, id)
	}
	errs = append(errs, s.control.Close())
	return errors.Join(errs...)
}

// tx returns the store.Tx of a tenant on its file's transaction tx.
// Work it queues (timers, notifications) lowers the tenant's wakeup in the
// registry at once, before the tenant's transaction commits: should that
// roll back, the wakeup is merely early, and Run moves it on.
func (s *Store) tx(tx bun.IDB, tenant string) *sqlstore.Tx {
	return sqlstore.NewTx(tx, Dialect{}, schema, classify).OnWake(s.reg.WakeOn(s.control, tenant))
}

// runner runs transactions on a tenant's open file.
func (s *Store) runner(h *handle, tenant string) sqlstore.InTxFunc {
	return sqlstore.RunIn(h.db, func(tx bun.IDB) *sqlstore.Tx { return s.tx(tx, tenant) })
}

// onFile calls fn with the runner of transactions on a registered
// tenant's file, held open meanwhile.
func (s *Store) onFile(tenant string, fn func(sqlstore.InTxFunc) error) error {
	h, err := s.acquire(tenant, false)
	if err != nil {
		return err
	}
	defer s.release(h)
	return fn(s.runner(h, tenant))
}

// onTenant runs fn with the transaction runner of a tenant's file, held
// open meanwhile. A tenant dropped since its wakeup was written has the
// wakeup removed, and fn is not run.
func (s *Store) onTenant(ctx context.Context, tenant, queue string, fn func(sqlstore.InTxFunc) error) error {
	if ok, err := s.reg.Exists(ctx, tenant); err != nil || !ok {
		if err == nil {
			err = s.reg.DropWakeup(ctx, s.control, tenant, queue)
		}
		if err == nil {
			err = sqlstore.ErrTenantGone
		}
		return err
	}
	return s.onFile(tenant, fn)
}

// moveWakeup moves a tenant's wakeup inside a transaction on the file, so
// that no command of this process queues work between the reading and the
// writing.
func (s *Store) moveWakeup(ctx context.Context, tenant, queue string, inTx sqlstore.InTxFunc) error {
	return inTx(ctx, func(ctx context.Context, tx *sqlstore.Tx) error {
		return s.reg.MoveWakeup(ctx, s.control, tx, tenant, queue)
	})
}
