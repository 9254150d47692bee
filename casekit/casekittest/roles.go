package casekittest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"casekit.dev/casekit"
)

// testRoles checks the rules of roles themselves: what a role may be,
// who may give it, when a change takes effect, and a host's Authorizer.
// Which command each role may run is the role matrix in permissions.
func testRoles(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"roles are saved, given and deleted under their rules", func(t *testing.T, e *Env) {
			ctx, sys := t.Context(), e.Desk(casekit.System)
			read := []casekit.Permission{casekit.PermRead}
			must(t, sys.Config().SaveRole(ctx, casekit.Role{Key: "held", Name: "Held", Permissions: read}), "SaveRole held")
			must(t, sys.Config().SetAgentRole(ctx, "agent-h", "held"), "SetAgentRole held")
			before := e.tenantState(t)
			for _, tc := range []struct {
				name, field, rule string
				err               error
			}{
				{"SaveRole with no key", "key", "required", sys.Config().SaveRole(ctx, casekit.Role{Name: "X"})},
				{"SaveRole with a bad key", "key", "key", sys.Config().SaveRole(ctx, casekit.Role{Key: "a b", Name: "X"})},
				{"SaveRole with no name", "name", "required", sys.Config().SaveRole(ctx, casekit.Role{Key: "x"})},
				{"SaveRole with an unknown permission", "permissions[1]", "oneof", sys.Config().SaveRole(ctx, casekit.Role{Key: "x", Name: "X", Permissions: []casekit.Permission{"read", "root"}})},
				{"SaveRole with a permission twice", "permissions", "unique", sys.Config().SaveRole(ctx, casekit.Role{Key: "x", Name: "X", Permissions: []casekit.Permission{"read", "read"}})},
				{"SaveRole of a built-in role", "key", "builtin", sys.Config().SaveRole(ctx, casekit.Role{Key: casekit.RoleViewer, Name: "Viewer", Permissions: read})},
				{"DeleteRole of a built-in role", "key", "builtin", sys.Config().DeleteRole(ctx, casekit.RoleAdmin)},
				{"SetAgentRole to an unknown role", "role", "known", sys.Config().SetAgentRole(ctx, "agent-x", "boss")},
				{"SetAgentRole to a bad key", "role", "key", sys.Config().SetAgentRole(ctx, "agent-x", "a b")},
				{"SetAgentRole with no agent", "agent_id", "required", sys.Config().SetAgentRole(ctx, "", casekit.RoleViewer)},
				{"SetAgentRole with a long agent ID", "agent_id", "max", sys.Config().SetAgentRole(ctx, strings.Repeat("a", 201), casekit.RoleViewer)},
				{"SetAgentRole with a NUL in the agent ID", "agent_id", "text", sys.Config().SetAgentRole(ctx, "a\x00b", casekit.RoleViewer)},
			} {
				wantRule(t, tc.err, tc.name, tc.field, tc.rule)
			}
			wantIs(t, sys.Config().DeleteRole(ctx, "nobody"), casekit.ErrNotFound, "DeleteRole of an unknown role")
			wantIs(t, sys.Config().DeleteRole(ctx, "held"), casekit.ErrConflict, "DeleteRole of a role an agent holds")
			wantEqual(t, before, e.tenantState(t), "tenant after refused role commands")

			at := e.Tick()
			must(t, sys.Config().SaveRole(ctx, casekit.Role{Key: "lead", Name: "Lead", Permissions: []casekit.Permission{casekit.PermWork, casekit.PermRead}, BuiltIn: true}), "SaveRole lead")
			roles := try(sys.Config().Roles(ctx)).get(t)
			want := append(casekit.BuiltInRoles(), casekit.Role{Key: "held", Name: "Held", Permissions: read},
				casekit.Role{Key: "lead", Name: "Lead", Permissions: []casekit.Permission{casekit.PermRead, casekit.PermWork}})
			wantEqual(t, want, roles, "Roles: the built-in ones, then the tenant's own by key, permissions in order")
			must(t, e.Agent().Config().SetAgentRole(ctx, "agent-l", "lead"), "SetAgentRole lead")
			must(t, e.Agent().Config().SetAgentRole(ctx, "agent-l", "lead"), "SetAgentRole lead again")
			must(t, sys.Config().SetAgentRole(ctx, "agent-h", ""), "SetAgentRole back to the default")
			wantEqual(t, []casekit.RoleAssignment{{AgentID: AgentID, Role: casekit.RoleAdmin}, {AgentID: "agent-l", Role: "lead"}},
				try(sys.Config().AgentRoles(ctx)).get(t), "AgentRoles")
			wantEqual(t, casekit.RoleAgent, try(sys.Config().AgentRole(ctx, "agent-h")).get(t).Key, "role of an agent set back to the default")
			must(t, sys.Config().DeleteRole(ctx, "held"), "DeleteRole of a role no one holds any more")
			evs := e.tenantEvents(t)
			want2 := []casekit.EventType{casekit.EventRoleChanged, casekit.EventAgentRoleChanged, casekit.EventRoleChanged,
				casekit.EventAgentRoleChanged, casekit.EventAgentRoleChanged, casekit.EventRoleChanged}
			if !slices.Equal(types(evs), want2) {
				t.Fatalf("tenant events = %v, want %v (a change to the role held is none)", types(evs), want2)
			}
			wantEvent(t, evs[2], casekit.EventRoleChanged, casekit.System, at)
			wantEvent(t, evs[3], casekit.EventAgentRoleChanged, casekit.Agent(AgentID), at)
			if ev := evs[4]; str(ev, "agent_id") != "agent-h" || str(ev, "role") != casekit.RoleAgent || str(ev, "from") != "held" {
				t.Errorf("event of an agent set back to the default: %v", ev.Data)
			}
		}},
		{"no one gives or takes away a permission they do not hold", func(t *testing.T, e *Env) {
			ctx, sys := t.Context(), e.Desk(casekit.System)
			must(t, sys.Config().SaveRole(ctx, casekit.Role{Key: "lead", Name: "Lead", Permissions: []casekit.Permission{casekit.PermRead, casekit.PermWork, casekit.PermManageRoles}}), "SaveRole lead")
			must(t, sys.Config().SaveRole(ctx, casekit.Role{Key: "ops", Name: "Ops", Permissions: []casekit.Permission{casekit.PermRead, casekit.PermConfigure}}), "SaveRole ops")
			must(t, sys.Config().SetAgentRole(ctx, "lead-1", "lead"), "SetAgentRole lead")
			lead := e.Desk(casekit.Agent("lead-1"))
			before := e.tenantState(t)
			for _, tc := range []struct {
				name string
				err  error
			}{
				{"making themself admin", lead.Config().SetAgentRole(ctx, "lead-1", casekit.RoleAdmin)},
				{"giving a role with a permission they lack", lead.Config().SetAgentRole(ctx, "agent-x", "ops")},
				{"taking the admin's role away", lead.Config().SetAgentRole(ctx, AgentID, casekit.RoleViewer)},
				{"saving a role with a permission they lack", lead.Config().SaveRole(ctx, casekit.Role{Key: "boss", Name: "Boss", Permissions: []casekit.Permission{casekit.PermDelete}})},
				{"changing a role with a permission they lack", lead.Config().SaveRole(ctx, casekit.Role{Key: "ops", Name: "Ops", Permissions: []casekit.Permission{casekit.PermRead}})},
				{"deleting a role with a permission they lack", lead.Config().DeleteRole(ctx, "ops")},
			} {
				wantIs(t, tc.err, casekit.ErrForbidden, "a role manager %s", tc.name)
			}
			wantEqual(t, before, e.tenantState(t), "tenant after the role manager's refused commands")
			must(t, lead.Config().SetAgentRole(ctx, "agent-x", casekit.RoleViewer), "the role manager makes an agent a viewer")
			must(t, lead.Config().SaveRole(ctx, casekit.Role{Key: "helper", Name: "Helper", Permissions: []casekit.Permission{casekit.PermRead, casekit.PermWork}}), "the role manager saves a role within their own")
		}},
		{"a role change takes effect at the agent's next command, on every kit", func(t *testing.T, e *Env) {
			ctx := t.Context()
			c := e.open(t, "Role change", "cust-1")
			other, err := casekit.New(e.Store, casekit.WithClock(e.Clock), casekit.WithLogger(discard))
			must(t, err, "casekit.New")
			replica := other.Desk(e.Tenant).As(casekit.Agent("agent-v"))
			tag := func() error { _, err := replica.Tag(ctx, c.ID, "x"); return err }
			must(t, tag(), "Tag with the default role") // the replica caches the role
			for _, tc := range []struct {
				role string
				want error
			}{{casekit.RoleViewer, casekit.ErrForbidden}, {casekit.RoleAgent, nil}, {casekit.RoleViewer, casekit.ErrForbidden}, {"", nil}} {
				must(t, e.Agent().Config().SetAgentRole(ctx, "agent-v", tc.role), "SetAgentRole %q", tc.role)
				wantIs(t, tag(), tc.want, "Tag on the other kit after the agent got role %q", tc.role)
			}
		}},
		{"only those who may configure retry dead letters", func(t *testing.T, e *Env) {
			ctx := t.Context()
			must(t, e.Desk(casekit.System).Config().SetAgentRole(ctx, "viewer-1", casekit.RoleViewer), "SetAgentRole")
			for _, id := range []string{"agent-2", "viewer-1"} {
				wantIs(t, e.Desk(casekit.Agent(id)).Config().RetryDeadLetter(ctx, "no-such-id"), casekit.ErrForbidden, "RetryDeadLetter as %s", id)
			}
			wantIs(t, e.Agent().Config().RetryDeadLetter(ctx, "no-such-id"), casekit.ErrNotFound, "RetryDeadLetter as the admin")
		}},
		{"a tenant starts with the admins its spec names", func(t *testing.T, e *Env) {
			ctx := t.Context()
			for _, admins := range [][]string{{""}, {"a", "a"}, {strings.Repeat("a", 201)}} {
				id := TenantID(t)
				wantInvalid(t, e.Kit.CreateTenant(ctx, casekit.TenantSpec{ID: id, Admins: admins}), "CreateTenant with admins "+strings.Join(admins, ","))
				wantIs(t, errOf(e.Kit.Tenant(ctx, id)), casekit.ErrTenantNotFound, "a tenant refused for its admins")
			}
			wantEqual(t, []casekit.RoleAssignment{{AgentID: AgentID, Role: casekit.RoleAdmin}}, try(e.Agent().Config().AgentRoles(ctx)).get(t), "the new tenant's roles")
			wantEqual(t, 0, len(e.tenantEvents(t)), "tenant events of a new tenant with an admin")
		}},
	})
	t.Run("a host's Authorizer answers for agents instead of the stored roles", func(t *testing.T) {
		t.Parallel()
		var (
			mu    sync.Mutex
			asked []string
			fail  = errors.New("directory down")
		)
		// Configuring is for "boss" alone; "down" breaks the authorizer.
		authz := func(ctx context.Context, tenant string, a casekit.Actor, p casekit.Permission) (bool, error) {
			mu.Lock()
			asked = append(asked, tenant+" "+a.String()+" "+string(p))
			mu.Unlock()
			if a.ID == "down" {
				return false, fail
			}
			return p != casekit.PermConfigure || a.ID == "boss", nil
		}
		e := NewEnv(t, newStore(t), casekit.WithAuthorizer(authz))
		ctx := t.Context()
		settings := casekit.Settings{DefaultPriority: "high", AutoCloseDays: 3}
		c := e.open(t, "Authorized", "cust-1")
		must(t, e.Desk(casekit.System).Config().SetAgentRole(ctx, "viewer-1", casekit.RoleViewer), "SetAgentRole")
		before, beforeTenant := e.state(t, c.ID), e.tenantState(t)
		mu.Lock()
		asked = nil
		mu.Unlock()
		wantIs(t, e.Agent().Config().SaveSettings(ctx, settings), casekit.ErrForbidden, "UpdateSettings by the stored admin the authorizer refuses")
		wantIs(t, e.Desk(casekit.Agent("down")).Config().SaveSettings(ctx, settings), fail, "UpdateSettings when the authorizer fails")
		wantEqual(t, beforeTenant, e.tenantState(t), "tenant after refused commands")
		wantUnchanged(t, before, e.state(t, c.ID), "case before the allowed commands")
		wantOK(t, errOf(e.Desk(casekit.Agent("viewer-1")).Tag(ctx, c.ID, "x")), "Tag by a stored viewer the authorizer allows")
		must(t, e.Desk(casekit.Agent("boss")).Config().SaveSettings(ctx, settings), "UpdateSettings by the agent the authorizer allows")
		must(t, errOf(e.Desk(casekit.Customer("cust-1")).Case(ctx, c.ID)), "Case as the customer")
		must(t, errOf(e.Desk(casekit.System).Config().Settings(ctx)), "Settings as System")
		mu.Lock()
		defer mu.Unlock()
		want := []string{e.Tenant + " agent:" + AgentID + " configure", e.Tenant + " agent:down configure",
			e.Tenant + " agent:viewer-1 work", e.Tenant + " agent:boss configure"}
		wantEqual(t, want, asked, "what the authorizer was asked (customers and System never)")
	})
}
