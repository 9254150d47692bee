// Package casetype holds the domain types casekit and its stores speak in:
// cases, activities, messages, the tenant's configuration (settings,
// statuses, lookups, teams, queues, calendars, SLAs, custom fields,
// processes, roles, templates), notifications, timers and events, with the
// sentinel errors a store returns and the *ValidationError bad input gets.
//
// It is a leaf: it imports nothing of casekit, so that package casekit (the
// rules) and package store (the storage seam) can both use these types
// without importing each other. Package casekit names every exported
// identifier here again through an alias (casekit.Case is casetype.Case),
// so a program that embeds casekit never needs this package; a store
// imports it, with package store, and need not import casekit.
//
// What is here is data and the logic that belongs to the data alone: an
// actor's textual form, a tenant ID's syntax, a calendar's business-hours
// arithmetic, an SLA's deadlines, a process stage's missing fields. Rules
// that read the tenant's configuration or change a case live in casekit.
package casetype
