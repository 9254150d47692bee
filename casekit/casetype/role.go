package casetype

import (
	"slices"
)

// Permission is one thing a role lets an agent do. Each command asks for
// one: reading asks for PermRead, case work for PermWork, DeleteCase for
// PermDelete, configuration changes for PermConfigure, and the role
// commands for PermManageRoles. Customers and System are outside roles:
// a customer runs only the customer commands, on what they may see;
// System may do everything (it is how a host makes the first admin).
type Permission string

// The permissions.
const (
	// PermRead: read cases, their content and history, and the tenant's
	// configuration.
	PermRead Permission = "read"
	// PermWork: open, change, assign and answer cases, and every other
	// command on cases that is not a deletion.
	PermWork Permission = "work"
	// PermDelete: delete cases (Desk.DeleteCase).
	PermDelete Permission = "delete"
	// PermConfigure: change the tenant's configuration: settings,
	// statuses, lookups, teams, queues, calendars, SLAs, custom fields,
	// processes, templates, and retry dead letters.
	PermConfigure Permission = "configure"
	// PermManageRoles: define roles and give them to agents.
	PermManageRoles Permission = "manage_roles"
)

// Role is a named set of permissions an agent holds in a tenant. Besides
// the built-in ones (BuiltInRoles), a tenant may define its own with
// Config.SaveRole.
type Role struct {
	Key         string       `json:"key" validate:"required,key"`
	Name        string       `json:"name" validate:"required,max=200"`
	Permissions []Permission `json:"permissions" validate:"max=5,unique,dive,oneof=read work delete configure manage_roles"`
	// BuiltIn is set on the built-in roles; SaveRole ignores it.
	BuiltIn bool `json:"built_in,omitempty"`
}

// Has reports whether the role grants p.
func (r Role) Has(p Permission) bool { return slices.Contains(r.Permissions, p) }

// RoleAssignment is the role a tenant gave one agent.
type RoleAssignment struct {
	AgentID string `json:"agent_id" validate:"required,max=200"`
	// Role is the role's key; empty gives the agent the DefaultRole.
	Role string `json:"role" validate:"omitempty,key"`
}

// EventRoleChanged records a custom role saved or deleted;
// EventAgentRoleChanged an agent given another role.
const (
	EventRoleChanged      EventType = "role.changed"
	EventAgentRoleChanged EventType = "agent_role.changed"
)
