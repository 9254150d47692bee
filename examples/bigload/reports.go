package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"casekit.dev/casekit"
)

// reportQuery is one measured report, count or export.
type reportQuery struct {
	name string
	run  func(ctx context.Context, d *casekit.Desk) (string, error)
}

// reportQueries are the reports measured on the tenant whose newest case
// was opened just before end: the dashboards of the last 30 days and 12
// months, counts, and the export of every case.
func reportQueries(end time.Time) []reportQuery {
	report := func(days int, group string) func(context.Context, *casekit.Desk) (string, error) {
		return func(ctx context.Context, d *casekit.Desk) (string, error) {
			r, err := d.Report(ctx, casekit.ReportQuery{From: end.AddDate(0, 0, -days), To: end, GroupBy: group, TimeZone: "Europe/Berlin"})
			if err != nil {
				return "", err
			}
			// The digest of the whole report tells whether two versions
			// measured on the same data give the same numbers.
			js, err := json.Marshal(r)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%d opened, %d resolved, backlog %d, %d groups, digest %08x", r.Total.Opened, r.Total.Resolved, r.Total.Backlog, len(r.Groups), crc32.ChecksumIEEE(js)), nil
		}
	}
	count := func(f casekit.CaseFilter) func(context.Context, *casekit.Desk) (string, error) {
		return func(ctx context.Context, d *casekit.Desk) (string, error) {
			n, err := d.CountCases(ctx, f)
			if n.Estimated {
				return fmt.Sprintf("~%d (estimated)", n.N), err
			}
			return fmt.Sprint(n.N), err
		}
	}
	return []reportQuery{
		{"report, 30 days", report(30, "")},
		{"report, 30 days by day", report(30, casekit.GroupDay)},
		{"report, 30 days by priority", report(30, casekit.GroupPriority)},
		{"report, 30 days by assignee", report(30, casekit.GroupAssignee)},
		{"report, 12 months", report(365, "")},
		{"report, 12 months by month", report(365, casekit.GroupMonth)},
		{"report, 12 months by assignee", report(365, casekit.GroupAssignee)},
		{"count, all cases", count(casekit.CaseFilter{})},
		{"count, status waiting_for_response, priority high", count(casekit.CaseFilter{Status: []string{casekit.StatusWaiting}, Priority: []string{"high"}})},
		{"count, customer (tail)", count(casekit.CaseFilter{CustomerID: customerID(15000)})},
	}
}

// benchReports runs each report iters times (fewer when slow: see
// budget) and then exports every case once, measuring the peak heap.
func (e *env) benchReports(ctx context.Context, iters int, only string, log io.Writer) ([]result, error) {
	d := e.kit.Desk(e.tenant).As(casekit.Agent("agent-bench"))
	newest, err := d.ListCases(ctx, casekit.CaseFilter{Limit: 1})
	if err != nil || len(newest.Cases) == 0 {
		return nil, fmt.Errorf("the newest case: %v", err)
	}
	end := newest.Cases[0].CreatedAt.Add(time.Microsecond)
	var out []result
	for _, q := range reportQueries(end) {
		if !strings.Contains(q.name, only) {
			continue
		}
		r := result{name: q.name}
		times := make([]time.Duration, 0, iters)
		cpus := make([]time.Duration, 0, iters)
		began := time.Now()
		for i := 0; i < iters+2 && (i < 12 || time.Since(began) < budget); i++ {
			start, cpu := time.Now(), processCPU()
			what, err := q.run(ctx, d)
			el, cpu := time.Since(start), processCPU()-cpu
			if err != nil {
				return nil, fmt.Errorf("%s: %w", q.name, err)
			}
			r.sql = what
			if i >= 2 { // the first two warm up
				times, cpus = append(times, el), append(cpus, cpu)
			}
		}
		slices.Sort(times)
		slices.Sort(cpus)
		pct := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
		r.p50, r.p95, r.p99, r.runs, r.cpu = pct(0.50), pct(0.95), pct(0.99), len(times), cpus[len(cpus)/2]
		fmt.Fprintf(log, "bigload: %-55s p50 %8s  p95 %8s  p99 %8s  cpu %8s  runs %d  %s\n", r.name, ms(r.p50), ms(r.p95), ms(r.p99), ms(r.cpu), r.runs, r.sql)
		out = append(out, r)
	}
	if only != "" {
		return out, nil
	}
	r, err := e.benchExport(ctx, d, log)
	return append(out, r), err
}

// benchExport exports every case to a counter and samples the heap every
// 10 ms while it runs: the peak shows whether memory stays flat.
func (e *env) benchExport(ctx context.Context, d *casekit.Desk, log io.Writer) (result, error) {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	})
	var w countWriter
	start := time.Now()
	err := d.ExportCases(ctx, &w, casekit.CaseFilter{})
	el := time.Since(start)
	close(stop)
	wg.Wait()
	r := result{name: "export, all cases (CSV)", runs: 1, p50: el, p95: el, p99: el,
		sql: fmt.Sprintf("%d rows, %.0f MB of CSV, peak heap in use %.1f MB", w.lines-1, float64(w.bytes)/1e6, float64(peak.Load())/1e6)}
	fmt.Fprintf(log, "bigload: %-55s %8s  %s\n", r.name, ms(el), r.sql)
	return r, err
}

// countWriter counts the bytes and lines written to it.
type countWriter struct{ bytes, lines int }

func (w *countWriter) Write(p []byte) (int, error) {
	w.bytes += len(p)
	for _, b := range p {
		if b == '\n' {
			w.lines++
		}
	}
	return len(p), nil
}

// reportTable writes the report results as a Markdown table.
func reportTable(w io.Writer, rs []result) {
	fmt.Fprintln(w, "| report | runs | p50 | p95 | p99 | CPU p50 | result |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---|")
	for _, r := range rs {
		cpu := "–" // the export's is not measured
		if r.cpu > 0 {
			cpu = ms(r.cpu)
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s |\n", r.name, r.runs, ms(r.p50), ms(r.p95), ms(r.p99), cpu, r.sql)
	}

}
