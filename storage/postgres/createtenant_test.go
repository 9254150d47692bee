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

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
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
	schemaExists := func() bool {
		var n int
		if err := s.DB().NewRaw("SELECT count(*) FROM pg_namespace WHERE nspname = ?", s.Schema("half")).Scan(bg, &n); err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
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
		if schemaExists() {
			t.Fatalf("cancelled before statement %d: the schema %s was left", at, s.Schema("half"))
		}
	}
	ts, err := s.Tenants(bg)
	if err != nil || len(ts) != 1 || ts[0].ID != "half" || !schemaExists() {
		t.Fatalf("after the uncancelled attempt: tenants %v (%v), schema %v", ts, err, schemaExists())
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
	exec := func(stmt string, ids ...string) error {
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = bun.Ident(id)
		}
		_, err := admin.DB().NewRaw(stmt, args...).Exec(bg)
		return err
	}
	// A password, since a server may ask for one on TCP (CI's does).
	password := role + "-pw"
	if _, err := admin.DB().NewRaw("CREATE ROLE ? LOGIN PASSWORD ?", bun.Ident(role), password).Exec(bg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, err := range []error{
			exec("DROP SCHEMA IF EXISTS ?, ? CASCADE", prefix+"control", prefix+"t_denied"),
			exec("DROP ROLE ?", role),
		} {
			if err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	})
	u, err := url.Parse(os.Getenv("CASEKIT_TEST_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(role, password)
	wantRefused := func(what string, err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), "may not create schemas") || !strings.Contains(err.Error(), "GRANT CREATE ON DATABASE") {
			t.Fatalf("%s without CREATE on the database: %v, want an error that says so", what, err)
		}
	}
	_, err = postgres.Open(bg, u.String(), postgres.WithPrefix(prefix))
	wantRefused("Open with no control schema", err)

	if err := exec("CREATE SCHEMA ? AUTHORIZATION ?", prefix+"control", role); err != nil {
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
	relations := func(schema string) (n int) {
		if err := s.DB().NewRaw("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ?", schema).Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := relations(foreign)
	err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "foreign", Admins: []string{"a"}})
	if !errors.Is(err, casekit.ErrTenantExists) || !strings.Contains(err.Error(), foreign) || !strings.Contains(err.Error(), "not made by casekit") {
		t.Fatalf("CreateTenant over a foreign schema: %v, want ErrTenantExists naming %s as not casekit's", err, foreign)
	}
	var total float64
	if err := s.DB().NewRaw("SELECT total FROM ?.orders WHERE id = 1", bun.Ident(foreign)).Scan(ctx, &total); err != nil || total != 9.5 {
		t.Errorf("the foreign row after the refusal: %v, %v", total, err)
	}
	if after := relations(foreign); after != before {
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
