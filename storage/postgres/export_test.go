package postgres

// ReplayMigrations makes a store build new tenants by replaying every
// migration, as existing tenants were built, instead of from the
// baseline: the other side of TestBaselineEqualsHistory.
func ReplayMigrations() Option { return func(s *Store) { s.replay = true } }
