package postgres_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
	"casekit.dev/storage/postgres"
)

// catalogQueries read what a tenant's schema holds from pg_catalog, one
// line a thing, for the schema named by the one argument. Whatever names
// the schema (index and trigger definitions, function bodies) is
// normalised afterwards; OIDs never appear. A column's atthasmissing is
// left out: ALTER TABLE ADD COLUMN with a default keeps that default for
// the rows already there (none in a new tenant), which a column declared
// in CREATE TABLE never needs; every row written later holds its value.
var catalogQueries = map[string]string{
	"relation": `SELECT concat_ws(' ', c.relname, c.relkind, c.relpersistence, c.relam::regclass,
		coalesce(array_to_string(c.reloptions, ','), '-'), c.reltoastrelid <> 0)
		FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?)`,
	"column": `SELECT concat_ws(' | ', c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
		a.attnotnull, coalesce(pg_get_expr(d.adbin, d.adrelid), '-'), a.attgenerated, a.attidentity,
		a.attcollation::regcollation, a.attstorage)
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?) AND a.attnum > 0 AND NOT a.attisdropped`,
	"index": `SELECT concat_ws(' | ', pg_get_indexdef(i.indexrelid), i.indisunique, i.indisprimary, i.indimmediate, i.indisvalid)
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?)`,
	"constraint": `SELECT concat_ws(' | ', r.relname, n.conname, n.contype, pg_get_constraintdef(n.oid), n.condeferrable)
		FROM pg_constraint n JOIN pg_class r ON r.oid = n.conrelid
		WHERE n.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?)`,
	"trigger": `SELECT concat_ws(' | ', pg_get_triggerdef(t.oid), t.tgenabled)
		FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?) AND NOT t.tgisinternal`,
	"function": `SELECT pg_get_functiondef(p.oid) FROM pg_proc p
		WHERE p.pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?)`,
	"sequence": `SELECT concat_ws(' ', c.relname, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle)
		FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
		WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?)`,
	"dependency": `SELECT concat_ws(' ', c.relname, d.deptype, r.relname, d.refobjsubid)
		FROM pg_depend d JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
		JOIN pg_class r ON r.oid = d.refobjid AND d.refclassid = 'pg_class'::regclass
		WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?) AND c.relkind = 'S'`,
	"type": `SELECT concat_ws(' ', typname, typtype, typcategory) FROM pg_type
		WHERE typnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?)`,
}

// catalog returns every line of catalogQueries for the schema, prefixed
// by its kind, the schema's name replaced by "S", sorted; the number of
// rows of each table (the baseline leaves out statements that fill and
// empty tables that no tenant keeps); and the tenant's migration ledger
// and counter names.
func catalog(t *testing.T, db bun.IDB, schema string) []string {
	t.Helper()
	ctx := context.Background()
	norm := strings.NewReplacer(`"`+schema+`"`, "S", schema, "S")
	var out []string
	for kind, q := range catalogQueries {
		var lines []string
		if err := db.NewRaw(q, schema).Scan(ctx, &lines); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		for _, l := range lines {
			out = append(out, kind+": "+norm.Replace(l))
		}
	}
	var ledger []string
	if err := db.NewRaw("SELECT version || ' ' || name FROM ?.casekit_migrations", bun.Ident(schema)).Scan(ctx, &ledger); err != nil {
		t.Fatal(err)
	}
	var counters []string
	if err := db.NewRaw("SELECT name FROM ?.counters", bun.Ident(schema)).Scan(ctx, &counters); err != nil {
		t.Fatal(err)
	}
	var tables []string
	if err := db.NewRaw(`SELECT relname FROM pg_class WHERE relkind = 'r'
		AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?)`, schema).Scan(ctx, &tables); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		var n int
		if err := db.NewRaw("SELECT count(*) FROM ?.?", bun.Ident(schema), bun.Ident(table)).Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("rows: %s %d", table, n))
	}
	for _, l := range ledger {
		out = append(out, "ledger: "+l)
	}
	for _, c := range counters {
		out = append(out, "counter: "+c)
	}
	slices.Sort(out)
	return out
}

// catalogDiff lists the lines only a has ("-") and only b has ("+").
func catalogDiff(a, b []string) []string {
	var diff []string
	for _, l := range a {
		if _, found := slices.BinarySearch(b, l); !found {
			diff = append(diff, "- "+l)
		}
	}
	for _, l := range b {
		if _, found := slices.BinarySearch(a, l); !found {
			diff = append(diff, "+ "+l)
		}
	}
	return diff
}

