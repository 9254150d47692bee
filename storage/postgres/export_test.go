package postgres

// ReplayMigrations makes a store build new tenants by replaying every
// migration, as existing tenants were built, instead of from the
// baseline: the other side of TestBaselineEqualsHistory.
func ReplayMigrations() Option { return func(s *Store) { s.replay = true } }

// SplitBaseline makes a store send a new tenant's baseline as it does to
// a Citus coordinator, each CREATE INDEX and ALTER alone, on any database:
// the other side of TestBaselineSentWhole.
func SplitBaseline() Option { return func(s *Store) { s.citus = true } }

// ServedBy makes the pool Open makes call f with the backend's process ID
// each time it hands a connection out for a tenant.
func ServedBy(f func(pid uint32, tenant string)) Option {
	return func(s *Store) { s.cfg.served = f }
}

// Home returns the affinity sub-pool a tenant hashes to.
func (s *Store) Home(tenant string) int { return s.pool.home(tenant) }
