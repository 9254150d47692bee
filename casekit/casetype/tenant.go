package casetype

import (
	"regexp"
	"time"
)

// Tenant is a tenant as the store records it.
type Tenant struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

var tenantSlug = regexp.MustCompile(`^[a-z][a-z0-9-]{0,47}$`)

// MaxTenantIDLen is the longest tenant ID accepted.
const MaxTenantIDLen = 48

// ValidateTenantID returns a *ValidationError unless id is a valid tenant
// slug. Stores call it before using an ID in a file or schema name, so an ID
// that is not a slug never reaches SQL or the file system.
func ValidateTenantID(id string) error {
	if id == "" {
		return Invalid("tenant", "required", "tenant ID is required")
	}
	if !tenantSlug.MatchString(id) || id[len(id)-1] == '-' {
		return Invalid("tenant", "slug", "tenant ID %q must be lower-case letters, digits and hyphens, start with a letter, not end with a hyphen, and be at most %d characters", id, MaxTenantIDLen)
	}
	return nil
}

// MigrateOptions tune Kit.Migrate.
type MigrateOptions struct {
	// Concurrency bounds how many tenants migrate at once; 0 means 4.
	Concurrency int
	// Progress, when set, is called after each tenant is done (or failed).
	// It may be called from several goroutines at once.
	Progress func(MigrateProgress)
}

// MigrateProgress reports one tenant's migration.
type MigrateProgress struct {
	Tenant string
	// Done and Total count tenants.
	Done, Total int
	// From and To are the tenant's schema versions before and after.
	From, To int
	Err      error
}
