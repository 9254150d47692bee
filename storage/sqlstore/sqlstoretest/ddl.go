// Package sqlstoretest holds the checks every sqlstore.Dialect's tests
// run, beside the conformance suite (casekit/casekittest) that every
// store passes.
package sqlstoretest

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"casekit.dev/storage/sqlstore"
)

// ReleasedDDL fails t unless the SQL that d makes of the registry and the
// migrations (sqlstore.SchemaSQL on db, in the schemas control and
// tenant) starts with the file golden: the SQL released so far, which
// existing tenants ran and which must never change. Migrations appended
// after it pass; add them to golden when they are released. A missing
// golden is written, and the test fails so that someone reads it.
func ReleasedDDL(t testing.TB, db bun.IDB, d sqlstore.Dialect, control, tenant, golden string) {
	t.Helper()
	got, err := sqlstore.SchemaSQL(db, d, control, tenant)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(golden)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Fatalf("wrote %s: read it, then commit it", golden)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := Released(got, string(want)); err != nil {
		t.Errorf("%s: %v", golden, err)
	}
}

// Released reports where got, the SQL a dialect makes now, departs from
// released, the SQL it made before: nil when got starts with released.
func Released(got, released string) error {
	if strings.HasPrefix(got, released) {
		return nil
	}
	g, r := strings.Split(got, "\n"), strings.Split(released, "\n")
	for i := range r {
		if i >= len(g) {
			return fmt.Errorf("line %d on is gone: %q", i+1, r[i])
		}
		if g[i] != r[i] {
			return fmt.Errorf("line %d changed: released %q, now %q", i+1, r[i], g[i])
		}
	}
	return errors.New("changed") // not reached: some line above differs
}
