package casekit

import (
	"context"
	"fmt"
	"slices"

	"casekit.dev/casekit/casetype"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// Permission is one thing a role lets an agent do.
	Permission = casetype.Permission
	// Role is a named set of permissions an agent holds in a tenant.
	Role = casetype.Role
	// RoleAssignment is the role a tenant gave one agent.
	RoleAssignment = casetype.RoleAssignment
)

const (
	// PermRead: read cases, their content and history, and the tenant's
	// configuration.
	PermRead = casetype.PermRead
	// PermWork: open, change, assign and answer cases, and every other command
	// on cases that is not a deletion.
	PermWork = casetype.PermWork
	// PermDelete: delete cases (Desk.DeleteCase).
	PermDelete = casetype.PermDelete
	// PermConfigure: change the tenant's configuration: settings, statuses,
	// lookups, teams, queues, calendars, SLAs, custom fields, processes,
	// templates, and retry dead letters.
	PermConfigure = casetype.PermConfigure
	// PermManageRoles: define roles and give them to agents.
	PermManageRoles       = casetype.PermManageRoles
	EventRoleChanged      = casetype.EventRoleChanged
	EventAgentRoleChanged = casetype.EventAgentRoleChanged
)

// Permissions lists every permission, in the order roles list them.
var Permissions = []Permission{PermRead, PermWork, PermDelete, PermConfigure, PermManageRoles}

// The built-in roles' keys. Every tenant has them; they cannot be changed
// or deleted.
const (
	// RoleAdmin holds every permission.
	RoleAdmin = "admin"
	// RoleAgent reads and works cases: no deletion, no configuration. It
	// is the role of an agent who has none assigned (DefaultRole).
	RoleAgent = "agent"
	// RoleViewer only reads.
	RoleViewer = "viewer"
)

// DefaultRole is the role of an agent the tenant has given none.
const DefaultRole = RoleAgent

// BuiltInRoles returns the roles every tenant has: admin, agent, viewer.
func BuiltInRoles() []Role {
	return []Role{
		{Key: RoleAdmin, Name: "Administrator", Permissions: slices.Clone(Permissions), BuiltIn: true},
		{Key: RoleAgent, Name: "Agent", Permissions: []Permission{PermRead, PermWork}, BuiltIn: true},
		{Key: RoleViewer, Name: "Viewer", Permissions: []Permission{PermRead}, BuiltIn: true},
	}
}

// Authorizer answers, for the host, whether an agent holds a permission
// in a tenant. A kit with one (WithAuthorizer) asks it instead of the
// roles it stores. It is called inside casekit's transactions, so it must
// be quick and must not call back into the Kit. An error fails the
// command.
type Authorizer func(ctx context.Context, tenant string, agent Actor, p Permission) (bool, error)

// WithAuthorizer makes the kit ask a instead of the tenants' stored roles
// whether an agent may run a command. Customers and System are not
// asked about.
func WithAuthorizer(a Authorizer) Option { return func(k *Kit) { k.authorize = a } }

// may reports whether the command's actor holds p: System always, a
// customer never, an agent through the kit's Authorizer or else its
// stored role, looked up once per command.
func (c *cmd) may(p Permission) (bool, error) {
	switch c.actor.Kind {
	case KindSystem:
		return true, nil
	case KindAgent:
	default:
		return false, nil
	}
	if c.authorize != nil {
		return c.authorize(c.ctx, c.tenant, c.actor, p)
	}
	if c.role == nil {
		r, err := c.agentRole(c.actor.ID)
		if err != nil {
			return false, err
		}
		c.role = &r
	}
	return c.role.Has(p), nil
}

// permit refuses with ErrForbidden unless the actor holds p.
func (c *cmd) permit(p Permission) error {
	ok, err := c.may(p)
	if err != nil || ok {
		return err
	}
	return fmt.Errorf("%s does not hold the %q permission: %w", c.actor, p, ErrForbidden)
}

// permitAll refuses with ErrForbidden unless the actor holds every
// permission of r: no one gives or takes away what they do not hold.
func (c *cmd) permitAll(r Role) error {
	for _, p := range r.Permissions {
		if err := c.permit(p); err != nil {
			return fmt.Errorf("role %q: %w", r.Key, err)
		}
	}
	return nil
}

// roles returns the built-in roles followed by the tenant's own.
func (c *cmd) roles() ([]Role, error) {
	own, err := c.tx.Roles(c.ctx)
	if err != nil {
		return nil, err
	}
	return append(BuiltInRoles(), own...), nil
}

// findRole returns the role with key; ok is false when there is none.
func (c *cmd) findRole(key string) (Role, bool, error) {
	all, err := c.roles()
	if err != nil {
		return Role{}, false, err
	}
	i := slices.IndexFunc(all, func(r Role) bool { return r.Key == key })
	if i < 0 {
		return Role{}, false, nil
	}
	return all[i], true, nil
}

// agentRole returns the role the agent holds: the stored one, or the
// DefaultRole. A stored key no role has grants nothing.
func (c *cmd) agentRole(agentID string) (Role, error) {
	key, err := c.tx.AgentRole(c.ctx, agentID)
	if err != nil {
		return Role{}, err
	}
	if key == "" {
		key = DefaultRole
	}
	r, ok, err := c.findRole(key)
	if err != nil || ok {
		return r, err
	}
	return Role{Key: key, Name: key}, nil
}

