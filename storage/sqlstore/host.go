package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// Host implements the store.Store methods that are the same on every SQL
// store: listing tenants from the Registry, migrating them, and Kit.Run's
// work across them (work.go). A store embeds it and adds what is its own:
// making and dropping a tenant's schema or file, opening transactions on
// it, its pool or files, and its locks, which it hands over as Access.
//
// Stores embed it through an unexported alias (type host = sqlstore.Host),
// so that only these store.Store methods join the store's own.
type Host struct {
	reg    *Registry
	access Access
}

// Access is how a Host reaches one tenant's data, the part of the work
// each store does its own way.
type Access struct {
	// InTenant calls fn with the tenant's transaction runner, or returns
	// ErrTenantGone for a tenant dropped since its wakeup was read.
	InTenant func(ctx context.Context, tenant, queue string, fn func(InTxFunc) error) error
	// MoveWakeup sets the tenant's wakeup for queue to its next due row
	// (Registry.MoveWakeup), or removes it, without ever moving it past
	// work queued meanwhile. inTx is the one InTenant handed out. Its
	// errors are said to be the queue's wakeup's by the Host.
	MoveWakeup func(ctx context.Context, tenant, queue string, inTx InTxFunc) error
	// MigrateTenant brings one tenant to the latest schema version.
	MigrateTenant func(ctx context.Context, id string) (from, to int, err error)
}

// NewHost returns the Host of a store with registry reg.
func NewHost(reg *Registry, a Access) Host { return Host{reg: reg, access: a} }

// InTxFunc runs fn in one transaction on one tenant's data.
type InTxFunc func(ctx context.Context, fn func(context.Context, *Tx) error) error

// RunIn returns the InTxFunc that runs each fn in a transaction of its
// own on db, handing it the Tx newTx makes on that transaction. The Tx
// holds its writes (Tx.holding) where the dialect batches, so the writes
// a command ends with (a new case, its timers, its events) reach the
// database in one round trip just before the commit, and it gives back
// its case_flow slot once the transaction has ended (Slots).
func RunIn(db bun.IDB, newTx func(bun.IDB) *Tx) InTxFunc {
	return func(ctx context.Context, fn func(context.Context, *Tx) error) error {
		var t *Tx
		defer func() {
			if t != nil {
				t.releaseSlot()
			}
		}()
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			t = newTx(tx)
			return t.holding(ctx, func() error { return fn(ctx, t) })
		})
	}
}

// Run runs fn in one transaction: store.Store.InTx once the store has
// found the tenant.
func (in InTxFunc) Run(ctx context.Context, fn func(context.Context, store.Tx) error) error {
	return in(ctx, func(ctx context.Context, tx *Tx) error { return fn(ctx, tx) })
}

// ErrTenantGone is what Access.InTenant returns for a tenant dropped since
// its wakeup was read: the tenant is skipped.
var ErrTenantGone = errors.New("the tenant was dropped")

// Tenant implements store.Store.
func (h Host) Tenant(ctx context.Context, id string) (casetype.Tenant, error) {
	return h.reg.Tenant(ctx, id)
}

// Tenants implements store.Store.
func (h Host) Tenants(ctx context.Context) ([]casetype.Tenant, error) { return h.reg.Tenants(ctx) }

// Migrate implements store.Store: every registered tenant is brought to
// the latest version with Access.MigrateTenant, at most opts.Concurrency
// at once (4 when unset), each reported through opts.Progress; the
// failures are joined, and one tenant's failure does not stop the others.
func (h Host) Migrate(ctx context.Context, opts casetype.MigrateOptions) error {
	tenants, err := h.reg.Tenants(ctx)
	if err != nil {
		return err
	}
	n := opts.Concurrency
	if n <= 0 {
		n = 4
	}
	sem := make(chan struct{}, n)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
		errs []error
	)
	for _, t := range tenants {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			from, to, err := h.access.MigrateTenant(ctx, t.ID)
			mu.Lock()
			done++
			p := casetype.MigrateProgress{Tenant: t.ID, Done: done, Total: len(tenants), From: from, To: to, Err: err}
			if err != nil {
				errs = append(errs, fmt.Errorf("tenant %q: %w", t.ID, err))
			}
			mu.Unlock()
			if opts.Progress != nil {
				opts.Progress(p)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
