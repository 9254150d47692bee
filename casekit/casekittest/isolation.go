package casekittest

import (
	"context"
	"slices"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

func testIsolation(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"two tenants count case numbers apart", func(t *testing.T, e *Env) {
			other := CreateTenant(t, e.Kit)
			od := e.Kit.Desk(other).As(casekit.Agent(AgentID))
			for i := int64(1); i <= 3; i++ {
				a := e.open(t, "Mine", "cust-1")
				b := openWith(t, od, casekit.NewCase{Subject: "Theirs", CustomerID: "cust-1"})
				if a.Number != i || b.Number != i {
					t.Errorf("case %d: numbers %d and %d, want %d in both tenants", i, a.Number, b.Number, i)
				}
				ga, gb := try(e.Agent().CaseByNumber(t.Context(), i)).get(t), try(od.CaseByNumber(t.Context(), i)).get(t)
				if ga.ID != a.ID || gb.ID != b.ID {
					t.Errorf("CaseByNumber(%d) mixes the tenants: %s and %s, want %s and %s", i, ga.ID, gb.ID, a.ID, b.ID)
				}
			}
		}},
		{"one tenant's IDs are not found in another", func(t *testing.T, e *Env) {
			ctx := t.Context()
			other := CreateTenant(t, e.Kit)
			oe := &Env{Store: e.Store, Kit: e.Kit, Clock: e.Clock, Tenant: other}
			theirs := oe.newFixture(t, "cust-a")
			before, beforeResolved := oe.state(t, theirs.CaseID), oe.state(t, theirs.ResolvedCaseID)
			mine := e.newFixture(t, "cust-a")
			for _, cmd := range commands() {
				if !cmd.onCase || cmd.name == "CaseByNumber" {
					continue // numbers are per tenant; the other commands name no record
				}
				for _, a := range []casekit.Actor{casekit.Agent(AgentID), casekit.Customer("cust-a")} {
					err := cmd.run(ctx, e.Desk(a), theirs)
					if a.Kind == casekit.KindCustomer && cmd.own == casekit.ErrForbidden {
						wantIs(t, err, casekit.ErrForbidden, "%s as a customer with another tenant's IDs", cmd.name)
						continue
					}
					wantIs(t, err, casekit.ErrNotFound, "%s as %s with another tenant's IDs", cmd.name, a)
				}
			}
			wantUnchanged(t, before, oe.state(t, theirs.CaseID), "the other tenant's case")
			wantUnchanged(t, beforeResolved, oe.state(t, theirs.ResolvedCaseID), "the other tenant's resolved case")
			wantRule(t, errOf(e.Agent().PostMessage(ctx, mine.CaseID, casekit.NewMessage{Body: "re", InReplyTo: theirs.MessageID})),
				"PostMessage in reply to another tenant's message", "in_reply_to", "known")
			e.InTx(t, func(ctx context.Context, tx store.Tx) error {
				_, err := tx.Case(ctx, theirs.CaseID, true)
				wantIs(t, err, casekit.ErrNotFound, "tx.Case with another tenant's ID")
				_, err = tx.Activity(ctx, theirs.ActivityID)
				wantIs(t, err, casekit.ErrNotFound, "tx.Activity with another tenant's ID")
				_, err = tx.Message(ctx, theirs.MessageID)
				wantIs(t, err, casekit.ErrNotFound, "tx.Message with another tenant's ID")
				for _, list := range []func() (int, error){
					func() (int, error) { l, err := tx.Activities(ctx, theirs.CaseID); return len(l), err },
					func() (int, error) { l, err := tx.Notes(ctx, theirs.CaseID); return len(l), err },
					func() (int, error) { l, err := tx.Messages(ctx, theirs.CaseID); return len(l), err },
					func() (int, error) { l, err := tx.Events(ctx, theirs.CaseID); return len(l), err },
				} {
					if n, err := list(); err != nil || n != 0 {
						t.Errorf("listing another tenant's case content gives %d records, %v", n, err)
					}
				}
				return nil
			})
		}},
		{"lists never mix tenants", func(t *testing.T, e *Env) {
			ctx := t.Context()
			other := CreateTenant(t, e.Kit)
			od := e.Kit.Desk(other).As(casekit.Agent(AgentID))
			var mine, theirs []string
			for range 4 {
				mine = append(mine, e.open(t, "Shared words", "cust-1").ID)
				theirs = append(theirs, openWith(t, od, casekit.NewCase{Subject: "Shared words", CustomerID: "cust-1", Tags: []string{"t"}}).ID)
			}
			for _, f := range []casekit.CaseFilter{{}, {Text: "Shared"}, {CustomerID: "cust-1"}, {Status: []string{"new"}}, {Limit: 3}} {
				got := ids(pageAll(t, e.Agent(), f))
				if !sameSet(got, mine) {
					t.Errorf("ListCases(%+v) in one tenant = %v, want only its own %v", f, got, mine)
				}
				got = ids(pageAll(t, od, f))
				if !sameSet(got, theirs) {
					t.Errorf("ListCases(%+v) in the other tenant = %v, want only its own %v", f, got, theirs)
				}
			}
			cust := e.Desk(casekit.Customer("cust-1"))
			if got := ids(pageAll(t, cust, casekit.CaseFilter{})); !sameSet(got, mine) {
				t.Errorf("customer ListCases = %v, want only this tenant's %v", got, mine)
			}
			if got := ids(try(e.Agent().ListCases(ctx, casekit.CaseFilter{Tag: "t"})).get(t).Cases); len(got) != 0 {
				t.Errorf("ListCases by a tag only the other tenant uses = %v", got)
			}
		}},
		{"configuration and tenant history stay in their tenant", func(t *testing.T, e *Env) {
			ctx := t.Context()
			other := CreateTenant(t, e.Kit)
			oe := &Env{Store: e.Store, Kit: e.Kit, Clock: e.Clock, Tenant: other}
			before := oe.tenantState(t)
			d := e.Agent()
			must(t, d.Config().SaveSettings(ctx, casekit.Settings{DefaultPriority: "critical", AutoCloseDays: 1}), "SaveSettings")
			must(t, d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupCaseType, Key: "billing", Label: "Billing", Rank: 50}), "SaveLookup")
			must(t, d.Config().DeleteLookup(ctx, casekit.LookupCaseType, "complaint"), "DeleteLookup")
			statuses := slices.Clone(casekit.DefaultStatuses())
			statuses[0].Label = "Fresh"
			must(t, d.Config().ReplaceStatuses(ctx, statuses, casekit.DefaultTransitions()), "ReplaceStatuses")
			wantEqual(t, before, oe.tenantState(t), "the other tenant's configuration and history")
			if n := len(e.tenantEvents(t)); n != 4 {
				t.Errorf("this tenant has %d tenant-level events, want 4", n)
			}
			if c := openWith(t, oe.Agent(), casekit.NewCase{Subject: "x"}); c.Priority != "medium" {
				t.Errorf("the other tenant's new case took priority %q, want medium", c.Priority)
			}
			wantRule(t, errOf(oe.Agent().OpenCase(ctx, casekit.NewCase{Subject: "x", Type: "billing"})), "OpenCase with a type only another tenant has", "type", "known")
		}},
		{"dropping a tenant leaves the others whole", func(t *testing.T, e *Env) {
			other := CreateTenant(t, e.Kit)
			oe := &Env{Store: e.Store, Kit: e.Kit, Clock: e.Clock, Tenant: other}
			fx := e.newFixture(t, "cust-a")
			before, beforeResolved, beforeTenant := e.state(t, fx.CaseID), e.state(t, fx.ResolvedCaseID), e.tenantState(t)
			oe.newFixture(t, "cust-a")
			must(t, e.Kit.DropTenant(t.Context(), other), "DropTenant")
			wantUnchanged(t, before, e.state(t, fx.CaseID), "a case after another tenant was dropped")
			wantUnchanged(t, beforeResolved, e.state(t, fx.ResolvedCaseID), "a case after another tenant was dropped")
			wantEqual(t, beforeTenant, e.tenantState(t), "configuration after another tenant was dropped")
			if n := e.open(t, "Next", "cust-a").Number; n != 3 {
				t.Errorf("next case after another tenant was dropped has number %d, want 3", n)
			}
		}},
	})
}
