package postgres_test

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
	"casekit.dev/storage/postgres"
	"casekit.dev/storage/sqlstore"
)

// untoasted are the tenant tables whose every value casekit bounds
// (sqlstore.HookBoundedText, migration 36): their columns have types of
// those bounds, and PostgreSQL makes no TOAST table for them. Every other
// tenant table has a column of no bound (text, JSON, a tsvector) and a
// TOAST table.
var untoasted = []string{"agent_availability", "agent_roles", "case_tags", "counters", "intake_rate",
	"lookups", "mail_acks", "queues", "reply_tokens", "statuses", "teams", "transitions"}

// toasted returns the schema's tables without a TOAST table and those
// with one, each sorted.
func toasted(t *testing.T, db bun.IDB, schema string) (without, with []string) {
	t.Helper()
	var rows []struct {
		Name  string `bun:"relname"`
		Toast bool   `bun:"toast"`
	}
	if err := db.NewRaw(`SELECT c.relname, c.reltoastrelid <> 0 AS toast FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind = 'r' ORDER BY c.relname`,
		schema).Scan(context.Background(), &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Toast {
			with = append(with, r.Name)
		} else {
			without = append(without, r.Name)
		}
	}
	return without, with
}

// bounded is what a tenant holds in the tables casekit bounds, read
// through casekit.
type bounded struct {
	Statuses     []casekit.Status
	Lookups      []casekit.Lookup
	Teams        []casekit.Team
	Queues       []casekit.Queue
	Roles        []casekit.RoleAssignment
	Availability []casekit.AgentLoad
	Tags         []string
}

