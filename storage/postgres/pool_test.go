package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/storage/postgres"
)

// servedLog is what ServedBy reports: the tenants each backend served.
type servedLog struct {
	mu    sync.Mutex
	byPID map[uint32]map[string]bool
}

func (l *servedLog) served(pid uint32, tenant string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byPID[pid] == nil {
		l.byPID[pid] = map[string]bool{}
	}
	l.byPID[pid][tenant] = true
}

func (l *servedLog) reset() map[uint32]map[string]bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.byPID
	l.byPID = map[uint32]map[string]bool{}
	return m
}

// parallel calls fn for each of ids, n at a time, and fails the test on
// the first error.
func parallel(t *testing.T, n int, ids []string, fn func(id string) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	next := make(chan string)
	for range n {
		wg.Go(func() {
			for id := range next {
				if err := fn(id); err != nil {
					errs <- fmt.Errorf("%s: %w", id, err)
				}
			}
		})
	}
	for _, id := range ids {
		next <- id
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// poolTestDB returns a schema prefix of the test's own starting with tag,
// and CASEKIT_TEST_DATABASE_URL with the prefix as its application_name,
// which finds the store's backends in pg_stat_activity. It skips the test
// when the URL is unset.
func poolTestDB(t *testing.T, tag string) (dsn, prefix string) {
	dsn = os.Getenv("CASEKIT_TEST_DATABASE_URL")
	if dsn == "" {
		t.Skip("CASEKIT_TEST_DATABASE_URL is not set: skipping the PostgreSQL tests (.ci/run sets it)")
	}
	b := make([]byte, 4)
	rand.Read(b)
	prefix = tag + hex.EncodeToString(b) + "_"
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", prefix)
	u.RawQuery = q.Encode()
	return u.String(), prefix
}

// Sixty tenants over a pool of 4 connections with a budget of 10 tenants
// each: no backend serves more than 10 tenants, the pool closes backends
// to keep to it (they leave pg_stat_activity) and opens new ones, and a
// tenant's transactions stay on its affinity sub-pool's backends.
func TestTenantBudgetBoundsEachBackend(t *testing.T) {
	dsn, prefix := poolTestDB(t, "ckb")
	const conns, budget, tenants = 4, 10, 60
	log := &servedLog{byPID: map[uint32]map[string]bool{}}
	ctx := context.Background()
	s, err := postgres.Open(ctx, dsn, postgres.WithPrefix(prefix), postgres.WithMaxConns(conns),
		postgres.WithTenantBudget(budget), postgres.WithAffinityPools(2), postgres.ServedBy(log.served))
	if err != nil {
		t.Fatal(err)
	}
	dropAllOnCleanup(t, s, s.Close)
	kit := newKit(t, s)
	var ids []string
	for i := range tenants {
		ids = append(ids, fmt.Sprintf("b%02d", i))
	}
	list := func(id string) error {
		_, err := kit.Desk(id).As(casekit.Agent("a")).ListCases(ctx, casekit.CaseFilter{Limit: 10})
		return err
	}
	all := map[uint32]map[string]bool{}
	gather := func() map[uint32]map[string]bool {
		m := log.reset()
		for pid, ts := range m {
			if all[pid] == nil {
				all[pid] = map[string]bool{}
			}
			for id := range ts {
				all[pid][id] = true
			}
		}
		return m
	}

	parallel(t, conns, ids, func(id string) error { return kit.CreateTenant(ctx, casekit.TenantSpec{ID: id}) })
	gather()
	// One at a time, no sub-pool is ever busy, so no transaction borrows
	// another's connection: each backend serves the tenants of one home.
	borrowed := s.PoolStats().Borrowed
	for range 2 {
		for _, id := range ids {
			if err := list(id); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := s.PoolStats().Borrowed; n != borrowed {
		t.Errorf("one transaction at a time borrowed %d connections", n-borrowed)
	}
	homes := map[int]bool{}
	for pid, ts := range gather() {
		seen := map[int]bool{}
		for id := range ts {
			seen[s.Home(id)] = true
			homes[s.Home(id)] = true
		}
		if len(seen) != 1 {
			t.Errorf("backend %d served tenants of %d affinity sub-pools, want 1", pid, len(seen))
		}
	}
	if len(homes) != 2 {
		t.Errorf("the tenants hashed to %d sub-pools, want 2", len(homes))
	}
	parallel(t, 2*conns, append(slices.Clone(ids), ids...), list)
	gather()

	for pid, ts := range all {
		if len(ts) > budget {
			t.Errorf("backend %d served %d tenants, budget %d", pid, len(ts), budget)
		}
	}
	st := s.PoolStats()
	if len(all) < tenants/budget || st.OverBudget == 0 || st.Pools != 2 {
		t.Errorf("%d backends served %d tenants, %+v: the pool did not recycle", len(all), tenants, st)
	}
	t.Logf("%d backends served %d tenants; %+v", len(all), tenants, st)

	// The server's view: the store's backends now alive are at most the
	// pool's, and none of them is one that reached its budget: those were
	// closed as they came back to the pool, and their backends exited.
	var alive []uint32
	check := func() error {
		alive = nil
		if err := s.DB().NewRaw("SELECT pid FROM pg_stat_activity WHERE application_name = ?", prefix).Scan(ctx, &alive); err != nil {
			t.Fatal(err)
		}
		if len(alive) > conns {
			return fmt.Errorf("%d backends alive for a pool of %d: %v", len(alive), conns, alive)
		}
		for _, pid := range alive {
			if n := len(all[pid]); n >= budget {
				return fmt.Errorf("backend %d served %d tenants, its budget, and is still alive", pid, n)
			}
		}
		return nil
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		err := check()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Error(err)
			break
		}
	}
}

// With one connection and a budget of 2 tenants, tenants served one at a
// time close the connection every second tenant, as it comes back to the
// pool; the pool dials the replacement in the background, so once it has
// (one idle connection again), the next tenant's request finds it ready:
// no request waits for a dial. Closing it only when a third tenant came
// would make that request wait for the new connection. Each replacement
// has read the tenant registry (its last statement in pg_stat_activity)
// before any request reaches it, which warmed its caches.
func TestPoolReplacesARetiredConnectionInTheBackground(t *testing.T) {
	dsn, prefix := poolTestDB(t, "ckr")
	ctx := context.Background()
	s, err := postgres.Open(ctx, dsn, postgres.WithPrefix(prefix),
		postgres.WithMaxConns(1), postgres.WithTenantBudget(2))
	if err != nil {
		t.Fatal(err)
	}
	dropAllOnCleanup(t, s, s.Close)
	kit := newKit(t, s)
	var ids []string
	for i := range 6 {
		ids = append(ids, fmt.Sprintf("r%d", i))
		if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: ids[i]}); err != nil {
			t.Fatal(err)
		}
	}
	// refilled waits until the pool's one connection is open and idle.
	refilled := func() {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			st := s.PoolStats()
			if st.Conns == 1 && st.Idle == 1 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the pool did not get its connection back: %+v", st)
			}
		}
	}
	// warmed checks, through a connection of its own, the last statement
	// of the pool's one backend.
	admin, err := sql.Open("pgx", os.Getenv("CASEKIT_TEST_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	warmed := func() {
		t.Helper()
		var last []string
		rows, err := admin.QueryContext(ctx, "SELECT query FROM pg_stat_activity WHERE application_name = $1", prefix)
		for err == nil && rows.Next() {
			var q string
			err = rows.Scan(&q)
			last = append(last, q)
		}
		if err == nil {
			err = rows.Err()
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(last) != 1 || !strings.Contains(last[0], `"`+prefix+`control"."tenants"`) {
			t.Errorf("the new connection's backend ran %q, want the read of the tenant registry", last)
		}
	}
	refilled()
	before := s.PoolStats()
	for _, id := range ids {
		closed := s.PoolStats().OverBudget
		if _, err := kit.Desk(id).As(casekit.Agent("a")).ListCases(ctx, casekit.CaseFilter{Limit: 10}); err != nil {
			t.Fatal(err)
		}
		refilled()
		if s.PoolStats().OverBudget > closed {
			warmed()
		}
	}
	after := s.PoolStats()
	if n := after.OverBudget - before.OverBudget; n < 3 {
		t.Errorf("6 tenants closed %d connections at a budget of 2, want 3", n)
	}
	if n := after.WaitedForDial - before.WaitedForDial; n != 0 {
		t.Errorf("%d requests waited for a new connection; %+v", n, after)
	}
}

// Out-of-range pool options are refused before Open connects.
func TestOpenRefusesBadPoolOptions(t *testing.T) {
	for _, o := range []struct {
		name string
		opt  postgres.Option
	}{
		{"WithTenantBudget(-1)", postgres.WithTenantBudget(-1)},
		{"WithConnLifetime(-1s)", postgres.WithConnLifetime(-time.Second)},
		{"WithAffinityPools(0)", postgres.WithAffinityPools(0)},
	} {
		s, err := postgres.Open(context.Background(), "postgres://nobody@127.0.0.1:1/none", o.opt)
		if err == nil {
			s.Close()
			t.Errorf("Open with %s succeeded", o.name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "postgres: "+o.name) {
			t.Errorf("Open with %s = %v, want an error naming the option", o.name, err)
		}
	}
}
