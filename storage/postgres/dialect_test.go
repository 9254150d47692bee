package postgres_test

import (
	"database/sql"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"

	"casekit.dev/storage/postgres"
	"casekit.dev/storage/sqlstore/sqlstoretest"
)

// The registry and the released migrations make on PostgreSQL exactly
// the SQL they made when released: tenants that ran them must still
// migrate. Rendering connects to no server.
func TestReleasedMigrationsUnchanged(t *testing.T) {
	db := bun.NewDB(sql.OpenDB(pgdriver.NewConnector()), pgdialect.New())
	defer db.Close()
	sqlstoretest.ReleasedDDL(t, db, postgres.Dialect{}, "casekit_control", "casekit_t_acme", "testdata/ddl.sql")
}
