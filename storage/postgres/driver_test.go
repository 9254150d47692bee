package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/postgres"
)

// drivers are the database/sql drivers a host may build its *bun.DB on.
var drivers = []string{"pgx", "pgdriver"}

// openDriverDB opens a *bun.DB on dsn through the named driver, with a pool
// of at most poolSize connections, all kept idle between uses (0 leaves
// database/sql's defaults).
func openDriverDB(tb testing.TB, driver, dsn string, poolSize int) *bun.DB {
	tb.Helper()
	var sqldb *sql.DB
	switch driver {
	case "pgx":
		var err error
		if sqldb, err = sql.Open("pgx", dsn); err != nil {
			tb.Fatal(err)
		}
	case "pgdriver":
		sqldb = sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(dsn)))
	default:
		tb.Fatalf("unknown driver %q", driver)
	}
	if poolSize > 0 {
		sqldb.SetMaxOpenConns(poolSize)
		sqldb.SetMaxIdleConns(poolSize)
	}
	return bun.NewDB(sqldb, pgdialect.New())
}

// driverStore returns a store made with postgres.New over a *bun.DB of its
// own on the named driver, under a random schema prefix. At cleanup it
// drops every tenant and the control schema, then closes the pool. It
// skips when CASEKIT_TEST_DATABASE_URL is unset.
func driverStore(tb testing.TB, driver string, poolSize int) *postgres.Store {
	tb.Helper()
	dsn := os.Getenv("CASEKIT_TEST_DATABASE_URL")
	if dsn == "" {
		tb.Skip("CASEKIT_TEST_DATABASE_URL is not set: skipping the PostgreSQL tests (.ci/run sets it)")
	}
	db := openDriverDB(tb, driver, dsn, poolSize)
	b := make([]byte, 4)
	rand.Read(b)
	prefix := "ckd" + hex.EncodeToString(b) + "_"
	ctx := context.Background()
	s, err := postgres.New(ctx, db, postgres.WithPrefix(prefix))
	if err != nil {
		db.Close()
		tb.Fatal(err)
	}
	dropAllOnCleanup(tb, s, db.Close)
	return s
}

// TestConformancePgdriver runs the whole conformance suite a second time,
// on a store a host built with postgres.New over bun's own pgdriver.
func TestConformancePgdriver(t *testing.T) {
	casekittest.RunStoreTests(t, harness(driverStore(t, "pgdriver", 0), os.Getenv("CASEKIT_TEST_DATABASE_URL")))
}

// Both drivers' server errors are classified by SQLSTATE: a unique
// violation (23505) is ErrConflict and still unwraps to the driver's own
// error; a leftover schema (42P06) makes CreateTenant fail with
// ErrTenantExists.
func TestDriverErrorsClassified(t *testing.T) {
	for _, driver := range drivers {
		t.Run(driver, func(t *testing.T) {
			s := driverStore(t, driver, 0)
			ctx := context.Background()
			kit := newKit(t, s)
			if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "errs"}); err != nil {
				t.Fatal(err)
			}
			err := s.InTx(ctx, "errs", func(ctx context.Context, tx store.Tx) error {
				c := &casekit.Case{ID: "0190a0a0-0000-7000-8000-000000000001", Number: 1, Subject: "x",
					Priority: "normal", Status: "new", CreatedBy: casekit.System, Version: 1}
				if err := tx.InsertCase(ctx, c); err != nil {
					return err
				}
				c.Number = 2
				return tx.InsertCase(ctx, c) // same ID
			})
			if !errors.Is(err, casekit.ErrConflict) {
				t.Errorf("duplicate case ID: %v, want ErrConflict", err)
			}
			switch driver {
			case "pgdriver":
				var de pgdriver.Error
				if !errors.As(err, &de) || de.Field('C') != "23505" {
					t.Errorf("duplicate case ID: %v does not unwrap to a pgdriver.Error with SQLSTATE 23505", err)
				}
			case "pgx":
				var pe *pgconn.PgError
				if !errors.As(err, &pe) || pe.Code != "23505" {
					t.Errorf("duplicate case ID: %v does not unwrap to a *pgconn.PgError with SQLSTATE 23505", err)
				}
			}

			// A schema left behind without its registry row: 42P06.
			if _, err := s.DB().NewRaw("CREATE SCHEMA ?", bun.Ident(s.Schema("orphan"))).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			defer s.DB().NewRaw("DROP SCHEMA IF EXISTS ? CASCADE", bun.Ident(s.Schema("orphan"))).Exec(ctx)
			if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "orphan"}); !errors.Is(err, casekit.ErrTenantExists) {
				t.Errorf("CreateTenant over a leftover schema: %v, want ErrTenantExists", err)
			}
		})
	}
}
