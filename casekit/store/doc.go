// Package store is casekit's storage seam: the Store a Kit is built on
// (casekit.New takes one), the Tx it runs every command in, and the few
// types only casekit and a store exchange (CaseQuery, CasePosition,
// PickQuery, Settlement, IntakeRecord). The domain types the seam speaks in
// (Case, Activity, Settings, ...) and the errors it returns are in package
// casetype, which casekit re-exports; this package imports nothing else of
// casekit.
//
// # Who implements it
//
// The stores of this module do: storage/sqlite and storage/postgres, both
// built on storage/sqlstore, which implements Tx over any SQL database Bun
// speaks and leaves what differs to a small Dialect (its doc says how a
// MySQL store would be made). A store in another module may implement the
// seam too, on sqlstore or from scratch. Either way it is done when it
// passes the conformance suite, casekittest.RunStoreTests, with a
// casekittest.Harness that says what it supports; a method that passes the
// suite but breaks a rule below is a bug in the suite. The interfaces grow
// with casekit's features; an outside store follows by implementing the new
// methods and passing the suite of the casekit version it is built with.
//
// Programs that embed casekit never call the seam: they open a store and
// hand it to casekit.New. Tools that read or repair data beside casekit
// (load generators, migrations of their own) may call Store.InTx, and
// then must keep the rules below themselves.
//
// # What every method guarantees
//
// The seam holds no rules of casekit's: it stores what it is given and
// returns it unchanged, and casekit validates, authorizes and decides.
// Every Store and Tx method:
//   - takes the tenant explicitly (Store) or works in one tenant's data
//     (Tx); a Store method checks the tenant ID with
//     casetype.ValidateTenantID before the ID reaches SQL or a file name,
//     so a malformed ID fails closed, and one tenant's methods never read
//     or change another's rows;
//   - reports a missing record as casetype.ErrNotFound, a unique value
//     already taken or a stale version as casetype.ErrConflict, a missing
//     tenant as casetype.ErrTenantNotFound and a taken tenant ID as
//     casetype.ErrTenantExists, wrapped so that errors.Is finds them; any
//     other failure is an error naming the store. A write whose result
//     nobody reads (InsertCase's rows after the number, SetCaseTimers,
//     AppendEvents) may be held and sent with a later statement of the
//     transaction, so its failure may be reported by that statement or by
//     InTx itself, classified as its own would have been: a failure
//     rolls back the whole transaction anyway;
//   - within InTx, sees the writes made earlier in the same transaction
//     and, when fn fails, leaves nothing of them: Tx methods never open or
//     commit a transaction of their own;
//   - stores times with at least microsecond precision and returns them in
//     UTC.
//
// Each method's doc adds what it must do beyond that.
//
// # What a store maintains itself
//
// A few rules are the store's alone, because only the store can keep them
// fast. casekit relies on them and the suite checks them:
//
//   - Tags. ListCases with CaseFilter.Tag or Tags finds cases by any or
//     all of their tags without reading every case: a store keeps an index
//     of (tag, case) pairs equal to the cases' Tags as cases are inserted,
//     updated and deleted (sqlstore: the case_tags table, written with
//     the case by InsertCase, UpdateCase and DeleteCase).
//   - Search. CaseQuery.Terms are lower-case words and phrases of letters
//     and digits; a case matches when every term is in its subject and
//     description, or every term in one of its messages (a public one when
//     VisibleTo is set). Words match whole, never as a prefix or
//     substring, in any script and with diacritics kept as written,
//     compared without regard to case, so that "arger" does not find
//     "Ärger" and "cat" does not find "category"; a phrase's words must
//     stand together in its order. The index is kept as rows change
//     (sqlstore: HookSearch; PostgreSQL's generated tsvector columns,
//     SQLite's FTS5 tables kept by triggers).
//   - Keyset order. ListCases returns the cases in the order of q.Sort
//     (the casetype.Sort constants) and, with q.Position, only those
//     strictly after that position: each order sorts on one value (none,
//     UpdatedAt, ResolutionDue or the priority's rank) and then on the
//     case ID, as the constant's doc says, and each "-" form is the exact
//     reverse of its key's order, so that two cases never tie and paging
//     never skips nor repeats a case however cases change between pages. For the priority sorts the value is the
//     rank of the case's priority in the tenant's priority lookup as it
//     stands in the transaction, highest first, with a case whose priority
//     is not in the lookup after every ranked one (sqlstore keeps the rank
//     on each case and sets it again when a priority's rank changes);
//     ResolutionDue sorts with the cases that have none last ascending and
//     first descending.
//   - Picking. NextInQueue, ClaimNotifications and FireTimer hand one row
//     to one caller: concurrent callers in any number of processes never
//     get the same case, notification or timer. A row another transaction
//     holds is skipped, not waited for, where the database can skip locked
//     rows (FOR UPDATE SKIP LOCKED); a store whose transactions on a
//     tenant run one at a time (SQLite) needs no lock but serializes the
//     callers instead.
//   - Wakeups. Kit.Run asks for due timers and notifications of every
//     tenant at once, and a store answers without visiting every tenant:
//     it keeps, outside the tenants' data, for each tenant and each queue
//     (timers, outbox) a time no later than the tenant's earliest due row,
//     lowered in the transaction that enqueues a notification or sets a
//     case's timers (or before that transaction commits), and moved on to
//     the next due row, or removed, when a caller finds nothing due then.
//     It never moves a wakeup past work queued meanwhile (sqlstore:
//     Registry, the timer_wakeups and outbox_wakeups tables).
//   - Reports. ReportMetrics adds up a report's metrics where the data
//     is and hands back a row per group, exactly (percentiles by rank,
//     never interpolated nor bucketed), reading the period's facts by
//     the index of their time and never every case: the backlog at a
//     moment comes from a rollup of the cases opened and ended each day,
//     by the values a report groups by, changed in the transaction that
//     inserts, updates or deletes a case, so it never drifts from the
//     cases (sqlstore: case_facts and case_flow, flow.go).
//   - Case numbers. InsertCase numbers cases per tenant without gaps: a
//     rolled-back transaction's number is given again.
//   - Assigning. LockAssigning is held by one transaction of a tenant at
//     a time, and what the next holder reads (cursors, OpenAssigned)
//     includes what the last one committed, so concurrent commands never
//     give an agent more cases than their capacity nor read a stale
//     round robin cursor; OpenAssigned counts from an index, not a scan.
//   - Migrations. Migrate brings every tenant's data to the store's latest
//     version, a tenant at a time, resuming where an interrupted run
//     stopped; CreateTenant makes a tenant at the latest version.
package store
