package casekit_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/sqlite"
)

// Configuration written and read again in one transaction reads back as
// written after each write, and a transaction rolled back leaves the cache
// as the store is: what it cached under its own version is never seen.
func TestConfigCacheWithinATransaction(t *testing.T) {
	ctx := context.Background()
	st, kit := acmeKit(t)
	priority := func(tx store.Tx) string {
		t.Helper()
		s, err := tx.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s.DefaultPriority
	}
	set := func(tx store.Tx, p string) {
		t.Helper()
		s, err := tx.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.DefaultPriority = p
		if err := tx.SaveSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	rollback := errors.New("roll back")
	err := st.InTx(ctx, "acme", func(ctx context.Context, raw store.Tx) error {
		tx := casekit.ConfigTx(kit, "acme", raw)
		if got := priority(tx); got != "medium" {
			t.Errorf("before any write: %q, want medium", got)
		}
		set(tx, "high")
		if got := priority(tx); got != "high" {
			t.Errorf("after the first write: %q, want high", got)
		}
		set(tx, "low")
		if got := priority(tx); got != "low" {
			t.Errorf("after the second write: %q, want low", got)
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	c, err := kit.Desk("acme").As(casekit.Agent("a")).OpenCase(ctx, casekit.NewCase{Subject: "After the rollback"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Priority != "medium" {
		t.Errorf("after the rollback a case opens with priority %q, want medium", c.Priority)
	}
}

// What a configuration read returns is the caller's to change: editing
// any slice or map in it, at any depth (an SLA's targets, a calendar's
// hours, a process stage's required fields, a field's options), changes
// nothing the next command reads from the cache.
func TestConfigCacheReturnsDeepCopies(t *testing.T) {
	ctx := context.Background()
	_, kit := acmeKit(t)
	d := kit.Desk("acme").As(casekit.System)
	settings := casekit.DefaultSettings()
	settings.AttachmentTypes = []string{"application/pdf", "image/*"}
	for _, err := range []error{
		d.Config().SaveSettings(ctx, settings),
		d.Config().SaveCalendar(ctx, casekit.Calendar{ID: "office", Name: "Office", TimeZone: "Europe/Berlin",
			Hours: []casekit.WorkingHours{{Day: time.Monday, Start: "09:00", End: "17:00"}}, Holidays: []string{"2026-12-25"}}),
		d.Config().SaveSLA(ctx, casekit.SLA{ID: "gold", Name: "Gold", CalendarID: "office",
			Targets: []casekit.SLATarget{{Priority: "high", FirstResponse: time.Hour, Resolution: 8 * time.Hour}}}),
		d.Config().SaveCustomField(ctx, casekit.CustomField{Key: "plan", Label: "Plan", Type: casekit.CustomSelect, Options: []string{"basic", "pro"}}),
		d.Config().SaveProcess(ctx, casekit.Process{Key: "triage", Label: "Triage", Stages: []casekit.Stage{{Key: "identify", Label: "Identify", Required: []string{"type"}}}}),
		d.Config().SaveTeam(ctx, casekit.Team{ID: "support", Name: "Support"}),
		d.Config().SaveQueue(ctx, casekit.Queue{ID: "inbox", Name: "Inbox", TeamID: "support"}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	reads := map[string]func() (any, error){
		"settings":      func() (any, error) { return d.Config().Settings(ctx) },
		"statuses":      func() (any, error) { return d.Config().Statuses(ctx) },
		"lookups":       func() (any, error) { return d.Config().Lookups(ctx, casekit.LookupPriority) },
		"calendars":     func() (any, error) { return d.Config().Calendars(ctx) },
		"slas":          func() (any, error) { return d.Config().SLAs(ctx) },
		"custom fields": func() (any, error) { return d.Config().CustomFields(ctx) },
		"processes":     func() (any, error) { return d.Config().Processes(ctx) },
		"teams":         func() (any, error) { return d.Config().Teams(ctx) },
		"queues":        func() (any, error) { return d.Config().Queues(ctx) },
		"roles":         func() (any, error) { return d.Config().Roles(ctx) },
	}
	for name, read := range reads {
		first, err := read()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		before, _ := json.Marshal(first)
		if !scribble(reflect.ValueOf(first)) {
			t.Fatalf("%s: nothing in %s to edit; the test proves nothing", name, before)
		}
		if edited, _ := json.Marshal(first); string(edited) == string(before) {
			t.Fatalf("%s: editing changed nothing visible; the test proves nothing", name)
		}
		again, err := read()
		if err != nil {
			t.Fatalf("%s again: %v", name, err)
		}
		if after, _ := json.Marshal(again); string(after) != string(before) {
			t.Errorf("%s: editing what one read returned changed the next read:\nbefore %s\nafter  %s", name, before, after)
		}
	}
}

// scribble changes, in place, every string, number and bool reachable
// through a slice, map or pointer in v: what a careless caller could edit
// without assigning to v itself. It reports whether it changed anything.
func scribble(v reflect.Value) bool {
	changed := false
	var walk func(v reflect.Value, shared bool)
	walk = func(v reflect.Value, shared bool) {
		switch v.Kind() {
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i), true)
			}
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				e := reflect.New(it.Value().Type()).Elem()
				e.Set(it.Value())
				walk(e, true)
				v.SetMapIndex(it.Key(), e)
				changed = true
			}
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), true)
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i), shared)
				}
			}
		case reflect.String:
			if shared && v.CanSet() {
				v.SetString(v.String() + "!")
				changed = true
			}
		case reflect.Int, reflect.Int64, reflect.Int32:
			if shared && v.CanSet() {
				v.SetInt(v.Int() + 1)
				changed = true
			}
		case reflect.Bool:
			if shared && v.CanSet() {
				v.SetBool(!v.Bool())
				changed = true
			}
		}
	}
	walk(v, false)
	return changed
}

// acmeKit is a kit on an in-memory SQLite store with the tenant "acme".
func acmeKit(t *testing.T) (store.Store, *casekit.Kit) {
	t.Helper()
	store, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	kit, err := casekit.New(store, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if err := kit.CreateTenant(context.Background(), casekit.TenantSpec{ID: "acme"}); err != nil {
		t.Fatal(err)
	}
	return store, kit
}