// Roles lists the roles of the tenant: the built-in ones, then the
// tenant's own by key.
func (cf *Config) Roles(ctx context.Context) ([]Role, error) {
	return runValue(cf.d, ctx, "roles", staffRead, func(c *cmd) ([]Role, error) {
		return c.roles()
	})
}

// SaveRole adds a role to the tenant or changes one of its own. The
// built-in roles cannot be changed. An agent may give a role only
// permissions they hold themself, and change only a role whose
// permissions they all hold.
func (cf *Config) SaveRole(ctx context.Context, r Role) error {
	return cf.d.run(ctx, "save role", rolesOnly, func(c *cmd) error {
		r.BuiltIn = false
		if err := validateStruct(r); err != nil {
			return err
		}
		old, found, err := c.findRole(r.Key)
		if err != nil {
			return err
		}
		if old.BuiltIn {
			return invalid("key", "builtin", "%q is a built-in role, which cannot be changed", r.Key)
		}
		if found {
			if err := c.permitAll(old); err != nil {
				return err
			}
		}
		if err := c.permitAll(r); err != nil {
			return err
		}
		r.Permissions = canonical(r.Permissions)
		if err := c.tx.SaveRole(c.ctx, r); err != nil {
			return fmt.Errorf("role %q: %w", r.Key, err)
		}
		c.record(nil, EventRoleChanged, map[string]any{"role": r.Key, "name": r.Name, "permissions": r.Permissions})
		return nil
	})
}

// canonical orders ps as Permissions lists them, and never returns nil.
func canonical(ps []Permission) []Permission {
	out := []Permission{}
	for _, p := range Permissions {
		if slices.Contains(ps, p) {
			out = append(out, p)
		}
	}
	return out
}

// DeleteRole removes one of the tenant's own roles. It is refused with
// ErrConflict while an agent holds it: give them another first.
func (cf *Config) DeleteRole(ctx context.Context, key string) error {
	return cf.d.run(ctx, "delete role", rolesOnly, func(c *cmd) error {
		old, found, err := c.findRole(key)
		if err != nil {
			return err
		}
		if old.BuiltIn {
			return invalid("key", "builtin", "%q is a built-in role, which cannot be deleted", key)
		}
		if !found {
			return fmt.Errorf("role %q: %w", key, ErrNotFound)
		}
		if err := c.permitAll(old); err != nil {
			return err
		}
		held, err := c.tx.AgentRoles(c.ctx)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(held, func(a RoleAssignment) bool { return a.Role == key }); i >= 0 {
			return fmt.Errorf("role %q is held by agent %q: give them another first: %w", key, held[i].AgentID, ErrConflict)
		}
		if err := c.tx.DeleteRole(c.ctx, key); err != nil {
			return fmt.Errorf("role %q: %w", key, err)
		}
		c.record(nil, EventRoleChanged, map[string]any{"role": key, "deleted": true})
		return nil
	})
}

// SetAgentRole gives the agent the role with key in the tenant; an empty
// key gives them the DefaultRole. It takes effect at the agent's next
// command. An agent may give or take away only a role whose permissions
// they all hold: a role manager who is not an admin can neither make nor
// unmake an admin.
func (cf *Config) SetAgentRole(ctx context.Context, agentID, key string) error {
	return cf.d.run(ctx, "set agent role", rolesOnly, func(c *cmd) error {
		if err := validateStruct(RoleAssignment{AgentID: agentID, Role: key}); err != nil {
			return err
		}
		to := DefaultRole
		if key != "" {
			to = key
		}
		r, ok, err := c.findRole(to)
		if err != nil {
			return err
		}
		if !ok {
			return invalid("role", "known", "unknown role %q", key)
		}
		old, err := c.agentRole(agentID)
		if err != nil {
			return err
		}
		if err := c.permitAll(old); err != nil {
			return err
		}
		if err := c.permitAll(r); err != nil {
			return err
		}
		stored, err := c.tx.AgentRole(c.ctx, agentID)
		if err != nil || stored == key {
			return err
		}
		if err := c.tx.SetAgentRole(c.ctx, agentID, key); err != nil {
			return fmt.Errorf("agent %q: %w", agentID, err)
		}
		c.record(nil, EventAgentRoleChanged, map[string]any{"agent_id": agentID, "role": to, "from": old.Key})
		return nil
	})
}

// AgentRole returns the role the agent holds in the tenant: the one
// SetAgentRole gave them, or the DefaultRole. With an Authorizer the
// stored role may not be what decides.
func (cf *Config) AgentRole(ctx context.Context, agentID string) (Role, error) {
	return runValue(cf.d, ctx, "agent role", staffRead, func(c *cmd) (Role, error) {
		return c.agentRole(agentID)
	})
}

// AgentRoles lists the roles the tenant gave its agents, by agent ID.
// Agents not listed hold the DefaultRole.
func (cf *Config) AgentRoles(ctx context.Context) ([]RoleAssignment, error) {
	return runValue(cf.d, ctx, "agent roles", staffRead, func(c *cmd) ([]RoleAssignment, error) {
		return c.tx.AgentRoles(c.ctx)
	})
}

// Can reports whether the desk's actor holds p, as the commands decide
// it: for a host's pages to show only what the agent may do. Any actor
// may ask; a customer holds no permission.
func (d *Desk) Can(ctx context.Context, p Permission) (bool, error) {
	return runValue(d, ctx, "can", anyone, func(c *cmd) (bool, error) {
		if !slices.Contains(Permissions, p) {
			return false, invalid("permission", "oneof", "unknown permission %q", p)
		}
		return c.may(p)
	})
}
