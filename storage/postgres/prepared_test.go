package postgres_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
	"casekit.dev/storage/postgres"
)

// preparedStatement is a row of pg_prepared_statements: what the
// backend of a connection holds prepared, and how often it ran it.
type preparedStatement struct {
	Statement string `bun:"statement"`
	Runs      int64  `bun:"runs"`
}

// TestHotStatementsPrepared holds that a create and a status change send
// their hot statements with the values as parameters, prepared once per
// connection: on a pool of one connection, the backend holds the locking
// load of a case, the UPDATE of a case, the case_facts upsert and the
// events INSERT with parameters, each run once per command; and commands
// on more cases of the tenant prepare nothing more, so a command's text
// does not depend on its values and the first use's Parse and Describe
// are not paid again. A store without WithPreparedStatements, or on a
// DSN that names another mode (default_query_exec_mode=exec), prepares
// nothing.
func TestHotStatementsPrepared(t *testing.T) {
	dsn := os.Getenv("CASEKIT_TEST_DATABASE_URL")
	base := testStore(t) // for the prefix and the cleanup
	if dsn == "" {
		return
	}
	ctx := context.Background()
	s, err := postgres.Open(ctx, dsn, postgres.WithPrefix(base.Prefix()), postgres.WithMaxConns(1), postgres.WithPreparedStatements())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	kit := newKit(t, s)
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "prep", Admins: []string{"agent-1"}}); err != nil {
		t.Fatal(err)
	}
	d := kit.Desk("prep").As(casekit.System)
	command := func() {
		t.Helper()
		c, err := d.OpenCase(ctx, casekit.NewCase{Subject: "prepared", CustomerID: "customer-1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.SetStatus(ctx, c.ID, "resolved"); err != nil {
			t.Fatal(err)
		}
	}
	schema := `"` + s.Schema("prep") + `".`
	prepared := func(db bun.IDB) map[string]int64 {
		t.Helper()
		var rows []preparedStatement
		if err := db.NewRaw("SELECT statement, generic_plans + custom_plans AS runs FROM pg_prepared_statements").Scan(ctx, &rows); err != nil {
			t.Fatal(err)
		}
		m := map[string]int64{}
		for _, r := range rows {
			if strings.Contains(r.Statement, schema) {
				m[r.Statement] = r.Runs
			}
		}
		return m
	}
	command() // the first use prepares
	command()
	before := prepared(s.DB()) // the pool's one connection
	for range 3 {
		command()
	}
	after := prepared(s.DB())
	var plans struct {
		N     int64 `bun:"n"`
		Bytes int64 `bun:"bytes"`
	}
	if err := s.DB().NewRaw(`SELECT count(*) AS n, COALESCE(sum(total_bytes), 0) AS bytes FROM pg_backend_memory_contexts
		WHERE name IN ('CachedPlanSource', 'CachedPlanQuery', 'CachedPlan')`).Scan(ctx, &plans); err != nil {
		t.Fatal(err)
	}
	t.Logf("the connection holds %d statements of the tenant prepared; its plan caches, %d contexts, take %d kB", len(after), plans.N, plans.Bytes/1024)
	for text := range after {
		if _, ok := before[text]; !ok {
			t.Errorf("a command on another case prepared a new text: %s", text)
		}
	}
	for _, want := range []struct{ what, has string }{
		{"the locking load of a case", "FOR UPDATE"},
		{"the UPDATE of a case", ".cases AS c SET"},
		{"the case_facts upsert", ".case_facts"},
		{"the INSERT of the events", ".events"},
		{"the INSERT of a case", ".cases ("},
	} {
		var most int64
		for text, runs := range after {
			if strings.Contains(text, want.has) && strings.Contains(text, "$1") {
				most = max(most, runs)
			}
		}
		if most < 5 {
			t.Errorf("%s is not one statement prepared with parameters and run once per command (5): the most run is %d; the connection holds %d statements of the tenant",
				want.what, most, len(after))
		}
	}

	// Without the option, or on a DSN naming exec mode: nothing prepared.
	for _, v := range []struct {
		what, dsn string
		opts      []postgres.Option
	}{
		{"a store without WithPreparedStatements", dsn, nil},
		{"a store on default_query_exec_mode=exec", withParam(dsn, "default_query_exec_mode=exec"), []postgres.Option{postgres.WithPreparedStatements()}},
	} {
		plain, err := postgres.Open(ctx, v.dsn, append(v.opts, postgres.WithPrefix(base.Prefix()), postgres.WithMaxConns(1))...)
		if err != nil {
			t.Fatal(err)
		}
		pd := newKit(t, plain).Desk("prep").As(casekit.System)
		c, err := pd.OpenCase(ctx, casekit.NewCase{Subject: "plain", CustomerID: "customer-1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pd.SetStatus(ctx, c.ID, "resolved"); err != nil {
			t.Fatal(err)
		}
		if n := len(prepared(plain.DB())); n > 0 {
			t.Errorf("%s prepared %d statements", v.what, n)
		}
		plain.Close()
	}
}

// withParam returns dsn, a URL or key=value string, with the parameter
// kv (key=value) added.
func withParam(dsn, kv string) string {
	switch {
	case !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://"):
		return dsn + " " + kv
	case strings.Contains(dsn, "?"):
		return dsn + "&" + kv
	}
	return dsn + "?" + kv
}
