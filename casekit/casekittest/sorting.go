package casekittest

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

// sortKeys lists every key of CaseFilter.Sort; "" is the default.
var sortKeys = []string{
	casekit.SortCreated, casekit.SortCreatedDesc, casekit.SortUpdated, casekit.SortUpdatedDesc,
	casekit.SortPriority, casekit.SortPriorityDesc, casekit.SortDue, casekit.SortDueDesc,
}

// compareCases is the order of the list sorted by sort, written out
// independently of the stores: it says whether a comes before (< 0) or
// after (> 0) b. ranks is the priority lookup; a priority not in it ranks
// below every one that is.
func compareCases(sort string, ranks map[string]int, a, b *casekit.Case) int {
	if key, ok := strings.CutPrefix(sort, "-"); ok {
		return -compareCases(key, ranks, a, b)
	}
	var c int
	switch sort {
	case casekit.SortCreated, "":
		if sort == "" { // the default, newest first
			return -compareCases(casekit.SortCreated, ranks, a, b)
		}
	case casekit.SortUpdated:
		c = a.UpdatedAt.Compare(b.UpdatedAt)
	case casekit.SortPriority:
		rank := func(c *casekit.Case) (int, bool) { r, ok := ranks[c.Priority]; return r, ok }
		ra, oka := rank(a)
		rb, okb := rank(b)
		switch {
		case oka != okb && oka: // the one in the lookup first
			c = -1
		case oka != okb:
			c = 1
		default:
			c = cmp.Compare(rb, ra) // the higher rank first
		}
	case casekit.SortDue:
		switch da, db := a.ResolutionDue, b.ResolutionDue; {
		case da == nil && db == nil:
		case da == nil: // no deadline last
			c = 1
		case db == nil:
			c = -1
		default:
			c = da.Compare(*db)
		}
	default:
		panic("compareCases: unknown sort " + sort)
	}
	if c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// sorted returns cs in the order of sort.
func sorted(cs []*casekit.Case, sort string, ranks map[string]int) []*casekit.Case {
	out := slices.Clone(cs)
	slices.SortFunc(out, func(a, b *casekit.Case) int { return compareCases(sort, ranks, a, b) })
	return out
}

// after returns the cases of cs that come after last in the order of sort,
// in that order: what a page that continues after last must begin with.
func after(cs []*casekit.Case, last *casekit.Case, sort string, ranks map[string]int) []*casekit.Case {
	var out []*casekit.Case
	for _, c := range sorted(cs, sort, ranks) {
		if compareCases(sort, ranks, c, last) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// allCases returns every case of the env's tenant as it is now, listed in
// the default order.
func (e *Env) allCases(t testing.TB) []*casekit.Case {
	t.Helper()
	page := try(e.Agent().ListCases(t.Context(), casekit.CaseFilter{Limit: 500})).get(t)
	if page.Next != "" {
		t.Fatalf("more than 500 cases")
	}
	return page.Cases
}

// priorityRanks returns the tenant's priority lookup as key to rank.
func (e *Env) priorityRanks(t testing.TB) map[string]int {
	t.Helper()
	ranks := map[string]int{}
	for _, l := range try(e.Agent().Config().Lookups(t.Context(), casekit.LookupPriority)).get(t) {
		ranks[l.Key] = l.Rank
	}
	return ranks
}

// sortingSet opens cases made to tell the sorts apart and to tie on each
// sort value: priorities of equal rank ("urgent" ranks as "high"), a
// priority no longer in the lookup ("obsolete", deleted after use), cases
// opened at the same instant with the same deadline, cases with no
// resolution deadline, and cases changed at the same instant. Customer
// "cust-a" has every third case. It returns the cases as they are at the
// end.
func (e *Env) sortingSet(t testing.TB) []*casekit.Case {
	t.Helper()
	ctx, d := t.Context(), e.Agent()
	e.slaSetup(t)
	must(t, d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupPriority, Key: "urgent", Label: "Urgent", Rank: 30}), "SaveLookup(urgent)")
	must(t, d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupPriority, Key: "obsolete", Label: "Obsolete", Rank: 50}), "SaveLookup(obsolete)")
	for i, in := range []struct {
		tick     bool // move the clock first
		priority string
		sla      string
	}{
		{false, "low", "round"},
		{false, "low", "round"}, // the same deadline as the first
		{true, "critical", "round"},
		{false, "high", ""},
		{true, "obsolete", "round"},
		{false, "urgent", "round"},
		{true, "high", "round"},
		{false, "medium", ""},
		{false, "critical", ""},
		{true, "obsolete", ""},
		{false, "medium", "round"},
		{false, "medium", "round"}, // the same deadline as the one before
		{true, "urgent", ""},
		{false, "low", ""},
		{true, "critical", "round"},
		{false, "high", "round"},
	} {
		if in.tick {
			e.Tick()
		}
		cust := "cust-b"
		if i%3 == 0 {
			cust = "cust-a"
		}
		openWith(t, d, casekit.NewCase{Subject: fmt.Sprintf("Case %d", i+1), CustomerID: cust, Priority: in.priority, SLAID: in.sla})
	}
	cs := sorted(e.allCases(t), casekit.SortCreated, nil)
	e.Tick()
	for _, i := range []int{1, 6, 12} { // changed at the same instant
		try(d.UpdateCase(ctx, cs[i].ID, casekit.CaseUpdate{Subject: ptr("Changed")})).get(t)
	}
	e.Tick()
	try(d.UpdateCase(ctx, cs[3].ID, casekit.CaseUpdate{Subject: ptr("Changed later")})).get(t)
	must(t, d.Config().DeleteLookup(ctx, casekit.LookupPriority, "obsolete"), "DeleteLookup(obsolete)")
	return e.allCases(t)
}

