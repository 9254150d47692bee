package casekittest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

// badTenantIDs are tenant IDs that are not slugs; no store may use them.
var badTenantIDs = []string{
	"",
	"UPPER",
	`x"; drop schema public; --`,
	"a/b",
	"../etc",
	strings.Repeat("a", casekit.MaxTenantIDLen+1),
	"trailing-",
	"2starts-with-digit",
	"under_score",
	"space d",
	"dot.ted",
	"nul\x00byte",
}

func testTenants(t *testing.T, newStore StoreFactory) {
	// Migrate runs over every tenant of the store; it runs before the
	// parallel tests of this area start.
	t.Run("migrate is idempotent and keeps data", func(t *testing.T) { testMigrate(t, newStore) })

	runEnvTests(t, newStore, []envTest{
		{"create gives the default statuses", func(t *testing.T, e *Env) {
			got := try(e.Agent().Config().Statuses(t.Context())).get(t)
			want := []casekit.Status{
				{Key: "new", Label: "New", Order: 10, Initial: true},
				{Key: "in_progress", Label: "In progress", Order: 20, Progress: true},
				{Key: "waiting_for_response", Label: "Waiting for response", Order: 30, Paused: true},
				{Key: "reopened", Label: "Reopened", Order: 40, Reopen: true},
				{Key: "resolved", Label: "Resolved", Order: 50, Resolved: true},
				{Key: "closed", Label: "Closed", Order: 60, Final: true},
				{Key: "canceled", Label: "Canceled", Order: 70, Final: true, Canceled: true},
			}
			wantEqual(t, want, got, "Statuses of a new tenant")
		}},
		{"create gives the default transitions", func(t *testing.T, e *Env) {
			got := try(e.Agent().Config().Transitions(t.Context())).get(t)
			var want []casekit.Transition
			for _, from := range []string{"new", "in_progress", "waiting_for_response", "reopened"} {
				for _, to := range []string{"in_progress", "waiting_for_response", "resolved", "closed", "canceled"} {
					if from != to {
						want = append(want, casekit.Transition{From: from, To: to})
					}
				}
			}
			want = append(want,
				casekit.Transition{From: "waiting_for_response", To: "reopened"},
				casekit.Transition{From: "resolved", To: "closed"},
				casekit.Transition{From: "resolved", To: "reopened"},
				casekit.Transition{From: "closed", To: "reopened"},
				casekit.Transition{From: "canceled", To: "reopened"},
			)
			if len(want) != 23 {
				t.Fatalf("test table has %d transitions, want 23", len(want))
			}
			if !sameSet(transitionKeys(want), transitionKeys(got)) {
				t.Errorf("Transitions of a new tenant:\n got  %v\n want %v", transitionKeys(got), transitionKeys(want))
			}
		}},
		{"create gives every lookup kind", func(t *testing.T, e *Env) {
			want := map[casekit.LookupKind][]string{
				casekit.LookupPriority:      {"low", "medium", "high", "critical"},
				casekit.LookupCaseType:      {"question", "problem", "request", "complaint"},
				casekit.LookupOrigin:        {"phone", "email", "web", "portal", "chat", "api"},
				casekit.LookupClosureReason: {"fixed", "answered", "workaround", "no_response", "duplicate", "merged"},
				casekit.LookupReopenReason:  {"not_fixed", "new_information", "closed_by_mistake", "customer_reply", "low_rating"},
				casekit.LookupNoteSubject:   {"general", "diagnosis", "solution", "customer_call"},
				casekit.LookupSatisfaction:  {"1", "2", "3", "4", "5"},
				casekit.LookupSupportLevel:  {"1", "2", "3"},
			}
			defaults := casekit.DefaultLookups()
			for _, kind := range casekit.LookupKinds {
				got := try(e.Agent().Config().Lookups(t.Context(), kind)).get(t)
				var keys []string
				for _, l := range got {
					keys = append(keys, l.Key)
				}
				if !slices.Equal(keys, want[kind]) {
					t.Errorf("Lookups(%s) keys = %v, want %v in rank order", kind, keys, want[kind])
				}
				var wantEntries []casekit.Lookup
				for _, l := range defaults {
					if l.Kind == kind {
						wantEntries = append(wantEntries, l)
					}
				}
				wantEqual(t, wantEntries, got, "Lookups(%s)", kind)
			}
			sat := try(e.Agent().Config().Lookups(t.Context(), casekit.LookupSatisfaction)).get(t)
			for _, l := range sat {
				want := casekit.RatingCloses
				if l.Key == "1" || l.Key == "2" {
					want = casekit.RatingReopens
				}
				if l.Action != want {
					t.Errorf("satisfaction level %s: action %q, want %q", l.Key, l.Action, want)
				}
			}
		}},
		{"create gives the default settings", func(t *testing.T, e *Env) {
			got := try(e.Agent().Config().Settings(t.Context())).get(t)
			wantEqual(t, casekit.Settings{DefaultPriority: "medium", AutoCloseDays: 7, FirstReminderDays: 3, SecondReminderDays: 2,
				MaxAttachmentBytes: 10 << 20, AttachmentTypes: casekit.DefaultAttachmentTypes}, got, "Settings of a new tenant")
		}},
		{"create takes settings from the spec", func(t *testing.T, e *Env) {
			id := TenantID(t)
			s := casekit.Settings{DefaultPriority: "high", AutoCloseDays: 0}
			must(t, e.Kit.CreateTenant(t.Context(), casekit.TenantSpec{ID: id, Name: "Spec", Settings: &s}), "CreateTenant with settings")
			DropOnCleanup(t, e.Kit, id)
			d := e.Kit.Desk(id).As(casekit.Agent(AgentID))
			wantEqual(t, filled(s), try(d.Config().Settings(t.Context())).get(t), "Settings")
			c := openWith(t, d, casekit.NewCase{Subject: "Follows the spec"})
			if c.Priority != "high" {
				t.Errorf("case priority %q, want the spec's default %q", c.Priority, "high")
			}
		}},
		{"create refuses bad settings and creates nothing", func(t *testing.T, e *Env) {
			for _, tc := range []struct {
				name  string
				s     casekit.Settings
				field string
			}{
				{"unknown default priority", casekit.Settings{DefaultPriority: "urgent", AutoCloseDays: 7}, "default_priority"},
				{"no default priority", casekit.Settings{AutoCloseDays: 7}, "default_priority"},
				{"negative auto-close", casekit.Settings{DefaultPriority: "low", AutoCloseDays: -1}, "auto_close_days"},
				{"auto-close over a year", casekit.Settings{DefaultPriority: "low", AutoCloseDays: 366}, "auto_close_days"},
			} {
				id := TenantID(t)
				err := e.Kit.CreateTenant(t.Context(), casekit.TenantSpec{ID: id, Settings: &tc.s})
				wantInvalid(t, err, tc.name, tc.field)
				_, err = e.Kit.Tenant(t.Context(), id)
				wantIs(t, err, casekit.ErrTenantNotFound, "%s: Tenant after refused CreateTenant", tc.name)
			}
		}},
		{"create refuses a name over 200 characters", func(t *testing.T, e *Env) {
			id := TenantID(t)
			err := e.Kit.CreateTenant(t.Context(), casekit.TenantSpec{ID: id, Name: strings.Repeat("n", 201)})
			wantRule(t, err, "CreateTenant with a long name", "name", "max")
			_, err = e.Kit.Tenant(t.Context(), id)
			wantIs(t, err, casekit.ErrTenantNotFound, "Tenant after refused CreateTenant")
		}},
		{"Tenant returns the record", func(t *testing.T, e *Env) {
			got := try(e.Kit.Tenant(t.Context(), e.Tenant)).get(t)
			wantEqual(t, casekit.Tenant{ID: e.Tenant, Name: "Tenant " + e.Tenant, CreatedAt: StoredTime(ClockStart)}, got, "Tenant")
		}},
		{"duplicate ID gives ErrTenantExists and keeps the tenant", func(t *testing.T, e *Env) {
			c := e.open(t, "Keep me", "cust-1")
			before := e.state(t, c.ID)
			err := e.Kit.CreateTenant(t.Context(), casekit.TenantSpec{ID: e.Tenant, Name: "Again"})
			wantIs(t, err, casekit.ErrTenantExists, "CreateTenant with a taken ID")
			wantUnchanged(t, before, e.state(t, c.ID), "after the duplicate CreateTenant")
			got := try(e.Kit.Tenant(t.Context(), e.Tenant)).get(t)
			if got.Name != "Tenant "+e.Tenant {
				t.Errorf("tenant name %q after the duplicate CreateTenant, want the original", got.Name)
			}
			// The store refuses it too, without running the seed.
			seeded := false
			err = e.Store.CreateTenant(t.Context(), casekit.Tenant{ID: e.Tenant, Name: "Again", CreatedAt: e.Now()},
				func(context.Context, store.Tx) error { seeded = true; return nil })
			wantIs(t, err, casekit.ErrTenantExists, "store.CreateTenant with a taken ID")
			if seeded {
				t.Errorf("store.CreateTenant with a taken ID ran the seed")
			}
			wantUnchanged(t, before, e.state(t, c.ID), "after the duplicate store.CreateTenant")
		}},
		{"IDs that are not slugs are refused and nothing is created", func(t *testing.T, e *Env) {
			for _, id := range badTenantIDs {
				err := e.Kit.CreateTenant(t.Context(), casekit.TenantSpec{ID: id, Name: "Bad"})
				wantInvalid(t, err, "CreateTenant("+quote(id)+")", "tenant")
			}
			ts := try(e.Kit.Tenants(t.Context())).get(t)
			for _, tn := range ts {
				if slices.Contains(badTenantIDs, tn.ID) {
					t.Errorf("Tenants lists %q, created from an ID that is not a slug", tn.ID)
				}
			}
		}},
		{"the store refuses IDs that are not slugs", func(t *testing.T, e *Env) {
			ctx := t.Context()
			for _, id := range badTenantIDs {
				called := false
				err := e.Store.CreateTenant(ctx, casekit.Tenant{ID: id, Name: "Bad", CreatedAt: e.Now()},
					func(context.Context, store.Tx) error { called = true; return nil })
				wantInvalid(t, err, "store.CreateTenant("+quote(id)+")", "tenant")
				err = e.Store.InTx(ctx, id, func(context.Context, store.Tx) error { called = true; return nil })
				wantInvalid(t, err, "store.InTx("+quote(id)+")", "tenant")
				_, err = e.Store.Tenant(ctx, id)
				wantInvalid(t, err, "store.Tenant("+quote(id)+")", "tenant")
				err = e.Store.DropTenant(ctx, id)
				wantInvalid(t, err, "store.DropTenant("+quote(id)+")", "tenant")
				if called {
					t.Errorf("the store ran a function for tenant %q", id)
				}
				_, err = e.Kit.Desk(id).As(casekit.Agent(AgentID)).Config().Statuses(ctx)
				wantInvalid(t, err, "Desk("+quote(id)+").Statuses", "tenant")
			}
			for _, tn := range try(e.Store.Tenants(ctx)).get(t) {
				if slices.Contains(badTenantIDs, tn.ID) {
					t.Errorf("store.Tenants lists %q, an ID that is not a slug", tn.ID)
				}
			}
		}},
		{"Tenants lists every tenant in ID order", func(t *testing.T, e *Env) {
			other := CreateTenant(t, e.Kit)
			ts := try(e.Kit.Tenants(t.Context())).get(t)
			var got []string
			for _, tn := range ts {
				got = append(got, tn.ID)
			}
			for _, id := range []string{e.Tenant, other} {
				if !slices.Contains(got, id) {
					t.Errorf("Tenants = %v, lacks %q", got, id)
				}
			}
			if !slices.IsSorted(got) {
				t.Errorf("Tenants = %v, not ordered by ID", got)
			}
			for _, tn := range ts {
				if tn.ID == other && tn.Name != "Tenant "+other {
					t.Errorf("Tenants gives %q the name %q", other, tn.Name)
				}
			}
		}},
		{"a dropped tenant refuses every command with ErrTenantNotFound", func(t *testing.T, e *Env) {
			ctx := t.Context()
			fx := e.newFixture(t, "cust-1")
			keep := CreateTenant(t, e.Kit)
			kept := openWith(t, e.Kit.Desk(keep).As(casekit.Agent(AgentID)), casekit.NewCase{Subject: "Still here"})
			must(t, e.Kit.DropTenant(ctx, e.Tenant), "DropTenant")
			for _, cmd := range commands() {
				wantIs(t, cmd.run(ctx, e.Agent(), fx), casekit.ErrTenantNotFound, "%s on a dropped tenant", cmd.name)
			}
			_, err := e.Kit.Tenant(ctx, e.Tenant)
			wantIs(t, err, casekit.ErrTenantNotFound, "Tenant after DropTenant")
			wantIs(t, e.Kit.DropTenant(ctx, e.Tenant), casekit.ErrTenantNotFound, "DropTenant twice")
			wantIs(t, e.Store.InTx(ctx, e.Tenant, func(context.Context, store.Tx) error { return nil }),
				casekit.ErrTenantNotFound, "store.InTx after DropTenant")
			for _, tn := range try(e.Kit.Tenants(ctx)).get(t) {
				if tn.ID == e.Tenant {
					t.Errorf("Tenants still lists the dropped tenant")
				}
			}
			// The other tenant is untouched.
			got, err := e.Kit.Desk(keep).As(casekit.Agent(AgentID)).Case(ctx, kept.ID)
			if wantOK(t, err, "Case in the tenant that was not dropped") {
				wantEqual(t, kept, got, "case in the tenant that was not dropped")
			}
		}},
		{"a tenant created again after a drop starts empty", func(t *testing.T, e *Env) {
			ctx := t.Context()
			old := e.open(t, "From before", "cust-1")
			e.open(t, "Also from before", "cust-1")
			must(t, e.Agent().Config().SaveSettings(ctx, casekit.Settings{DefaultPriority: "high", AutoCloseDays: 1}), "SaveSettings")
			must(t, e.Kit.DropTenant(ctx, e.Tenant), "DropTenant")
			must(t, e.Kit.CreateTenant(ctx, casekit.TenantSpec{ID: e.Tenant, Name: "Again"}), "CreateTenant after DropTenant")
			_, err := e.Agent().Case(ctx, old.ID)
			wantIs(t, err, casekit.ErrNotFound, "Case from before the drop")
			page := try(e.Agent().ListCases(ctx, casekit.CaseFilter{})).get(t)
			if len(page.Cases) != 0 {
				t.Errorf("ListCases after re-creating the tenant gives %v", numbers(page.Cases))
			}
			wantEqual(t, casekit.DefaultSettings(), try(e.Agent().Config().Settings(ctx)).get(t), "Settings after re-creating the tenant")
			if c := e.open(t, "Fresh", "cust-1"); c.Number != 1 {
				t.Errorf("first case after re-creating the tenant has number %d, want 1", c.Number)
			}
		}},
		{"an unknown tenant refuses every command with ErrTenantNotFound", func(t *testing.T, e *Env) {
			ctx := t.Context()
			unknown := TenantID(t)
			d := e.Kit.Desk(unknown).As(casekit.Agent(AgentID))
			fx := fakeFixture()
			for _, cmd := range commands() {
				wantIs(t, cmd.run(ctx, d, fx), casekit.ErrTenantNotFound, "%s on an unknown tenant", cmd.name)
			}
			_, err := e.Kit.Tenant(ctx, unknown)
			wantIs(t, err, casekit.ErrTenantNotFound, "Tenant(unknown)")
			wantIs(t, e.Kit.DropTenant(ctx, unknown), casekit.ErrTenantNotFound, "DropTenant(unknown)")
			called := false
			err = e.Store.InTx(ctx, unknown, func(context.Context, store.Tx) error { called = true; return nil })
			wantIs(t, err, casekit.ErrTenantNotFound, "store.InTx(unknown)")
			if called {
				t.Errorf("store.InTx ran its function for an unknown tenant")
			}
			for _, tn := range try(e.Kit.Tenants(ctx)).get(t) {
				if tn.ID == unknown {
					t.Errorf("a command on an unknown tenant created it")
				}
			}
		}},
		{"a failed seed leaves no tenant", func(t *testing.T, e *Env) {
			ctx := t.Context()
			id := TenantID(t)
			boom := errors.New("seed failed")
			err := e.Store.CreateTenant(ctx, casekit.Tenant{ID: id, Name: "Half", CreatedAt: e.Now()}, func(ctx context.Context, tx store.Tx) error {
				if err := tx.SaveSettings(ctx, casekit.DefaultSettings()); err != nil {
					return err
				}
				return boom
			})
			wantIs(t, err, boom, "store.CreateTenant with a failing seed")
			_, err = e.Store.Tenant(ctx, id)
			wantIs(t, err, casekit.ErrTenantNotFound, "store.Tenant after a failed seed")
			for _, tn := range try(e.Store.Tenants(ctx)).get(t) {
				if tn.ID == id {
					t.Errorf("store.Tenants lists a tenant whose seed failed")
				}
			}
			// The ID is free again.
			must(t, e.Kit.CreateTenant(ctx, casekit.TenantSpec{ID: id, Name: "Whole"}), "CreateTenant after a failed seed")
			DropOnCleanup(t, e.Kit, id)
			if got := try(e.Kit.Tenant(ctx, id)).get(t); got.Name != "Whole" {
				t.Errorf("tenant name %q, want %q", got.Name, "Whole")
			}
		}},
	})
	t.Run("DropTenant removes the tenant's files", func(t *testing.T) { testDropTenantFiles(t, newStore) })
}