// A tenant made from the baseline (the migrations squashed) has the
// catalog of one made by replaying every migration, as existing tenants
// were: the same tables,
// columns (order, types, defaults, nullability, generation, identity),
// indexes, constraints, triggers, functions, sequences and types, the
// same number of rows in each table, and the same migration ledger. A migration appended later is squashed with the
// rest, and this test holds the folding to it. Then one index dropped from the baseline tenant
// is reported, so the comparison is known to see a difference.
func TestBaselineEqualsHistory(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	replaying, err := postgres.New(ctx, s.DB().(*bun.DB), postgres.WithPrefix(s.Prefix()), postgres.ReplayMigrations())
	if err != nil {
		t.Fatal(err)
	}
	if err := newKit(t, s).CreateTenant(ctx, casekit.TenantSpec{ID: "baseline"}); err != nil {
		t.Fatal(err)
	}
	if err := newKit(t, replaying).CreateTenant(ctx, casekit.TenantSpec{ID: "history"}); err != nil {
		t.Fatal(err)
	}
	base, hist := catalog(t, s.DB(), s.Schema("baseline")), catalog(t, s.DB(), s.Schema("history"))
	if len(base) < 300 {
		t.Fatalf("the catalog of a tenant has %d lines; the queries read too little", len(base))
	}
	if d := catalogDiff(hist, base); len(d) > 0 {
		t.Errorf("the baseline's tenant (+) differs from the replayed history's (-) in %d lines:\n%s", len(d), strings.Join(d, "\n"))
	}

	if _, err := s.DB().NewRaw("DROP INDEX ?.cases_team_idx", bun.Ident(s.Schema("baseline"))).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	d := catalogDiff(hist, catalog(t, s.DB(), s.Schema("baseline")))
	if !slices.ContainsFunc(d, func(l string) bool { return strings.HasPrefix(l, "- index: CREATE INDEX cases_team_idx") }) {
		t.Errorf("a dropped index went unseen; the diff is %s", fmt.Sprint(d))
	}
}

// A new tenant's baseline goes to plain PostgreSQL as one statement, all
// its CREATE INDEX in it, where a Citus coordinator (SplitBaseline
// pretends to be one) gets each CREATE INDEX alone; the tenant is the same
// either way.
func TestBaselineSentWhole(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	db, seen := watchedDB(t, os.Getenv("CASEKIT_TEST_DATABASE_URL"), 2)
	sent := func(st *postgres.Store, id string) (stmts []string, indexes int) {
		t.Helper()
		seen.take()
		if err := newKit(t, st).CreateTenant(ctx, casekit.TenantSpec{ID: id}); err != nil {
			t.Fatal(err)
		}
		for _, q := range seen.take() {
			if n := strings.Count(q, "CREATE INDEX "); n > 0 {
				stmts = append(stmts, q)
				indexes += n
			}
		}
		return stmts, indexes
	}
	whole, err := postgres.New(ctx, db, postgres.WithPrefix(s.Prefix()))
	if err != nil {
		t.Fatal(err)
	}
	split, err := postgres.New(ctx, db, postgres.WithPrefix(s.Prefix()), postgres.SplitBaseline())
	if err != nil {
		t.Fatal(err)
	}
	wholeStmts, wholeIndexes := sent(whole, "whole")
	splitStmts, splitIndexes := sent(split, "split")
	if len(wholeStmts) != 1 || wholeIndexes < 40 {
		t.Errorf("plain PostgreSQL got the baseline's %d CREATE INDEX in %d statements, want one", wholeIndexes, len(wholeStmts))
	}
	if len(splitStmts) != splitIndexes || splitIndexes != wholeIndexes {
		t.Errorf("as to Citus, %d CREATE INDEX went in %d statements, want each alone, %d of them", splitIndexes, len(splitStmts), wholeIndexes)
	}
	if d := catalogDiff(catalog(t, db, whole.Schema("split")), catalog(t, db, whole.Schema("whole"))); len(d) > 0 {
		t.Errorf("the tenant sent whole (+) differs from the one sent split (-) in %d lines:\n%s", len(d), strings.Join(d, "\n"))
	}
}