// wantOrder reports a failure unless got lists the same cases as want, in
// the same order.
func wantOrder(t testing.TB, got, want []*casekit.Case, what string, args ...any) bool {
	t.Helper()
	if !slices.Equal(ids(got), ids(want)) {
		t.Errorf("%s = %v, want %v", fmt.Sprintf(what, args...), numbers(got), numbers(want))
		return false
	}
	return true
}

func testSorting(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"each sort lists the cases in its order", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			cs := e.sortingSet(t)
			ranks := e.priorityRanks(t)
			if _, ok := ranks["obsolete"]; ok {
				t.Fatalf("the obsolete priority is still in the lookup")
			}
			// The set tells every sort from every other, so a store that
			// ignores the sort cannot pass.
			seen := map[string]string{}
			for _, sort := range sortKeys {
				key := fmt.Sprint(numbers(sorted(cs, sort, ranks)))
				if other, ok := seen[key]; ok {
					t.Fatalf("sorts %s and %s give the same order %s; the set does not tell them apart", other, sort, key)
				}
				seen[key] = sort
			}
			for _, sort := range append([]string{""}, sortKeys...) {
				want := sorted(cs, sort, ranks)
				page := try(d.ListCases(ctx, casekit.CaseFilter{Sort: sort})).get(t)
				wantOrder(t, page.Cases, want, "ListCases sorted by %q", sort)
				if page.Next != "" {
					t.Errorf("ListCases sorted by %q has a next cursor on its only page", sort)
				}
				for _, limit := range []int{1, 2, 5} {
					got := pageAll(t, d, casekit.CaseFilter{Sort: sort, Limit: limit})
					wantOrder(t, got, want, "pages of %d sorted by %q", limit, sort)
				}
				cust := e.Desk(casekit.Customer("cust-a"))
				var own []*casekit.Case
				for _, c := range want {
					if c.CustomerID == "cust-a" {
						own = append(own, c)
					}
				}
				wantOrder(t, pageAll(t, cust, casekit.CaseFilter{Sort: sort, Limit: 2}), own, "a customer's pages of 2 sorted by %q", sort)
				// The same sort under a filter: every priority but low.
				var notLow []*casekit.Case
				for _, c := range want {
					if c.Priority != "low" {
						notLow = append(notLow, c)
					}
				}
				f := casekit.CaseFilter{Sort: sort, Limit: 3, Priority: []string{"critical", "high", "urgent", "medium", "obsolete"}}
				wantOrder(t, pageAll(t, d, f), notLow, "pages of 3 of a priority filter sorted by %q", sort)
			}
		}},
		{"a priority's new rank reorders its cases at once", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			cs := e.sortingSet(t)
			for _, i := range []int{0, 2, 5, 9, 13} { // a second status, for the lists of two
				try(d.SetStatus(ctx, cs[i].ID, casekit.StatusInProgress)).get(t)
			}
			check := func(step string) {
				t.Helper()
				cs = e.allCases(t)
				ranks := e.priorityRanks(t)
				for _, sort := range []string{casekit.SortPriority, casekit.SortPriorityDesc} {
					want := sorted(cs, sort, ranks)
					wantOrder(t, pageAll(t, d, casekit.CaseFilter{Sort: sort, Limit: 3}), want,
						"%s: pages of 3 sorted by %q", step, sort)
					var two []*casekit.Case
					for _, c := range want {
						if c.Status == casekit.StatusNew || c.Status == casekit.StatusInProgress {
							two = append(two, c)
						}
					}
					f := casekit.CaseFilter{Sort: sort, Limit: 2, Status: []string{casekit.StatusInProgress, casekit.StatusNew}}
					wantOrder(t, pageAll(t, d, f), two, "%s: pages of 2 of two statuses sorted by %q", step, sort)
				}
			}
			check("as opened")
			// low above critical: every low case moves to the front.
			must(t, d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupPriority, Key: "low", Label: "Low", Rank: 45}), "rank low 45")
			check("low ranked 45")
			// The priority no longer in the lookup comes back, ranked.
			must(t, d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupPriority, Key: "obsolete", Label: "Obsolete", Rank: 25}), "add obsolete again")
			check("obsolete back at 25")
			// A relabel keeps the rank and the order.
			must(t, d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupPriority, Key: "obsolete", Label: "Old", Rank: 25}), "relabel obsolete")
			check("obsolete relabelled")
			// A deleted priority ranks below every other.
			must(t, d.Config().DeleteLookup(ctx, casekit.LookupPriority, "urgent"), "delete urgent")
			check("urgent deleted")
			// A case whose priority changes takes the new priority's rank.
			prio := "critical"
			try(d.UpdateCase(ctx, cs[len(cs)-1].ID, casekit.CaseUpdate{Priority: &prio})).get(t)
			check("a case made critical")
			// Ranks at the edges of the range still sort above the
			// priorities not in the lookup.
			must(t, d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupPriority, Key: "obsolete", Label: "Old", Rank: -2147483647}), "rank obsolete lowest")
			must(t, d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupPriority, Key: "high", Label: "High", Rank: 2147483647}), "rank high highest")
			check("ranks at the edges")
			before := e.tenantState(t)
			for _, rank := range []int{-2147483648, 2147483648, -1 << 40} {
				wantInvalid(t, d.Config().SaveLookup(ctx, casekit.Lookup{Kind: casekit.LookupPriority, Key: "low", Label: "Low", Rank: rank}),
					fmt.Sprintf("a priority ranked %d", rank), "rank")
			}
			wantEqual(t, before, e.tenantState(t), "tenant configuration after refused ranks")
			check("after refused ranks")
			// Several saved at once, as a new tenant's defaults are: a
			// rank changed (the later of two saves of low wins), one
			// unchanged, one back in the lookup, and a lookup of another
			// kind; the configuration's version changes with them, as
			// the kit's own writes change it, so that the kit reads them.
			ranks := e.priorityRanks(t)
			must(t, e.Store.InTx(ctx, e.Tenant, func(ctx context.Context, tx store.Tx) error {
				err := tx.SaveLookups(ctx, []casekit.Lookup{
					{Kind: casekit.LookupPriority, Key: "low", Label: "Low", Rank: 5},
					{Kind: casekit.LookupCaseType, Key: "billing", Label: "Billing", Rank: 50},
					{Kind: casekit.LookupPriority, Key: "urgent", Label: "Urgent", Rank: 60},
					{Kind: casekit.LookupPriority, Key: "medium", Label: "Medium", Rank: ranks["medium"]},
					{Kind: casekit.LookupPriority, Key: "low", Label: "Lowest", Rank: 55},
				})
				if err != nil {
					return err
				}
				v, err := tx.ConfigVersion(ctx)
				if err != nil {
					return err
				}
				return tx.SetConfigVersion(ctx, v+1)
			}), "SaveLookups")
			ranks = e.priorityRanks(t)
			if ranks["low"] != 55 || ranks["urgent"] != 60 {
				t.Errorf("after SaveLookups, low ranks %d and urgent %d, want 55 and 60", ranks["low"], ranks["urgent"])
			}
			types := try(d.Config().Lookups(ctx, casekit.LookupCaseType)).get(t)
			if !slices.ContainsFunc(types, func(l casekit.Lookup) bool { return l.Key == "billing" && l.Rank == 50 }) {
				t.Errorf("after SaveLookups, case types %+v, want billing at 50", types)
			}
			check("several saved at once")
		}},
		{"the sorts' orders, spelled out", func(t *testing.T, e *Env) {
			d := e.Agent()
			cs := sorted(e.sortingSet(t), casekit.SortCreated, nil)
			nums := func(sort string) []int64 {
				return numbers(pageAll(t, d, casekit.CaseFilter{Sort: sort, Limit: 4}))
			}
			for _, tc := range []struct {
				sort string
				want []int64
			}{
				{casekit.SortCreated, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
				{casekit.SortCreatedDesc, []int64{16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
				// Never changed (by creation), then #2, #7, #13 changed together, then #4.
				{casekit.SortUpdated, []int64{1, 3, 5, 6, 8, 9, 10, 11, 12, 14, 15, 16, 2, 7, 13, 4}},
				{casekit.SortUpdatedDesc, []int64{4, 13, 7, 2, 16, 15, 14, 12, 11, 10, 9, 8, 6, 5, 3, 1}},
				// critical 40; high and urgent 30, oldest first; medium 20; low 10; obsolete.
				{casekit.SortPriority, []int64{3, 9, 15, 4, 6, 7, 13, 16, 8, 11, 12, 1, 2, 14, 5, 10}},
				{casekit.SortPriorityDesc, []int64{10, 5, 14, 2, 1, 12, 11, 8, 16, 13, 7, 6, 4, 15, 9, 3}},
			} {
				if got := nums(tc.sort); !slices.Equal(got, tc.want) {
					t.Errorf("pages sorted by %s = %v, want %v", tc.sort, got, tc.want)
				}
			}
			// #5 and #6 have the SLA, but it sets no target for their
			// priorities, obsolete and urgent.
			var none []int64
			for _, c := range cs {
				if c.ResolutionDue == nil {
					none = append(none, c.Number)
				}
			}
			if want := []int64{4, 5, 6, 8, 9, 10, 13, 14}; !slices.Equal(none, want) {
				t.Fatalf("cases with no resolution deadline: %v, want %v", none, want)
			}
			if !cs[0].ResolutionDue.Equal(*cs[1].ResolutionDue) || !cs[10].ResolutionDue.Equal(*cs[11].ResolutionDue) {
				t.Errorf("#1 and #2, #11 and #12 should share deadlines: %v %v, %v %v", cs[0].ResolutionDue, cs[1].ResolutionDue, cs[10].ResolutionDue, cs[11].ResolutionDue)
			}
			for _, tc := range []struct {
				sort string
				want []int64
			}{
				// Opened at minutes 1 and 6 with 4 hours, 3 and 6 with 16, 4
				// with 40, 0 with 80; then the cases with no deadline.
				{casekit.SortDue, []int64{3, 15, 7, 16, 11, 12, 1, 2, 4, 5, 6, 8, 9, 10, 13, 14}},
				{casekit.SortDueDesc, []int64{14, 13, 10, 9, 8, 6, 5, 4, 2, 1, 12, 11, 16, 7, 15, 3}},
			} {
				if got := numbers(pageAll(t, d, casekit.CaseFilter{Sort: tc.sort, Limit: 3})); !slices.Equal(got, tc.want) {
					t.Errorf("pages sorted by %s = %v, want %v", tc.sort, got, tc.want)
				}
			}
		}},
		{"pages continue after the last case while cases are opened and changed", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			e.sortingSet(t)
			prios := []string{"critical", "low", "urgent", "medium", "high"}
			step := 0
			// change opens a case, every other time with an SLA, and
			// changes the priority (and with it the deadline and the update
			// time) of two others: last, the case the page ended on, and
			// one more.
			change := func(cs []*casekit.Case, last *casekit.Case) (changed []string) {
				step++
				e.Tick()
				sla := ""
				if step%2 == 0 {
					sla = "round"
				}
				openWith(t, d, casekit.NewCase{Subject: fmt.Sprintf("New %d", step), Priority: prios[step%len(prios)], SLAID: sla})
				e.Tick()
				other := cs[(step*7)%len(cs)]
				for i, c := range []*casekit.Case{last, other} {
					p := prios[(step+i+1)%len(prios)]
					if p == c.Priority {
						p = prios[(step+i+2)%len(prios)]
					}
					try(d.UpdateCase(ctx, c.ID, casekit.CaseUpdate{Priority: &p})).get(t)
					changed = append(changed, c.ID)
				}
				return changed
			}
			for _, sort := range sortKeys {
				ranks := e.priorityRanks(t)
				before := e.allCases(t)
				untouched := map[string]bool{}
				for _, c := range before {
					untouched[c.ID] = true
				}
				f := casekit.CaseFilter{Sort: sort, Limit: 3}
				page := try(d.ListCases(ctx, f)).get(t)
				wantOrder(t, page.Cases, sorted(before, sort, ranks)[:3], "first page sorted by %s", sort)
				var got []*casekit.Case
				for i := 0; page.Next != ""; i++ {
					if i > 50 {
						t.Fatalf("pages sorted by %s never end", sort)
					}
					got = append(got, page.Cases...)
					last := page.Cases[len(page.Cases)-1]
					if i < 4 { // then no more, so that the list ends
						for _, id := range change(e.allCases(t), last) {
							delete(untouched, id)
						}
					}
					now := e.allCases(t)
					f.After = page.Next
					page = try(d.ListCases(ctx, f)).get(t)
					want := after(now, last, sort, ranks)
					if len(want) > 3 {
						want = want[:3]
					}
					if !wantOrder(t, page.Cases, want, "page %d sorted by %s, after #%d as it was", i+2, sort, last.Number) {
						break
					}
				}
				got = append(got, page.Cases...)
				// Each case nobody changed came exactly once, in order.
				var mine []*casekit.Case
				for _, c := range got {
					if untouched[c.ID] {
						mine = append(mine, c)
					}
				}
				var want []*casekit.Case
				for _, c := range sorted(before, sort, ranks) {
					if untouched[c.ID] {
						want = append(want, c)
					}
				}
				wantOrder(t, mine, want, "the unchanged cases on the pages sorted by %s", sort)
			}
		}},
		{"an unknown sort is refused", func(t *testing.T, e *Env) {
			e.open(t, "Case", "cust-1")
			for _, sort := range []string{"newest", "Created", "-", "--due", "+due", " priority", "priority ", "created,id", "number", "id"} {
				wantRule(t, errOf(e.Agent().ListCases(t.Context(), casekit.CaseFilter{Sort: sort})), "ListCases sorted by "+strconv.Quote(sort), "sort", "oneof")
			}
		}},
		{"a malformed or forged cursor is refused for every sort", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			c := e.open(t, "Case", "cust-1")
			enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
			for _, sort := range sortKeys {
				for _, cur := range []string{
					"garbage!", "!!!", "x", "' OR 1=1 --", enc("c2:"), enc("c2:" + c.ID),
					enc("c9:" + sort + "::" + c.ID), enc("c2:" + sort + "::" + c.ID + ":x"), enc("c2:" + sort + ":1:not-a-uuid"),
					enc("c2:" + sort + ":'); DROP TABLE cases; --:" + c.ID), enc("c2:" + sort + ":1.5:" + c.ID),
					enc("c2:" + sort + ":99999999999999999999:" + c.ID), enc("c2:" + sort + ":" + strings.Repeat("9", 400) + ":" + c.ID),
					strings.Repeat("Yz", 5000),
				} {
					wantRule(t, errOf(d.ListCases(ctx, casekit.CaseFilter{Sort: sort, After: cur})), "ListCases sorted by "+sort+" after "+cur, "after", "cursor")
				}
			}
			// Well-formed cursors with values no case has are no error:
			// the extremes of the ranges a cursor may hold.
			year1, year9999 := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
			for _, tc := range []struct {
				sort, value string
				want        int
			}{
				{casekit.SortUpdated, strconv.FormatInt(year1.UnixMicro(), 10), 1},
				{casekit.SortUpdated, strconv.FormatInt(year9999.UnixMicro(), 10), 0},
				{casekit.SortUpdatedDesc, strconv.FormatInt(year9999.UnixMicro(), 10), 1},
				{casekit.SortDue, strconv.FormatInt(year9999.UnixMicro(), 10), 1}, // the case has no deadline: after every one
				{casekit.SortDue, strconv.FormatInt(year1.UnixMicro(), 10), 1},
				{casekit.SortDueDesc, strconv.FormatInt(year1.UnixMicro(), 10), 0},
				{casekit.SortPriority, "-9223372036854775808", 0}, // the case's rank comes before it
				{casekit.SortPriority, "9223372036854775807", 1},
				{casekit.SortPriorityDesc, "-9223372036854775808", 1},
				{casekit.SortPriorityDesc, "9223372036854775807", 0},
			} {
				for _, id := range []string{"00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"} {
					page, err := d.ListCases(ctx, casekit.CaseFilter{Sort: tc.sort, After: enc("c2:" + tc.sort + ":" + tc.value + ":" + id)})
					if err != nil || len(page.Cases) != tc.want {
						t.Errorf("ListCases sorted by %s after %s/%s: %d cases, %v; want %d", tc.sort, tc.value, id, len(casesOf(page)), err, tc.want)
					}
				}
			}
		}},
		{"a cursor continues only the sort it came from", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			for range 4 {
				e.open(t, "Case", "cust-1")
			}
			for _, from := range append([]string{""}, sortKeys...) {
				page := try(d.ListCases(ctx, casekit.CaseFilter{Sort: from, Limit: 2})).get(t)
				if page.Next == "" {
					t.Fatalf("ListCases sorted by %q with Limit 2 over 4 cases has no next cursor", from)
				}
				for _, to := range append([]string{""}, sortKeys...) {
					_, err := d.ListCases(ctx, casekit.CaseFilter{Sort: to, Limit: 2, After: page.Next})
					same := from == to || from == "" && to == casekit.SortCreatedDesc || from == casekit.SortCreatedDesc && to == ""
					if same {
						wantOK(t, err, "a cursor sorted by %q continuing a list sorted by %q", from, to)
					} else {
						wantRule(t, err, fmt.Sprintf("a cursor sorted by %q continuing a list sorted by %q", from, to), "after", "cursor")
					}
				}
			}
		}},
		{"a cursor from before sorting continues the newest-first list", func(t *testing.T, e *Env) {
			ctx, d := t.Context(), e.Agent()
			for range 5 {
				e.open(t, "Case", "cust-1")
			}
			cs := sorted(e.allCases(t), casekit.SortCreated, nil)
			v1 := base64.RawURLEncoding.EncodeToString([]byte("c1:" + cs[3].ID)) // after #4, newest first
			for _, sort := range []string{"", casekit.SortCreatedDesc} {
				page := try(d.ListCases(ctx, casekit.CaseFilter{Sort: sort, After: v1})).get(t)
				if !slices.Equal(numbers(page.Cases), []int64{3, 2, 1}) {
					t.Errorf("ListCases sorted by %q after a c1 cursor at #4 = %v, want 3, 2, 1", sort, numbers(page.Cases))
				}
			}
			for _, sort := range []string{casekit.SortCreated, casekit.SortUpdated, casekit.SortUpdatedDesc, casekit.SortPriority, casekit.SortPriorityDesc, casekit.SortDue, casekit.SortDueDesc} {
				wantRule(t, errOf(d.ListCases(ctx, casekit.CaseFilter{Sort: sort, After: v1})), "a c1 cursor in a list sorted by "+sort, "after", "cursor")
			}
		}},
	})
}

// casesOf returns the cases of a page, none when there is no page.
func casesOf(p *casekit.CasePage) []*casekit.Case {
	if p == nil {
		return nil
	}
	return p.Cases
}
