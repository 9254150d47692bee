package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/postgres"
)

// TestFailedCommandLeavesConnectionClean holds the transactions the store
// opens and ends itself (sqlstore.RunCommitting: BEGIN, then the held
// writes and the COMMIT in one text) to what a database/sql transaction
// promised: a command that fails in any way (its function's error, a
// held write the server refuses in the last text, a panic, a context
// cancelled before the last text or while a statement waits) keeps none
// of its writes, and the store's only connection comes back out of any
// transaction, or is replaced. A connection left inside the failed
// transaction would make the next command fail (aborted) or commit the
// failed one's rows with its own: the next command here opens a case,
// and another connection must see that case and not the failed one's,
// with the tenant's case number given back.
func TestFailedCommandLeavesConnectionClean(t *testing.T) {
	dsn := os.Getenv("CASEKIT_TEST_DATABASE_URL")
	stores := map[string]func(t *testing.T) *postgres.Store{
		"Open":         func(t *testing.T) *postgres.Store { return storeOn(t, dsn, postgres.WithMaxConns(1)) },
		"New pgx":      func(t *testing.T) *postgres.Store { return driverStore(t, "pgx", 1) },
		"New pgdriver": func(t *testing.T) *postgres.Store { return driverStore(t, "pgdriver", 1) },
	}
	if dsn == "" {
		testStore(t) // skips, saying why
	}
	other, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			if err := newKit(t, s).CreateTenant(ctx, casekit.TenantSpec{ID: "clean"}); err != nil {
				t.Fatal(err)
			}
			schema := bun.Ident(s.Schema("clean"))
			open := func(ctx context.Context, tx store.Tx, id string) error {
				return tx.InsertCase(ctx, &casekit.Case{ID: id, Subject: "x", Priority: "normal", Status: "new",
					CreatedBy: casekit.System, Version: 1})
			}
			taken := uuid.NewString()
			if err := s.InTx(ctx, "clean", func(ctx context.Context, tx store.Tx) error { return open(ctx, tx, taken) }); err != nil {
				t.Fatal(err)
			}
			opened := 1
			modes := []struct {
				name string
				run  func(id string) error
				want error
			}{
				{"the function fails", func(id string) error {
					return s.InTx(ctx, "clean", func(ctx context.Context, tx store.Tx) error {
						if err := open(ctx, tx, id); err != nil {
							return err
						}
						return casekit.ErrForbidden
					})
				}, casekit.ErrForbidden},
				{"a held write fails in the last text", func(id string) error {
					return s.InTx(ctx, "clean", func(ctx context.Context, tx store.Tx) error {
						if err := open(ctx, tx, id); err != nil {
							return err
						}
						return open(ctx, tx, taken)
					})
				}, casekit.ErrConflict},
				{"the function panics", func(id string) (err error) {
					defer func() {
						if recover() != nil {
							err = casekit.ErrReadOnly
						}
					}()
					return s.InTx(ctx, "clean", func(ctx context.Context, tx store.Tx) error {
						if err := open(ctx, tx, id); err != nil {
							return err
						}
						panic("refused")
					})
				}, casekit.ErrReadOnly},
				{"the context ends before the last text", func(id string) error {
					ctx, cancel := context.WithCancel(ctx)
					defer cancel()
					return s.InTx(ctx, "clean", func(ctx context.Context, tx store.Tx) error {
						if err := open(ctx, tx, id); err != nil {
							return err
						}
						cancel()
						return nil
					})
				}, context.Canceled},
				{"the context ends while a statement waits", func(id string) error {
					// Another connection holds the case number, so the
					// opening waits in its UPDATE until its deadline.
					hold, err := other.BeginTx(ctx, nil)
					if err != nil {
						return err
					}
					defer hold.Rollback()
					if _, err := hold.ExecContext(ctx, fmt.Sprintf("UPDATE %q.counters SET value = value WHERE name = 'case_number'", s.Schema("clean"))); err != nil {
						return err
					}
					ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
					defer cancel()
					return s.InTx(ctx, "clean", func(ctx context.Context, tx store.Tx) error { return open(ctx, tx, id) })
				}, nil}, // pgx says its read timed out
			}
			for _, m := range modes {
				failed, next := uuid.NewString(), uuid.NewString()
				if err := m.run(failed); err == nil || m.want != nil && !errors.Is(err, m.want) {
					t.Errorf("%s: %v, want %v", m.name, err, m.want)
				}
				if err := s.InTx(ctx, "clean", func(ctx context.Context, tx store.Tx) error { return open(ctx, tx, next) }); err != nil {
					t.Fatalf("%s: the next command: %v", m.name, err)
				}
				opened++
				var kept, committed, cases int
				var number int64
				q := fmt.Sprintf(`SELECT count(*) FILTER (WHERE id = $1), count(*) FILTER (WHERE id = $2), count(*),
					(SELECT value FROM %[1]s.counters WHERE name = 'case_number') FROM %[1]s.cases`, fmt.Sprintf("%q", string(schema)))
				if err := other.QueryRowContext(ctx, q, failed, next).Scan(&kept, &committed, &cases, &number); err != nil {
					t.Fatal(err)
				}
				if kept != 0 || committed != 1 || cases != opened || number != int64(opened) {
					t.Errorf("%s: the failed case kept %d times, the next one committed %d times, %d cases and number %d, want 0, 1, %d and %d",
						m.name, kept, committed, cases, number, opened, opened)
				}
			}
		})
	}
}
