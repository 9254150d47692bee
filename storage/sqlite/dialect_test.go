package sqlite_test

import (
	"database/sql"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"

	"casekit.dev/storage/sqlite"
	"casekit.dev/storage/sqlstore/sqlstoretest"
)

// The registry and the released migrations make on SQLite exactly the
// SQL they made when released: tenants that ran them must still migrate.
func TestReleasedMigrationsUnchanged(t *testing.T) {
	sqldb, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db := bun.NewDB(sqldb, sqlitedialect.New())
	defer db.Close()
	sqlstoretest.ReleasedDDL(t, db, sqlite.Dialect{}, "main", "main", "testdata/ddl.sql")
}
