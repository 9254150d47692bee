package casekittest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
)

func testConfig(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"UpdateSettings changes the settings and records it", func(t *testing.T, e *Env) {
			ctx := t.Context()
			at := e.Tick()
			s := casekit.Settings{DefaultPriority: "high", AutoCloseDays: 14, PublicTags: []string{"billing", "outage"}}
			must(t, e.Agent().Config().SaveSettings(ctx, s), "SaveSettings")
			wantEqual(t, filled(s), try(e.Agent().Config().Settings(ctx)).get(t), "Settings after SaveSettings")
			evs := e.tenantEvents(t)
			if len(evs) != 1 {
				t.Fatalf("tenant events after SaveSettings: %v, want one settings.changed", types(evs))
			}
			ev := evs[0]
			wantEvent(t, ev, casekit.EventSettingsChanged, casekit.Agent(AgentID), at)
			if l, _ := stringList(ev.Data["default_priority"]); !slices.Equal(l, []string{"medium", "high"}) {
				t.Errorf("settings.changed default_priority = %v, want [medium high]", ev.Data["default_priority"])
			}
			if ev.CaseID != "" || ev.CaseNumber != 0 {
				t.Errorf("settings.changed is about case %q #%d, want none", ev.CaseID, ev.CaseNumber)
			}
		}},
		{"UpdateSettings with the same settings records nothing", func(t *testing.T, e *Env) {
			must(t, e.Agent().Config().SaveSettings(t.Context(), casekit.DefaultSettings()), "SaveSettings")
			if evs := e.tenantEvents(t); len(evs) != 0 {
				t.Errorf("tenant events after a no-op SaveSettings: %v, want none", types(evs))
			}
		}},
		{"auto-close can be switched off", func(t *testing.T, e *Env) {
			s := casekit.Settings{DefaultPriority: "medium", AutoCloseDays: 0}
			must(t, e.Agent().Config().SaveSettings(t.Context(), s), "UpdateSettings with AutoCloseDays 0")
			wantEqual(t, filled(s), try(e.Agent().Config().Settings(t.Context())).get(t), "Settings")
		}},
		{"UpdateSettings refuses bad settings and changes nothing", func(t *testing.T, e *Env) {
			ctx := t.Context()
			must(t, e.Agent().Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupPriority, Key: "low", Label: "Low", Rank: 10, Disabled: true}), "disable priority low")
			before := e.tenantState(t)
			for _, tc := range []struct {
				name  string
				s     casekit.Settings
				field string
			}{
				{"unknown default priority", casekit.Settings{DefaultPriority: "urgent", AutoCloseDays: 7}, "default_priority"},
				{"disabled default priority", casekit.Settings{DefaultPriority: "low", AutoCloseDays: 7}, "default_priority"},
				{"no default priority", casekit.Settings{AutoCloseDays: 7}, "default_priority"},
				{"negative auto-close", casekit.Settings{DefaultPriority: "high", AutoCloseDays: -1}, "auto_close_days"},
				{"auto-close over a year", casekit.Settings{DefaultPriority: "high", AutoCloseDays: 366}, "auto_close_days"},
				{"a public tag over 100 characters", casekit.Settings{DefaultPriority: "high", PublicTags: []string{strings.Repeat("x", 101)}}, "public_tags[0]"},
			} {
				wantInvalid(t, e.Agent().Config().SaveSettings(ctx, tc.s), tc.name, tc.field)
			}
			wantEqual(t, before, e.tenantState(t), "tenant configuration after refused SaveSettings")
		}},
		{"SetStatuses replaces statuses and transitions", func(t *testing.T, e *Env) {
			ctx := t.Context()
			statuses := slices.Insert(casekit.DefaultStatuses(), 3, casekit.Status{Key: "on_hold", Label: "On hold", Order: 35, Paused: true})
			statuses[0].Label = "Fresh"
			transitions := append(casekit.DefaultTransitions(),
				casekit.Transition{From: "in_progress", To: "on_hold"},
				casekit.Transition{From: "on_hold", To: "in_progress"},
				casekit.Transition{From: "on_hold", To: "reopened"},
			)
			at := e.Tick()
			must(t, e.Agent().Config().ReplaceStatuses(ctx, statuses, transitions), "ReplaceStatuses")
			wantEqual(t, statuses, try(e.Agent().Config().Statuses(ctx)).get(t), "Statuses after ReplaceStatuses")
			if got := try(e.Agent().Config().Transitions(ctx)).get(t); !sameSet(transitionKeys(got), transitionKeys(transitions)) {
				t.Errorf("Transitions after ReplaceStatuses = %v, want %v", transitionKeys(got), transitionKeys(transitions))
			}
			evs := e.tenantEvents(t)
			if len(evs) != 1 {
				t.Fatalf("tenant events after ReplaceStatuses: %v, want one statuses.changed", types(evs))
			}
			wantEvent(t, evs[0], casekit.EventStatusesChanged, casekit.Agent(AgentID), at)
			if l, _ := stringList(evs[0].Data["statuses"]); len(l) != len(statuses) || !slices.Contains(l, "on_hold") {
				t.Errorf("statuses.changed statuses = %v, want the %d keys with on_hold", evs[0].Data["statuses"], len(statuses))
			}

			// The new status drives the rules: a case can enter and leave it,
			// and a customer's reply on it (paused) reopens the case.
			c := e.open(t, "Hold it", "cust-1")
			wantIs(t, errOf(e.Agent().SetStatus(ctx, c.ID, "on_hold")), casekit.ErrInvalidTransition, "SetStatus(new -> on_hold), not in the table")
			c = e.into(t, c, casekit.StatusInProgress)
			c = try(e.Agent().SetStatus(ctx, c.ID, "on_hold")).get(t)
			if c.Status != "on_hold" {
				t.Fatalf("status %q, want on_hold", c.Status)
			}
			var keys []string
			for _, st := range try(e.Agent().CaseView(ctx, c.ID)).get(t).Allowed {
				keys = append(keys, st.Key)
			}
			if !slices.Equal(keys, []string{"in_progress", "reopened"}) {
				t.Errorf("AllowedStatuses from on_hold = %v, want [in_progress reopened]", keys)
			}
			try(e.Desk(casekit.Customer("cust-1")).PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Any news?"})).get(t)
			if c = e.reload(t, c.ID); c.Status != casekit.StatusReopened {
				t.Errorf("a customer reply on the paused status on_hold left the case %q, want reopened", c.Status)
			}
		}},
		{"SetStatuses refuses a set that cannot drive the rules", func(t *testing.T, e *Env) {
			mod := func(f func([]casekit.Status) []casekit.Status) []casekit.Status { return f(casekit.DefaultStatuses()) }
			def := casekit.DefaultTransitions()
			before := e.tenantState(t)
			for _, tc := range []struct {
				name     string
				statuses []casekit.Status
				ts       []casekit.Transition
				field    string
			}{
				{"no initial status", mod(func(s []casekit.Status) []casekit.Status { s[0].Initial = false; return s }), def, "statuses"},
				{"two initial statuses", mod(func(s []casekit.Status) []casekit.Status { s[1].Initial = true; return s }), def, "statuses"},
				{"a key twice", mod(func(s []casekit.Status) []casekit.Status { return append(s, s[2]) }), def, "statuses"},
				{"no resolved status", mod(func(s []casekit.Status) []casekit.Status { s[4].Resolved = false; return s }), def, "statuses"},
				{"no closed status", mod(func(s []casekit.Status) []casekit.Status { s[5].Final = false; return s }), def, "statuses"},
				{"no canceled status", mod(func(s []casekit.Status) []casekit.Status { return s[:6] }), def[:len(def)-1], "statuses"},
				{"canceled but not final", mod(func(s []casekit.Status) []casekit.Status { s[6].Final = false; return s }), def, "statuses"},
				{"no reopen status", mod(func(s []casekit.Status) []casekit.Status { s[3].Reopen = false; return s }), def, "statuses"},
				{"initial and resolved", mod(func(s []casekit.Status) []casekit.Status { s[0].Resolved = true; return s }), def, "statuses"},
				{"transition to an unknown status", casekit.DefaultStatuses(), append(def[:len(def):len(def)], casekit.Transition{From: "new", To: "limbo"}), "transitions"},
				{"status without a label", mod(func(s []casekit.Status) []casekit.Status { s[2].Label = ""; return s }), def, "label"},
				{"status without a key", mod(func(s []casekit.Status) []casekit.Status {
					return append(s, casekit.Status{Label: "Nameless", Order: 80})
				}), def, "key"},
				{"empty set", nil, nil, "statuses"},
			} {
				wantInvalid(t, e.Agent().Config().ReplaceStatuses(t.Context(), tc.statuses, tc.ts), tc.name, tc.field)
			}
			wantEqual(t, before, e.tenantState(t), "tenant configuration after refused ReplaceStatuses")
		}},
		{"SetStatuses refuses to remove a status a case is in", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.into(t, e.open(t, "Waiting", "cust-1"), casekit.StatusWaiting)
			var statuses []casekit.Status
			for _, s := range casekit.DefaultStatuses() {
				if s.Key != casekit.StatusWaiting {
					statuses = append(statuses, s)
				}
			}
			var ts []casekit.Transition
			for _, tr := range casekit.DefaultTransitions() {
				if tr.From != casekit.StatusWaiting && tr.To != casekit.StatusWaiting {
					ts = append(ts, tr)
				}
			}
			before := e.tenantState(t)
			wantRule(t, e.Agent().Config().ReplaceStatuses(ctx, statuses, ts), "SetStatuses without a status in use", "statuses", "in_use")
			wantEqual(t, before, e.tenantState(t), "tenant configuration after the refused ReplaceStatuses")
			// Once no case is in it, the status can go.
			e.into(t, c, casekit.StatusInProgress)
			must(t, e.Agent().Config().ReplaceStatuses(ctx, statuses, ts), "SetStatuses without a status no case is in")
			wantEqual(t, statuses, try(e.Agent().Config().Statuses(ctx)).get(t), "Statuses")
		}},
		{"SaveLookup adds and replaces entries", func(t *testing.T, e *Env) {
			ctx := t.Context()
			at := e.Tick()
			must(t, e.Agent().Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupCaseType, Key: "billing", Label: "Billing", Rank: 25}), "SaveLookup(add)")
			if keys := lookupKeys(t, e, casekit.LookupCaseType); !slices.Equal(keys, []string{"question", "problem", "billing", "request", "complaint"}) {
				t.Errorf("case types after SaveLookup = %v, want billing between problem and request (rank order)", keys)
			}
			c := openWith(t, e.Agent(), casekit.NewCase{Subject: "Invoice", Type: "billing"})
			if c.Type != "billing" {
				t.Errorf("case type %q, want billing", c.Type)
			}
			e.Tick()
			must(t, e.Agent().Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupCaseType, Key: "billing", Label: "Invoices", Rank: 25}), "SaveLookup(replace)")
			var found []casekit.Lookup
			for _, l := range try(e.Agent().Config().Lookups(ctx, casekit.LookupCaseType)).get(t) {
				if l.Key == "billing" {
					found = append(found, l)
				}
			}
			wantEqual(t, []casekit.Lookup{{Kind: casekit.LookupCaseType, Key: "billing", Label: "Invoices", Rank: 25}}, found, "billing entries after replacing it")
			evs := e.tenantEvents(t)
			if len(evs) != 2 {
				t.Fatalf("tenant events after two SaveLookup: %v, want two lookup.changed", types(evs))
			}
			wantEvent(t, evs[0], casekit.EventLookupChanged, casekit.Agent(AgentID), at)
			if str(evs[0], "kind") != "case_type" || str(evs[0], "key") != "billing" || str(evs[1], "label") != "Invoices" {
				t.Errorf("lookup.changed data = %v, %v; want kind case_type, key billing, then label Invoices", evs[0].Data, evs[1].Data)
			}
		}},
		{"disabled lookup entries are refused for new input and stay on cases", func(t *testing.T, e *Env) {
			ctx := t.Context()
			d := e.Agent()
			old := openWith(t, d, casekit.NewCase{Subject: "Old values", Priority: "low", Type: "complaint", Origin: "chat", CustomerID: "cust-1"})
			resolved := e.into(t, e.open(t, "To reopen", "cust-1"), casekit.StatusResolved)
			for _, l := range []casekit.Lookup{
				{Kind: casekit.LookupPriority, Key: "low", Label: "Low", Rank: 10},
				{Kind: casekit.LookupCaseType, Key: "complaint", Label: "Complaint", Rank: 40},
				{Kind: casekit.LookupOrigin, Key: "chat", Label: "Chat", Rank: 50},
				{Kind: casekit.LookupClosureReason, Key: "duplicate", Label: "Duplicate", Rank: 50},
				{Kind: casekit.LookupReopenReason, Key: "closed_by_mistake", Label: "Closed by mistake", Rank: 30},
				{Kind: casekit.LookupNoteSubject, Key: "solution", Label: "Solution", Rank: 30},
			} {
				l.Disabled = true
				must(t, d.Config().SaveLookup(ctx, l), "disable %s %s", l.Kind, l.Key)
				var disabled bool
				for _, got := range try(d.Config().Lookups(ctx, l.Kind)).get(t) {
					if got.Key == l.Key {
						disabled = got.Disabled
					}
				}
				if !disabled {
					t.Errorf("Lookups(%s) does not list %s as disabled", l.Kind, l.Key)
				}
			}
			active := e.open(t, "Active", "cust-1")
			before := e.state(t, active.ID)
			for _, tc := range []struct {
				name, field string
				err         error
			}{
				{"OpenCase with a disabled priority", "priority", errOf(d.OpenCase(ctx, casekit.NewCase{Subject: "x", Priority: "low"}))},
				{"OpenCase with a disabled type", "type", errOf(d.OpenCase(ctx, casekit.NewCase{Subject: "x", Type: "complaint"}))},
				{"OpenCase with a disabled origin", "origin", errOf(d.OpenCase(ctx, casekit.NewCase{Subject: "x", Origin: "chat"}))},
				{"UpdateCase to a disabled priority", "priority", errOf(d.UpdateCase(ctx, active.ID, casekit.CaseUpdate{Priority: ptr("low")}))},
				{"UpdateCase to a disabled type", "type", errOf(d.UpdateCase(ctx, active.ID, casekit.CaseUpdate{Type: ptr("complaint")}))},
				{"Close with a disabled reason", "reason", errOf(d.Close(ctx, active.ID, casekit.Closure{Reason: "duplicate", Note: "dup"}))},
				{"AddNote with a disabled subject", "subject", errOf(d.AddNote(ctx, active.ID, casekit.NewNote{Subject: "solution", Body: "b"}))},
			} {
				wantRule(t, tc.err, tc.name, tc.field, "known")
			}
			wantRule(t, errOf(d.Reopen(ctx, resolved.ID, casekit.Reopening{Reason: "closed_by_mistake", Note: "oops"})), "Reopen with a disabled reason", "reason", "known")
			wantUnchanged(t, before, e.state(t, active.ID), "after input with disabled entries")
			if c := e.reload(t, resolved.ID); c.Status != casekit.StatusResolved {
				t.Errorf("Reopen with a disabled reason moved the case to %s", c.Status)
			}
			if n := e.open(t, "Next", "cust-1").Number; n != active.Number+1 {
				t.Errorf("refused OpenCase calls took case numbers: next is %d, want %d", n, active.Number+1)
			}
			// The case that had them keeps them, and stays editable.
			got := try(d.UpdateCase(ctx, old.ID, casekit.CaseUpdate{Subject: ptr("Old values, edited")})).get(t)
			if got.Priority != "low" || got.Type != "complaint" || got.Origin != "chat" {
				t.Errorf("case with now-disabled values reads priority %q, type %q, origin %q", got.Priority, got.Type, got.Origin)
			}
		}},
		{"the default priority cannot be disabled or deleted", func(t *testing.T, e *Env) {
			ctx := t.Context()
			d := e.Agent()
			before := e.tenantState(t)
			wantRule(t, d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupPriority, Key: "medium", Label: "Medium", Rank: 20, Disabled: true}),
				"disable the default priority", "key", "in_use")
			wantRule(t, d.Config().DeleteLookup(ctx, casekit.LookupPriority, "medium"), "delete the default priority", "key", "in_use")
			wantEqual(t, before, e.tenantState(t), "tenant configuration after refused changes to the default priority")
			// Relabeling it is fine.
			must(t, d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupPriority, Key: "medium", Label: "Normal", Rank: 20}), "relabel the default priority")
			// Once another priority is the default, it can go.
			must(t, d.Config().SaveSettings(ctx, casekit.Settings{DefaultPriority: "high", AutoCloseDays: 7}), "SaveSettings")
			must(t, d.Config().DeleteLookup(ctx, casekit.LookupPriority, "medium"), "delete the former default priority")
			if keys := lookupKeys(t, e, casekit.LookupPriority); !slices.Equal(keys, []string{"low", "high", "critical"}) {
				t.Errorf("priorities = %v, want [low high critical]", keys)
			}
			wantRule(t, errOf(d.OpenCase(ctx, casekit.NewCase{Subject: "x", Priority: "medium"})), "OpenCase with a deleted priority", "priority", "known")
		}},
		{"SaveLookup refuses bad entries", func(t *testing.T, e *Env) {
			before := e.tenantState(t)
			for _, tc := range []struct {
				name  string
				l     casekit.Lookup
				field string
			}{
				{"unknown kind", casekit.Lookup{Kind: "colour", Key: "red", Label: "Red"}, "kind"},
				{"no key", casekit.Lookup{Kind: casekit.LookupCaseType, Label: "Nameless"}, "key"},
				{"key too long", casekit.Lookup{Kind: casekit.LookupCaseType, Key: strings.Repeat("k", 65), Label: "Long"}, "key"},
				{"no label", casekit.Lookup{Kind: casekit.LookupCaseType, Key: "blank"}, "label"},
				{"satisfaction without action", casekit.Lookup{Kind: casekit.LookupSatisfaction, Key: "6", Label: "Ecstatic", Rank: 6}, "action"},
				{"satisfaction with an unknown action", casekit.Lookup{Kind: casekit.LookupSatisfaction, Key: "6", Label: "Ecstatic", Rank: 6, Action: "party"}, "action"},
				{"action on a priority", casekit.Lookup{Kind: casekit.LookupPriority, Key: "asap", Label: "ASAP", Rank: 50, Action: casekit.RatingCloses}, "action"},
			} {
				wantInvalid(t, e.Agent().Config().SaveLookup(t.Context(), tc.l), tc.name, tc.field)
			}
			wantEqual(t, before, e.tenantState(t), "tenant configuration after refused SaveLookup")
			must(t, e.Agent().Config().SaveLookup(t.Context(), casekit.Lookup{Kind: casekit.LookupSatisfaction, Key: "6", Label: "Ecstatic", Rank: 6, Action: casekit.RatingCloses}), "SaveLookup(satisfaction with action)")
		}},
		{"DeleteLookup removes an entry and cases keep its key", func(t *testing.T, e *Env) {
			ctx := t.Context()
			d := e.Agent()
			c := openWith(t, d, casekit.NewCase{Subject: "A question", Type: "question"})
			at := e.Tick()
			must(t, d.Config().DeleteLookup(ctx, casekit.LookupCaseType, "question"), "DeleteLookup")
			if keys := lookupKeys(t, e, casekit.LookupCaseType); slices.Contains(keys, "question") {
				t.Errorf("case types after DeleteLookup = %v, still with question", keys)
			}
			if got := e.reload(t, c.ID); got.Type != "question" {
				t.Errorf("case type after DeleteLookup = %q, want question kept", got.Type)
			}
			wantRule(t, errOf(d.OpenCase(ctx, casekit.NewCase{Subject: "x", Type: "question"})), "OpenCase with a deleted type", "type", "known")
			evs := e.tenantEvents(t)
			if len(evs) != 1 {
				t.Fatalf("tenant events after DeleteLookup: %v, want one lookup.changed", types(evs))
			}
			wantEvent(t, evs[0], casekit.EventLookupChanged, casekit.Agent(AgentID), at)
			if evs[0].Data["deleted"] != true || str(evs[0], "key") != "question" {
				t.Errorf("lookup.changed data = %v, want key question, deleted true", evs[0].Data)
			}
			before := e.tenantState(t)
			wantIs(t, d.Config().DeleteLookup(ctx, casekit.LookupCaseType, "question"), casekit.ErrNotFound, "DeleteLookup twice")
			wantIs(t, d.Config().DeleteLookup(ctx, casekit.LookupCaseType, "never"), casekit.ErrNotFound, "DeleteLookup(unknown key)")
			wantInvalid(t, d.Config().DeleteLookup(ctx, "colour", "red"), "DeleteLookup(unknown kind)", "kind")
			wantEqual(t, before, e.tenantState(t), "tenant configuration after refused DeleteLookup")
		}},
		{"Lookups refuses an unknown kind", func(t *testing.T, e *Env) {
			wantInvalid(t, errOf(e.Agent().Config().Lookups(t.Context(), "colour")), "Lookups(colour)", "kind")
		}},
		{"AllowedStatuses follows the transition table", func(t *testing.T, e *Env) {
			ctx := t.Context()
			for _, tc := range []struct {
				from string
				want []string
			}{
				{"new", []string{"in_progress", "waiting_for_response", "resolved", "closed", "canceled"}},
				{"in_progress", []string{"waiting_for_response", "resolved", "closed", "canceled"}},
				{"waiting_for_response", []string{"in_progress", "reopened", "resolved", "closed", "canceled"}},
				{"reopened", []string{"in_progress", "waiting_for_response", "resolved", "closed", "canceled"}},
				{"resolved", []string{"reopened", "closed"}},
				{"closed", []string{"reopened"}},
				{"canceled", []string{"reopened"}},
			} {
				c := e.into(t, e.open(t, "From "+tc.from, "cust-1"), tc.from)
				var keys []string
				for _, st := range try(e.Agent().CaseView(ctx, c.ID)).get(t).Allowed {
					keys = append(keys, st.Key)
				}
				if !slices.Equal(keys, tc.want) {
					t.Errorf("CaseView.Allowed from %s = %v, want %v (display order)", tc.from, keys, tc.want)
				}
				if got := try(e.Desk(casekit.Customer("cust-1")).CaseView(ctx, c.ID)).get(t).Allowed; len(got) != 0 {
					t.Errorf("a customer's CaseView.Allowed from %s = %v, want none", tc.from, got)
				}
			}
		}},
		{"configuration changes are recorded in order", func(t *testing.T, e *Env) {
			ctx, e := t.Context(), e.withAdmins(t, "admin-1", "admin-2")
			var at []time.Time
			step := func(actor casekit.Actor, f func(d *casekit.Desk) error) {
				at = append(at, e.Tick())
				must(t, f(e.Desk(actor)), "configuration change %d", len(at))
			}
			step(casekit.Agent("admin-1"), func(d *casekit.Desk) error {
				return d.Config().SaveSettings(ctx, casekit.Settings{DefaultPriority: "low", AutoCloseDays: 2})
			})
			step(casekit.System, func(d *casekit.Desk) error {
				return d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupOrigin, Key: "fax", Label: "Fax", Rank: 70})
			})
			step(casekit.Agent("admin-2"), func(d *casekit.Desk) error {
				return d.Config().ReplaceStatuses(ctx, casekit.DefaultStatuses(), casekit.DefaultTransitions()[1:])
			})
			step(casekit.Agent("admin-1"), func(d *casekit.Desk) error { return d.Config().DeleteLookup(ctx, casekit.LookupOrigin, "fax") })
			evs := e.tenantEvents(t)
			want := []casekit.EventType{casekit.EventSettingsChanged, casekit.EventLookupChanged, casekit.EventStatusesChanged, casekit.EventLookupChanged}
			if !slices.Equal(types(evs), want) {
				t.Fatalf("tenant events = %v, want %v", types(evs), want)
			}
			actors := []casekit.Actor{casekit.Agent("admin-1"), casekit.System, casekit.Agent("admin-2"), casekit.Agent("admin-1")}
			for i, ev := range evs {
				wantEvent(t, ev, want[i], actors[i], at[i])
			}
		}},
	})
}

// lookupKeys lists the keys of one lookup kind in the order Lookups gives.
func lookupKeys(t testing.TB, e *Env, kind casekit.LookupKind) []string {
	t.Helper()
	var keys []string
	for _, l := range try(e.Agent().Config().Lookups(t.Context(), kind)).get(t) {
		keys = append(keys, l.Key)
	}
	return keys
}

// errOf drops a command's result and keeps its error.
func errOf[T any](_ T, err error) error { return err }

// filled is s as the store gives it back: zero attachment settings read
// as the defaults.
func filled(s casekit.Settings) casekit.Settings {
	if s.MaxAttachmentBytes == 0 {
		s.MaxAttachmentBytes = casekit.DefaultMaxAttachmentBytes
	}
	if s.AttachmentTypes == nil {
		s.AttachmentTypes = casekit.DefaultAttachmentTypes
	}
	return s
}
