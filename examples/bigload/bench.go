package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit"
)

// sqlHook keeps the last case-list SELECT the store ran, as Bun formatted
// it for the server (FROM "schema".cases AS c): the SQL casekit really
// issues, to EXPLAIN.
type sqlHook struct {
	mu   sync.Mutex
	last string
}

func (h *sqlHook) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (h *sqlHook) AfterQuery(_ context.Context, ev *bun.QueryEvent) {
	if strings.HasPrefix(ev.Query, "SELECT") && strings.Contains(ev.Query, ".cases AS c ") {
		h.mu.Lock()
		h.last = ev.Query
		h.mu.Unlock()
	}
}

func (h *sqlHook) take() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	q := h.last
	h.last = ""
	return q
}

// query is one benchmarked list.
type query struct {
	name string
	// filter returns the filter of the list; it may page through the
	// list first (not timed) to find a cursor.
	filter func(ctx context.Context, d *casekit.Desk) (casekit.CaseFilter, error)
	// wantErr says the filter is bad input: the list must fail with a
	// *casekit.ValidationError.
	wantErr bool
}

func plain(f casekit.CaseFilter) func(context.Context, *casekit.Desk) (casekit.CaseFilter, error) {
	return func(context.Context, *casekit.Desk) (casekit.CaseFilter, error) { return f, nil }
}

// paged returns f with the cursor after pages pages of it, or after its
// last full page when it has fewer.
func paged(f casekit.CaseFilter, pages int) func(context.Context, *casekit.Desk) (casekit.CaseFilter, error) {
	return func(ctx context.Context, d *casekit.Desk) (casekit.CaseFilter, error) {
		for range pages {
			p, err := d.ListCases(ctx, f)
			if err != nil {
				return f, err
			}
			if p.Next == "" {
				break
			}
			f.After = p.Next
		}
		return f, nil
	}
}

// queries are the lists measured on a tenant of count cases.
func queries(count int64) []query {
	word := func(rank int) string { return vocabulary[rank] }
	words := func(from, to int) string { return strings.Join(vocabulary[from:to], " ") }
	return []query{
		{name: "status new+in_progress, sort priority", filter: plain(casekit.CaseFilter{Status: []string{"new", "in_progress"}, Sort: casekit.SortPriority})},
		{name: "status waiting_for_response, priority high", filter: plain(casekit.CaseFilter{Status: []string{casekit.StatusWaiting}, Priority: []string{"high"}})},
		{name: "customer (busiest)", filter: plain(casekit.CaseFilter{CustomerID: customerID(0)})},
		{name: "customer (tail)", filter: plain(casekit.CaseFilter{CustomerID: customerID(15000)})},
		{name: "tag (common)", filter: plain(casekit.CaseFilter{Tag: tagName(0)})},
		{name: "tag (rare)", filter: plain(casekit.CaseFilter{Tag: tagName(45)})},
		{name: "tag (on no case)", filter: plain(casekit.CaseFilter{Tag: "no-such-tag"})},
		{name: "tags, any of two rare", filter: plain(casekit.CaseFilter{Tags: []string{tagName(44), tagName(45)}})},
		{name: "text, one word (" + word(100) + ")", filter: plain(casekit.CaseFilter{Text: word(100)})},
		{name: "text, one rare word (" + word(len(vocabulary)-3) + ")", filter: plain(casekit.CaseFilter{Text: word(len(vocabulary) - 3)})},
		{name: "text, two words (" + word(60) + " " + word(150) + ")", filter: plain(casekit.CaseFilter{Text: word(60) + " " + word(150)})},
		{name: "text, the 8 commonest words", filter: plain(casekit.CaseFilter{Text: words(0, 8)})},
		{name: "text, 8 common words few cases hold together (" + words(30, 38) + ")", filter: plain(casekit.CaseFilter{Text: words(30, 38)})},
		{name: "text, 32 common words (validation error)", filter: plain(casekit.CaseFilter{Text: words(0, 32)}), wantErr: true},
		{name: `text, quotes and operators`, filter: plain(casekit.CaseFilter{Text: `"` + word(60) + `" & | ! ' : * <-> (-` + word(150) + `)`})},
		{name: "text, 10,000 characters", filter: plain(casekit.CaseFilter{Text: strings.Repeat(word(60)+" ", 10000/(len(word(60))+1))}), wantErr: true},
		{name: "#number", filter: plain(casekit.CaseFilter{Text: fmt.Sprintf("#%d", count/2)})},
		{name: "deep page 50, -created", filter: paged(casekit.CaseFilter{}, 50)},
		{name: "deep page 50, -updated", filter: paged(casekit.CaseFilter{Sort: casekit.SortUpdatedDesc}, 50)},
		{name: "deep page 20, status new+in_progress, sort priority", filter: paged(casekit.CaseFilter{Status: []string{"new", "in_progress"}, Sort: casekit.SortPriority}, 20)},
		{name: "deep page 20, tag (common)", filter: paged(casekit.CaseFilter{Tag: tagName(0)}, 20)},
		{name: "deep page 20, text one word", filter: paged(casekit.CaseFilter{Text: word(100)}, 20)},
	}
}

