package casekit

import "casekit.dev/casekit/casetype"

// TenantSpec describes a tenant to create.
type TenantSpec struct {
	// ID is the tenant's slug: lower-case letters, digits and hyphens,
	// starting with a letter, at most 48 characters. Stores derive file and
	// schema names from it.
	ID string `json:"id"`
	// Name is the tenant's display name.
	Name string `json:"name" validate:"max=200"`
	// Settings replaces the default settings when set.
	Settings *Settings `json:"settings,omitempty"`
	// Admins are the agent IDs the tenant starts with as admins
	// (RoleAdmin): the host's first admin, who can then give roles.
	Admins []string `json:"admins,omitempty" validate:"max=100,unique,dive,required,max=200"`
}

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// Tenant is a tenant as the store records it.
	Tenant = casetype.Tenant
	// MigrateOptions tune Kit.Migrate.
	MigrateOptions = casetype.MigrateOptions
	// MigrateProgress reports one tenant's migration.
	MigrateProgress = casetype.MigrateProgress
)

const (
	// MaxTenantIDLen is the longest tenant ID accepted.
	MaxTenantIDLen = casetype.MaxTenantIDLen
)

// ValidateTenantID returns a *ValidationError unless id is a valid tenant
// slug. Stores call it (as casetype.ValidateTenantID) before using an ID in
// a file or schema name, so an ID that is not a slug never reaches SQL or
// the file system.
func ValidateTenantID(id string) error { return casetype.ValidateTenantID(id) }
