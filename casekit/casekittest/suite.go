package casekittest

import (
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

// StoreFactory returns the store one test runs on. It may return a new
// store every time or the same shared one; either way it owns the store and
// closes it (with t.Cleanup) when it is done.
type StoreFactory func(t *testing.T) store.Store

// Harness is what the suite is told about the store it checks: how to get
// one, and what it supports beyond the contract every store keeps (the
// store package's doc). A case that needs what a store lacks is skipped,
// saying which field is missing, rather than failed.
type Harness struct {
	// New returns the store one test runs on; see StoreFactory.
	New StoreFactory
	// OpenAgain opens a second store on s's data, as a second process of
	// the same deployment would: another pool on the same database,
	// another handle on the same directory. It owns what it opens and
	// closes it with t.Cleanup. With it the suite runs two Kits on the
	// two stores at once and checks that each timer fires once and each
	// notification goes out once. Nil for a store that one process alone
	// can reach (an in-memory database).
	OpenAgain func(t *testing.T, s store.Store) store.Store
	// SkipLocked says that NextInQueue passes over a case another open
	// transaction has picked, instead of waiting for that transaction to
	// end (FOR UPDATE SKIP LOCKED). False for a store whose transactions
	// on one tenant run one at a time (SQLite), where pickers take turns.
	SkipLocked bool
	// Areas, when set, runs only the areas it names (as RunStoreTests
	// lists them), in the suite's order: for a second harness of a store
	// whose other mode runs the whole suite already, such as SQLite in
	// memory beside SQLite on files, so that it checks where the modes
	// differ without paying for the whole suite twice. A name the suite
	// does not have fails the run.
	Areas []string
}

// area is one part of the suite, run as a subtest named for it.
type area struct {
	name string
	run  func(t *testing.T, h Harness)
}

// plain adapts an area that needs nothing of the harness but its stores.
func plain(run func(t *testing.T, newStore StoreFactory)) func(t *testing.T, h Harness) {
	return func(t *testing.T, h Harness) { run(t, h.New) }
}

// areas lists the suite's parts in the order they run.
var areas = []area{
	{"tenants", plain(testTenants)},
	{"config", plain(testConfig)},
	{"config cache", plain(testConfigCache)},
	{"cases", plain(testCases)},
	{"lifecycle", plain(testLifecycle)},
	{"activities", plain(testActivities)},
	{"content", plain(testContent)},
	{"permissions", plain(testPermissions)},
	{"customer view", plain(testCustomerView)},
	{"roles", plain(testRoles)},
	{"validation", plain(testValidation)},
	{"errors", plain(testErrors)},
	{"history", plain(testHistory)},
	{"pagination", plain(testPagination)},
	{"sorting", plain(testSorting)},
	{"search", plain(testSearch)},
	{"counts", plain(testCounts)},
	{"report", plain(testReport)},
	{"export", plain(testExport)},
	{"tags", plain(testTags)},
	{"distribution", plain(testDistribution)},
	{"sla", plain(testSLA)},
	{"timers", plain(testTimers)},
	{"outbox", plain(testOutbox)},
	{"templates", plain(testTemplates)},
	{"ratings", plain(testRatings)},
	{"portal links", plain(testPortalLinks)},
	{"inbound", plain(testInbound)},
	{"mail", plain(testMail)},
	{"attachments", plain(testAttachments)},
	{"custom fields", plain(testCustomFields)},
	{"intake", plain(testIntake)},
	{"idempotency", plain(testIdempotency)},
	{"relations", plain(testRelations)},
	{"processes", plain(testProcesses)},
	{"triggers", plain(testTriggers)},
	{"time rules", plain(testTimeRules)},
	{"stage actions", plain(testStageActions)},
	{"macros", plain(testMacros)},
	{"auto-assignment", plain(testAutoAssign)},
	{"auto-assignment notices", plain(testAutoAssignNotices)},
	{"webhooks", plain(testWebhooks)},
	{"isolation", plain(testIsolation)},
	{"rollback", plain(testRollback)},
	{"concurrency", plain(testConcurrency)},
	{"properties", plain(testProperties)},
	{"picking", testPicking},
	{"two processes", testTwoProcesses},
}

// RunStoreTests runs the conformance suite against the stores h.New
// returns: one subtest per area (tenants, config, cases, lifecycle,
// activities, content, permissions, customer view, roles, validation,
// errors, history, pagination, sorting, search, counts, report, export,
// tags, distribution, sla, timers, outbox, templates, ratings, portal
// links, inbound, mail, attachments, custom fields, intake, idempotency,
// relations, processes, triggers, time rules, stage actions, macros,
// auto-assignment, auto-assignment notices, webhooks, isolation,
// rollback, concurrency, properties, picking, two processes), each split
// into the rules it checks. Most tests run in parallel; each asks h.New
// for its store and works in tenants of its own. The areas run one after
// the other, and the timers, outbox, templates, mail, webhooks, time
// rules, stage actions and two processes areas' tests one at a time,
// because Kit.RunDue fires the timers and delivers the notifications of
// every tenant of a store. What the harness says the store lacks is
// skipped with the reason.
func RunStoreTests(t *testing.T, h Harness) {
	t.Helper()
	if h.New == nil {
		t.Fatal("casekittest: RunStoreTests needs Harness.New")
	}
	only := map[string]bool{}
	for _, name := range h.Areas {
		only[name] = true
	}
	for _, a := range areas {
		if len(only) > 0 && !only[a.name] {
			continue
		}
		delete(only, a.name)
		t.Run(a.name, func(t *testing.T) { a.run(t, h) })
	}
	for name := range only {
		t.Errorf("casekittest: Harness.Areas names %q, which the suite does not have", name)
	}
}

// envTest is one parallel test that runs in a fresh Env.
type envTest struct {
	name string
	run  func(t *testing.T, e *Env)
}

// runSerialEnvTests runs each test alone, one after the other, on a store
// from newStore, in a new tenant: for tests of Kit.RunDue, which fires the
// due timers of every tenant of the store, so tests running beside them
// with clocks of their own would fire each other's timers.
func runSerialEnvTests(t *testing.T, newStore StoreFactory, tests []envTest) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, NewEnv(t, newStore(t))) })
	}
}

// runEnvTests runs each test in parallel on a store from newStore, in a
// new tenant, with a kit built with opts.
func runEnvTests(t *testing.T, newStore StoreFactory, tests []envTest, opts ...casekit.Option) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, NewEnv(t, newStore(t), opts...))
		})
	}
}
