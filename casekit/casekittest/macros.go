package casekittest

import (
	"slices"
	"testing"

	"casekit.dev/casekit"
)

// refund is the macro the macros area applies.
var refund = casekit.Macro{Key: "refund", Name: "Refund", Actions: []casekit.Action{
	{Kind: casekit.ActionSetPriority, Value: "high"}, tags("refund"), {Kind: casekit.ActionAssignQueue, Value: "refunds"},
}, Reply: "Case {{number}}: we are refunding you, {{contact_name}}."}

// testMacros checks macros: what saving refuses, the preview that writes
// nothing, the application as one command recorded with the macro's
// name, and an action that fails at run time.
func testMacros(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"saving refuses what cannot run and changes nothing", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			before := e.tenantState(t)
			for _, tc := range []struct {
				what, field, rule string
				m                 casekit.Macro
			}{
				{"a bad key", "key", "key", casekit.Macro{Key: "a b", Name: "X", Actions: []casekit.Action{tags("x")}}},
				{"nothing to do", "actions", "required", casekit.Macro{Key: "x", Name: "X"}},
				{"a notice", "actions[0].kind", "oneof", casekit.Macro{Key: "x", Name: "X", Actions: []casekit.Action{{Kind: casekit.ActionNotify, To: casekit.NotifyCustomer}}}},
				{"a missing queue", "actions[2].queue", "known", refund},
				{"an unknown placeholder", "reply", "template", casekit.Macro{Key: "x", Name: "X", Reply: "Dear {{customer.password}}"}},
			} {
				wantRule(t, d.Config().SaveMacro(ctx, tc.m), tc.what, tc.field, tc.rule)
			}
			// A macro takes the kinds MacroActionKinds lists; the others
			// are refused as kinds, those with nothing but their kind for
			// what they lack.
			for _, k := range casekit.ActionKinds() {
				ve := wantInvalid(t, d.Config().SaveMacro(ctx, casekit.Macro{Key: "x", Name: "X", Actions: []casekit.Action{{Kind: k}}}), "a macro's bare "+string(k))
				if ve != nil && (ve.Field("actions[0].kind") != nil) == slices.Contains(casekit.MacroActionKinds(), k) {
					t.Errorf("a macro's bare %s: %v (a macro's kinds: %v)", k, ve, casekit.MacroActionKinds())
				}
			}
			wantEqual(t, before, e.tenantState(t), "the tenant after refused macros")
			e.places(t, []string{"billing"}, casekit.Queue{ID: "refunds", Name: "Refunds", TeamID: "billing"})
			must(t, d.Config().SaveMacro(ctx, refund), "SaveMacro")
			wantEqual(t, []casekit.Macro{refund}, try(d.Config().Macros(ctx)).get(t), "macros")
			must(t, d.Config().DeleteMacro(ctx, "refund"), "DeleteMacro")
			wantIs(t, d.Config().DeleteMacro(ctx, "refund"), casekit.ErrNotFound, "deleting twice")
		}},
		{"a preview writes nothing and applying does what it showed, as one command", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, []string{"billing"}, casekit.Queue{ID: "refunds", Name: "Refunds", TeamID: "billing"})
			must(t, d.Config().SaveMacro(ctx, refund), "SaveMacro")
			c := openWith(t, d, casekit.NewCase{Subject: "Money back", CustomerID: "cust-1", Contact: casekit.Contact{Name: "Ada"}})
			before := e.state(t, c.ID)
			p := try(d.PreviewMacro(ctx, c.ID, "refund")).get(t)
			wantUnchanged(t, before, e.state(t, c.ID), "after PreviewMacro")
			if p.Case.Priority != "high" || p.Case.QueueID != "refunds" || p.Case.TeamID != "billing" || !slices.Equal(p.Case.Tags, []string{"refund"}) || p.Case.Version != before.Case.Version {
				t.Errorf("preview case %+v, want the macro's changes", p.Case)
			}
			for _, f := range []string{"priority", "tags", "queue_id", "team_id"} {
				if p.Changes[f] == nil {
					t.Errorf("preview changes %v lack %s", p.Changes, f)
				}
			}
			wantEqual(t, "Case 1: we are refunding you, Ada.", p.Reply, "previewed reply")
			// The case changed since the preview: applying at the
			// preview's version is refused and changes nothing.
			try(d.Tag(ctx, c.ID, "later")).get(t)
			stale := e.state(t, c.ID)
			_, err := d.ApplyMacro(ctx, c.ID, "refund", p.Case.Version)
			wantIs(t, err, casekit.ErrConflict, "a macro applied at the preview's version after a change")
			wantUnchanged(t, stale, e.state(t, c.ID), "after the stale ApplyMacro")
			p = try(d.PreviewMacro(ctx, c.ID, "refund")).get(t)
			got := try(d.ApplyMacro(ctx, c.ID, "refund", p.Case.Version)).get(t)
			if got.Priority != "high" || got.QueueID != "refunds" || !slices.Equal(got.Tags, []string{"later", "refund"}) {
				t.Errorf("applied case %+v, want the previewed changes", got)
			}
			ms := try(d.Messages(ctx, c.ID)).get(t)
			if len(ms) != 1 || ms[0].Body != p.Reply || !ms[0].Public {
				t.Errorf("messages %+v, want the public reply", ms)
			}
			evs := e.history(t, c.ID)
			for _, typ := range []casekit.EventType{casekit.EventCaseUpdated, casekit.EventAssigned} {
				if ev := eventOf(t, evs, typ); str(ev, "macro") != "refund" || str(ev, "macro_name") != "Refund" {
					t.Errorf("%s event %v does not name the macro", typ, ev.Data)
				}
			}
			_, err = d.ApplyMacro(ctx, c.ID, "nothing", 0)
			wantIs(t, err, casekit.ErrNotFound, "an unknown macro")
		}},
		{"an action that fails at run time fails it all", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.places(t, []string{"billing"}, casekit.Queue{ID: "refunds", Name: "Refunds", TeamID: "billing"})
			must(t, d.Config().SaveMacro(ctx, refund), "SaveMacro")
			must(t, d.Config().DeleteQueue(ctx, "refunds"), "DeleteQueue")
			c := e.open(t, "Money back", "cust-1")
			before := e.state(t, c.ID)
			_, err := d.ApplyMacro(ctx, c.ID, "refund", 0)
			wantRule(t, err, "a macro naming a deleted queue", "actions[2].queue", "known")
			wantUnchanged(t, before, e.state(t, c.ID), "after the failed macro")
		}},
	})
}
