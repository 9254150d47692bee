package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/sqlite"
)

func newKit(t *testing.T, s store.Store) *casekit.Kit {
	t.Helper()
	kit, err := casekit.New(s, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	return kit
}

// One file per tenant, never more open than the bound, all of them usable
// at once, and the data still there after reopening the directory.
func TestFilesPerTenantWithinTheBound(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := sqlite.Open(dir, sqlite.WithMaxOpen(3))
	if err != nil {
		t.Fatal(err)
	}
	kit := newKit(t, s)
	const tenants = 10
	for i := range tenants {
		if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: fmt.Sprintf("t%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, tenants*5)
	for i := range tenants {
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := kit.Desk(fmt.Sprintf("t%d", i)).As(casekit.Agent("a")).OpenCase(ctx, casekit.NewCase{Subject: "hello"})
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := s.OpenFiles(); n > 3 {
		t.Errorf("%d files open after the work, bound is 3", n)
	}
	for i := range tenants {
		if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("t%d.db", i))); err != nil {
			t.Errorf("tenant file: %v", err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	kit = newKit(t, s)
	ts, err := kit.Tenants(ctx)
	if err != nil || len(ts) != tenants {
		t.Fatalf("after reopening: %d tenants, %v; want %d", len(ts), err, tenants)
	}
	c, err := kit.Desk("t7").As(casekit.Agent("a")).CaseByNumber(ctx, 5)
	if err != nil || c.Subject != "hello" {
		t.Fatalf("after reopening: case #5 of t7 = %v, %v", c, err)
	}
}

// Dropping a tenant removes its file; a failed creation leaves no file.
func TestDropAndFailedCreateLeaveNoFile(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	kit := newKit(t, s)
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "gone"}); err != nil {
		t.Fatal(err)
	}
	if err := kit.DropTenant(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "gone.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after drop, gone.db: %v", err)
	}
	boom := errors.New("boom")
	err = s.CreateTenant(ctx, casekit.Tenant{ID: "half"}, func(context.Context, store.Tx) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("CreateTenant with a failing seed = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "half.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after a failed create, half.db: %v", err)
	}
	if _, err := s.Tenant(ctx, "half"); !errors.Is(err, casekit.ErrTenantNotFound) {
		t.Errorf("after a failed create, Tenant = %v", err)
	}
}

// Migrate reports every tenant and finishes a tenant file that holds no
// schema yet, as a crash during creation in an older release could leave.
func TestMigrateReportsAndResumes(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	kit := newKit(t, s)
	for _, id := range []string{"a", "b"} {
		if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	// Replace b's file with an empty database (an empty file is one).
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(filepath.Join(dir, "b.db"+suffix))
	}
	if err := os.WriteFile(filepath.Join(dir, "b.db"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err = sqlite.Open(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	kit = newKit(t, s)
	var mu sync.Mutex
	got := map[string]casekit.MigrateProgress{}
	err = kit.Migrate(ctx, casekit.MigrateOptions{Concurrency: 1, Progress: func(p casekit.MigrateProgress) {
		mu.Lock()
		got[p.Tenant] = p
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if p := got["b"]; p.From != 0 || p.To < 1 || p.Total != 2 {
		t.Errorf("b: %+v, want from 0 to latest of 2 tenants", p)
	}
	if p := got["a"]; p.From != p.To {
		t.Errorf("a: %+v, want no change", p)
	}
	// Idempotent: a second run changes nothing.
	got = map[string]casekit.MigrateProgress{}
	if err := kit.Migrate(ctx, casekit.MigrateOptions{Progress: func(p casekit.MigrateProgress) {
		mu.Lock()
		got[p.Tenant] = p
		mu.Unlock()
	}}); err != nil {
		t.Fatal(err)
	}
	for id, p := range got {
		if p.From != p.To {
			t.Errorf("second run migrated %s: %+v", id, p)
		}
	}
}

func TestOpenRefusesNoDirectory(t *testing.T) {
	if _, err := sqlite.Open(""); err == nil {
		t.Fatal(`Open("") succeeded`)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := sqlite.Open(file); err == nil {
		t.Fatal("Open on a regular file succeeded")
	}
}

// A directory whose name holds the characters that end or escape a URI
// path works, and the files land in it.
func TestDirectoryWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cases?v=1#x%41 y")
	ctx := context.Background()
	s, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	kit := newKit(t, s)
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme"}); err != nil {
		t.Fatal(err)
	}
	c, err := kit.Desk("acme").As(casekit.Agent("a")).OpenCase(ctx, casekit.NewCase{Subject: "Odd path"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, f := range []string{"_casekit.db", "acme.db"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s is not in the directory: %v", f, err)
		}
	}
	s, err = sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := newKit(t, s).Desk("acme").As(casekit.Agent("a")).Case(ctx, c.ID); err != nil || got.Subject != "Odd path" {
		t.Errorf("after reopening: %v, %v", got, err)
	}
}

// A registered tenant whose file was removed is not found, and no empty
// file is made in its place.
func TestMissingTenantFileIsNotFound(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := newKit(t, s).CreateTenant(ctx, casekit.TenantSpec{ID: "gone"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(filepath.Join(dir, "gone.db"+suffix))
	}
	s, err = sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = newKit(t, s).Desk("gone").As(casekit.Agent("a")).OpenCase(ctx, casekit.NewCase{Subject: "x"})
	if !errors.Is(err, casekit.ErrTenantNotFound) || !strings.Contains(err.Error(), "file is missing") {
		t.Errorf("OpenCase on a tenant whose file is gone = %v, want ErrTenantNotFound saying the file is missing", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "gone.db")); !os.IsNotExist(err) {
		t.Errorf("a file was made in place of the missing one: %v", err)
	}
}

// Two stores on one directory, as two processes would be, write to one
// tenant at once without SQLITE_BUSY: transactions take the write lock as
// they begin and wait for each other.
func TestTwoStoresOnOneDirectory(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var kits []*casekit.Kit
	for range 2 {
		s, err := sqlite.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		kits = append(kits, newKit(t, s))
	}
	if err := kits[0].CreateTenant(ctx, casekit.TenantSpec{ID: "shared"}); err != nil {
		t.Fatal(err)
	}
	const perWorker = 10
	var (
		mu      sync.Mutex
		numbers = map[int64]bool{}
		wg      sync.WaitGroup
	)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := kits[w%2].Desk("shared").As(casekit.Agent("a"))
			for i := range perWorker {
				c, err := d.OpenCase(ctx, casekit.NewCase{Subject: fmt.Sprintf("w%d-%d", w, i)})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				numbers[c.Number] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(numbers) != 8*perWorker {
		t.Errorf("%d distinct case numbers, want %d", len(numbers), 8*perWorker)
	}
	for n := int64(1); n <= 8*perWorker; n++ {
		if !numbers[n] {
			t.Errorf("case number %d is missing", n)
		}
	}
}

// Kit.Run never visits every tenant: with nothing due it opens no tenant
// file, and with one tenant's timer due it opens that one file only.
func TestRunOpensOnlyTenantsWithDueWork(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	clock := casekittest.NewClock(casekittest.ClockStart)
	kitOn := func(s store.Store) *casekit.Kit {
		k, err := casekit.New(s, casekit.WithClock(clock), casekit.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	s, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	kit := kitOn(s)
	for i := range 6 {
		if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: fmt.Sprintf("t%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	d := kit.Desk("t3").As(casekit.Agent("a"))
	c, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Waits to close"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Resolve(ctx, c.ID, casekit.Resolution{}); err != nil { // reminders on days 3 and 5, closed on day 7
		t.Fatal(err)
	}
	s.Close()

	for _, tc := range []struct {
		after time.Duration
		fired int
		open  int
	}{{24 * time.Hour, 0, 0}, {8 * 24 * time.Hour, 3, 1}} { // two reminders and the close
		s, err := sqlite.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		clock.Set(casekittest.ClockStart.Add(tc.after))
		n, err := kitOn(s).RunDue(ctx)
		if err != nil || n != tc.fired {
			t.Errorf("RunDue after %v = %d, %v; want %d", tc.after, n, err, tc.fired)
		}
		if got := s.OpenFiles(); got != tc.open {
			t.Errorf("RunDue after %v opened %d tenant files, want %d", tc.after, got, tc.open)
		}
		s.Close()
	}
}

// notes records the notifications delivered to it.
type notes struct {
	mu  sync.Mutex
	got []casekit.Notification
}

func (n *notes) Notify(_ context.Context, x casekit.Notification) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, x)
	return nil
}

func (n *notes) forCase(id string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, x := range n.got {
		if x.CaseID == id {
			return true
		}
	}
	return false
}

// Kit.Run delivers notifications while a timer it is firing waits for its
// tenant: timers and deliveries run side by side. Here tenant "busy" is
// held by a long transaction (its file's one connection) while its
// auto-close timer is due, and tenant "idle"'s notification must still go
// out before that transaction ends.
func TestRunDeliversWhileATimerWaits(t *testing.T) {
	ctx := t.Context()
	s, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	clock := casekittest.NewClock(casekittest.ClockStart)
	sent := &notes{}
	kit, err := casekit.New(s, casekit.WithClock(clock), casekit.WithNotifier(sent),
		casekit.WithPollInterval(10*time.Millisecond), casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"busy", "idle"} {
		if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	busy := kit.Desk("busy").As(casekit.Agent("a1"))
	c, err := busy.OpenCase(ctx, casekit.NewCase{Subject: "Resolved, closing soon", CustomerID: "c1", Contact: casekit.Contact{Email: "c1@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := busy.Resolve(ctx, c.ID, casekit.Resolution{}); err != nil {
		t.Fatal(err)
	}
	if _, err := kit.RunDue(ctx); err != nil { // deliver what is queued so far
		t.Fatal(err)
	}
	clock.Advance(30 * 24 * time.Hour) // the auto-close timer is due

	held, release := make(chan struct{}), make(chan struct{})
	txDone := make(chan error, 1)
	go func() {
		txDone <- s.InTx(ctx, "busy", func(context.Context, store.Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	idle := kit.Desk("idle").As(casekit.Agent("a1"))
	o, err := idle.OpenCase(ctx, casekit.NewCase{Subject: "Needs a reply", CustomerID: "c2", Contact: casekit.Contact{Email: "c2@example.com"}, AssigneeID: "a2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idle.SetStatus(ctx, o.ID, casekit.StatusInProgress); err != nil {
		t.Fatal(err)
	}

	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- kit.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-ran; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	waitFor(t, 20*time.Second, "the idle tenant's notification, while the busy tenant's timer waits", func() bool { return sent.forCase(o.ID) })
	close(release)
	if err := <-txDone; err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the busy tenant's case closed by its timer", func() bool {
		got, err := busy.Case(ctx, c.ID)
		return err == nil && got.Status == casekit.StatusClosed
	})
}

// waitFor polls cond until it holds, failing the test after limit: a
// liveness bound, far above the milliseconds the work takes.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", limit, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// cancelling notes a delivery and then ends the context it was given, as
// a process shutting down in the middle of a batch does.
type cancelling struct {
	notes
	cancel context.CancelFunc
}

func (c *cancelling) Notify(ctx context.Context, n casekit.Notification) error {
	err := c.notes.Notify(ctx, n)
	c.cancel()
	return err
}

// A batch delivered while the runner's context ends is still settled: it
// leaves the outbox and is not sent again after its lease.
func TestDeliveredBatchIsSettledAfterCancel(t *testing.T) {
	s, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	clock := casekittest.NewClock(casekittest.ClockStart)
	n := &cancelling{}
	kit, err := casekit.New(s, casekit.WithClock(clock), casekit.WithNotifier(n), casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme"}); err != nil {
		t.Fatal(err)
	}
	d := kit.Desk("acme").As(casekit.Agent("a1"))
	c, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Started", CustomerID: "c1", Contact: casekit.Contact{Email: "c1@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetStatus(ctx, c.ID, casekit.StatusInProgress); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	n.cancel = cancel
	_, _ = kit.RunDue(runCtx)
	first := len(n.got)
	if first == 0 {
		t.Fatal("nothing was delivered")
	}
	clock.Advance(time.Hour) // far past the delivery lease
	n.cancel = func() {}
	if _, err := kit.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if len(n.got) != first {
		t.Errorf("%d notifications delivered again after the runner's context ended mid-batch", len(n.got)-first)
	}
}

// counting counts the log records with a message.
type counting struct {
	mu  sync.Mutex
	msg string
	n   int
}

func (c *counting) Enabled(context.Context, slog.Level) bool { return true }
func (c *counting) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.Message == c.msg {
		c.n++
	}
	return nil
}
func (c *counting) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *counting) WithGroup(string) slog.Handler      { return c }

// With the store failing (here: closed), one round of timers gives up
// after a few failures in a row instead of trying thousands of times.
func TestTimersGiveUpWhileTheStoreFails(t *testing.T) {
	s, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	logs := &counting{msg: "casekit: timer failed"}
	kit, err := casekit.New(s, casekit.WithLogger(slog.New(logs)))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := kit.RunDue(t.Context()); err == nil {
		t.Fatal("RunDue on a closed store: no error")
	}
	if logs.n == 0 || logs.n > 10 {
		t.Errorf("one round on a failing store logged %d timer failures, want a few", logs.n)
	}
}

// The migration that keeps a priority rank on each case ranks the cases
// that were there before it, and the one after it puts their tags in
// case_tags: both are undone here on a tenant's file and run again through
// Kit.Migrate.
func TestMigrationRanksExistingCases(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	kit := newKit(t, s)
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "r", Admins: []string{"agent-1"}}); err != nil {
		t.Fatal(err)
	}
	want := casekittest.OpenRankedCases(t, kit.Desk("r").As(casekit.Agent("agent-1")))
	q, report := casekittest.MigrationReport(t, kit.Desk("r").As(casekit.Agent("agent-1")))
	s.Close()

	db, err := sql.Open("sqlite", filepath.Join(dir, "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"DROP TABLE case_flow", // migration 28 (31 counted business times: they go with its columns; 32's indexes go with case_facts)
		"ALTER TABLE cases DROP COLUMN first_response_business",
		"ALTER TABLE cases DROP COLUMN resolution_business",
		"ALTER TABLE timers DROP COLUMN since_us", // migration 27
		"ALTER TABLE outbox DROP COLUMN template",
		"DROP TABLE webhook_attempts", // migration 26
		"DROP TABLE webhooks",
		"DROP INDEX cases_assignee_status_idx", // migration 25
		"DELETE FROM counters WHERE name = 'assign_lock'",
		"DROP TABLE assign_cursors",
		"DROP TABLE agent_availability",
		"ALTER TABLE queues DROP COLUMN capacity",
		"ALTER TABLE queues DROP COLUMN assign_mode",
		"DROP TABLE triggers", // migration 24
		"DROP TABLE macros",
		"DROP TABLE case_facts", // migration 23
		"DROP INDEX events_type_at_idx",
		"DROP TABLE idempotency",                       // migration 21
		"ALTER TABLE messages DROP COLUMN cc",          // migration 20
		"ALTER TABLE settings DROP COLUMN public_tags", // migration 19
		"DROP TABLE intake_rate",                       // migration 18
		"CREATE INDEX intake_addr_idx ON intake (remote_addr, at)",
		"DROP TABLE mail_acks", // migration 17
		"DROP TABLE reply_tokens",
		"DROP TABLE mail_settings",
		"ALTER TABLE portal_links DROP COLUMN verifies",
		"DROP TABLE agent_roles", // migration 16
		"DROP TABLE roles",
		"ALTER TABLE custom_fields DROP COLUMN audience", // migration 15
		"DROP INDEX attachments_key_idx",                 // migration 14
		"DROP INDEX cases_status_rank_idx",               // migration 12
		"DROP INDEX cases_rank_idx",
		"ALTER TABLE cases DROP COLUMN priority_rank",
		"DROP TABLE case_tags", // migration 13 (migration 30 dropped its triggers)
		"DELETE FROM casekit_migrations WHERE version >= 12",
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	db.Close()

	if s, err = sqlite.Open(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	kit = newKit(t, s)
	var got casekit.MigrateProgress
	if err := kit.Migrate(ctx, casekit.MigrateOptions{Progress: func(p casekit.MigrateProgress) { got = p }}); err != nil {
		t.Fatal(err)
	}
	if got.From != 11 || got.To < 13 {
		t.Errorf("migration progress %+v, want from 11 to 13 or later", got)
	}
	casekittest.WantRankedCases(t, kit.Desk("r").As(casekit.Agent("agent-1")), want)
	casekittest.WantDefaultTriggers(t, s, "r")
	casekittest.WantSameReport(t, kit.Desk("r").As(casekit.Agent("agent-1")), q, report)
}