// result is one query's measurements.
type result struct {
	name          string
	rows, runs    int
	p50, p95, p99 time.Duration
	cpu           time.Duration // a report's median CPU time (processCPU)
	sql, plan     string
	err           error
}

// budget bounds the time one query is run for, past its first 20 timed
// runs: a slow one is measured fewer times.
const budget = 30 * time.Second

// bench runs every query iters times (fewer when slow: see budget)
// through the desk as an agent and, on PostgreSQL, explains the SQL it
// ran.
func (e *env) bench(ctx context.Context, qs []query, iters int, explain bool, log io.Writer) ([]result, error) {
	d := e.kit.Desk(e.tenant).As(casekit.Agent("agent-bench"))
	var out []result
	for _, q := range qs {
		f, err := q.filter(ctx, d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", q.name, err)
		}
		r := result{name: q.name}
		times := make([]time.Duration, 0, iters)
		began := time.Now()
		for i := 0; i < iters+5 && (i < 25 || time.Since(began) < budget); i++ {
			start := time.Now()
			p, err := d.ListCases(ctx, f)
			el := time.Since(start)
			var ve *casekit.ValidationError
			switch {
			case q.wantErr && errors.As(err, &ve):
				r.err = err
			case q.wantErr:
				return nil, fmt.Errorf("%s: got %v, want a validation error", q.name, err)
			case err != nil:
				return nil, fmt.Errorf("%s: %w", q.name, err)
			default:
				r.rows = len(p.Cases)
			}
			if i >= 5 { // the first five warm up
				times = append(times, el)
			}
		}
		slices.Sort(times)
		pct := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
		r.p50, r.p95, r.p99, r.runs = pct(0.50), pct(0.95), pct(0.99), len(times)
		r.sql = e.hook.take()
		if explain && r.sql != "" && e.bulk != nil {
			var lines []string
			if err := e.bulk.NewRaw("EXPLAIN (ANALYZE, BUFFERS) "+r.sql).Scan(ctx, &lines); err != nil {
				return nil, fmt.Errorf("%s: explain: %w", q.name, err)
			}
			r.plan = strings.Join(lines, "\n")
		}
		fmt.Fprintf(log, "bigload: %-55s p50 %8s  p95 %8s  p99 %8s  rows %d  runs %d\n", r.name, ms(r.p50), ms(r.p95), ms(r.p99), r.rows, r.runs)
		out = append(out, r)
	}
	return out, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

// report writes the results as a Markdown table, then each query's SQL
// and plan.
func report(w io.Writer, rs []result) {
	fmt.Fprintln(w, "| query | rows | runs | p50 | p95 | p99 |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, r := range rs {
		rows := fmt.Sprint(r.rows)
		if r.err != nil {
			rows = "error"
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s |\n", r.name, rows, r.runs, ms(r.p50), ms(r.p95), ms(r.p99))
	}
	for _, r := range rs {
		fmt.Fprintf(w, "\n### %s\n\n", r.name)
		if r.err != nil {
			fmt.Fprintf(w, "error: %v\n", r.err)
			continue
		}
		if r.sql != "" {
			fmt.Fprintf(w, "```sql\n%s\n```\n", r.sql)
		}
		if r.plan != "" {
			fmt.Fprintf(w, "```\n%s\n```\n", r.plan)
		}
	}
}
