package postgres_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
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
		if !errors.Is(err, context.Canceled) {
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
