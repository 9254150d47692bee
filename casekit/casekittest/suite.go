package casekittest

import (
	"testing"

	"casekit.dev/casekit"
)

// StoreFactory returns the store one test runs on. It may return a new
// store every time or the same shared one; either way it owns the store and
// closes it (with t.Cleanup) when it is done.
type StoreFactory func(t *testing.T) casekit.Store

// area is one part of the suite, run as a subtest named for it.
type area struct {
	name string
	run  func(t *testing.T, newStore StoreFactory)
}

// areas lists the suite's parts in the order they run.
var areas = []area{
	{"tenants", testTenants},
	{"config", testConfig},
	{"config cache", testConfigCache},
	{"cases", testCases},
	{"lifecycle", testLifecycle},
	{"activities", testActivities},
	{"content", testContent},
	{"permissions", testPermissions},
	{"customer view", testCustomerView},
	{"roles", testRoles},
	{"validation", testValidation},
	{"errors", testErrors},
	{"history", testHistory},
	{"pagination", testPagination},
	{"sorting", testSorting},
	{"search", testSearch},
	{"counts", testCounts},
	{"report", testReport},
	{"export", testExport},
	{"tags", testTags},
	{"distribution", testDistribution},
	{"sla", testSLA},
	{"timers", testTimers},
	{"outbox", testOutbox},
	{"templates", testTemplates},
	{"ratings", testRatings},
	{"portal links", testPortalLinks},
	{"inbound", testInbound},
	{"mail", testMail},
	{"attachments", testAttachments},
	{"custom fields", testCustomFields},
	{"intake", testIntake},
	{"relations", testRelations},
	{"processes", testProcesses},
	{"isolation", testIsolation},
	{"rollback", testRollback},
	{"concurrency", testConcurrency},
	{"properties", testProperties},
}

// RunStoreTests runs the conformance suite against the stores newStore
// returns: one subtest per area (tenants, config, cases, lifecycle,
// activities, content, permissions, customer view, roles, validation, errors, history,
// pagination, sorting, search, counts, report, export, tags, distribution, sla, timers, outbox,
// templates, ratings, portal links, inbound, mail, attachments, custom fields, intake, isolation, rollback, concurrency, properties), each split into the rules
// it checks. Most tests run in parallel; each asks newStore for its store
// and works in tenants of its own. The areas run one after the other, and
// the timers, outbox, templates and mail areas' tests one at a time, because Kit.RunDue
// fires the timers and delivers the notifications of every tenant of a
// store.
func RunStoreTests(t *testing.T, newStore func(t *testing.T) casekit.Store) {
	t.Helper()
	if newStore == nil {
		t.Fatal("casekittest: RunStoreTests needs a store factory")
	}
	for _, a := range areas {
		t.Run(a.name, func(t *testing.T) { a.run(t, newStore) })
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
