package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
)

// schemaTaken returns nil when no schema is named schema, and otherwise
// casetype.ErrTenantExists with a message naming the schema and saying
// whose it looks like: a tenant ID whose schema name another application
// (or a person) already uses must fail before casekit writes anything, and
// the host must be told what is in the way rather than just "exists".
func schemaTaken(ctx context.Context, tx bun.IDB, schema string) error {
	var found struct {
		Ledger    bool
		Relations int
	}
	err := tx.NewRaw(`SELECT EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid AND c.relname = 'casekit_migrations') AS ledger,
		(SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid) AS relations
		FROM pg_namespace n WHERE n.nspname = ?`, schema).Scan(ctx, &found)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	case found.Ledger:
		return fmt.Errorf("schema %s exists with casekit's migration ledger but no registry row (a tenant whose registration was removed by hand); drop or rename the schema, nothing was changed: %w", schema, casetype.ErrTenantExists)
	}
	return fmt.Errorf("schema %s exists and was not made by casekit (%d relations, no casekit_migrations ledger); choose another tenant ID or rename the schema, nothing was changed: %w", schema, found.Relations, casetype.ErrTenantExists)
}
