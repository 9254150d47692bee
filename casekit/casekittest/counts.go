package casekittest

import (
	"casekit.dev/casekit/store"
	"context"
	"testing"

	"casekit.dev/casekit"
)

// testCounts checks Desk.CountCases and the store's CountCases: exact up
// to the bound, an estimate flagged as one beyond it, the filter's rules
// as ListCases has them, a customer's count of their own cases only.
func testCounts(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"counts what the filter matches, exactly under the bound", func(t *testing.T, e *Env) {
			ctx := t.Context()
			for i, cust := range []string{"cust-1", "cust-1", "cust-2", "cust-1", "cust-3"} {
				in := casekit.NewCase{Subject: "Count me", CustomerID: cust, Tags: []string{"vip"}}
				if i%2 == 1 {
					in.Tags, in.Priority = nil, "high"
				}
				openWith(t, e.Agent(), in)
			}
			for _, tc := range []struct {
				f    casekit.CaseFilter
				want int64
			}{
				{casekit.CaseFilter{}, 5},
				{casekit.CaseFilter{CustomerID: "cust-1"}, 3},
				{casekit.CaseFilter{Priority: []string{"high"}}, 2},
				{casekit.CaseFilter{Tag: "vip"}, 3},
				{casekit.CaseFilter{Text: "count"}, 5},
				{casekit.CaseFilter{CustomerID: "cust-9"}, 0},
				{casekit.CaseFilter{StatusFlags: []string{"final"}}, 0},
				{casekit.CaseFilter{Limit: 1, Sort: casekit.SortUpdated}, 5}, // a count has no page
			} {
				got := try(e.Agent().CountCases(ctx, tc.f)).get(t)
				wantEqual(t, casekit.Count{N: tc.want}, got, "count of %+v", tc.f)
			}
			mine := try(e.Desk(casekit.Customer("cust-1")).CountCases(ctx, casekit.CaseFilter{})).get(t)
			wantEqual(t, casekit.Count{N: 3}, mine, "cust-1's own count")
			wantInvalid(t, try(e.Desk(casekit.Customer("cust-1")).CountCases(ctx, casekit.CaseFilter{AssigneeID: "agent-1"})).err,
				"a customer counting by assignee", "assignee_id")
			wantInvalid(t, try(e.Agent().CountCases(ctx, casekit.CaseFilter{Status: []string{"nonsense"}})).err, "an unknown status", "status")
		}},
		{"the store counts up to the bound and estimates beyond it", func(t *testing.T, e *Env) {
			for range 4 {
				openWith(t, e.Agent(), casekit.NewCase{Subject: "Many", CustomerID: "cust-1"})
			}
			e.InTx(t, func(ctx context.Context, tx store.Tx) error {
				n, estimated, err := tx.CountCases(ctx, store.CaseQuery{Limit: 1}, 4)
				must(t, err, "count at the bound")
				if n != 4 || estimated {
					t.Errorf("4 cases with bound 4: %d, estimated %v; want exactly 4", n, estimated)
				}
				n, estimated, err = tx.CountCases(ctx, store.CaseQuery{}, 3)
				must(t, err, "count over the bound")
				if n <= 3 || !estimated {
					t.Errorf("4 cases with bound 3: %d, estimated %v; want an estimate above 3", n, estimated)
				}
				n, estimated, err = tx.CountCases(ctx, store.CaseQuery{VisibleTo: "cust-2"}, 3)
				must(t, err, "count of none")
				if n != 0 || estimated {
					t.Errorf("no case of cust-2: %d, estimated %v", n, estimated)
				}
				return nil
			})
		}},
	})
}
