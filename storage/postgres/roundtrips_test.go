package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
	"casekit.dev/storage/postgres"
	"casekit.dev/storage/sqlstore"
)

// statementCount is a Bun query hook that counts the statements sent,
// BEGIN and COMMIT included: each is one round trip to the server (a
// batch of execAll is one text, so one statement here). wide counts the
// UPDATEs of cases that set subject, which a status change must not:
// PostgreSQL then computes the generated search column again.
type statementCount struct{ n, wide atomic.Int64 }

func (c *statementCount) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (c *statementCount) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	c.n.Add(1)
	if strings.Contains(e.Query, ".cases AS c SET") && strings.Contains(e.Query, `"subject" =`) {
		c.wide.Add(1)
	}
}

// TestRoundTripsPerCommand holds the round trips of the commands the HTTP
// API's load measures most (BENCHMARKS.md, "CPU per request"): each costs
// the process and the server more CPU than a small statement does, so
// one more is a regression to look at. The writes a command ends with
// (a new case's rows, timers, events) are held and go together just
// before the commit (sqlstore's RunIn), which spares an opening a round
// trip while it holds the tenant's case number. An update of a case the command
// read (a status change) moves case_flow from the facts of the case row
// it read, without reading the case_facts row again, sets only the
// case's columns that change, finds the configuration version in the
// statement that loaded the case, and sends its versioned UPDATE in one
// round trip with the facts and flow; the flow it leaves is checked
// against one recomputed from the facts, a stale version in that round
// trip still fails, and a command that waited for the case's lock reads
// the timers the command before it left.
func TestRoundTripsPerCommand(t *testing.T) {
	s := driverStore(t, "pgx", 4)
	kit := newKit(t, s)
	ctx := context.Background()
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "trips", Admins: []string{"agent-1"}}); err != nil {
		t.Fatal(err)
	}
	d := kit.Desk("trips").As(casekit.System)
	// A first case and resolution make the tenant's timer wakeup, which
	// later resolutions only read.
	first, err := d.OpenCase(ctx, casekit.NewCase{Subject: "first", CustomerID: "customer-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetStatus(ctx, first.ID, "resolved"); err != nil {
		t.Fatal(err)
	}
	hook := &statementCount{}
	s.DB().(*bun.DB).AddQueryHook(hook)
	count := func(what string, want int64, fn func() error) {
		t.Helper()
		hook.n.Store(0)
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n := hook.n.Load(); n > want {
			t.Errorf("%s sent %d statements, want at most %d", what, n, want)
		} else {
			t.Logf("%s: %d statements", what, n)
		}
	}
	var cs *casekit.Case
	count("OpenCase", 4, func() (err error) {
		cs, err = d.OpenCase(ctx, casekit.NewCase{Subject: "second", CustomerID: "customer-1"})
		return err
	})
	count("SetStatus resolved", 7, func() error {
		_, err := d.SetStatus(ctx, cs.ID, "resolved")
		return err
	})
	if n := hook.wide.Load(); n > 0 {
		t.Errorf("the status change's UPDATE of cases set subject, which it did not change")
	}
	assertStaleBatchedUpdate(t, s, cs.ID)
	assertTimersAfterLockWait(t, s, cs.ID)
	assertFlowRebuilt(t, s.DB(), s.Schema("trips"))
}

