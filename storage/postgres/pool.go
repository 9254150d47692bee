package postgres

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
)

// Each PostgreSQL backend keeps the catalog entries of every relation it
// has opened until it exits, about 165 relations per tenant here; a pool
// whose connections wander over thousands of tenant schemas grows every
// backend to hundreds of MB (issue 24). The pool Open makes bounds that
// with three knobs, each an Option below; docs/tenancy.md sizes them.

// DefaultTenantBudget is how many distinct tenants a connection of the
// pool Open makes may serve before it is closed and replaced: a bound on
// each backend's catalog cache (measured in BENCHMARKS.md, "Thousands of
// tenants on one PostgreSQL") at the price of a reconnect per that many
// new tenants.
const DefaultTenantBudget = 100

// DefaultConnLifetime is how long a connection of the pool Open makes
// lives at most, whatever it served: what bounds the memory of a backend
// that serves few tenants but many of their relations, and lets
// connections follow a failover.
const DefaultConnLifetime = 30 * time.Minute

// DefaultAffinityPools is how many sub-pools the pool Open makes is cut
// into; a tenant's transactions go to the sub-pool its ID hashes to, so
// each backend sees about one sub-pool's share of the tenants.
const DefaultAffinityPools = 4

// WithTenantBudget closes a connection of the pool Open makes once it has
// served n distinct tenants, before it would serve one more; 0 means no
// budget. Each tenant costs a backend roughly 100-150 kB of catalog cache
// that only ending the backend gives back. It does nothing for New.
func WithTenantBudget(n int) Option { return func(s *Store) { s.cfg.budget = n } }

// WithConnLifetime closes a connection of the pool Open makes once it is
// older than d, when it is next returned to the pool; 0 means no limit.
// It does nothing for New.
func WithConnLifetime(d time.Duration) Option { return func(s *Store) { s.cfg.lifetime = d } }

// WithAffinityPools cuts the pool Open makes into n sub-pools sharing its
// WithMaxConns connections (at most one sub-pool per connection); a
// tenant's transactions prefer the sub-pool its ID hashes to, and take an
// idle connection of another only when all of its own are busy. 1 turns
// affinity off. It does nothing for New.
func WithAffinityPools(n int) Option { return func(s *Store) { s.cfg.pools = n } }

// poolConfig is what Open's options say about the pool it makes.
type poolConfig struct {
	conns    int
	budget   int
	lifetime time.Duration
	pools    int
	// served, when set, hears each tenant a backend (by its process ID)
	// is handed for: the test's view of the budget.
	served func(pid uint32, tenant string)
}

// defaultPool is the pool Open makes without options.
var defaultPool = poolConfig{conns: DefaultMaxConns, budget: DefaultTenantBudget, lifetime: DefaultConnLifetime, pools: DefaultAffinityPools}

// check reports the first option out of range.
func (c poolConfig) check() error {
	switch {
	case c.conns < 1:
		return fmt.Errorf("postgres: WithMaxConns(%d): the pool needs at least one connection", c.conns)
	case c.budget < 0:
		return fmt.Errorf("postgres: WithTenantBudget(%d): the budget is 0 (none) or more tenants", c.budget)
	case c.lifetime < 0:
		return fmt.Errorf("postgres: WithConnLifetime(%s): the lifetime is 0 (none) or more", c.lifetime)
	case c.pools < 1:
		return fmt.Errorf("postgres: WithAffinityPools(%d): the pool needs at least one sub-pool", c.pools)
	}
	return nil
}

// PoolStats counts what the pool Open makes did to bound server memory.
type PoolStats struct {
	// Pools is the number of affinity sub-pools.
	Pools int
	// OverBudget counts connections closed because serving one more
	// tenant would have taken them over WithTenantBudget.
	OverBudget int64
	// Borrowed counts transactions that ran on another sub-pool's idle
	// connection because all of their own sub-pool's were busy.
	Borrowed int64
}

