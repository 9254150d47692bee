package casekittest

import (
	"casekit.dev/casekit/store"
	"context"
	"slices"
	"testing"

	"casekit.dev/casekit"
)

// These check a store's migrations: open the cases, take the store's
// schema back to before a change, migrate it again and check the order.

// OpenRankedCases opens a case of each priority, tagged with the
// priority's key, and one of a priority then deleted from the lookup, and
// returns their numbers in the priority sort's order.
func OpenRankedCases(t testing.TB, d *casekit.Desk) []int64 {
	t.Helper()
	ctx := t.Context()
	if err := d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupPriority, Key: "gone", Label: "Gone", Rank: 90}); err != nil {
		t.Fatal(err)
	}
	nums := map[string]int64{}
	for _, p := range []string{"gone", "low", "critical", "medium", "high"} {
		c, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Priority " + p, Priority: p, Tags: []string{p}})
		if err != nil {
			t.Fatal(err)
		}
		nums[p] = c.Number
	}
	if err := d.Config().DeleteLookup(ctx, casekit.LookupPriority, "gone"); err != nil {
		t.Fatal(err)
	}
	return []int64{nums["critical"], nums["high"], nums["medium"], nums["low"], nums["gone"]}
}

// WantRankedCases lists the cases of OpenRankedCases by priority, in
// pages of two, and wants the order of want; and lists them by tag.
func WantRankedCases(t testing.TB, d *casekit.Desk, want []int64) {
	t.Helper()
	var got []int64
	f := casekit.CaseFilter{Sort: casekit.SortPriority, Limit: 2}
	for range len(want) {
		page, err := d.ListCases(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Cases {
			got = append(got, c.Number)
		}
		if page.Next == "" {
			break
		}
		f.After = page.Next
	}
	// A page of two more than once per case means the pages go round.
	if !slices.Equal(got, want) {
		t.Errorf("cases by priority: %v, want %v", got, want)
	}
	for _, f := range []casekit.CaseFilter{
		{Tag: "high"}, {Tags: []string{"low", "gone"}}, {Tags: []string{"low", "gone"}, AllTags: true}, {Tag: "none"},
	} {
		var wantTagged []int64
		for i, p := range []string{"critical", "high", "medium", "low", "gone"} {
			if p == f.Tag || (!f.AllTags && slices.Contains(f.Tags, p)) {
				wantTagged = append(wantTagged, want[i])
			}
		}
		page, err := d.ListCases(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, c := range page.Cases {
			got = append(got, c.Number)
		}
		slices.Sort(got)
		slices.Sort(wantTagged)
		if !slices.Equal(got, wantTagged) {
			t.Errorf("cases of tag filter %+v: %v, want %v", f, got, wantTagged)
		}
	}
}

// WantDefaultTriggers wants the tenant's stored triggers, read straight
// from the store past any cache, to be casekit.DefaultTriggers: what
// migration 24 gives a tenant made before it.
func WantDefaultTriggers(t testing.TB, s store.Store, tenant string) {
	t.Helper()
	var got []casekit.Trigger
	err := s.InTx(t.Context(), tenant, func(ctx context.Context, tx store.Tx) (err error) {
		got, err = tx.Triggers(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, casekit.DefaultTriggers(), got, "the triggers of a migrated tenant")
}
