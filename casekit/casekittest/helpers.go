package casekittest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

// Clock is a casekit.Clock that a test sets and moves forward. It is safe
// for use from many goroutines at once.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t, forwards or backwards.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// StoredTime returns t as casekit records it and a store must read it back:
// in UTC, truncated to the microsecond.
func StoredTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// ClockStart is where the clocks of NewEnv start: a time outside UTC with
// nanoseconds, so that a store that keeps a time zone or drops microseconds
// shows it.
var ClockStart = time.Date(2031, time.March, 14, 9, 26, 53, 589793238, time.FixedZone("UTC+2", 2*60*60))

var tenantSeq atomic.Int64

// TenantID returns a tenant ID no other test uses, in this process or in
// another one sharing the store: a valid slug made from the test's name, a
// counter and random bits. It creates nothing.
func TenantID(t testing.TB) string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("casekittest: TenantID: %v", err)
	}
	suffix := fmt.Sprintf("-%d-%s", tenantSeq.Add(1), hex.EncodeToString(b[:]))
	name := t.Name()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name = slug(name)
	if room := casekit.MaxTenantIDLen - len("t-") - len(suffix); len(name) > room {
		name = strings.TrimRight(name[:room], "-")
	}
	if name == "" {
		return "t" + suffix
	}
	return "t-" + name + suffix
}

// slug keeps lower-case letters and digits of s and turns every run of
// other characters into one hyphen, with none at either end.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// discard is the logger of the kits the suite builds.
var discard = slog.New(slog.DiscardHandler)

// NewKit builds a kit on store (with opts, after a logger that discards),
// creates a tenant with a name from TenantID and default settings, and
// returns the kit and the tenant's ID. The tenant is dropped when the test
// ends.
func NewKit(t testing.TB, store store.Store, opts ...casekit.Option) (*casekit.Kit, string) {
	t.Helper()
	kit, err := casekit.New(store, append([]casekit.Option{casekit.WithLogger(discard)}, opts...)...)
	if err != nil {
		t.Fatalf("casekittest: casekit.New: %v", err)
	}
	return kit, CreateTenant(t, kit)
}

// CreateTenant creates a tenant with a name from TenantID and default
// settings, makes AgentID and the agents admins name its admins
// (casekit.RoleAdmin), drops it when the test ends, and returns its ID.
// Other agents hold the default role.
func CreateTenant(t testing.TB, kit *casekit.Kit, admins ...string) string {
	t.Helper()
	id := TenantID(t)
	spec := casekit.TenantSpec{ID: id, Name: "Tenant " + id, Admins: append([]string{AgentID}, admins...)}
	if err := kit.CreateTenant(t.Context(), spec); err != nil {
		t.Fatalf("casekittest: create tenant %q: %v", id, err)
	}
	DropOnCleanup(t, kit, id)
	return id
}

// DropOnCleanup drops the tenant when the test ends, unless the test
// dropped it already.
func DropOnCleanup(t testing.TB, kit *casekit.Kit, tenant string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := kit.DropTenant(ctx, tenant); err != nil && !errors.Is(err, casekit.ErrTenantNotFound) {
			t.Errorf("casekittest: drop tenant %q at cleanup: %v", tenant, err)
		}
	})
}

// Env is one test's world: a kit on the store under test, reading the time
// from a Clock, and a tenant of the test's own.
type Env struct {
	Store  store.Store
	Kit    *casekit.Kit
	Clock  *Clock
	Tenant string
}

// NewEnv builds an Env on store: a kit (with opts) with a Clock standing at
// ClockStart and a new tenant with default settings, dropped when the test
// ends.
func NewEnv(t testing.TB, store store.Store, opts ...casekit.Option) *Env {
	t.Helper()
	clock := NewClock(ClockStart)
	kit, tenant := NewKit(t, store, append([]casekit.Option{casekit.WithClock(clock)}, opts...)...)
	return &Env{Store: store, Kit: kit, Clock: clock, Tenant: tenant}
}

// withAdmins returns an env on a new tenant of the same kit and clock,
// whose admins are AgentID and the agents admins name.
func (e *Env) withAdmins(t testing.TB, admins ...string) *Env {
	t.Helper()
	return &Env{Store: e.Store, Kit: e.Kit, Clock: e.Clock, Tenant: CreateTenant(t, e.Kit, admins...)}
}

// Desk returns the desk of the env's tenant acting as a.
func (e *Env) Desk(a casekit.Actor) *casekit.Desk { return e.Kit.Desk(e.Tenant).As(a) }

// Agent returns the desk of the env's tenant acting as the agent AgentID.
func (e *Env) Agent() *casekit.Desk { return e.Desk(casekit.Agent(AgentID)) }

// Now returns the env's clock time as casekit records it.
func (e *Env) Now() time.Time { return StoredTime(e.Clock.Now()) }

// Tick moves the env's clock forward by a minute and a few microseconds
// and returns the new time as casekit records it.
func (e *Env) Tick() time.Time { return StoredTime(e.Clock.Advance(time.Minute + 7*time.Microsecond)) }

// InTx runs fn in one transaction on the env's tenant straight on the
// store, for checks that the Desk cannot make.
func (e *Env) InTx(t testing.TB, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	if err := e.Store.InTx(t.Context(), e.Tenant, fn); err != nil {
		t.Fatalf("store.InTx(%q): %v", e.Tenant, err)
	}
}

// AgentID is the agent the desks of Env.Agent act as: the admin of every
// tenant CreateTenant makes.
const AgentID = "agent-1"

// walkFiles calls fn with every regular file under dir.
func walkFiles(t testing.TB, dir string, fn func(path string)) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			fn(p)
		}
		return err
	})
	must(t, err, "walk %s", dir)
}
