package casekittest

import (
	"encoding/base64"
	"slices"
	"testing"
	"time"

	"casekit.dev/casekit"
	"github.com/google/uuid"
)

// pageAll lists every page of f as d, checking each page's size, and
// returns the cases in order.
func pageAll(t testing.TB, d *casekit.Desk, f casekit.CaseFilter) []*casekit.Case {
	t.Helper()
	var all []*casekit.Case
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatalf("ListCases(%+v) never ends", f)
		}
		page := try(d.ListCases(t.Context(), f)).get(t)
		if f.Limit > 0 && len(page.Cases) > f.Limit {
			t.Fatalf("page %d has %d cases, more than the limit %d", i, len(page.Cases), f.Limit)
		}
		if page.Next != "" && len(page.Cases) != f.Limit && !(f.Limit == 0 && len(page.Cases) == 50) {
			t.Errorf("page %d has %d cases and a next cursor; only full pages have one", i, len(page.Cases))
		}
		all = append(all, page.Cases...)
		if page.Next == "" {
			return all
		}
		f.After = page.Next
	}
}

// reversed returns the numbers of cs from last to first.
func reversed(cs []*casekit.Case) []int64 {
	n := numbers(cs)
	slices.Reverse(n)
	return n
}

func testPagination(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"pages through every case newest first", func(t *testing.T, e *Env) {
			var opened []*casekit.Case
			for range 23 {
				opened = append(opened, e.open(t, "Case", "cust-1"))
			}
			for _, limit := range []int{1, 5, 7, 23, 100} {
				got := pageAll(t, e.Agent(), casekit.CaseFilter{Limit: limit})
				if !slices.Equal(numbers(got), reversed(opened)) {
					t.Errorf("pages of %d: %v, want %v", limit, numbers(got), reversed(opened))
				}
			}
			page := try(e.Agent().ListCases(t.Context(), casekit.CaseFilter{Limit: 5})).get(t)
			if !slices.Equal(numbers(page.Cases), []int64{23, 22, 21, 20, 19}) || page.Next == "" {
				t.Errorf("first page of 5 = %v (next %q), want 23..19 and a cursor", numbers(page.Cases), page.Next)
			}
		}},
		{"a full last page has no next cursor", func(t *testing.T, e *Env) {
			for range 10 {
				e.open(t, "Case", "cust-1")
			}
			p1 := try(e.Agent().ListCases(t.Context(), casekit.CaseFilter{Limit: 5})).get(t)
			p2 := try(e.Agent().ListCases(t.Context(), casekit.CaseFilter{Limit: 5, After: p1.Next})).get(t)
			if !slices.Equal(numbers(p2.Cases), []int64{5, 4, 3, 2, 1}) || p2.Next != "" {
				t.Errorf("second page = %v (next %q), want 5..1 and no cursor", numbers(p2.Cases), p2.Next)
			}
			if all := try(e.Agent().ListCases(t.Context(), casekit.CaseFilter{Limit: 10})).get(t); len(all.Cases) != 10 || all.Next != "" {
				t.Errorf("page of 10 over 10 cases: %d cases, next %q; want 10 and no cursor", len(all.Cases), all.Next)
			}
		}},
		{"the default page holds 50 cases", func(t *testing.T, e *Env) {
			for range 51 {
				e.open(t, "Case", "cust-1")
			}
			p1 := try(e.Agent().ListCases(t.Context(), casekit.CaseFilter{})).get(t)
			if len(p1.Cases) != 50 || p1.Next == "" || p1.Cases[0].Number != 51 {
				t.Fatalf("default page: %d cases from #%d, next %q; want 50 from #51 and a cursor", len(p1.Cases), p1.Cases[0].Number, p1.Next)
			}
			p2 := try(e.Agent().ListCases(t.Context(), casekit.CaseFilter{After: p1.Next})).get(t)
			if !slices.Equal(numbers(p2.Cases), []int64{1}) || p2.Next != "" {
				t.Errorf("second default page = %v (next %q), want #1 and no cursor", numbers(p2.Cases), p2.Next)
			}
		}},
		{"pages stay stable while cases are added, changed and deleted", func(t *testing.T, e *Env) {
			ctx := t.Context()
			var opened []*casekit.Case
			for range 12 {
				opened = append(opened, e.open(t, "Case", "cust-1"))
			}
			p1 := try(e.Agent().ListCases(ctx, casekit.CaseFilter{Limit: 5})).get(t)
			if !slices.Equal(numbers(p1.Cases), []int64{12, 11, 10, 9, 8}) {
				t.Fatalf("first page = %v, want 12..8", numbers(p1.Cases))
			}
			for range 3 {
				e.open(t, "Newer", "cust-1")
			}
			must(t, e.Agent().DeleteCase(ctx, opened[7].ID, "the cursor's own case"), "DeleteCase(#8)")
			try(e.Agent().UpdateCase(ctx, opened[4].ID, casekit.CaseUpdate{Subject: ptr("Changed")})).get(t)
			e.into(t, opened[2], casekit.StatusClosed)
			p2 := try(e.Agent().ListCases(ctx, casekit.CaseFilter{Limit: 5, After: p1.Next})).get(t)
			if !slices.Equal(numbers(p2.Cases), []int64{7, 6, 5, 4, 3}) || p2.Next == "" {
				t.Fatalf("second page = %v (next %q), want 7..3 and a cursor", numbers(p2.Cases), p2.Next)
			}
			e.open(t, "Newest", "cust-1")
			p3 := try(e.Agent().ListCases(ctx, casekit.CaseFilter{Limit: 5, After: p2.Next})).get(t)
			if !slices.Equal(numbers(p3.Cases), []int64{2, 1}) || p3.Next != "" {
				t.Errorf("third page = %v (next %q), want 2, 1 and no cursor", numbers(p3.Cases), p3.Next)
			}
		}},
		{"a malformed cursor is refused", func(t *testing.T, e *Env) {
			e.open(t, "Case", "cust-1")
			enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
			for _, cur := range []string{"garbage!", "!!!", "x", enc("c1:not-a-uuid"), enc("c2:" + uuid.NewString()), enc(uuid.NewString()), enc("c1:"), "' OR 1=1 --"} {
				wantRule(t, errOf(e.Agent().ListCases(t.Context(), casekit.CaseFilter{After: cur})), "ListCases after "+cur, "after", "cursor")
			}
		}},
		{"each filter returns exactly the matching cases", testFilters},
	})
}

