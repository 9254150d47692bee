package casekittest

import (
	"slices"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/templates"
)

// roleHolders are the agents the role matrix runs each command as (the
// admin runs them all in "admins and the system may run every
// command"): one per built-in role, one given no role, and two of roles
// of the tenant's own. perms is what each must be allowed, written out
// here rather than read from casekit.
var roleHolders = []struct {
	name  string
	key   string        // the role SetAgentRole gives; "" for none
	own   *casekit.Role // a role of the tenant's own, defined first
	perms []casekit.Permission
}{
	{"the agent role", casekit.RoleAgent, nil, []casekit.Permission{casekit.PermRead, casekit.PermWork}},
	{"the viewer role", casekit.RoleViewer, nil, []casekit.Permission{casekit.PermRead}},
	{"no role", "", nil, []casekit.Permission{casekit.PermRead, casekit.PermWork}},
	{"a role of the tenant's own", "supervisor",
		&casekit.Role{Key: "supervisor", Name: "Supervisor", Permissions: []casekit.Permission{casekit.PermDelete, casekit.PermRead, casekit.PermWork}},
		[]casekit.Permission{casekit.PermRead, casekit.PermWork, casekit.PermDelete}},
	{"a role with no permission", "suspended", &casekit.Role{Key: "suspended", Name: "Suspended"}, []casekit.Permission{}},
}

// roleMatrix has a test per role holder: each command it may run
// succeeds, each other one gives ErrForbidden and changes nothing.
func roleMatrix() []envTest {
	var out []envTest
	for _, h := range roleHolders {
		out = append(out, envTest{"an agent with " + h.name + " runs exactly the commands its permissions allow", func(t *testing.T, e *Env) {
			ctx, sys, id := t.Context(), e.Desk(casekit.System), "agent-r"
			if h.own != nil {
				must(t, sys.Config().SaveRole(ctx, *h.own), "SaveRole %s", h.own.Key)
			}
			if h.key != "" {
				must(t, sys.Config().SetAgentRole(ctx, id, h.key), "SetAgentRole %s", h.key)
			}
			role := try(sys.Config().AgentRole(ctx, id)).get(t)
			wantEqual(t, h.perms, role.Permissions, "permissions of the agent's role %q", role.Key)
			d := e.Desk(casekit.Agent(id))
			e.runCommands(t, d, "cust-a", "an agent with "+h.name, func(cmd command) error {
				if p := need(cmd.name); p != "" && !slices.Contains(h.perms, p) {
					return casekit.ErrForbidden
				}
				return nil
			})
			for _, p := range casekit.Permissions {
				if got := try(d.Can(ctx, p)).get(t); got != slices.Contains(h.perms, p) {
					t.Errorf("Can(%s) with %s = %v", p, h.name, got)
				}
			}
		}})
	}
	return out
}

// runCommands runs every command as d, each giving what want says (nil
// for success), on fixtures of customer. The refused commands share one
// fixture, and it and the tenant must be as they were after them all;
// the reads then share it too; every other command gets a fresh one.
func (e *Env) runCommands(t *testing.T, d *casekit.Desk, customer, who string, want func(command) error) {
	t.Helper()
	ctx := t.Context()
	fx := e.newFixture(t, customer)
	before, beforeResolved, beforeTenant := e.state(t, fx.CaseID), e.state(t, fx.ResolvedCaseID), e.tenantState(t)
	for _, cmd := range commands() {
		if err := want(cmd); err != nil {
			wantIs(t, cmd.run(ctx, d, fx), err, "%s as %s", cmd.name, who)
		}
	}
	wantUnchanged(t, before, e.state(t, fx.CaseID), "after the commands refused to %s", who)
	wantUnchanged(t, beforeResolved, e.state(t, fx.ResolvedCaseID), "after the commands refused to %s", who)
	wantEqual(t, beforeTenant, e.tenantState(t), "tenant configuration after the commands refused to %s", who)
	for _, cmd := range commands() {
		if want(cmd) != nil {
			continue
		}
		on := fx
		if p := need(cmd.name); p != casekit.PermRead && p != "" {
			on = e.newFixture(t, customer)
		}
		wantOK(t, cmd.run(ctx, d, on), "%s as %s", cmd.name, who)
	}
}

