// Package casekit gives a Go application customer-service case management:
// cases, activities, notes, conversations, configurable status lookups and
// an append-only history, with the lifecycle rules of an established CRM's
// service module.
//
// casekit is embedded, not run beside the application. The host opens a
// store (storage/sqlite or storage/postgres), builds a Kit on it and acts on
// one tenant through a Desk, naming who acts:
//
//	kit, err := casekit.New(store)
//	err = kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme", Name: "Acme"})
//	desk := kit.Desk("acme").As(casekit.Agent("u-17"))
//	c, err := desk.OpenCase(ctx, casekit.NewCase{Subject: "Printer on fire", CustomerID: "cust-1"})
//
// Every Desk command is one database transaction: it loads and locks the
// case, checks the rules here, writes the change and appends history events,
// then commits. Rules, permissions and validation live in this package;
// a store only persists, through the seam in package store, whose doc says
// what a store must guarantee. The types both speak in are in package
// casetype; this package names each again (casekit.Case is casetype.Case),
// so a host needs neither. This package imports no database driver.
//
// Errors are values to test with errors.Is and errors.As: ErrNotFound,
// ErrConflict, ErrInvalidTransition, ErrOpenActivities, ErrReadOnly,
// ErrForbidden, ErrTenantNotFound and *ValidationError.
package casekit
