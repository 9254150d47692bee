package casetype

import "time"

// Tenant is a tenant as the store records it.
type Tenant struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxTenantIDLen is the longest tenant ID accepted.
const MaxTenantIDLen = 48

// ValidateTenantID returns a *ValidationError unless id is a valid tenant
// slug. Stores call it before using an ID in a file or schema name, so an ID
// that is not a slug never reaches SQL or the file system.
func ValidateTenantID(id string) error {
	if id == "" {
		return Invalid("tenant", "required", "tenant ID is required")
	}
	if !isTenantSlug(id) {
		return Invalid("tenant", "slug", "tenant ID %q must be lower-case letters, digits and hyphens, start with a letter, not end with a hyphen, and be at most %d characters", id, MaxTenantIDLen)
	}
	return nil
}

// isTenantSlug reports whether id matches ^[a-z][a-z0-9-]{0,47}$ and does
// not end with a hyphen. It is a loop over the bytes, not a regular
// expression, because every API request checks its tenant's ID several
// times (the HTTP API, the desk, the store), and the regexp's matcher
// was a per cent of a create's CPU.
func isTenantSlug(id string) bool {
	if len(id) == 0 || len(id) > MaxTenantIDLen || id[0] < 'a' || id[0] > 'z' || id[len(id)-1] == '-' {
		return false
	}
	for i := 1; i < len(id); i++ {
		if c := id[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
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
