package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/postgres"
)

// cancelAt cancels a context just before the at-th statement a *bun.DB
// sends (BEGIN and COMMIT included), counting from the last reset.
type cancelAt struct {
	mu     sync.Mutex
	n, at  int
	cancel context.CancelFunc
}

func (h *cancelAt) reset(at int, cancel context.CancelFunc) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n, h.at, h.cancel = 0, at, cancel
}

func (h *cancelAt) sent() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

func (h *cancelAt) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n++
	if h.n == h.at && h.cancel != nil {
		h.cancel()
	}
	return ctx
}

func (h *cancelAt) AfterQuery(context.Context, *bun.QueryEvent) {}

// A provisioning interrupted anywhere leaves nothing: CreateTenant is
// cancelled before each of its statements in turn (the lock, the
// registry check, the schema, the baseline, every statement of the seed,
// the registry row, the commit), and after each the tenant is neither
// registered nor has a schema, and the next attempt starts afresh; the
// first attempt not cancelled creates it.
func TestCreateTenantCancelledAnywhereLeavesNothing(t *testing.T) {
	if os.Getenv("CASEKIT_TEST_DATABASE_URL") == "" {
		t.Skip("CASEKIT_TEST_DATABASE_URL is not set")
	}
	s := driverStore(t, "pgx", 4)
	h := &cancelAt{}
	s.DB().(*bun.DB).AddQueryHook(h)
	kit := newKit(t, s)
	bg := context.Background()
	for at := 1; ; at++ {
		ctx, cancel := context.WithCancel(bg)
		h.reset(at, cancel)
		err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "half", Admins: []string{"agent-1"}})
		cancel()
		sent := h.sent()
		h.reset(0, nil)
		if err == nil {
			if sent >= at {
				t.Fatalf("cancelled before statement %d of %d, yet the tenant was created", at, sent)
			}
			if at < 8 {
				t.Fatalf("CreateTenant sent %d statements; the test cancelled too few places", sent)
			}
			t.Logf("created at the %d-th attempt, in %d statements", at, sent)
			break
		}
		// Before COMMIT, database/sql refuses to commit a transaction
		// whose context has ended: ErrTxDone, when its own rollback has
		// not yet run.
		if !errors.Is(err, context.Canceled) && !errors.Is(err, sql.ErrTxDone) {
			t.Fatalf("cancelled before statement %d: %v, want context.Canceled", at, err)
		}
		if _, err := s.Tenant(bg, "half"); !errors.Is(err, casekit.ErrTenantNotFound) {
			t.Fatalf("cancelled before statement %d: Tenant = %v, want ErrTenantNotFound", at, err)
		}
		if schemaExists(t, s.DB(), s.Schema("half")) {
			t.Fatalf("cancelled before statement %d: the schema %s was left", at, s.Schema("half"))
		}
	}
	ts, err := s.Tenants(bg)
	if err != nil || len(ts) != 1 || ts[0].ID != "half" || !schemaExists(t, s.DB(), s.Schema("half")) {
		t.Fatalf("after the uncancelled attempt: tenants %v (%v), want the tenant and its schema", ts, err)
	}
}

