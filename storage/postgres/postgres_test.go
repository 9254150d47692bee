package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/postgres"
)

func newKit(t *testing.T, s store.Store) *casekit.Kit {
	t.Helper()
	kit, err := casekit.New(s, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	return kit
}

// Two tenants' commands interleaved from many goroutines over a pool of ONE
// connection never see each other's rows: nothing session-scoped leaks.
func TestTenantsShareOneConnectionSafely(t *testing.T) {
	dsn := os.Getenv("CASEKIT_TEST_DATABASE_URL")
	base := testStore(t) // for the prefix and the cleanup
	if dsn == "" {
		return
	}
	sqldb, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	sqldb.SetMaxOpenConns(1)
	db := bun.NewDB(sqldb, pgdialect.New())
	defer db.Close()
	ctx := context.Background()
	s, err := postgres.New(ctx, db, postgres.WithPrefix(base.Prefix()))
	if err != nil {
		t.Fatal(err)
	}
	kit := newKit(t, s)
	tenants := []string{"one", "two"}
	for _, id := range tenants {
		if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	const perTenant = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*perTenant)
	for i := range perTenant {
		for _, id := range tenants {
			wg.Add(1)
			go func() {
				defer wg.Done()
				desk := kit.Desk(id).As(casekit.Agent("a"))
				if _, err := desk.OpenCase(ctx, casekit.NewCase{Subject: fmt.Sprintf("%s case %d", id, i)}); err != nil {
					errs <- err
					return
				}
				page, err := desk.ListCases(ctx, casekit.CaseFilter{Limit: 500})
				if err != nil {
					errs <- err
					return
				}
				for _, c := range page.Cases {
					if !strings.HasPrefix(c.Subject, id+" ") {
						errs <- fmt.Errorf("tenant %s sees %q", id, c.Subject)
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, id := range tenants {
		page, err := kit.Desk(id).As(casekit.System).ListCases(ctx, casekit.CaseFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Cases) != perTenant {
			t.Errorf("tenant %s has %d cases, want %d", id, len(page.Cases), perTenant)
		}
		for i, c := range page.Cases {
			if want := int64(perTenant - i); c.Number != want {
				t.Errorf("tenant %s: case %d has number %d, want %d", id, i, c.Number, want)
			}
		}
	}
}

// A hostile tenant ID is refused before any SQL runs: no schema appears.
func TestHostileTenantIDNeverReachesSQL(t *testing.T) {
	s := testStore(t)
	kit := newKit(t, s)
	ctx := context.Background()
	for _, id := range []string{`x"; drop schema public; --`, `a"b`, "a;b", "A", ""} {
		err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: id})
		var ve *casekit.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("CreateTenant(%q) = %v, want a ValidationError", id, err)
		}
		if err := s.InTx(ctx, id, func(context.Context, store.Tx) error { return nil }); !errors.As(err, &ve) {
			t.Errorf("InTx(%q) = %v, want a ValidationError", id, err)
		}
	}
	var n int
	err := s.DB().NewRaw("SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE ?", s.Prefix()+"%").Scan(ctx, &n)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 { // the control schema only
		t.Errorf("%d schemas with the store's prefix, want only the control schema", n)
	}
}

// A Desk command inside the host's transaction commits or rolls back with
// the host's own rows: the case, its events, and the timers it set with the
// tenant's wakeup in the control schema.
func TestHostTransaction(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	kit := newKit(t, s)
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "host", Admins: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	err := kit.Desk("host").As(casekit.Agent("a")).Config().SaveSLA(ctx, casekit.SLA{ID: "std", Name: "Standard",
		Targets: []casekit.SLATarget{{Priority: "medium", FirstResponse: time.Hour, Resolution: 8 * time.Hour}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().NewRaw("CREATE TABLE ?.host_orders (id TEXT PRIMARY KEY)", bun.Ident(s.Prefix()+"control")).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for _, commit := range []bool{false, true} {
		var caseID string
		tx, err := s.DB().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		orderID := fmt.Sprintf("order-%v", commit)
		if _, err := tx.NewRaw("INSERT INTO ?.host_orders (id) VALUES (?)", bun.Ident(s.Prefix()+"control"), orderID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		inTx := newKit(t, s.WithTx(tx))
		c, err := inTx.Desk("host").As(casekit.Agent("a")).OpenCase(ctx, casekit.NewCase{Subject: "for " + orderID, SLAID: "std"})
		if err != nil {
			t.Fatal(err)
		}
		caseID = c.ID
		// A refused command inside the host's transaction undoes only itself.
		if _, err := inTx.Desk("host").As(casekit.Agent("a")).Close(ctx, c.ID, casekit.Closure{}); err == nil {
			t.Fatal("Close without reason succeeded")
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
		desk := kit.Desk("host").As(casekit.Agent("a"))
		_, caseErr := desk.Case(ctx, caseID)
		evs, histErr := desk.History(ctx, caseID)
		var orders, timers, wakeups int
		if err := s.DB().NewRaw("SELECT count(*) FROM ?.host_orders WHERE id = ?", bun.Ident(s.Prefix()+"control"), orderID).Scan(ctx, &orders); err != nil {
			t.Fatal(err)
		}
		if err := s.DB().NewRaw("SELECT count(*) FROM ?.timers WHERE case_id = ?", bun.Ident(s.Schema("host")), caseID).Scan(ctx, &timers); err != nil {
			t.Fatal(err)
		}
		if err := s.DB().NewRaw("SELECT count(*) FROM ?.timer_wakeups WHERE tenant = 'host'", bun.Ident(s.Prefix()+"control")).Scan(ctx, &wakeups); err != nil {
			t.Fatal(err)
		}
		if commit {
			if caseErr != nil || histErr != nil || len(evs) != 1 || orders != 1 || timers != 2 || wakeups != 1 {
				t.Errorf("after commit: case %v, history %v (%d events), %d orders, %d timers, %d wakeups; want all there (1 event, 1 order, 2 timers, 1 wakeup)",
					caseErr, histErr, len(evs), orders, timers, wakeups)
			}
		} else if !errors.Is(caseErr, casekit.ErrNotFound) || !errors.Is(histErr, casekit.ErrNotFound) || orders != 0 || timers != 0 || wakeups != 0 {
			t.Errorf("after rollback: case %v, history %v, %d orders, %d timers, %d wakeups; want all gone", caseErr, histErr, orders, timers, wakeups)
		}
	}
}

// Migrate reports each tenant and finishes a tenant whose schema a crash
// left empty.
func TestMigrateResumesAndReports(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	kit := newKit(t, s)
	for _, id := range []string{"m-1", "m-2", "m-3"} {
		if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	// m-2 as a crash would leave it: registered, schema made, nothing applied.
	if _, err := s.DB().NewRaw("DROP SCHEMA ? CASCADE; CREATE SCHEMA ?", bun.Ident(s.Schema("m-2")), bun.Ident(s.Schema("m-2"))).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]casekit.MigrateProgress{}
	err := kit.Migrate(ctx, casekit.MigrateOptions{Concurrency: 2, Progress: func(p casekit.MigrateProgress) {
		mu.Lock()
		defer mu.Unlock()
		seen[p.Tenant] = p
	}})
	if err != nil {
		t.Fatal(err)
	}
	if p := seen["m-2"]; p.From != 0 || p.To < 1 || p.Err != nil || p.Total != 3 {
		t.Errorf("m-2 progress = %+v, want from 0 to the latest", p)
	}
	if p := seen["m-1"]; p.From != p.To || p.To < 1 {
		t.Errorf("m-1 progress = %+v, want already current", p)
	}
	// The finished schema works (its defaults were in the lost seed, so
	// write settings first through the store).
	err = s.InTx(ctx, "m-2", func(ctx context.Context, tx store.Tx) error {
		if err := tx.SaveSettings(ctx, casekit.DefaultSettings()); err != nil {
			return err
		}
		return tx.InsertCase(ctx, &casekit.Case{ID: "0190a0a0-0000-7000-8000-000000000002", Subject: "x",
			Priority: "medium", Status: "new", CreatedBy: casekit.System, Version: 1})
	})
	if err != nil {
		t.Fatalf("migrated schema unusable: %v", err)
	}
}

func TestOpenFailsClearly(t *testing.T) {
	if os.Getenv("CASEKIT_TEST_DATABASE_URL") == "" {
		t.Skip("CASEKIT_TEST_DATABASE_URL is not set: skipping the PostgreSQL tests (.ci/run sets it)")
	}
	ctx := context.Background()
	for _, dsn := range []string{
		"postgres://casekit@127.0.0.1:1/casekit?sslmode=disable&connect_timeout=2",
		"not a dsn ::",
	} {
		s, err := postgres.Open(ctx, dsn)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", dsn)
			continue
		}
		if !strings.HasPrefix(err.Error(), "postgres: ") {
			t.Errorf("Open(%q) = %v, want an error that names the store", dsn, err)
		}
	}
}

// A wrong password and a missing database fail Open with an error that
// says which, and unwraps to the server's SQLSTATE. The password half needs
// a server that asks for passwords on TCP (.ci/run's cluster does); on a
// server that trusts every local connection it is skipped.
func TestOpenRefusedCredentials(t *testing.T) {
	dsn := os.Getenv("CASEKIT_TEST_DATABASE_URL")
	if dsn == "" {
		t.Skip("CASEKIT_TEST_DATABASE_URL is not set: skipping the PostgreSQL tests (.ci/run sets it)")
	}
	ctx := context.Background()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Skipf("CASEKIT_TEST_DATABASE_URL is not a URL (%v): cannot derive other DSNs from it", err)
	}

	t.Run("missing database", func(t *testing.T) {
		bad := *u
		bad.Path = "/casekit_no_such_database"
		s, err := postgres.Open(ctx, bad.String())
		if err == nil {
			s.Close()
			t.Fatal("Open on a missing database succeeded")
		}
		if !strings.Contains(err.Error(), "database named in the DSN does not exist") {
			t.Errorf("Open on a missing database = %v, want it to say the database does not exist", err)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		bad := *u
		if _, has := u.User.Password(); has {
			bad.User = url.UserPassword(u.User.Username(), "not-the-password")
		} else {
			// Make a role with a password, and log in as it with another.
			role := "ckpw_" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_"))[:20]
			admin, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer admin.Close()
			admin.ExecContext(ctx, "DROP ROLE IF EXISTS "+role)
			if _, err := admin.ExecContext(ctx, "CREATE ROLE "+role+" LOGIN PASSWORD 'right-password'"); err != nil {
				t.Skipf("cannot create a role with a password (%v)", err)
			}
			defer admin.ExecContext(ctx, "DROP ROLE IF EXISTS "+role)
			bad.User = url.UserPassword(role, "not-the-password")
		}
		probe, err := sql.Open("pgx", bad.String())
		if err != nil {
			t.Fatal(err)
		}
		trusted := probe.PingContext(ctx) == nil
		probe.Close()
		if trusted {
			t.Skip("the server accepted a wrong password: it trusts local connections, so there is nothing to refuse here (.ci/run's cluster asks for passwords)")
		}
		s, err := postgres.Open(ctx, bad.String())
		if err == nil {
			s.Close()
			t.Fatal("Open with a wrong password succeeded")
		}
		if !strings.Contains(err.Error(), "refused the user name or password") {
			t.Errorf("Open with a wrong password = %v, want it to say the password was refused", err)
		}
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "28P01" {
			t.Errorf("Open with a wrong password = %v, want it to unwrap to SQLSTATE 28P01", err)
		}
	})
}

// Open refuses a pool of no connections before it connects.
func TestOpenRefusesEmptyPool(t *testing.T) {
	dsn := os.Getenv("CASEKIT_TEST_DATABASE_URL")
	if dsn == "" {
		t.Skip("CASEKIT_TEST_DATABASE_URL is not set: skipping the PostgreSQL tests (.ci/run sets it)")
	}
	s, err := postgres.Open(context.Background(), dsn, postgres.WithMaxConns(0))
	if err == nil {
		s.Close()
		t.Fatal("Open with WithMaxConns(0) succeeded")
	}
	if !strings.Contains(err.Error(), "at least one connection") {
		t.Errorf("Open with WithMaxConns(0) = %v", err)
	}
}

// Dropping a tenant takes its wakeups from the control schema, so Run
// never looks for a schema that is gone.
func TestDropTenantRemovesItsWakeups(t *testing.T) {
	s := testStore(t)
	if os.Getenv("CASEKIT_TEST_DATABASE_URL") == "" {
		return
	}
	ctx := context.Background()
	kit := newKit(t, s)
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "doomed"}); err != nil {
		t.Fatal(err)
	}
	d := kit.Desk("doomed").As(casekit.Agent("a"))
	c, err := d.OpenCase(ctx, casekit.NewCase{Subject: "x"})
	if err == nil {
		_, err = d.Resolve(ctx, c.ID, casekit.Resolution{}) // sets its auto-close timers
	}
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		var n int
		if err := s.DB().NewRaw("SELECT count(*) FROM ?.timer_wakeups WHERE tenant = 'doomed'", bun.Ident(s.Prefix()+"control")).Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 1 {
		t.Fatalf("%d wakeups before the drop, want 1", n)
	}
	if err := kit.DropTenant(ctx, "doomed"); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Errorf("%d wakeups after the drop, want 0", n)
	}
}

// TestOpenPreparesNoStatements: Bun inlines values, so a statement cache
// only grows (examples/loadgen measured 102 MiB against 32 MiB after 10 s);
// Open runs pgx in exec mode unless the DSN asks otherwise.
func TestOpenPreparesNoStatements(t *testing.T) {
	dsn := os.Getenv("CASEKIT_TEST_DATABASE_URL")
	if dsn == "" {
		t.Skip("CASEKIT_TEST_DATABASE_URL is not set: skipping the PostgreSQL tests (.ci/run sets it)")
	}
	ctx := context.Background()
	prepared := func(dsn string) int {
		t.Helper()
		s, err := postgres.Open(ctx, dsn, postgres.WithMaxConns(1))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var n int
		for range 3 {
			if err := s.DB().NewRaw("SELECT count(*) FROM pg_prepared_statements").Scan(ctx, &n); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}
	if n := prepared(dsn); n != 0 {
		t.Errorf("Open's pool prepared %d statements, want none", n)
	}
	if !strings.Contains(dsn, "://") {
		return // a keyword DSN: the counter-check needs a URL to extend
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	if n := prepared(dsn + sep + "default_query_exec_mode=cache_statement"); n == 0 {
		t.Error("a DSN asking for cache_statement did not get it (the check above proves nothing)")
	}
}

// The migration that keeps a priority rank on each case ranks the cases
// that were there before it, and the one after it the tags of the cases
// that were there: both are undone here on a tenant's schema and run again through Kit.Migrate.
func TestMigrationRanksExistingCases(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	kit := newKit(t, s)
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "r", Admins: []string{"agent-1"}}); err != nil {
		t.Fatal(err)
	}
	d := kit.Desk("r").As(casekit.Agent("agent-1"))
	want := casekittest.OpenRankedCases(t, d)
	q, report := casekittest.MigrationReport(t, d)
	schema := bun.Ident(s.Schema("r"))
	for _, stmt := range []string{ // migrations 35 and 32 (their indexes go with case_facts), 33, 31 (business times: dropped with 28's columns), 30 (nothing left: it drops), 28, 27, 26, 25, 24, 23, 21, 20, 19, 18, 17, 16, 15, 14, 13, then 12, undone
		"ALTER TABLE ?.events ADD CONSTRAINT events_id_key UNIQUE (id)",
		"DROP TABLE ?.case_flow",
		"ALTER TABLE ?.cases DROP COLUMN first_response_business",
		"ALTER TABLE ?.cases DROP COLUMN resolution_business",
		"ALTER TABLE ?.timers DROP COLUMN since_us",
		"ALTER TABLE ?.outbox DROP COLUMN template",
		"DROP TABLE ?.webhook_attempts",
		"DROP TABLE ?.webhooks",
		"DROP INDEX ?.cases_assignee_status_idx",
		"DELETE FROM ?.counters WHERE name = 'assign_lock'",
		"DROP TABLE ?.assign_cursors",
		"DROP TABLE ?.agent_availability",
		"ALTER TABLE ?.queues DROP COLUMN capacity",
		"ALTER TABLE ?.queues DROP COLUMN assign_mode",
		"DROP TABLE ?.triggers",
		"DROP TABLE ?.macros",
		"DROP TABLE ?.case_facts",
		"DROP INDEX ?.events_type_at_idx",
		"DROP TABLE ?.idempotency",
		"ALTER TABLE ?.messages DROP COLUMN cc",
		"ALTER TABLE ?.settings DROP COLUMN public_tags",
		"DROP TABLE ?.intake_rate",
		"CREATE INDEX intake_addr_idx ON ?.intake (remote_addr, at)",
		"DROP TABLE ?.mail_acks",
		"DROP TABLE ?.reply_tokens",
		"DROP TABLE ?.mail_settings",
		"ALTER TABLE ?.portal_links DROP COLUMN verifies",
		"DROP TABLE ?.agent_roles",
		"DROP TABLE ?.roles",
		"ALTER TABLE ?.custom_fields DROP COLUMN audience",
		"DROP INDEX ?.attachments_key_idx",
		"DROP TABLE ?.case_tags", // its function and triggers migration 30 dropped
		"DROP INDEX ?.cases_status_rank_idx",
		"DROP INDEX ?.cases_rank_idx",
		"ALTER TABLE ?.cases DROP COLUMN priority_rank",
		"DELETE FROM ?.casekit_migrations WHERE version >= 12",
	} {
		if _, err := s.DB().NewRaw(stmt, schema).Exec(ctx); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	var got casekit.MigrateProgress
	if err := kit.Migrate(ctx, casekit.MigrateOptions{Progress: func(p casekit.MigrateProgress) { got = p }}); err != nil {
		t.Fatal(err)
	}
	if got.From != 11 || got.To < 13 {
		t.Errorf("migration progress %+v, want from 11 to 13 or later", got)
	}
	casekittest.WantRankedCases(t, d, want)
	casekittest.WantDefaultTriggers(t, s, "r")
	casekittest.WantSameReport(t, d, q, report)
}
