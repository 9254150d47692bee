package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Each PostgreSQL backend keeps the catalog entries of every relation it
// has opened until it exits, about 165 relations per tenant here; a pool
// whose connections wander over thousands of tenant schemas grows every
// backend to hundreds of MB (issue 24). The pool Open makes bounds that
// with three knobs, each an Option below; docs/tenancy.md sizes them.

// DefaultTenantBudget is how many distinct tenants a connection of the
// pool Open makes may serve before it is closed and replaced: a bound on
// each backend's catalog cache (measured in BENCHMARKS.md, "Thousands of
// tenants on one PostgreSQL") at the price of a reconnect, made in the
// background, per that many new tenants.
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
// served n distinct tenants, as it is returned to the pool, and the pool
// dials its replacement in the background: no request waits for that
// reconnect while another connection is idle. 0 means no budget. Each
// tenant costs a backend roughly 100-150 kB of catalog cache that only
// ending the backend gives back. It does nothing for New.
func WithTenantBudget(n int) Option { return func(s *Store) { s.cfg.budget = n } }

// WithConnLifetime closes a connection of the pool Open makes once it is
// older than d, when it is next returned to the pool or found idle, and
// the pool dials its replacement in the background; 0 means no limit.
// Each connection's limit is drawn between 0.9d and d, so connections
// dialed together are not all replaced at once. It does nothing for New.
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

// PoolStats counts what the pool Open makes did to bound server memory,
// and what that cost the requests.
type PoolStats struct {
	// Pools is the number of affinity sub-pools.
	Pools int
	// Conns and Idle are the connections open, and of them idle, now.
	Conns, Idle int
	// OverBudget counts connections closed because they had served
	// WithTenantBudget tenants.
	OverBudget int64
	// Borrowed counts transactions that ran on another sub-pool's idle
	// connection because all of their own sub-pool's were busy.
	Borrowed int64
	// WaitedForDial counts requests (a tenant's transactions and the
	// control schema's statements) that found no idle connection and
	// waited while the pool dialed one: what a recycled connection
	// costs when its replacement is not ready.
	WaitedForDial int64
}

// tenantPool is the pool Open makes: sub-pools, each a pgx pool that
// keeps its connections dialed, under a *bun.DB of its own, and the
// budget of tenants per connection.
type tenantPool struct {
	subs       []subPool
	budget     int
	served     func(pid uint32, tenant string)
	overBudget atomic.Int64
	borrowed   atomic.Int64
	dialWaits  atomic.Int64
}

// subPool is one affinity sub-pool: the pgx pool that holds and dials
// its connections, and the *bun.DB that borrows one per request (it
// keeps none idle itself).
type subPool struct {
	pgx *pgxpool.Pool
	db  *bun.DB
}

// warmConns is how many connections each sub-pool keeps dialed at least
// (MinConns; all of them where it has fewer): two, so that when one is
// retired (over budget or lifetime) the next request finds the other
// idle while the pgx pool dials the replacement in the background.
// Keeping every connection dialed would also serve bursts without a dial,
// but would hold WithMaxConns backends per store while idle, and the
// server's max_connections is shared by every store and process on it.
const warmConns = 2

// newTenantPool makes the pool Open makes on cfg (from
// pgxpool.ParseConfig): c.pools sub-pools sharing c.conns connections.
// Each keeps warmConns of them open, dialing them in the background from
// the start and again whenever one is closed, over budget or lifetime,
// so a request finds an idle one instead of waiting for a dial; each new
// connection first reads the tenant registry in the control schema
// (warm). Connections past warmConns are dialed when the load needs them.
func newTenantPool(ctx context.Context, cfg *pgxpool.Config, c poolConfig, control string) (*tenantPool, error) {
	p := &tenantPool{budget: c.budget, served: c.served}
	pools := min(c.pools, c.conns)
	for i := range pools {
		// The connections are shared out: the first conns%pools
		// sub-pools get one more.
		n := c.conns / pools
		if i < c.conns%pools {
			n++
		}
		sc := cfg.Copy()
		sc.MaxConns, sc.MinConns = int32(n), int32(min(n, warmConns))
		sc.MaxConnLifetime, sc.MaxConnLifetimeJitter = c.lifetime-c.lifetime/10, c.lifetime/10
		sc.BeforeConnect, sc.AfterConnect = p.dialing, warm(control)
		pp, err := pgxpool.NewWithConfig(ctx, sc)
		if err != nil {
			p.close()
			return nil, err
		}
		sqldb := sql.OpenDB(requestConnector{stdlib.GetPoolConnector(pp)})
		sqldb.SetMaxIdleConns(0) // the pgx pool keeps them
		p.subs = append(p.subs, subPool{pgx: pp, db: bun.NewDB(sqldb, pgdialect.New())})
	}
	return p, nil
}

// onRequest marks the context of an acquire a request makes, which the
// pgx pool hands on to a dial it makes for it.
type onRequest struct{}