func readBounded(t *testing.T, d *casekit.Desk, caseID string) bounded {
	t.Helper()
	ctx := context.Background()
	cf := d.Config()
	var b bounded
	var err error
	if b.Statuses, err = cf.Statuses(ctx); err != nil {
		t.Fatal(err)
	}
	if b.Lookups, err = cf.Lookups(ctx, casekit.LookupCaseType); err != nil {
		t.Fatal(err)
	}
	if b.Teams, err = cf.Teams(ctx); err != nil {
		t.Fatal(err)
	}
	if b.Queues, err = cf.Queues(ctx); err != nil {
		t.Fatal(err)
	}
	if b.Roles, err = cf.AgentRoles(ctx); err != nil {
		t.Fatal(err)
	}
	if b.Availability, err = cf.Availabilities(ctx); err != nil {
		t.Fatal(err)
	}
	cs, err := d.Case(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	b.Tags = cs.Tags
	return b
}

// A new tenant has no TOAST table for the tables whose every value
// casekit bounds, and one for every other table; its baseline declares
// their columns' types, rewriting no table. Values at casekit's
// bounds, of characters of four bytes in UTF-8, fit those columns; one
// character more is a *ValidationError naming the field, and nothing is
// written. A tenant made before migration 36 (its bounded columns text
// again, with their TOAST tables) migrates with its values kept, to the
// catalog of a new tenant.
func TestBoundedTablesWithoutToast(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	kit := newKit(t, s)
	for _, id := range []string{"fresh", "old"} {
		if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: id, Admins: []string{"admin-1"}}); err != nil {
			t.Fatal(err)
		}
	}
	b, err := sqlstore.Squash(postgres.Dialect{})
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range b.Stmts {
		if strings.Contains(stmt, "ALTER COLUMN") {
			t.Errorf("the baseline changes a column after making its table, a rewrite each new tenant pays for: %s", stmt)
		}
	}
	without, with := toasted(t, s.DB(), s.Schema("fresh"))
	if !slices.Equal(without, untoasted) {
		t.Errorf("a new tenant's tables without a TOAST table are %v, want %v", without, untoasted)
	}
	if !slices.Contains(with, "cases") || !slices.Contains(with, "casekit_migrations") || len(with)+len(without) < 40 {
		t.Errorf("a new tenant's tables with a TOAST table are %v: the query reads too little", with)
	}

	// Values at the bounds, four bytes a character.
	wide := func(n int) string { return strings.Repeat("𝄞", n) }
	d := kit.Desk("old").As(casekit.Agent("admin-1"))
	cf := d.Config()
	statuses, err := cf.Statuses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	transitions, err := cf.Transitions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	statuses[0].Label = wide(200)
	statuses = append(statuses, casekit.Status{Key: wide(64), Label: wide(200), Order: 99})
	transitions = append(transitions, casekit.Transition{From: statuses[0].Key, To: wide(64)})
	agent := wide(200)
	team := strings.Repeat("t", 64)
	for _, err := range []error{
		cf.ReplaceStatuses(ctx, statuses, transitions),
		cf.SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupCaseType, Key: wide(64), Label: wide(200), Rank: 7}),
		cf.SaveTeam(ctx, casekit.Team{ID: team, Name: wide(200)}),
		cf.SaveQueue(ctx, casekit.Queue{ID: strings.Repeat("q", 64), Name: wide(200), TeamID: team, AssignMode: casekit.AssignLeastOpen}),
		cf.SetAgentRole(ctx, agent, casekit.RoleAdmin),
		cf.SetAvailability(ctx, strings.Repeat("a", 200), casekit.AvailabilityUpdate{Available: new(bool)}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	cs, err := d.OpenCase(ctx, casekit.NewCase{Subject: "bounded", Tags: []string{wide(100), "short"}})
	if err != nil {
		t.Fatal(err)
	}
	before := readBounded(t, d, cs.ID)

	// One character more: refused, naming the field, nothing written.
	over := slices.Clone(statuses)
	over[len(over)-1].Label = wide(201)
	for _, c := range []struct {
		field string
		err   error
	}{
		{"label", cf.ReplaceStatuses(ctx, over, transitions)},
		{"key", cf.SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupCaseType, Key: wide(65), Label: "x"})},
		{"label", cf.SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupCaseType, Key: "k", Label: wide(201)})},
		{"name", cf.SaveTeam(ctx, casekit.Team{ID: "t2", Name: wide(201)})},
		{"id", cf.SaveTeam(ctx, casekit.Team{ID: strings.Repeat("t", 65), Name: "t"})},
		{"name", cf.SaveQueue(ctx, casekit.Queue{ID: "q2", Name: wide(201)})},
		{"agent_id", cf.SetAgentRole(ctx, wide(201), casekit.RoleAdmin)},
		{"agent_id", cf.SetAvailability(ctx, strings.Repeat("a", 201), casekit.AvailabilityUpdate{Available: new(bool)})},
		{"tags[0]", func() error { _, err := d.Tag(ctx, cs.ID, wide(101)); return err }()},
	} {
		var ve *casekit.ValidationError
		if !errors.As(c.err, &ve) || !slices.ContainsFunc(ve.Fields, func(f casekit.FieldError) bool { return strings.HasSuffix(f.Field, c.field) }) {
			t.Errorf("a value over its bound gave %v, want a *ValidationError naming %s", c.err, c.field)
		}
	}
	if got := readBounded(t, d, cs.ID); !reflect.DeepEqual(got, before) {
		t.Errorf("refused commands wrote: before %+v, after %+v", before, got)
	}

	// The tenant as migration 35 left it: its bounded columns text, each
	// table with a TOAST table; then migrated.
	stmts, _ := postgres.Dialect{}.Hook(sqlstore.HookBoundedText)
	schema := bun.Ident(s.Schema("old"))
	for _, stmt := range stmts {
		stmt = regexp.MustCompile(`TYPE VARCHAR\(\d+\)`).ReplaceAllString(stmt, "TYPE TEXT")
		if _, err := s.DB().NewRaw(stmt, schema).Exec(ctx); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if _, err := s.DB().NewRaw("DELETE FROM ?.casekit_migrations WHERE version = 36", schema).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if without, _ := toasted(t, s.DB(), s.Schema("old")); len(without) > 0 {
		t.Fatalf("tables %v have no TOAST table with text columns: the tenant is not as migration 35 left it", without)
	}
	if err := kit.Migrate(ctx, casekit.MigrateOptions{}); err != nil {
		t.Fatal(err)
	}
	if without, _ := toasted(t, s.DB(), s.Schema("old")); !slices.Equal(without, untoasted) {
		t.Errorf("a migrated tenant's tables without a TOAST table are %v, want %v", without, untoasted)
	}
	if got := readBounded(t, d, cs.ID); !reflect.DeepEqual(got, before) {
		t.Errorf("migration 36 changed the values: before %+v, after %+v", before, got)
	}
	schemaOnly := func(lines []string) []string {
		return slices.DeleteFunc(lines, func(l string) bool { return strings.HasPrefix(l, "rows: ") })
	}
	if d := catalogDiff(schemaOnly(catalog(t, s.DB(), s.Schema("fresh"))), schemaOnly(catalog(t, s.DB(), s.Schema("old")))); len(d) > 0 {
		t.Errorf("the migrated tenant (+) differs from a new one (-) in %d lines:\n%s", len(d), strings.Join(d, "\n"))
	}
}