func testMigrate(t *testing.T, newStore StoreFactory) {
	e := NewEnv(t, newStore(t))
	ctx := t.Context()
	c := e.open(t, "Survives migrations", "cust-1")
	e.task(t, c.ID, "Still open")
	try(e.Agent().AddNote(ctx, c.ID, casekit.NewNote{Subject: "general", Body: "note"})).get(t)
	must(t, e.Agent().Config().SaveSettings(ctx, casekit.Settings{DefaultPriority: "low", AutoCloseDays: 3}), "SaveSettings")
	before, beforeTenant := e.state(t, c.ID), e.tenantState(t)

	var mu sync.Mutex
	var reports []casekit.MigrateProgress
	for run := 1; run <= 2; run++ {
		err := e.Kit.Migrate(ctx, casekit.MigrateOptions{Progress: func(p casekit.MigrateProgress) {
			mu.Lock()
			defer mu.Unlock()
			if p.Tenant == e.Tenant {
				reports = append(reports, p)
			}
		}})
		must(t, err, "Migrate run %d", run)
	}
	wantUnchanged(t, before, e.state(t, c.ID), "after migrating twice")
	wantEqual(t, beforeTenant, e.tenantState(t), "tenant configuration after migrating twice")
	if n := e.open(t, "After migrations", "cust-1").Number; n != 2 {
		t.Errorf("case opened after migrating has number %d, want 2", n)
	}
	if len(reports) != 2 {
		t.Fatalf("Migrate reported %d times on tenant %q over two runs, want 2: %+v", len(reports), e.Tenant, reports)
	}
	for _, p := range reports {
		if p.Err != nil || p.From != p.To || p.Total < 1 || p.Done < 1 || p.Done > p.Total {
			t.Errorf("Migrate progress on a tenant at the latest version: %+v; want no error, From == To and 1 <= Done <= Total", p)
		}
	}
}

func transitionKeys(ts []casekit.Transition) []string {
	out := make([]string, len(ts))
	for i, tr := range ts {
		out[i] = tr.From + "->" + tr.To
	}
	return out
}

func quote(s string) string {
	if len(s) > 20 {
		s = s[:20] + "…"
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\x00", `\0`), `"`, `\"`)
}