// tenantPool is the pool Open makes: sub-pools, each a *bun.DB of its
// own, and the budget of tenants per connection.
type tenantPool struct {
	subs       []*bun.DB
	budget     int
	served     func(pid uint32, tenant string)
	overBudget atomic.Int64
	borrowed   atomic.Int64
}

// tenantsKey names, in a connection's pgconn.PgConn.CustomData, the set
// of tenants it has served: the set lives and dies with the connection.
const tenantsKey = "casekit.tenants"

// home returns the index of the sub-pool a tenant hashes to.
func (p *tenantPool) home(tenant string) int {
	h := fnv.New32a()
	h.Write([]byte(tenant))
	return int(h.Sum32() % uint32(len(p.subs)))
}

// pick returns the sub-pool to take a tenant's connection from: its home,
// unless every home connection is busy and another sub-pool has one idle.
func (p *tenantPool) pick(tenant string) *bun.DB {
	home := p.subs[p.home(tenant)]
	if len(p.subs) == 1 {
		return home
	}
	if st := home.Stats(); st.InUse < st.MaxOpenConnections {
		return home
	}
	for _, db := range p.subs {
		if db != home && db.Stats().Idle > 0 {
			p.borrowed.Add(1)
			return db
		}
	}
	return home
}

// with runs fn on a connection that has served the tenant before or has
// budget left for it; a connection out of budget is closed (its backend
// exits and frees its caches) and another taken.
func (p *tenantPool) with(ctx context.Context, tenant string, fn func(bun.IDB) error) error {
	db := p.pick(tenant)
	for {
		conn, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		err = conn.Raw(func(dc any) error { return p.admit(dc, tenant) })
		if errors.Is(err, driver.ErrBadConn) { // Raw closed it
			p.overBudget.Add(1)
			continue
		}
		if err != nil {
			conn.Close()
			return err
		}
		err = fn(conn)
		conn.Close()
		return err
	}
}

// admit records the tenant in the connection's set, or returns
// driver.ErrBadConn, which makes database/sql close it, when the set is
// full without it.
func (p *tenantPool) admit(dc any, tenant string) error {
	c, ok := dc.(*stdlib.Conn)
	if !ok {
		return fmt.Errorf("postgres: the pool's driver connection is %T, not pgx's", dc)
	}
	pc := c.Conn().PgConn()
	data := pc.CustomData()
	set, _ := data[tenantsKey].(map[string]struct{})
	if set == nil {
		set = map[string]struct{}{}
		data[tenantsKey] = set
	}
	if _, seen := set[tenant]; !seen {
		if p.budget > 0 && len(set) >= p.budget {
			return driver.ErrBadConn
		}
		set[tenant] = struct{}{}
	}
	if p.served != nil {
		p.served(pc.PID(), tenant)
	}
	return nil
}

// stats returns the pool's counters.
func (p *tenantPool) stats() PoolStats {
	return PoolStats{Pools: len(p.subs), OverBudget: p.overBudget.Load(), Borrowed: p.borrowed.Load()}
}

// close closes every sub-pool.
func (p *tenantPool) close() error {
	var errs []error
	for _, db := range p.subs {
		errs = append(errs, db.Close())
	}
	return errors.Join(errs...)
}

// PoolStats returns the counters of the pool Open made, and the zero
// PoolStats for a store on the host's pool (New, WithTx).
func (s *Store) PoolStats() PoolStats {
	if s.pool == nil {
		return PoolStats{}
	}
	return s.pool.stats()
}

// with runs fn on an executor for the tenant's schema: a connection of
// the tenant's sub-pool within its budget when Open made the pool,
// otherwise the store's executor (the host's pool or transaction).
func (s *Store) with(ctx context.Context, tenant string, fn func(bun.IDB) error) error {
	if s.pool == nil {
		return fn(s.db)
	}
	return s.pool.with(ctx, tenant, fn)
}
