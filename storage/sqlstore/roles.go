package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
)

type roleRow struct {
	bun.BaseModel `bun:"table:roles,alias:ro"`

	Key         string                `bun:"key,pk"`
	Name        string                `bun:"name"`
	Permissions []casetype.Permission `bun:"permissions,type:json"`
}

type agentRoleRow struct {
	bun.BaseModel `bun:"table:agent_roles,alias:ar"`

	AgentID string `bun:"agent_id,pk"`
	Role    string `bun:"role"`
}

// Roles implements store.Tx.
func (t *Tx) Roles(ctx context.Context) ([]casetype.Role, error) {
	var rows []roleRow
	if err := t.sel(&rows, "roles", "ro").OrderExpr("ro.key").Scan(ctx); err != nil {
		return nil, t.err(err, "roles")
	}
	out := make([]casetype.Role, len(rows))
	for i, r := range rows {
		out[i] = casetype.Role{Key: r.Key, Name: r.Name, Permissions: r.Permissions}
		if out[i].Permissions == nil {
			out[i].Permissions = []casetype.Permission{}
		}
	}
	return out, nil
}

// SaveRole implements store.Tx.
func (t *Tx) SaveRole(ctx context.Context, r casetype.Role) error {
	perms := r.Permissions
	if perms == nil {
		perms = []casetype.Permission{}
	}
	_, err := t.upsert(t.ins(&roleRow{Key: r.Key, Name: r.Name, Permissions: perms}, "roles"),
		"key", "name", "permissions").Exec(ctx)
	return t.err(err, "save role")
}

// DeleteRole implements store.Tx.
func (t *Tx) DeleteRole(ctx context.Context, key string) error {
	res, err := t.db.NewRaw("DELETE FROM ?.roles WHERE key = ?", t.schema, key).Exec(ctx)
	if err != nil {
		return t.err(err, "delete role")
	}
	return affected(res, casetype.ErrNotFound)
}

// AgentRole implements store.Tx.
func (t *Tx) AgentRole(ctx context.Context, agentID string) (string, error) {
	var role string
	err := t.db.NewRaw("SELECT role FROM ?.agent_roles WHERE agent_id = ?", t.schema, agentID).Scan(ctx, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return role, t.err(err, "agent role")
}

// AgentRoles implements store.Tx.
func (t *Tx) AgentRoles(ctx context.Context) ([]casetype.RoleAssignment, error) {
	var rows []agentRoleRow
	if err := t.sel(&rows, "agent_roles", "ar").OrderExpr("ar.agent_id").Scan(ctx); err != nil {
		return nil, t.err(err, "agent roles")
	}
	out := make([]casetype.RoleAssignment, len(rows))
	for i, r := range rows {
		out[i] = casetype.RoleAssignment{AgentID: r.AgentID, Role: r.Role}
	}
	return out, nil
}

// SetAgentRole implements store.Tx.
func (t *Tx) SetAgentRole(ctx context.Context, agentID, role string) error {
	if role == "" {
		err := t.write(ctx, t.db.NewRaw("DELETE FROM ?.agent_roles WHERE agent_id = ?", t.schema, agentID))
		return t.err(err, "set agent role")
	}
	err := t.write(ctx, t.upsert(t.ins(&agentRoleRow{AgentID: agentID, Role: role}, "agent_roles"),
		"agent_id", "role"))
	return t.err(err, "set agent role")
}
