// Package sqlstore holds what casekit's SQL stores share: the Bun models,
// their converters to and from the casekit domain types, the per-tenant
// migrations and an implementation of casekit.Tx over any bun.IDB.
//
// Every statement names its tables through the tenant's schema (bun.Ident),
// so nothing depends on search_path or other session state: SQLite passes
// "main", PostgreSQL the tenant's own schema.
package sqlstore
