package casekittest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"github.com/google/uuid"
)

func testErrors(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"errors name the tenant and the case", func(t *testing.T, e *Env) {
			ctx := t.Context()
			id := fakeFixture().CaseID
			err := errOf(e.Agent().Case(ctx, id))
			if !errors.Is(err, casekit.ErrNotFound) || !strings.Contains(err.Error(), e.Tenant) || !strings.Contains(err.Error(), id) {
				t.Errorf("Case(unknown) = %v; want ErrNotFound naming tenant %q and case %s", err, e.Tenant, id)
			}
			c := e.into(t, e.open(t, "Closed", "cust-1"), casekit.StatusClosed)
			err = errOf(e.Agent().UpdateCase(ctx, c.ID, casekit.CaseUpdate{Subject: ptr("x")}))
			if !errors.Is(err, casekit.ErrReadOnly) || !strings.Contains(err.Error(), e.Tenant) || !strings.Contains(err.Error(), c.ID) {
				t.Errorf("UpdateCase of a closed case = %v; want ErrReadOnly naming tenant %q and case %s", err, e.Tenant, c.ID)
			}
			unknown := TenantID(t)
			err = errOf(e.Kit.Desk(unknown).As(casekit.Agent(AgentID)).Config().Statuses(ctx))
			if !errors.Is(err, casekit.ErrTenantNotFound) || !strings.Contains(err.Error(), unknown) {
				t.Errorf("Statuses of an unknown tenant = %v; want ErrTenantNotFound naming %q", err, unknown)
			}
		}},
		{"the store gives ErrNotFound for missing records", func(t *testing.T, e *Env) {
			c := e.open(t, "Exists", "cust-1")
			e.InTx(t, func(ctx context.Context, tx store.Tx) error {
				for _, id := range []string{uuid.Must(uuid.NewV7()).String(), "not-a-uuid", ""} {
					for _, lock := range []bool{false, true} {
						_, err := tx.Case(ctx, id, lock)
						wantIs(t, err, casekit.ErrNotFound, "tx.Case(%q, lock %v)", id, lock)
					}
					_, err := tx.Activity(ctx, id)
					wantIs(t, err, casekit.ErrNotFound, "tx.Activity(%q)", id)
					_, err = tx.Message(ctx, id)
					wantIs(t, err, casekit.ErrNotFound, "tx.Message(%q)", id)
				}
				for _, n := range []int64{0, c.Number + 1} {
					_, err := tx.CaseByNumber(ctx, n, true)
					wantIs(t, err, casekit.ErrNotFound, "tx.CaseByNumber(%d)", n)
				}
				wantIs(t, tx.DeleteLookup(ctx, casekit.LookupCaseType, "never"), casekit.ErrNotFound, "tx.DeleteLookup(unknown)")
				return nil
			})
			e.InTx(t, func(ctx context.Context, tx store.Tx) error {
				got, err := tx.Case(ctx, c.ID, true)
				if wantOK(t, err, "tx.Case with lock") {
					wantEqual(t, c, got, "tx.Case with lock")
				}
				got, err = tx.CaseByNumber(ctx, c.Number, true)
				if wantOK(t, err, "tx.CaseByNumber with lock") {
					wantEqual(t, c, got, "tx.CaseByNumber with lock")
				}
				return nil
			})
		}},
		{"the store gives ErrConflict for a stale version", func(t *testing.T, e *Env) {
			c := e.open(t, "Versioned", "cust-1")
			before := e.state(t, c.ID)
			for _, prev := range []int64{0, 2, 7} {
				err := e.Store.InTx(t.Context(), e.Tenant, func(ctx context.Context, tx store.Tx) error {
					up := *c
					up.Subject, up.Version = "Stale", prev+1
					return tx.UpdateCase(ctx, &up, prev)
				})
				wantIs(t, err, casekit.ErrConflict, "tx.UpdateCase with prevVersion %d at version 1", prev)
			}
			wantUnchanged(t, before, e.state(t, c.ID), "after stale tx.UpdateCase")
			e.InTx(t, func(ctx context.Context, tx store.Tx) error {
				up := *c
				up.Subject, up.Version = "Fresh", 2
				return tx.UpdateCase(ctx, &up, 1)
			})
			if got := e.reload(t, c.ID); got.Subject != "Fresh" || got.Version != 2 {
				t.Errorf("after tx.UpdateCase at the current version: subject %q, version %d", got.Subject, got.Version)
			}
		}},
		{"the store gives ErrConflict for a taken case ID", func(t *testing.T, e *Env) {
			c := e.open(t, "First", "cust-1")
			before := e.state(t, c.ID)
			sameID := *c
			err := e.Store.InTx(t.Context(), e.Tenant, func(ctx context.Context, tx store.Tx) error { return tx.InsertCase(ctx, &sameID) })
			wantIs(t, err, casekit.ErrConflict, "tx.InsertCase with a taken ID")
			wantUnchanged(t, before, e.state(t, c.ID), "after a refused insert")
			if page := try(e.Agent().ListCases(t.Context(), casekit.CaseFilter{})).get(t); len(page.Cases) != 1 {
				t.Errorf("ListCases after a refused insert = %v, want one case", numbers(page.Cases))
			}
			if n := e.open(t, "Second", "cust-1").Number; n != 2 {
				t.Errorf("case opened after a refused insert has number %d, want 2: the refused one's number is given again", n)
			}
		}},
		{"InTx returns the function's error", func(t *testing.T, e *Env) {
			boom := errors.New("boom")
			err := e.Store.InTx(t.Context(), e.Tenant, func(context.Context, store.Tx) error { return boom })
			wantIs(t, err, boom, "InTx with a failing function")
			err = e.Store.InTx(t.Context(), e.Tenant, func(context.Context, store.Tx) error {
				return &casekit.TransitionError{From: "a", To: "b"}
			})
			var te *casekit.TransitionError
			if !errors.As(err, &te) || te.From != "a" {
				t.Errorf("InTx lost the function's typed error: %v", err)
			}
		}},
	})
}
