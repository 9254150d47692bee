// Package sqlstore holds what casekit's SQL stores share: an implementation
// of casekit.Tx over any bun.IDB, the tenant registry and Kit.Run's work
// across tenants, the per-tenant migrations, and the converters between
// the Bun models and casekit's domain types.
//
// # How the pieces fit
//
// Shared, here, one file per feature as in package casekit:
//   - Tx (tx.go) is casekit.Tx on one tenant's schema: settings.go,
//     statuses.go, lookups.go, cases.go (with sort.go for the list's keyset
//     order and search.go for full-text search), activities.go,
//     content.go (notes, messages, attachments), events.go, timers.go,
//     outbox.go, and so on. It never opens a transaction: the store hands
//     it one.
//   - Registry (registry.go) is the tenants table and the per-queue wakeup
//     tables, with the cache of tenants seen; Host (host.go, work.go)
//     implements the casekit.Store methods that are the same everywhere:
//     Tenant, Tenants, Migrate, FireTimer, ClaimNotifications and
//     SettleNotifications.
//   - migrations.go is every tenant schema change, in neutral DDL.
//   - The models are in models.go, and in package storage/sqlstore/rows
//     for the tables the load tools write as well.
//
// What a store adds (storage/sqlite, storage/postgres): where a tenant's
// tables live (a file, a schema) and how they are made and dropped; its
// connections (a pool, a handle per file); its locks (PostgreSQL's
// advisory lock per tenant, SQLite's one writer per file); how its
// driver's errors map to casekit's (the classify function given to
// NewTx); and, as an Access, how the Host reaches a tenant's
// transactions and moves a wakeup safely. A store embeds Host through an
// unexported alias and keeps its Registry in a field.
//
// What differs by dialect stays behind Dialect (dialect.go), the one type
// to grow when a dialect is added:
//   - DDL: the placeholders {json}, {ts}, {bool}, {serial}, {false},
//     {true} and PG:/SQLITE: statements (Dialect.ddl, formatDDL);
//   - locking: Dialect.lockRows (FOR UPDATE [SKIP LOCKED] on PostgreSQL;
//     SQLite's write lock covers it);
//   - upserts: Dialect.least for the wakeups; ON CONFLICT is common SQL;
//   - search: tsvector and GIN on PostgreSQL, FTS5 on SQLite (search.go,
//     and listArms in sort.go), and custom-field matching (jsonb
//     containment or json_extract, customCond in cases.go).
//
// Every statement names its tables through the tenant's schema (bun.Ident),
// so nothing depends on search_path or other session state: SQLite passes
// "main", PostgreSQL the tenant's own schema.
package sqlstore
