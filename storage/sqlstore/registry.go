package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
)

// Registry is a store's tenant registry, kept outside every tenant: the
// tenants table, which says which tenants exist, and a wakeup table per
// queue of work (QueueTimers, QueueOutbox) holding the earliest due time
// (or earlier) of each tenant's rows, so that Kit.Run finds the tenants
// with due work without visiting every tenant. PostgreSQL keeps it in its
// control schema, SQLite in "main" of its control file: the SQL is the
// same, the schema named in every statement.
//
// Methods that write take the executor to write on, because the stores
// differ there: PostgreSQL writes in the tenant's own transaction (one
// database), SQLite on the control file beside the tenant's file.
type Registry struct {
	db      bun.IDB
	schema  bun.Ident
	dialect Dialect

	mu    sync.Mutex
	known map[string]bool // tenants seen registered
}

// NewRegistry returns the registry kept in schema on db.
func NewRegistry(db bun.IDB, d Dialect, schema string) *Registry {
	return &Registry{db: db, schema: bun.Ident(schema), dialect: d, known: map[string]bool{}}
}

// registryDDL makes the registry's tables, in neutral DDL (see
// migrations.go).
var registryDDL = []string{
	`CREATE TABLE IF NOT EXISTS ?.tenants (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		created_at {ts} NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS ?.timer_wakeups (tenant TEXT PRIMARY KEY, due_us BIGINT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS ?.outbox_wakeups (tenant TEXT PRIMARY KEY, due_us BIGINT NOT NULL)`,
	hook(HookWakeupIndexes),
}

// CreateTables makes the registry's tables on db when they are missing.
func (r *Registry) CreateTables(ctx context.Context, db bun.IDB) error {
	return execDDL(ctx, db, r.dialect, string(r.schema), registryDDL)
}

// wakeups names the registry table of a queue's per-tenant wakeups.
func wakeups(queue string) bun.Ident { return bun.Ident(queue + "_wakeups") }

// TenantErr says which tenant an error is about.
func TenantErr(id string, err error) error { return fmt.Errorf("tenant %q: %w", id, err) }

// Registered reports whether the tenant is registered, reading db (a
// transaction that holds the tenant's lock, where the store has one).
func (r *Registry) Registered(ctx context.Context, db bun.IDB, id string) (bool, error) {
	n, err := db.NewSelect().TableExpr("?.tenants", r.schema).Where("id = ?", id).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("%s: tenant registry: %w", r.dialect.Name(), err)
	}
	return n > 0, nil
}

// Exists reports whether the tenant is registered, asking the registry
// only while this process has not seen it registered.
func (r *Registry) Exists(ctx context.Context, id string) (bool, error) {
	r.mu.Lock()
	ok := r.known[id]
	r.mu.Unlock()
	if ok {
		return true, nil
	}
	ok, err := r.Registered(ctx, r.db, id)
	if ok {
		r.Remember(id)
	}
	return ok, err
}

// Require is how every command on a tenant starts: a valid ID of a
// registered tenant, or ErrTenantNotFound.
func (r *Registry) Require(ctx context.Context, id string) error {
	if err := casetype.ValidateTenantID(id); err != nil {
		return err
	}
	ok, err := r.Exists(ctx, id)
	if err != nil {
		return err
	}
	if !ok {
		return TenantErr(id, casetype.ErrTenantNotFound)
	}
	return nil
}

// Remember notes that the tenant is registered, once its creation has
// committed.
func (r *Registry) Remember(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.known[id] = true
}

// Forget drops the tenant from what this process has seen registered: it
// was dropped, here or by another process.
func (r *Registry) Forget(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.known, id)
}

// Register writes the tenant's row on db; a registered ID gives
// ErrConflict through classify. The creation time is stored as RFC 3339
// text, which SQLite keeps as is and PostgreSQL reads as a timestamptz.
func (r *Registry) Register(ctx context.Context, db bun.IDB, t casetype.Tenant, classify func(error) error) error {
	_, err := db.NewRaw("INSERT INTO ?.tenants (id, name, created_at) VALUES (?, ?, ?)",
		r.schema, t.ID, t.Name, t.CreatedAt.UTC().Format(time.RFC3339Nano)).Exec(ctx)
	if err != nil {
		return classify(err)
	}
	return nil
}

// Unregister removes the tenant's row and wakeups on db, or gives
// ErrTenantNotFound, and forgets the tenant.
func (r *Registry) Unregister(ctx context.Context, db bun.IDB, id string) error {
	res, err := db.NewRaw("DELETE FROM ?.tenants WHERE id = ?", r.schema, id).Exec(ctx)
	if err != nil {
		return err
	}
	if err := affected(res, casetype.ErrTenantNotFound); err != nil {
		return err
	}
	r.Forget(id)
	for _, q := range []string{QueueTimers, QueueOutbox} {
		if err := r.DropWakeup(ctx, db, id, q); err != nil {
			return err
		}
	}
	return nil
}

// tenantRow is a row of the tenants table.
type tenantRow struct {
	ID        string    `bun:"id"`
	Name      string    `bun:"name"`
	CreatedAt time.Time `bun:"created_at"`
}

func (t tenantRow) domain() casetype.Tenant {
	return casetype.Tenant{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt.UTC()}
}

// Tenant implements store.Store.Tenant.
func (r *Registry) Tenant(ctx context.Context, id string) (casetype.Tenant, error) {
	if err := casetype.ValidateTenantID(id); err != nil {
		return casetype.Tenant{}, err
	}
	var t tenantRow
	err := r.db.NewRaw("SELECT id, name, created_at FROM ?.tenants WHERE id = ?", r.schema, id).Scan(ctx, &t)
	if errors.Is(err, sql.ErrNoRows) {
		return casetype.Tenant{}, TenantErr(id, casetype.ErrTenantNotFound)
	}
	if err != nil {
		return casetype.Tenant{}, TenantErr(id, err)
	}
	return t.domain(), nil
}