// assertTimersAfterLockWait checks that a command whose locking load of
// case id waited for another command that replaced the case's timers
// lists the new timers. A read folded into the locking statement (a
// json_agg of the timers beside the config version, say) would fail
// this: under READ COMMITTED it sees the statement's snapshot, taken
// before the wait, and with the old timers a command can keep a fired or
// an obsolete timer. The activities the lifecycle reads are held to the
// same by the conformance case "Resolve racing AddActivity ...".
func assertTimersAfterLockWait(t *testing.T, s *postgres.Store, id string) {
	t.Helper()
	ctx := context.Background()
	schema := s.Schema("trips")
	locked, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.DB().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			stx := sqlstore.NewTx(tx, postgres.Dialect{}, schema, nil)
			if _, err := stx.Case(ctx, id, true); err != nil {
				return err
			}
			next := []casekit.Timer{{ID: "timer-new", CaseID: id, Kind: casekit.TimerAutoClose, Due: time.Now().Add(time.Hour).UTC()}}
			if err := stx.SetCaseTimers(ctx, id, next); err != nil {
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	select {
	case <-locked:
	case err := <-done:
		t.Fatalf("the first command: %v", err)
	}
	go func() {
		time.Sleep(200 * time.Millisecond) // the second command is waiting for the case by then
		close(release)
	}()
	err := s.DB().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		stx := sqlstore.NewTx(tx, postgres.Dialect{}, schema, nil)
		if _, err := stx.Case(ctx, id, true); err != nil {
			return err
		}
		timers, err := stx.CaseTimers(ctx, id)
		if err != nil {
			return err
		}
		if len(timers) != 1 || timers[0].ID != "timer-new" {
			t.Errorf("after waiting for the case the command lists timers %v, want only timer-new", timers)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the first command: %v", err)
	}
}

// assertStaleBatchedUpdate checks that the version check of an update
// sent last in the batch of its facts and flow (the case read FOR UPDATE)
// stays exact: a case whose stored version moved after the read (here by
// hand, in the same transaction) gives ErrConflict, and the transaction,
// rolled back, leaves the case as it was.
func assertStaleBatchedUpdate(t *testing.T, s *postgres.Store, id string) {
	t.Helper()
	ctx := context.Background()
	schema := s.Schema("trips")
	var before int64
	if err := s.DB().NewRaw("SELECT version FROM ?.cases WHERE id = ?", bun.Ident(schema), id).Scan(ctx, &before); err != nil {
		t.Fatal(err)
	}
	err := s.DB().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		stx := sqlstore.NewTx(tx, postgres.Dialect{}, schema, nil)
		c, err := stx.Case(ctx, id, true)
		if err != nil {
			return err
		}
		if _, err := tx.NewRaw("UPDATE ?.cases SET version = version + 1 WHERE id = ?", bun.Ident(schema), id).Exec(ctx); err != nil {
			return err
		}
		prev := c.Version
		c.Version++
		c.Status = "new"
		return stx.UpdateCase(ctx, c, prev)
	})
	if !errors.Is(err, casekit.ErrConflict) {
		t.Fatalf("a stale batched update gave %v, want ErrConflict", err)
	}
	var after int64
	var status string
	if err := s.DB().NewRaw("SELECT version, status FROM ?.cases WHERE id = ?", bun.Ident(schema), id).Scan(ctx, &after, &status); err != nil {
		t.Fatal(err)
	}
	if after != before || status != "resolved" {
		t.Errorf("after the stale update the case is at version %d, %s; want %d, resolved", after, status, before)
	}
}

// assertFlowRebuilt checks that case_flow in schema holds, summed over its
// slots, what sqlstore.RebuildFlow computes from the facts.
func assertFlowRebuilt(t *testing.T, db bun.IDB, schema string) {
	t.Helper()
	ctx := context.Background()
	sums := func() map[[3]string][2]int {
		var rs []struct {
			Dim, Val, Day string
			Opened, Ended int
		}
		if err := db.NewRaw("SELECT dim, val, day::text AS day, SUM(opened)::int AS opened, SUM(ended)::int AS ended FROM ?.case_flow GROUP BY 1, 2, 3 HAVING SUM(opened) <> 0 OR SUM(ended) <> 0",
			bun.Ident(schema)).Scan(ctx, &rs); err != nil {
			t.Fatal(err)
		}
		m := map[[3]string][2]int{}
		for _, r := range rs {
			m[[3]string{r.Dim, r.Val, r.Day}] = [2]int{r.Opened, r.Ended}
		}
		return m
	}
	got := sums()
	if err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return sqlstore.RebuildFlow(ctx, tx, postgres.Dialect{}, schema)
	}); err != nil {
		t.Fatal(err)
	}
	want := sums()
	if len(got) != len(want) {
		t.Errorf("case_flow has %d counts, the facts give %d:\n%v\n%v", len(got), len(want), got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("case_flow %v = %v, the facts give %v", k, got[k], w)
		}
	}
}
