package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
	"casekit.dev/storage/postgres"
)

// statements is a bun.QueryHook that keeps the text of every statement
// run through the *bun.DB it is added to.
type statements struct {
	mu   sync.Mutex
	text []string
}

func (s *statements) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (s *statements) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.text = append(s.text, e.Query)
}

func (s *statements) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.text
	s.text = nil
	return out
}

// watchedDB opens a pgx pool of conns connections to dsn whose statements
// the returned recorder keeps, for tests that check what a command sent.
func watchedDB(t *testing.T, dsn string, conns int) (*bun.DB, *statements) {
	db := openDriverDB(t, "pgx", dsn, conns)
	seen := &statements{}
	db.AddQueryHook(seen)
	return db, seen
}

// On a Citus cluster with schema-based sharding, every tenant's schema is
// a distributed schema whose tables all live on one worker, the tenants
// spread over the workers, the control schema's tables are Citus local
// tables on the coordinator, and every statement casekit runs on a
// tenant's schema is planned for that one worker alone: one task, on the
// tenant's node, no subplan pulled through the coordinator.
func TestCitusPlacementAndRouterPlans(t *testing.T) {
	dsn := os.Getenv("CASEKIT_TEST_CITUS_URL")
	if dsn == "" {
		t.Skip("CASEKIT_TEST_CITUS_URL is not set: skipping the Citus tests (scripts/citus-cluster.sh url prints the value)")
	}
	ctx := context.Background()
	db, seen := watchedDB(t, dsn, 4)
	b := make([]byte, 4)
	rand.Read(b)
	s, err := postgres.New(ctx, db, postgres.WithPrefix("ckc"+hex.EncodeToString(b)+"_"))
	if err != nil {
		t.Fatal(err)
	}
	dropAllOnCleanup(t, s, db.Close)
	kit := newKit(t, s)

	for _, table := range []string{"tenants", "timer_wakeups", "outbox_wakeups"} {
		var kind string
		err := db.NewRaw("SELECT citus_table_type FROM citus_tables WHERE table_name = ?::regclass",
			s.Prefix()+"control."+table).Scan(ctx, &kind)
		if err != nil || kind != "local" {
			t.Errorf("control table %s: Citus table type %q (%v), want local (a Citus local table on the coordinator)", table, kind, err)
		}
	}

	tenants := []string{"a", "b", "c", "d"}
	nodes := map[string]int{} // tenant to its worker's port
	for _, id := range tenants {
		if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: id, Admins: []string{"agent-1"}}); err != nil {
			t.Fatal(err)
		}
		var ports []int
		err := db.NewRaw(`SELECT DISTINCT sh.nodeport FROM citus_shards AS sh
			JOIN pg_class AS c ON c.oid = sh.table_name JOIN pg_namespace AS n ON n.oid = c.relnamespace
			WHERE n.nspname = ?`, s.Schema(id)).Scan(ctx, &ports)
		if err != nil {
			t.Fatal(err)
		}
		if len(ports) != 1 {
			t.Fatalf("tenant %s: its tables are on the nodes of ports %v, want one node", id, ports)
		}
		nodes[id] = ports[0]
	}
	used := map[int]bool{}
	for _, p := range nodes {
		used[p] = true
	}
	if len(used) < 2 {
		t.Errorf("four tenants on the nodes %v: want them spread over both workers", nodes)
	}

	seen.take()
	for _, id := range tenants[:2] {
		d := kit.Desk(id).As(casekit.Agent("agent-1"))
		c, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Printer on fire", Description: "smoke everywhere", Tags: []string{"fire", "printer"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.UpdateCase(ctx, c.ID, casekit.CaseUpdate{Tags: &[]string{"fire"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.AddNote(ctx, c.ID, casekit.NewNote{Subject: "customer_call", Body: "called them"}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.SetStatus(ctx, c.ID, "in_progress"); err != nil {
			t.Fatal(err)
		}
		for _, f := range []casekit.CaseFilter{{Tag: "fire"}, {Text: "printer"}, {Sort: casekit.SortPriority}} {
			if _, err := d.ListCases(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.History(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := kit.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		checked := 0
		var stmts []string
		for _, q := range seen.take() {
			// A batch (sqlstore's execAll) is several statements in one
			// text; Citus plans each, and EXPLAIN takes one.
			stmts = append(stmts, strings.Split(q, ";\n")...)
		}
		for _, q := range stmts {
			if !strings.Contains(q, `"`+s.Schema(id)+`".`) || !isDML(q) {
				continue
			}
			var plan []string
			if err := db.NewRaw("EXPLAIN "+q).Scan(ctx, &plan); err != nil {
				t.Fatalf("EXPLAIN %s: %v", q, err)
			}
			text := strings.Join(plan, "\n")
			if !strings.Contains(text, "Task Count: 1\n") || strings.Count(text, "Task Count:") != 1 ||
				strings.Contains(text, "Subplan") || !strings.Contains(text, "port="+strconv.Itoa(nodes[id])+" ") {
				t.Errorf("tenant %s on port %d: not a single-node router plan:\n%s\n%s", id, nodes[id], q, text)
			}
			checked++
		}
		if checked < 20 {
			t.Errorf("tenant %s: %d of its statements explained, want the commands' many", id, checked)
		}
		t.Logf("tenant %s (port %d): %d statements, each one task on its node", id, nodes[id], checked)
	}
}

// isDML reports whether q reads or writes rows (what Citus plans), not
// a setting, a lock function or DDL.
func isDML(q string) bool {
	q = strings.TrimSpace(q)
	for _, p := range []string{"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"} {
		if strings.HasPrefix(q, p) && !strings.HasPrefix(q, "SELECT pg_advisory") {
			return true
		}
	}
	return false
}
