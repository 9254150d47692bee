package postgres

import (
	"context"

	"github.com/uptrace/bun"
)

// The store runs unchanged on the coordinator of a Citus cluster
// (docs/scale-out.md): every statement stays inside one schema, which is
// what Citus's schema-based sharding routes to one node. Where the schemas
// it makes go is said by two Citus settings, each set for the one
// transaction that makes a schema (SET LOCAL, so nothing leaks into a
// pooled connection). PostgreSQL without Citus keeps them as placeholder
// settings that nothing reads, so there is no branch for Citus.

// placeTenant is the setting of the transaction that makes a tenant's
// schema: on Citus it becomes a distributed schema, placed whole on one
// worker, its tables colocated there, whether or not the operator turned
// schema-based sharding on for the cluster.
var placeTenant = []string{"SET LOCAL citus.enable_schema_based_sharding = on"}

// placeControl are the settings of the transaction that makes the control
// schema and its tables: on Citus the schema is not distributed (so the
// registry and the wakeup rows stay on the coordinator, one hop from
// every query), and its tables join Citus's metadata as Citus local
// tables when the coordinator is registered as a node
// (citus_set_coordinator_host). Then a command that writes a tenant's
// rows on a worker and the tenant's wakeup on the coordinator commits
// both with two-phase commit; a plain local table would be committed
// after the worker's part, not with it. A reference table would be
// written on every node, under a lock that orders all its writers: every
// command of every tenant that queues work would take it.
var placeControl = []string{
	"SET LOCAL citus.enable_schema_based_sharding = off",
	"SET LOCAL citus.use_citus_managed_tables = on",
}

// place runs the settings stmts in the transaction tx.
func place(ctx context.Context, tx bun.Tx, stmts []string) error {
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}