func testPermissions(t *testing.T, newStore StoreFactory) {
	// A template engine, for SaveTemplateOverride to succeed where it may.
	engine := casekit.WithTemplates(templates.New())
	runEnvTests(t, newStore, roleMatrix(), engine)
	runEnvTests(t, newStore, []envTest{
		{"a desk with no actor refuses every command with ErrForbidden", func(t *testing.T, e *Env) {
			fx := e.newFixture(t, "cust-a")
			before, beforeResolved, beforeTenant := e.state(t, fx.CaseID), e.state(t, fx.ResolvedCaseID), e.tenantState(t)
			for _, a := range []casekit.Actor{{}, casekit.Agent(""), casekit.Customer(""), {Kind: "robot", ID: "r2"}} {
				d := e.Kit.Desk(e.Tenant)
				if !a.IsZero() {
					d = d.As(a)
				}
				for _, cmd := range commands() {
					wantIs(t, cmd.run(t.Context(), d, fx), casekit.ErrForbidden, "%s as %#v", cmd.name, a)
				}
			}
			wantUnchanged(t, before, e.state(t, fx.CaseID), "after commands with no actor")
			wantUnchanged(t, beforeResolved, e.state(t, fx.ResolvedCaseID), "after commands with no actor")
			wantEqual(t, beforeTenant, e.tenantState(t), "tenant configuration after commands with no actor")
			if page := try(e.Agent().ListCases(t.Context(), casekit.CaseFilter{})).get(t); len(page.Cases) != 2 {
				t.Errorf("commands with no actor created cases: %v", numbers(page.Cases))
			}
		}},
		{"a customer may run only the customer commands on their own cases", func(t *testing.T, e *Env) {
			e.runCommands(t, e.Desk(casekit.Customer("cust-a")), "cust-a", "the case's customer", func(cmd command) error { return cmd.own })
		}},
		{"another customer's case is not found and staff commands are forbidden", func(t *testing.T, e *Env) {
			e.runCommands(t, e.Desk(casekit.Customer("cust-a")), "cust-b", "another customer", func(cmd command) error { return cmd.other })
		}},
		{"admins and the system may run every command, but only agents pick", func(t *testing.T, e *Env) {
			for _, a := range []casekit.Actor{casekit.Agent("admin-5"), casekit.System} {
				// A tenant per actor: some commands change the tenant's
				// configuration once for good.
				te := e.withAdmins(t, "admin-5")
				te.runCommands(t, te.Desk(a), "cust-a", a.String(), func(cmd command) error {
					if agentOnly[cmd.name] && a.Kind != casekit.KindAgent {
						return casekit.ErrForbidden
					}
					return nil
				})
			}
		}},
		{"a customer opens cases only for themself", func(t *testing.T, e *Env) {
			ctx := t.Context()
			cust := e.Desk(casekit.Customer("cust-a"))
			at := e.Tick()
			c := openWith(t, cust, casekit.NewCase{Subject: "My printer"})
			if c.CustomerID != "cust-a" || c.Origin != "portal" || c.CreatedBy != casekit.Customer("cust-a") || !c.CreatedAt.Equal(at) {
				t.Errorf("customer's case: customer %q, origin %q, created by %s at %s; want cust-a, portal, customer:cust-a", c.CustomerID, c.Origin, c.CreatedBy, c.CreatedAt)
			}
			if c2 := openWith(t, cust, casekit.NewCase{Subject: "Again", CustomerID: "cust-a", Origin: "email"}); c2.CustomerID != "cust-a" || c2.Origin != "email" {
				t.Errorf("customer's case naming themself: customer %q, origin %q; want cust-a, email", c2.CustomerID, c2.Origin)
			}
			for _, tc := range []struct {
				name string
				in   casekit.NewCase
			}{
				{"for another customer", casekit.NewCase{Subject: "Theirs", CustomerID: "cust-b"}},
				{"with another customer as the contact", casekit.NewCase{Subject: "Theirs", Contact: casekit.Contact{ID: "cust-b", Name: "B"}}},
				{"with an assignee", casekit.NewCase{Subject: "Mine", AssigneeID: "agent-1"}},
				{"with a team", casekit.NewCase{Subject: "Mine", TeamID: "team-1"}},
				{"with a queue", casekit.NewCase{Subject: "Mine", QueueID: "queue-1"}},
				{"with an SLA", casekit.NewCase{Subject: "Mine", SLAID: "gold"}},
			} {
				wantIs(t, errOf(cust.OpenCase(ctx, tc.in)), casekit.ErrForbidden, "customer OpenCase %s", tc.name)
			}
			// Tags: only those the tenant made public.
			s := try(e.Agent().Config().Settings(ctx)).get(t)
			s.PublicTags = []string{"printer"}
			must(t, e.Desk(casekit.System).Config().SaveSettings(ctx, s), "SaveSettings")
			wantRule(t, errOf(cust.OpenCase(ctx, casekit.NewCase{Subject: "Mine", Tags: []string{"printer", "vip"}})), "a customer's case with an internal tag", "tags[1]", "public")
			if c3 := openWith(t, cust, casekit.NewCase{Subject: "Public tag", Tags: []string{"printer"}}); !slices.Equal(c3.Tags, []string{"printer"}) {
				t.Errorf("customer's case with a public tag has tags %v", c3.Tags)
			}
			if n := e.open(t, "Next", "cust-a").Number; n != 4 {
				t.Errorf("refused OpenCase calls took numbers: next case is #%d, want #4", n)
			}
		}},
		{"a customer sees only their own cases and those they are the contact of", func(t *testing.T, e *Env) {
			ctx := t.Context()
			own := e.open(t, "Own", "cust-a")
			asContact := openWith(t, e.Agent(), casekit.NewCase{Subject: "As contact", CustomerID: "acme-corp", Contact: casekit.Contact{ID: "cust-a", Name: "A"}})
			theirs := e.open(t, "Theirs", "cust-b")
			theirContact := openWith(t, e.Agent(), casekit.NewCase{Subject: "Their contact", CustomerID: "acme-corp", Contact: casekit.Contact{ID: "cust-b"}})
			e.open(t, "Nobody's", "")
			cust := e.Desk(casekit.Customer("cust-a"))
			for _, tc := range []struct {
				name string
				f    casekit.CaseFilter
				want []string
			}{
				{"no filter", casekit.CaseFilter{}, []string{asContact.ID, own.ID}},
				{"filtering for another customer", casekit.CaseFilter{CustomerID: "cust-b"}, nil},
				{"filtering for the account", casekit.CaseFilter{CustomerID: "acme-corp"}, []string{asContact.ID}},
				{"filtering for themself", casekit.CaseFilter{CustomerID: "cust-a"}, []string{own.ID}},
				{"one per page", casekit.CaseFilter{Limit: 1}, []string{asContact.ID}},
			} {
				page := try(cust.ListCases(ctx, tc.f)).get(t)
				if !slices.Equal(ids(page.Cases), tc.want) {
					t.Errorf("customer ListCases %s = %v, want %v", tc.name, ids(page.Cases), tc.want)
				}
			}
			page := try(cust.ListCases(ctx, casekit.CaseFilter{Limit: 1})).get(t)
			if page.Next == "" {
				t.Fatalf("customer ListCases with Limit 1 has no next page")
			}
			if next := try(cust.ListCases(ctx, casekit.CaseFilter{Limit: 1, After: page.Next})).get(t); !slices.Equal(ids(next.Cases), []string{own.ID}) || next.Next != "" {
				t.Errorf("customer's second page = %v (next %q), want only their own case", ids(next.Cases), next.Next)
			}
			for _, c := range []*casekit.Case{own, asContact} {
				wantOK(t, errOf(cust.Case(ctx, c.ID)), "customer reads case %q", c.Subject)
				wantOK(t, errOf(cust.CaseByNumber(ctx, c.Number)), "customer reads case #%d", c.Number)
			}
			for _, c := range []*casekit.Case{theirs, theirContact} {
				wantIs(t, errOf(cust.Case(ctx, c.ID)), casekit.ErrNotFound, "customer reads case %q", c.Subject)
				wantIs(t, errOf(cust.CaseByNumber(ctx, c.Number)), casekit.ErrNotFound, "customer reads case #%d", c.Number)
			}
		}},
		{"a customer sees only public content", func(t *testing.T, e *Env) {
			ctx := t.Context()
			fx := e.newFixture(t, "cust-a")
			cust := e.Desk(casekit.Customer("cust-a"))
			acts := try(cust.Activities(ctx, fx.CaseID)).get(t)
			if len(acts) != 1 || acts[0].ID != fx.ActivityID || !acts[0].NotifyContact {
				t.Errorf("customer Activities = %d activities, want only the notify-contact one", len(acts))
			}
			notes := try(cust.Notes(ctx, fx.CaseID)).get(t)
			if len(notes) != 1 || !notes[0].Public || notes[0].Body != "Public note" {
				t.Errorf("customer Notes = %d notes, want only the public one", len(notes))
			}
			msgs := try(cust.Messages(ctx, fx.CaseID)).get(t)
			if len(msgs) != 1 || msgs[0].ID != fx.MessageID || !msgs[0].Public {
				t.Errorf("customer Messages = %d messages, want only the public one", len(msgs))
			}
			// Staff see everything.
			if n := len(try(e.Agent().Activities(ctx, fx.CaseID)).get(t)); n != 2 {
				t.Errorf("agent Activities = %d, want 2", n)
			}
			if n := len(try(e.Agent().Notes(ctx, fx.CaseID)).get(t)); n != 2 {
				t.Errorf("agent Notes = %d, want 2", n)
			}
			if n := len(try(e.Agent().Messages(ctx, fx.CaseID)).get(t)); n != 2 {
				t.Errorf("agent Messages = %d, want 2", n)
			}
		}},
		{"a customer's message is always an inbound public portal comment", func(t *testing.T, e *Env) {
			ctx := t.Context()
			fx := e.newFixture(t, "cust-a")
			cust := e.Desk(casekit.Customer("cust-a"))
			before := e.state(t, fx.CaseID)
			wantIs(t, errOf(cust.PostMessage(ctx, fx.CaseID, casekit.NewMessage{Body: "psst", Internal: true})), casekit.ErrForbidden, "customer internal message")
			wantIs(t, errOf(cust.PostMessage(ctx, fx.CaseID, casekit.NewMessage{Body: "out", Direction: casekit.Outbound})), casekit.ErrForbidden, "customer outbound message")
			var internal string
			for _, m := range try(e.Agent().Messages(ctx, fx.CaseID)).get(t) {
				if !m.Public {
					internal = m.ID
				}
			}
			wantInvalid(t, errOf(cust.PostMessage(ctx, fx.CaseID, casekit.NewMessage{Body: "re", InReplyTo: internal})), "customer reply to an internal message", "in_reply_to")
			wantUnchanged(t, before, e.state(t, fx.CaseID), "after refused customer messages")
			m := try(cust.PostMessage(ctx, fx.CaseID, casekit.NewMessage{Body: "Thanks", Channel: casekit.ChannelEmail, From: "spoof@example.com", InReplyTo: fx.MessageID})).get(t)
			for _, got := range []*casekit.Message{m, try(e.Agent().Messages(ctx, fx.CaseID)).get(t)[2]} {
				if got.Direction != casekit.Inbound || got.Channel != casekit.ChannelPortal || !got.Public || got.From != "cust-a" || got.CreatedBy != casekit.Customer("cust-a") || got.InReplyTo != fx.MessageID {
					t.Errorf("customer message: %s %s public=%v from %q by %s reply to %q; want inbound portal public from cust-a",
						got.Direction, got.Channel, got.Public, got.From, got.CreatedBy, got.InReplyTo)
				}
			}
		}},
		{"a customer may close their own case, canceling its open activities", func(t *testing.T, e *Env) {
			ctx := t.Context()
			fx := e.newFixture(t, "cust-a")
			cust := e.Desk(casekit.Customer("cust-a"))
			wantInvalid(t, errOf(cust.Close(ctx, fx.CaseID, casekit.Closure{Reason: "fixed"})), "customer Close without a note", "note")
			at := e.Tick()
			c := try(cust.Close(ctx, fx.CaseID, casekit.Closure{Reason: "fixed", Note: "Works now"})).get(t)
			if c.Status != casekit.StatusClosed || c.ClosureReason != "fixed" {
				t.Errorf("customer Close: status %q, reason %q", c.Status, c.ClosureReason)
			}
			for _, id := range []string{fx.ActivityID, fx.InternalActID} {
				if st := e.activity(t, fx.CaseID, id).State; st != casekit.ActivityCanceled {
					t.Errorf("activity %s is %s after the customer closed the case, want canceled", id, st)
				}
			}
			evs := e.history(t, fx.CaseID)
			wantEvent(t, evs[len(evs)-1], casekit.EventClosed, casekit.Customer("cust-a"), at)
		}},
		{"a customer may read statuses, transitions and lookups", func(t *testing.T, e *Env) {
			ctx := t.Context()
			cust := e.Desk(casekit.Customer("cust-a"))
			wantEqual(t, try(e.Agent().Config().Statuses(ctx)).get(t), try(cust.Config().Statuses(ctx)).get(t), "customer Statuses")
			wantEqual(t, try(e.Agent().Config().Transitions(ctx)).get(t), try(cust.Config().Transitions(ctx)).get(t), "customer Transitions")
			for _, k := range casekit.LookupKinds {
				wantEqual(t, try(e.Agent().Config().Lookups(ctx, k)).get(t), try(cust.Config().Lookups(ctx, k)).get(t), "customer Lookups(%s)", k)
			}
		}},
	}, engine)
}