// Tenants implements store.Store.Tenants.
func (r *Registry) Tenants(ctx context.Context) ([]casetype.Tenant, error) {
	var rows []tenantRow
	if err := r.db.NewRaw("SELECT id, name, created_at FROM ?.tenants ORDER BY id", r.schema).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("%s: tenants: %w", r.dialect.Name(), err)
	}
	out := make([]casetype.Tenant, len(rows))
	for i, t := range rows {
		out[i] = t.domain()
	}
	return out, nil
}

// Wake lowers the tenant's wakeup for queue to due, on db: the tenant has
// work due then. Most commands find the wakeup already as early (some
// other row of the tenant is due sooner) and only read it, under a lock
// that other commands share (Lock.KeyShare), where writing it would make
// every command of the tenant wait for the one before to commit. The
// shared lock still keeps MoveWakeup, which locks the row for update
// first, from moving the wakeup past this transaction's work until it
// commits. Only a wakeup that is later than due, or missing, is written.
func (r *Registry) Wake(ctx context.Context, db bun.IDB, tenant, queue string, due time.Time) error {
	return r.wake(ctx, db, nil, tenant, queue, due)
}

// wake is Wake, its statements sent with their values as parameters
// after lead where lead is set (Tx.Prepare): a command that queues work
// reads the wakeup, in the control schema, with the one text every tenant
// shares.
func (r *Registry) wake(ctx context.Context, db bun.IDB, lead []any, tenant, queue string, due time.Time) error {
	var cur int64
	q := db.NewSelect().ColumnExpr("due_us").TableExpr("?.?", r.schema, wakeups(queue)).Where("tenant = ?", tenant)
	err := prepared(db, lead, r.dialect.LockRows(q, Lock{KeyShare: true})).Scan(ctx, &cur)
	switch {
	case err == nil && cur <= Micros(due):
		return nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return err
	}
	_, err = prepared(db, lead, db.NewRaw(`INSERT INTO ?.? AS w (tenant, due_us) VALUES (?, ?)
		ON CONFLICT (tenant) DO UPDATE SET due_us = `+r.dialect.Least()+`(w.due_us, EXCLUDED.due_us)`,
		r.schema, wakeups(queue), tenant, Micros(due))).Exec(ctx)
	return err
}

// WakeOn returns what Tx.OnWake wants for the tenant: the function that
// lowers its wakeups on db (Wake), sending its statements with their
// values as parameters after lead where lead is set (Tx.Prepare).
func (r *Registry) WakeOn(db bun.IDB, tenant string, lead ...any) func(ctx context.Context, queue string, due time.Time) error {
	return func(ctx context.Context, queue string, due time.Time) error {
		return r.wake(ctx, db, lead, tenant, queue, due)
	}
}

// MoveWakeup sets the tenant's wakeup for queue, on db, to the next due
// row tx holds, or removes it when there is none. The store makes sure no
// command queues work between the reading and the writing.
func (r *Registry) MoveWakeup(ctx context.Context, db bun.IDB, tx *Tx, tenant, queue string) error {
	next, ok, err := NextDue(ctx, tx, queue)
	if err != nil {
		return err
	}
	if !ok {
		return r.DropWakeup(ctx, db, tenant, queue)
	}
	_, err = db.NewRaw("UPDATE ?.? SET due_us = ? WHERE tenant = ?", r.schema, wakeups(queue), Micros(next), tenant).Exec(ctx)
	return err
}

// DropWakeup removes the tenant's wakeup for queue, on db.
func (r *Registry) DropWakeup(ctx context.Context, db bun.IDB, tenant, queue string) error {
	_, err := db.NewRaw("DELETE FROM ?.? WHERE tenant = ?", r.schema, wakeups(queue), tenant).Exec(ctx)
	return err
}

// LockWakeup locks the tenant's wakeup row for queue in the transaction
// tx (FOR UPDATE; SQLite's write lock covers it already) and reports
// whether there is one to move. A row that commands hold (Wake: they are
// queueing work now) is skipped and reported as none rather than waited
// for, since commands share that lock and a steady stream of them would
// keep the mover waiting, and Run with it, for as long as they come: the
// wakeup stays early, which is safe, and the next round moves it.
func (r *Registry) LockWakeup(ctx context.Context, tx bun.IDB, tenant, queue string) (bool, error) {
	var cur int64
	q := tx.NewSelect().ColumnExpr("due_us").TableExpr("?.?", r.schema, wakeups(queue)).Where("tenant = ?", tenant)
	err := r.dialect.LockRows(q, Lock{SkipLocked: true}).Scan(ctx, &cur)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// wakeupBatch is how many tenants with due work Run looks at per query.
const wakeupBatch = 16

// DueTenants lists the tenants whose wakeup for queue is due at now,
// earliest first, at most wakeupBatch of them.
func (r *Registry) DueTenants(ctx context.Context, queue string, now time.Time) ([]string, error) {
	var tenants []string
	err := r.db.NewRaw("SELECT tenant FROM ?.? WHERE due_us <= ? ORDER BY due_us LIMIT ?",
		r.schema, wakeups(queue), Micros(now), wakeupBatch).Scan(ctx, &tenants)
	if err != nil {
		return nil, fmt.Errorf("%s: %s wakeups: %w", r.dialect.Name(), queue, err)
	}
	return tenants, nil
}