// A role that may not create schemas cannot open a store whose control
// schema is missing, and says why; it opens one whose control schema an
// administrator made for it, and CreateTenant then fails with an error
// that says so, leaving no registry row and no schema.
func TestCreateTenantRoleMayNotCreateSchemas(t *testing.T) {
	admin := testStore(t)
	bg := context.Background()
	base := strings.TrimSuffix(admin.Prefix(), "_")
	role, prefix := base+"_nocreate", "ckr"+base[3:]+"_" // the prefix is at most 12 characters
	u := loginRole(t, admin, role)
	wantRefused := func(what string, err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), "may not create schemas") || !strings.Contains(err.Error(), "GRANT CREATE ON DATABASE") {
			t.Fatalf("%s without CREATE on the database: %v, want an error that says so", what, err)
		}
	}
	_, err := postgres.Open(bg, u.String(), postgres.WithPrefix(prefix))
	wantRefused("Open with no control schema", err)

	if err := execIdents(admin.DB(), "CREATE SCHEMA ? AUTHORIZATION ?", prefix+"control", role); err != nil {
		t.Fatal(err)
	}
	s, err := postgres.Open(bg, u.String(), postgres.WithPrefix(prefix))
	if err != nil {
		t.Fatalf("Open as the role that owns the control schema: %v", err)
	}
	defer s.Close()
	wantRefused("CreateTenant", newKit(t, s).CreateTenant(bg, casekit.TenantSpec{ID: "denied"}))
	if ts, err := s.Tenants(bg); err != nil || len(ts) != 0 {
		t.Errorf("after the refusal: tenants %v (%v), want none", ts, err)
	}
}

// A tenant ID whose schema name another application already uses fails
// with ErrTenantExists naming that schema and saying it is not casekit's,
// and touches nothing: the foreign schema keeps its relations and rows,
// and no tenant is registered. A schema that has casekit's ledger but no
// registry row is told apart.
func TestCreateTenantOverForeignSchema(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	kit := newKit(t, s)
	foreign := s.Schema("foreign")
	for _, stmt := range []string{
		"CREATE SCHEMA ?", "CREATE TABLE ?.orders (id int PRIMARY KEY, total numeric)", "INSERT INTO ?.orders VALUES (1, 9.5)",
	} {
		if _, err := s.DB().NewRaw(stmt, bun.Ident(foreign)).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		s.DB().NewRaw("DROP SCHEMA IF EXISTS ? CASCADE", bun.Ident(foreign)).Exec(context.Background())
	})
	before := relationCount(t, s.DB(), foreign)
	err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "foreign", Admins: []string{"a"}})
	if !errors.Is(err, casekit.ErrTenantExists) || !strings.Contains(err.Error(), foreign) || !strings.Contains(err.Error(), "not made by casekit") {
		t.Fatalf("CreateTenant over a foreign schema: %v, want ErrTenantExists naming %s as not casekit's", err, foreign)
	}
	var total float64
	if err := s.DB().NewRaw("SELECT total FROM ?.orders WHERE id = 1", bun.Ident(foreign)).Scan(ctx, &total); err != nil || total != 9.5 {
		t.Errorf("the foreign row after the refusal: %v, %v", total, err)
	}
	if after := relationCount(t, s.DB(), foreign); after != before {
		t.Errorf("the foreign schema has %d relations after the refusal, %d before", after, before)
	}
	if ts, err := s.Tenants(ctx); err != nil || len(ts) != 0 {
		t.Errorf("tenants after the refusal: %v, %v", ts, err)
	}

	// A casekit tenant whose registry row was deleted by hand.
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "unlisted"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().NewRaw("DELETE FROM ?.tenants WHERE id = 'unlisted'", bun.Ident(s.Prefix()+"control")).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.DB().NewRaw("DROP SCHEMA IF EXISTS ? CASCADE", bun.Ident(s.Schema("unlisted"))).Exec(context.Background())
	})
	err = kit.CreateTenant(ctx, casekit.TenantSpec{ID: "unlisted"})
	if !errors.Is(err, casekit.ErrTenantExists) || !strings.Contains(err.Error(), "casekit's migration ledger but no registry row") {
		t.Fatalf("CreateTenant over an unregistered casekit schema: %v", err)
	}
}