// requestConnector is the connector of a sub-pool's *sql.DB: it marks
// each acquire's context as a request's, so dialing can tell the dials a
// request waits for from the pool's own in the background.
type requestConnector struct{ driver.Connector }

func (c requestConnector) Connect(ctx context.Context) (driver.Conn, error) {
	return c.Connector.Connect(context.WithValue(ctx, onRequest{}, true))
}

// dialing is the sub-pools' BeforeConnect: it counts the dials a request
// waits for.
func (p *tenantPool) dialing(ctx context.Context, _ *pgx.ConnConfig) error {
	if ctx.Value(onRequest{}) != nil {
		p.dialWaits.Add(1)
	}
	return nil
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

// warm returns the sub-pools' AfterConnect: a read of the tenant
// registry in the schema control, which loads into the new backend's
// caches what every request's statements share (the catalog entries of
// text and timestamptz, their B-tree operators and sorting, the
// planner's own), so the first request the connection serves does not
// pay for them. Measured with psql on the 2-core machine: a fresh
// backend's first read of a tenant's cases took 30-37 ms at the median,
// 15-18 ms after this read, 10-15 ms on a backend that had served
// another tenant. A registry not made yet (the first Open on a
// database) is no error.
func warm(control string) func(context.Context, *pgx.Conn) error {
	read := "SELECT id, name, created_at FROM " + pgx.Identifier{control, "tenants"}.Sanitize() +
		" WHERE id > '' ORDER BY created_at DESC LIMIT 25"
	return func(ctx context.Context, conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, read)
		if code := sqlState(err); code == "3F000" || code == "42P01" { // invalid_schema_name, undefined_table
			return nil
		}
		return err
	}
}

// pick returns the sub-pool to take a tenant's connection from: its home,
// unless every home connection is busy and another sub-pool has one idle.
func (p *tenantPool) pick(tenant string) *bun.DB {
	home := p.subs[p.home(tenant)]
	if len(p.subs) == 1 {
		return home.db
	}
	if st := home.pgx.Stat(); st.AcquiredConns() < st.MaxConns() {
		return home.db
	}
	for _, sub := range p.subs {
		if sub != home && sub.pgx.Stat().IdleConns() > 0 {
			p.borrowed.Add(1)
			return sub.db
		}
	}
	return home.db
}

// with runs fn on a connection that has served the tenant before or has
// budget left for it. A connection that reaches its budget serving the
// tenant is closed as fn returns (its backend exits and frees its
// caches), so the pgx pool dials its replacement in the background while
// the next request takes another idle connection. The connection goes
// back to the pool however fn ends, a panic included: one kept would be
// lost to the pool for good.
func (p *tenantPool) with(ctx context.Context, tenant string, fn func(bun.IDB) error) error {
	db := p.pick(tenant)
	for {
		conn, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		var full bool
		err = conn.Raw(func(dc any) (err error) {
			full, err = p.admit(dc, tenant)
			return err
		})
		if errors.Is(err, driver.ErrBadConn) { // admit closed it
			p.overBudget.Add(1)
			continue
		}
		defer conn.Close()
		if err != nil {
			return err
		}
		if full {
			defer func() {
				p.overBudget.Add(1)
				conn.Raw(retire)
			}()
		}
		return fn(conn)
	}
}

// admit records the tenant in the connection's set and says whether the
// set is now full. A connection is closed once full (with), so it is
// never handed out full; should it be, admit closes it and returns
// driver.ErrBadConn, which makes database/sql drop it, rather than let it
// serve one tenant more.
func (p *tenantPool) admit(dc any, tenant string) (full bool, err error) {
	c, ok := dc.(*stdlib.Conn)
	if !ok {
		return false, fmt.Errorf("postgres: the pool's driver connection is %T, not pgx's", dc)
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
			return true, retire(dc)
		}
		set[tenant] = struct{}{}
	}
	if p.served != nil {
		p.served(pc.PID(), tenant)
	}
	return p.budget > 0 && len(set) >= p.budget, nil
}

// retire closes a pool connection's pgx connection, which makes the pgx
// pool destroy it when database/sql gives it back, and dial a
// replacement in the background; it returns driver.ErrBadConn so that
// database/sql does not use it again.
func retire(dc any) error {
	if c, ok := dc.(*stdlib.Conn); ok {
		c.Conn().Close(context.Background())
	}
	return driver.ErrBadConn
}

// stats returns the pool's counters.
func (p *tenantPool) stats() PoolStats {
	st := PoolStats{Pools: len(p.subs), OverBudget: p.overBudget.Load(), Borrowed: p.borrowed.Load(), WaitedForDial: p.dialWaits.Load()}
	for _, sub := range p.subs {
		ps := sub.pgx.Stat()
		st.Conns += int(ps.TotalConns())
		st.Idle += int(ps.IdleConns())
	}
	return st
}

// close closes every sub-pool: its *sql.DB, then the pgx pool, which
// waits for the connections in use to come back.
func (p *tenantPool) close() error {
	var errs []error
	for _, sub := range p.subs {
		errs = append(errs, sub.db.Close())
		sub.pgx.Close()
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
