package casekittest

import (
	"context"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

// testPortalLinks checks portal links: an unguessable token opens one
// case, the store keeps only its hash, and revoked, expired and forged
// tokens open nothing.
func testPortalLinks(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"a token opens its case, and only its hash is stored", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			c := e.open(t, "Linked", "cust-1")
			at := e.Tick()
			token, l, err := d.CreatePortalLink(ctx, c.ID, 0)
			must(t, err, "CreatePortalLink")
			if len(token) != 43 || l.CaseID != c.ID || !l.ExpiresAt.Equal(at.Add(casekit.DefaultPortalLinkTTL)) || l.CreatedBy != casekit.Agent(AgentID) {
				t.Fatalf("token %q, link %+v", token, l)
			}
			token2, _, err := d.CreatePortalLink(ctx, c.ID, time.Hour)
			must(t, err, "CreatePortalLink again")
			if token2 == token {
				t.Fatal("two links share a token")
			}
			got, gl, err := e.Desk(casekit.System).OpenPortalLink(ctx, token)
			must(t, err, "OpenPortalLink")
			if got.ID != c.ID || gl.ID != l.ID || casekit.LinkCustomer(got) != "cust-1" {
				t.Fatalf("opened %s via %s, want case %s via %s", got.ID, gl.ID, c.ID, l.ID)
			}
			e.InTx(t, func(ctx context.Context, tx store.Tx) error {
				if _, err := tx.PortalLinkByHash(ctx, token); err == nil {
					t.Error("the token itself is stored")
				}
				_, err := tx.PortalLinkByHash(ctx, casekit.PortalLinkHash(token))
				return err
			})
			links := try(d.PortalLinks(ctx, c.ID)).get(t)
			wantEqual(t, 2, len(links), "links of the case")
			ev := eventOf(t, e.history(t, c.ID), casekit.EventPortalLinkCreated)
			wantEvent(t, ev, casekit.EventPortalLinkCreated, casekit.Agent(AgentID), at)
			if strings.Contains(strings.ToLower(strings.Join([]string{str(ev, "link_id"), str(ev, "expires_at")}, " ")), token) {
				t.Error("the history holds the token")
			}
		}},
		{"revoked, expired and forged tokens open nothing", func(t *testing.T, e *Env) {
			ctx, d, sys := t.Context(), e.Agent(), e.Desk(casekit.System)
			c := e.open(t, "Linked", "cust-1")
			revoked, l, err := d.CreatePortalLink(ctx, c.ID, 0)
			must(t, err, "CreatePortalLink")
			short, sl, err := d.CreatePortalLink(ctx, c.ID, time.Hour)
			must(t, err, "CreatePortalLink")
			must(t, d.RevokePortalLink(ctx, c.ID, l.ID), "RevokePortalLink")
			wantIs(t, d.RevokePortalLink(ctx, c.ID, l.ID), casekit.ErrNotFound, "revoking twice")
			wantIs(t, errOf3(sys.OpenPortalLink(ctx, revoked)), casekit.ErrNotFound, "a revoked token")
			wantIs(t, errOf3(sys.PortalLink(ctx, c.ID, l.ID)), casekit.ErrNotFound, "a revoked link by ID")
			eventOf(t, e.history(t, c.ID), casekit.EventPortalLinkRevoked)
			must(t, errOf3(sys.OpenPortalLink(ctx, short)), "the short link within its hour")
			must(t, errOf3(sys.PortalLink(ctx, c.ID, sl.ID)), "the short link by ID")
			e.Clock.Advance(time.Hour)
			wantIs(t, errOf3(sys.OpenPortalLink(ctx, short)), casekit.ErrLinkExpired, "an expired token")
			wantIs(t, errOf3(sys.PortalLink(ctx, c.ID, sl.ID)), casekit.ErrLinkExpired, "an expired link by ID")
			for _, forged := range []string{"", "x", strings.Repeat("A", 43), revoked[:42] + "B", strings.Repeat("é", 30)} {
				wantIs(t, errOf3(sys.OpenPortalLink(ctx, forged)), casekit.ErrNotFound, "forged token %q", forged)
			}
		}},
		{"who may make links, for which cases", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			c := e.open(t, "Linked", "cust-1")
			_, _, err := e.Desk(casekit.Customer("cust-1")).CreatePortalLink(ctx, c.ID, 0)
			wantIs(t, err, casekit.ErrForbidden, "a customer making a link")
			_, err = e.Desk(casekit.Customer("cust-1")).PortalLinks(ctx, c.ID)
			wantIs(t, err, casekit.ErrForbidden, "a customer listing links")
			anon := openWith(t, d, casekit.NewCase{Subject: "No customer", Contact: casekit.Contact{Email: "x@example.com"}})
			before := e.state(t, c.ID)
			_, _, err = d.CreatePortalLink(ctx, c.ID, 400*24*time.Hour)
			wantRule(t, err, "a link for 400 days", "ttl", "range")
			wantUnchanged(t, before, e.state(t, c.ID), "after refused links")
			// A case with no customer: the link acts as that case's own.
			token, _, err := d.CreatePortalLink(ctx, anon.ID, 0)
			must(t, err, "a link to a case without a customer")
			got, _, err := e.Desk(casekit.System).OpenPortalLink(ctx, token)
			must(t, err, "OpenPortalLink")
			wantEqual(t, casekit.CaseCustomer(anon.ID), casekit.LinkCustomer(got), "the link's customer")
			wantIs(t, errOf(e.Desk(casekit.Customer(casekit.CaseCustomer(anon.ID))).Case(ctx, c.ID)), casekit.ErrNotFound, "its customer reading another case")
			_, _, err = d.CreatePortalLink(ctx, fakeFixture().CaseID, 0)
			wantIs(t, err, casekit.ErrNotFound, "a link to an unknown case")
		}},
	})
}

func errOf3[A, B any](_ A, _ B, err error) error { return err }
