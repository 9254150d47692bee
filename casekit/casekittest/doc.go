// Package casekittest holds the conformance suite every store.Store
// adapter runs, and the helpers its tests use.
//
// A store proves itself with one call, its Harness saying how to get a
// store and what it supports beyond the contract (see Harness):
//
//	func TestConformance(t *testing.T) {
//		casekittest.RunStoreTests(t, casekittest.Harness{
//			New: func(t *testing.T) store.Store {
//				s, err := sqlite.Open(":memory:")
//				if err != nil {
//					t.Fatal(err)
//				}
//				t.Cleanup(func() { s.Close() })
//				return s
//			},
//		})
//	}
//
// The suite drives the store through casekit's Kit and Desk, so it checks
// the store and casekit's rules together: every rule of the Desk has a test
// that fails when the rule, or the store's part in it, is missing. Where
// the Store contract itself says something casekit cannot check (a rolled
// back transaction leaves nothing, a stale version gives ErrConflict, a
// taken tenant ID gives ErrTenantExists) the suite calls the Store and Tx
// directly.
//
// The factory may hand every test the same store (one PostgreSQL database,
// say). Each test therefore works in tenants of its own, named by TenantID,
// never assumes the store is empty, and drops its tenants when it ends. The
// suite never closes a store; the factory does, with t.Cleanup.
package casekittest
