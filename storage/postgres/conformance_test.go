package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/postgres"
)

// testStore opens a store on CASEKIT_TEST_DATABASE_URL with a schema
// prefix of its own, and drops every schema it made when the test ends.
func testStore(t testing.TB) *postgres.Store {
	t.Helper()
	return envStore(t, "CASEKIT_TEST_DATABASE_URL", "the PostgreSQL tests (.ci/run sets it)")
}

// testTenant is testStore with a kit on it and the tenant id made, for
// the tests that hold transactions open against each other.
func testTenant(t *testing.T, id string) (*postgres.Store, *casekit.Kit) {
	t.Helper()
	s := testStore(t)
	kit := newKit(t, s)
	if err := kit.CreateTenant(context.Background(), casekit.TenantSpec{ID: id}); err != nil {
		t.Fatal(err)
	}
	return s, kit
}

// citusStore is testStore on the coordinator of a Citus cluster with
// schema-based sharding, CASEKIT_TEST_CITUS_URL (scripts/citus-cluster.sh
// makes one and prints its URL): each tenant schema the tests make becomes
// a distributed schema on one worker.
func citusStore(t testing.TB) *postgres.Store {
	t.Helper()
	return envStore(t, "CASEKIT_TEST_CITUS_URL", "the Citus tests (scripts/citus-build.sh and scripts/citus-cluster.sh make a cluster; its url command prints the value)")
}

// envStore is storeOn the URL in the environment variable env, with
// opts, and skips the test, naming what it skips and how to run it, when
// env is unset.
func envStore(t testing.TB, env, skipped string, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	dsn := os.Getenv(env)
	if dsn == "" {
		t.Skipf("%s is not set: skipping %s", env, skipped)
	}
	return storeOn(t, dsn, opts...)
}

// storeOn opens a store on dsn with a schema prefix of its own, and drops
// every schema it made when the test ends.
func storeOn(t testing.TB, dsn string, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	prefix := "ckt" + hex.EncodeToString(b) + "_"
	ctx := context.Background()
	s, err := postgres.Open(ctx, dsn, append([]postgres.Option{postgres.WithPrefix(prefix)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	dropAllOnCleanup(t, s, s.Close)
	return s
}

// dropAllOnCleanup drops every tenant of s and its control schema when the
// test ends, then calls closeFn.
func dropAllOnCleanup(tb testing.TB, s *postgres.Store, closeFn func() error) {
	tb.Cleanup(func() {
		defer closeFn()
		ctx := context.Background()
		ts, err := s.Tenants(ctx)
		if err != nil {
			tb.Errorf("cleanup: %v", err)
			return
		}
		for _, tn := range ts {
			if err := s.DropTenant(ctx, tn.ID); err != nil {
				tb.Errorf("cleanup: %v", err)
			}
		}
		if err := s.DropControl(ctx); err != nil {
			tb.Errorf("cleanup: %v", err)
		}
	})
}

func TestConformance(t *testing.T) {
	casekittest.RunStoreTests(t, harness(testStore(t), os.Getenv("CASEKIT_TEST_DATABASE_URL")))
}

// TestConformancePrepared runs the whole conformance suite on a store
// whose hot statements go prepared (WithPreparedStatements): their
// values lifted out of Bun's text, the single ones through pgx's
// statement cache and the batches through pgx batches of named
// statements.
func TestConformancePrepared(t *testing.T) {
	s := envStore(t, "CASEKIT_TEST_DATABASE_URL", "the PostgreSQL tests (.ci/run sets it)", postgres.WithPreparedStatements())
	casekittest.RunStoreTests(t, harness(s, os.Getenv("CASEKIT_TEST_DATABASE_URL")))
}

// TestCitusConformance runs the whole suite through postgres.Open on a
// Citus coordinator: the same store, the same code, the tenants' schemas
// on the workers (docs/scale-out.md).
func TestCitusConformance(t *testing.T) {
	casekittest.RunStoreTests(t, harness(citusStore(t), os.Getenv("CASEKIT_TEST_CITUS_URL")))
}

// TestConformanceBehindPgBouncer runs the whole suite through PgBouncer in
// transaction pooling mode (scripts/pgbouncer.sh starts one and prints
// the URL): casekit keeps no session state, so every command works when
// each transaction may get another server connection (docs/tenancy.md).
func TestConformanceBehindPgBouncer(t *testing.T) {
	s := envStore(t, "CASEKIT_TEST_PGBOUNCER_URL", "the PgBouncer tests (scripts/pgbouncer.sh start prints the value)")
	casekittest.RunStoreTests(t, harness(s, os.Getenv("CASEKIT_TEST_PGBOUNCER_URL")))
}

// harness is the suite's harness for s, opened on dsn, one store every
// test shares: a second pool on s's schemas is another process, and the
// database skips locked rows.
func harness(s *postgres.Store, dsn string) casekittest.Harness {
	return casekittest.Harness{
		New: func(*testing.T) store.Store { return s },
		OpenAgain: func(t *testing.T, _ store.Store) store.Store {
			other, err := postgres.Open(t.Context(), dsn, postgres.WithPrefix(s.Prefix()))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { other.Close() })
			return other
		},
		SkipLocked: true,
	}
}

// BenchmarkStore runs casekit's store benchmarks on PostgreSQL.
func BenchmarkStore(b *testing.B) {
	casekittest.RunStoreBenchmarks(b, func(tb testing.TB) store.Store { return testStore(tb) })
}