// testFilters lists a set of cases made to tell filters apart, with every
// filter field alone and combined.
func testFilters(t *testing.T, e *Env) {
	ctx := t.Context()
	t0 := e.Now()
	hour := func(h float64) *time.Time { return ptr(t0.Add(time.Duration(h * float64(time.Hour)))) }
	day := func(d int) *time.Time { return ptr(t0.Add(time.Duration(d) * 24 * time.Hour)) }
	d := e.Agent()
	open := func(in casekit.NewCase) *casekit.Case {
		e.Clock.Advance(time.Hour)
		return openWith(t, d, in)
	}
	e.places(t, []string{"t1", "t2"}, casekit.Queue{ID: "q1", Name: "One"}, casekit.Queue{ID: "q2", Name: "Two"})
	open(casekit.NewCase{Subject: "Printer on fire", Description: "the printer smokes", Priority: "high", Type: "problem", CustomerID: "c1",
		AssigneeID: "a1", TeamID: "t1", QueueID: "q1", Tags: []string{"hardware", "urgent"}, Deadline: day(10)})
	open(casekit.NewCase{Subject: "Refund 100% please", Priority: "low", Type: "request", CustomerID: "c2", QueueID: "q2",
		Tags: []string{"billing"}, Deadline: day(2)})
	open(casekit.NewCase{Subject: "Invoice 100 missing", Description: "refund_id missing", Priority: "medium", Type: "question", CustomerID: "c1",
		AssigneeID: "a2", TeamID: "t2", Tags: []string{"billing", "hardware"}})
	open(casekit.NewCase{Subject: "Login broken", Description: "Cannot log in; printer fine", Priority: "critical", Type: "problem", CustomerID: "c3"})
	c5 := open(casekit.NewCase{Subject: "Refund request", Description: "wants a refund for order 7", Priority: "high", Type: "complaint", CustomerID: "c4"})
	c6 := open(casekit.NewCase{Subject: "Big_file upload", Description: "upload of big file fails at 100 percent", CustomerID: "c4"})
	c7 := open(casekit.NewCase{Subject: "Old printer question", Priority: "low", CustomerID: "c5"})
	open(casekit.NewCase{Subject: "Big file too", CustomerID: "c5"})
	open(casekit.NewCase{Subject: "Windows path", Description: `it lives in C:\temp\x`, CustomerID: "c5"})
	try(e.Desk(casekit.Agent("a3")).SetStatus(ctx, c5.ID, casekit.StatusInProgress)).get(t)
	try(d.SetStatus(ctx, c6.ID, casekit.StatusWaiting)).get(t)
	try(d.Resolve(ctx, c7.ID, casekit.Resolution{})).get(t)

	for _, tc := range []struct {
		name string
		f    casekit.CaseFilter
		want []int64
	}{
		{"no filter", casekit.CaseFilter{}, []int64{9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"status in_progress", casekit.CaseFilter{Status: []string{"in_progress"}}, []int64{5}},
		{"status waiting or resolved", casekit.CaseFilter{Status: []string{"waiting_for_response", "resolved"}}, []int64{7, 6}},
		{"status new", casekit.CaseFilter{Status: []string{"new"}}, []int64{9, 8, 4, 3, 2, 1}},
		{"status closed", casekit.CaseFilter{Status: []string{"closed"}}, nil},
		{"priority high", casekit.CaseFilter{Priority: []string{"high"}}, []int64{5, 1}},
		{"priority low or critical", casekit.CaseFilter{Priority: []string{"low", "critical"}}, []int64{7, 4, 2}},
		{"type problem", casekit.CaseFilter{Type: "problem"}, []int64{4, 1}},
		{"customer c1", casekit.CaseFilter{CustomerID: "c1"}, []int64{3, 1}},
		{"assignee a1", casekit.CaseFilter{AssigneeID: "a1"}, []int64{1}},
		{"assignee set by moving to in progress", casekit.CaseFilter{AssigneeID: "a3"}, []int64{5}},
		{"team t1", casekit.CaseFilter{TeamID: "t1"}, []int64{1}},
		{"queue q2", casekit.CaseFilter{QueueID: "q2"}, []int64{2}},
		{"tag billing", casekit.CaseFilter{Tag: "billing"}, []int64{3, 2}},
		{"tag hardware", casekit.CaseFilter{Tag: "hardware"}, []int64{3, 1}},
		{"tag urgent", casekit.CaseFilter{Tag: "urgent"}, []int64{1}},
		{"part of a tag", casekit.CaseFilter{Tag: "bill"}, nil},
		{"any of two tags", casekit.CaseFilter{Tags: []string{"billing", "urgent"}}, []int64{3, 2, 1}},
		{"all of two tags", casekit.CaseFilter{Tags: []string{"billing", "hardware"}, AllTags: true}, []int64{3}},
		{"any tag and the single tag filter", casekit.CaseFilter{Tag: "hardware", Tags: []string{"billing", "urgent"}}, []int64{3, 1}},
		{"status flag paused", casekit.CaseFilter{StatusFlags: []string{"paused"}}, []int64{6}},
		{"status flags resolved or progress", casekit.CaseFilter{StatusFlags: []string{"resolved", "progress"}}, []int64{7, 5}},
		{"status flag active", casekit.CaseFilter{StatusFlags: []string{"active"}}, []int64{9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"status flag final", casekit.CaseFilter{StatusFlags: []string{"final"}}, nil},
		{"status new or the paused flag", casekit.CaseFilter{Status: []string{"new"}, StatusFlags: []string{"paused"}}, []int64{9, 8, 6, 4, 3, 2, 1}},
		{"created after", casekit.CaseFilter{CreatedAfter: hour(2.5)}, []int64{9, 8, 7, 6, 5, 4, 3}},
		{"created before", casekit.CaseFilter{CreatedBefore: hour(2.5)}, []int64{2, 1}},
		{"created between", casekit.CaseFilter{CreatedAfter: hour(1.5), CreatedBefore: hour(4.5)}, []int64{4, 3, 2}},
		{"deadline before 5 days", casekit.CaseFilter{DeadlineBefore: day(5)}, []int64{2}},
		{"deadline before 30 days", casekit.CaseFilter{DeadlineBefore: day(30)}, []int64{2, 1}},
		{"text one word", casekit.CaseFilter{Text: "printer"}, []int64{7, 4, 1}},
		{"text two words in the description", casekit.CaseFilter{Text: "refund missing"}, []int64{3}},
		{"text words across subject and description", casekit.CaseFilter{Text: "broken printer"}, []int64{4}},
		{"text with extra spaces", casekit.CaseFilter{Text: "  printer   smokes  "}, []int64{1}},
		{"text 100%: the word 100", casekit.CaseFilter{Text: "100%"}, []int64{6, 3, 2}},
		{"text with no word searches nothing", casekit.CaseFilter{Text: "% _ -"}, []int64{9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"text Big_file: the words big and file", casekit.CaseFilter{Text: "Big_file"}, []int64{8, 6}},
		{"text a quoted phrase", casekit.CaseFilter{Text: `"big file" upload`}, []int64{6}},
		{"text a phrase in the wrong order", casekit.CaseFilter{Text: `"file big"`}, nil},
		{"text part of a word", casekit.CaseFilter{Text: "print"}, nil},
		{"text upper case", casekit.CaseFilter{Text: "PRINTER Smokes"}, []int64{1}},
		{`text with a backslash`, casekit.CaseFilter{Text: `C:\temp`}, []int64{9}},
		{"text with quotes and operators", casekit.CaseFilter{Text: `"refund" & | ! ' : * <-> (-order)`}, []int64{5}},
		{"text #3 is case 3", casekit.CaseFilter{Text: " #3 "}, []int64{3}},
		{"text #99 is no case", casekit.CaseFilter{Text: "#99"}, nil},
		{"text with no match", casekit.CaseFilter{Text: "zzz"}, nil},
		{"status, priority and customer", casekit.CaseFilter{Status: []string{"new"}, Priority: []string{"high"}, CustomerID: "c1"}, []int64{1}},
		{"text and status", casekit.CaseFilter{Text: "printer", Status: []string{"new"}}, []int64{4, 1}},
		{"tag, customer and text", casekit.CaseFilter{Tag: "hardware", CustomerID: "c1", Text: "missing"}, []int64{3}},
	} {
		got := try(d.ListCases(ctx, tc.f)).get(t)
		if !slices.Equal(numbers(got.Cases), tc.want) || got.Next != "" {
			t.Errorf("ListCases with %s = %v (next %q), want %v", tc.name, numbers(got.Cases), got.Next, tc.want)
		}
		// The same filter, one case per page.
		tc.f.Limit = 1
		if paged := pageAll(t, d, tc.f); !slices.Equal(numbers(paged), tc.want) {
			t.Errorf("ListCases with %s, one per page = %v, want %v", tc.name, numbers(paged), tc.want)
		}
	}
}