// A disk that fills while CreateTenant builds a tenant: the default
// tablespace of the role the store logs in as is on a file system smaller
// than a tenant's files (CASEKIT_TEST_FULL_DIR; scripts/fulldisk.sh makes
// one), so the server fails part-way with SQLSTATE 53100. CreateTenant
// says the disk is full and keeps the server's error for errors.As, and
// leaves no schema, no registry row and no tenant listed; once the space
// is there again (the role's default tablespace reset) the same ID is
// created whole, with as many relations as a tenant made elsewhere.
func TestCreateTenantOnAFullDisk(t *testing.T) {
	admin := testStore(t)
	dir := os.Getenv("CASEKIT_TEST_FULL_DIR")
	if dir == "" {
		t.Skip("CASEKIT_TEST_FULL_DIR is not set: skipping the full-disk test (scripts/fulldisk.sh start mounts a small file system for it, as root, and prints its path; .ci/run sets it when it can)")
	}
	bg := context.Background()
	u, err := url.Parse(os.Getenv("CASEKIT_TEST_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	if h := u.Hostname(); h != "" && h != "127.0.0.1" && h != "localhost" && h != "::1" {
		t.Skipf("CASEKIT_TEST_DATABASE_URL's server %s may not be on this machine, where CASEKIT_TEST_FULL_DIR is: skipping the full-disk test", h)
	}
	var super bool
	if err := admin.DB().NewRaw("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(bg, &super); err != nil {
		t.Fatal(err)
	}
	if !super {
		t.Skip("CASEKIT_TEST_DATABASE_URL's role is not a superuser, and CREATE TABLESPACE needs one: skipping the full-disk test")
	}

	// Made in this order so the cleanups, last first, drop the role and
	// what it owns before the tablespace its tables may be in.
	base := strings.TrimSuffix(admin.Prefix(), "_")
	space, role, prefix := base+"_full", base+"_full", "ckf"+base[3:]+"_"
	if _, err := admin.DB().NewRaw("CREATE TABLESPACE ? LOCATION ?", bun.Ident(space), dir).Exec(bg); err != nil {
		t.Fatalf("CREATE TABLESPACE in CASEKIT_TEST_FULL_DIR=%s (it must be empty and the server's user's): %v", dir, err)
	}
	t.Cleanup(func() {
		if err := execIdents(admin.DB(), "DROP TABLESPACE IF EXISTS ?", space); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	u = loginRole(t, admin, role)
	var database string
	if err := admin.DB().NewRaw("SELECT current_database()").Scan(bg, &database); err != nil {
		t.Fatal(err)
	}
	for _, grant := range []struct{ stmt, on string }{
		{"GRANT CREATE ON DATABASE ? TO ?", database},
		{"GRANT CREATE ON TABLESPACE ? TO ?", space},
	} {
		if err := execIdents(admin.DB(), grant.stmt, grant.on, role); err != nil {
			t.Fatal(err)
		}
	}
	open := func() *postgres.Store {
		s, err := postgres.Open(bg, u.String(), postgres.WithPrefix(prefix))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	// The control schema first, on the default tablespace: only the
	// tenant's files are to fill the small one.
	open()
	spaceRelations := func() (n int) {
		if err := admin.DB().NewRaw("SELECT count(*) FROM pg_class WHERE reltablespace = (SELECT oid FROM pg_tablespace WHERE spcname = ?)", space).Scan(bg, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	if err := execIdents(admin.DB(), "ALTER ROLE ? SET default_tablespace = ?", role, space); err != nil {
		t.Fatal(err)
	}
	full := open()
	const id = "filled"
	spec := casekit.TenantSpec{ID: id, Admins: []string{"agent-1"}}
	// A second attempt fails at the same statement as the first: the
	// first left no file taking space.
	var failedAt string
	for attempt := 1; attempt <= 2; attempt++ {
		err = newKit(t, full).CreateTenant(bg, spec)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "53100" || !strings.Contains(err.Error(), "the database server's disk is full") || !strings.Contains(err.Error(), `"`+id+`"`) {
			t.Fatalf("attempt %d on a full disk: %v, want an error naming the tenant, saying the disk is full and wrapping SQLSTATE 53100", attempt, err)
		}
		t.Logf("attempt %d: %v", attempt, err)
		if at, _, _ := strings.Cut(err.Error(), "ERROR:"); attempt == 1 {
			failedAt = at
		} else if at != failedAt {
			t.Fatalf("the second attempt on a full disk failed earlier than the first:\n%s\nthen\n%s", failedAt, at)
		}
		if _, err := full.Tenant(bg, id); !errors.Is(err, casekit.ErrTenantNotFound) {
			t.Fatalf("attempt %d: Tenant = %v, want ErrTenantNotFound", attempt, err)
		}
		if ts, err := full.Tenants(bg); err != nil || len(ts) != 0 {
			t.Fatalf("attempt %d: tenants %v (%v), want none", attempt, ts, err)
		}
		if schemaExists(t, admin.DB(), full.Schema(id)) || spaceRelations() != 0 {
			t.Fatalf("attempt %d: the schema %s or relations in the tablespace were left", attempt, full.Schema(id))
		}
	}

	if err := execIdents(admin.DB(), "ALTER ROLE ? RESET default_tablespace", role); err != nil {
		t.Fatal(err)
	}
	freed := open()
	if err := newKit(t, freed).CreateTenant(bg, spec); err != nil {
		t.Fatalf("CreateTenant once the space is there: %v", err)
	}
	if err := newKit(t, admin).CreateTenant(bg, casekit.TenantSpec{ID: "reference"}); err != nil {
		t.Fatal(err)
	}
	ts, err := freed.Tenants(bg)
	if err != nil || len(ts) != 1 || ts[0].ID != id {
		t.Fatalf("tenants once made: %v (%v), want %s", ts, err, id)
	}
	if got, want := relationCount(t, admin.DB(), freed.Schema(id)), relationCount(t, admin.DB(), admin.Schema("reference")); got != want || spaceRelations() != 0 {
		t.Fatalf("the tenant made after the full disk has %d relations (%d in the small tablespace), a tenant made elsewhere %d", got, spaceRelations(), want)
	}
}

// loginRole creates a login role with a password (a server may ask for
// one on TCP; CI's does) and returns the URL of the test server that logs
// in as it. When the test ends the role goes, with everything it owns in
// the database and every privilege it was granted.
func loginRole(t *testing.T, admin *postgres.Store, role string) *url.URL {
	t.Helper()
	password := role + "-pw"
	if _, err := admin.DB().NewRaw("CREATE ROLE ? LOGIN PASSWORD ?", bun.Ident(role), password).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, stmt := range []string{"DROP OWNED BY ? CASCADE", "DROP ROLE ?"} {
			if err := execIdents(admin.DB(), stmt, role); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	})
	u, err := url.Parse(os.Getenv("CASEKIT_TEST_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(role, password)
	return u
}

// execIdents runs stmt on db with ids as its quoted identifiers.
func execIdents(db bun.IDB, stmt string, ids ...string) error {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = bun.Ident(id)
	}
	_, err := db.NewRaw(stmt, args...).Exec(context.Background())
	return err
}

// schemaExists says whether db has a schema named schema.
func schemaExists(t *testing.T, db bun.IDB, schema string) bool {
	t.Helper()
	var n int
	if err := db.NewRaw("SELECT count(*) FROM pg_namespace WHERE nspname = ?", schema).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// relationCount is the number of relations (tables, indexes, sequences;
// their TOAST tables are in pg_toast) in the schema.
func relationCount(t *testing.T, db bun.IDB, schema string) (n int) {
	t.Helper()
	if err := db.NewRaw("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ?", schema).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A new tenant's seed runs with its writes held and sent together
// (sqlstore's holdDB), yet each read in it sees every write made before
// it, in order: the second rank of a priority wins, the statuses replaced
// are read back, an agent's role set and then removed is gone. The seed
// of casekit's own tenants goes in a few round trips, and a held write
// the server refuses (a status key twice) fails the read after it and
// CreateTenant, and leaves nothing.
func TestCreateTenantSeedHeld(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	db, seen := watchedDB(t, os.Getenv("CASEKIT_TEST_DATABASE_URL"), 2)
	st, err := postgres.New(ctx, db, postgres.WithPrefix(s.Prefix()))
	if err != nil {
		t.Fatal(err)
	}
	seen.take()
	if err := newKit(t, st).CreateTenant(ctx, casekit.TenantSpec{ID: "kit"}); err != nil {
		t.Fatal(err)
	}
	if n := len(seen.take()); n > 25 {
		t.Errorf("CreateTenant sent %d statements, want the seed's writes held together (at most 25 in all)", n)
	}

	now := time.Now().UTC()
	err = st.CreateTenant(ctx, casekit.Tenant{ID: "held", Name: "Held", CreatedAt: now}, func(ctx context.Context, tx store.Tx) error {
		for _, rank := range []int{5, 7} {
			if err := tx.SaveLookup(ctx, casetype.Lookup{Kind: casetype.LookupPriority, Key: "p", Label: "P", Rank: rank}); err != nil {
				return err
			}
		}
		ls, err := tx.Lookups(ctx, casetype.LookupPriority)
		if err != nil || len(ls) != 1 || ls[0].Rank != 7 {
			t.Errorf("read in the seed: lookups %+v (%v), want p at rank 7", ls, err)
		}
		statuses := []casetype.Status{{Key: "open", Label: "Open", Initial: true}, {Key: "done", Label: "Done", Final: true}}
		if err := tx.ReplaceStatuses(ctx, statuses, []casetype.Transition{{From: "open", To: "done"}}); err != nil {
			return err
		}
		got, err := tx.Statuses(ctx)
		if err != nil || len(got) != 2 {
			t.Errorf("read in the seed: statuses %+v (%v), want open and done", got, err)
		}
		if err := tx.SetAgentRole(ctx, "ann", "admin"); err != nil {
			return err
		}
		if err := tx.SetAgentRole(ctx, "ann", ""); err != nil {
			return err
		}
		if role, err := tx.AgentRole(ctx, "ann"); err != nil || role != "" {
			t.Errorf("read in the seed: ann's role %q (%v), want none", role, err)
		}
		return tx.SaveLookup(ctx, casetype.Lookup{Kind: casetype.LookupCaseType, Key: "q", Label: "Q", Rank: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.InTx(ctx, "held", func(ctx context.Context, tx store.Tx) error {
		ls, err := tx.Lookups(ctx, casetype.LookupCaseType)
		if err != nil || len(ls) != 1 || ls[0].Key != "q" {
			t.Errorf("after the seed: case types %+v (%v), want q, the last write held", ls, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	twice := []casetype.Status{{Key: "open", Label: "Open", Initial: true}, {Key: "open", Label: "Again"}}
	err = st.CreateTenant(ctx, casekit.Tenant{ID: "refused", Name: "Refused", CreatedAt: now}, func(ctx context.Context, tx store.Tx) error {
		if err := tx.ReplaceStatuses(ctx, twice, nil); err != nil {
			return err
		}
		if got, err := tx.Statuses(ctx); err == nil {
			t.Errorf("a read after a held write the server refused gave %+v and no error", got)
		}
		return nil
	})
	if err == nil {
		t.Fatal("a seed writing a status key twice created its tenant")
	}
	if _, err := st.Tenant(ctx, "refused"); !errors.Is(err, casekit.ErrTenantNotFound) {
		t.Errorf("after the refused seed: Tenant = %v, want ErrTenantNotFound", err)
	}
	var schemas int
	if err := db.NewRaw("SELECT count(*) FROM pg_namespace WHERE nspname = ?", st.Schema("refused")).Scan(ctx, &schemas); err != nil || schemas != 0 {
		t.Errorf("after the refused seed: %d schemas named %s (%v), want none", schemas, st.Schema("refused"), err)
	}
}
