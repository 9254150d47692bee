package apiload

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Result is one measurement: an operation at a number of clients.
type Result struct {
	Op      string
	Clients int
	// Requests is how many succeeded; Errors how many failed (a failed
	// request's time is not in the latencies).
	Requests, Errors int
	FirstError       string
	Elapsed          time.Duration
	// Exhausted says the status operation ran out of cases to resolve
	// before its time was up.
	Exhausted bool
	// CPU is the CPU time per request (failed ones too) of each of
	// Config.Meters, in their order.
	CPU []CPUCost

	latencies []time.Duration // sorted
}

// PerSecond is the successful requests per second of wall time.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// the successful requests' latencies, 0 when there were none.
func (r Result) Percentile(p float64) time.Duration {
	n := len(r.latencies)
	if n == 0 {
		return 0
	}
	i := int(float64(n)*p/100+0.999999) - 1
	return r.latencies[max(0, min(i, n-1))]
}

// ms formats a duration in milliseconds, with a decimal below 100 ms.
func ms(d time.Duration) string {
	f := float64(d) / float64(time.Millisecond)
	if f >= 100 {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.1f", f)
}

// CPUCost is what one request cost a Meter's processes in CPU time.
type CPUCost struct {
	Meter      string
	PerRequest time.Duration
}

// micros is d in microseconds.
func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// line is the result on one line, for the progress output.
func (r Result) line() string {
	s := fmt.Sprintf("%-6s x%-3d %7.1f req/s  p50 %s ms  p95 %s ms  p99 %s ms  (%d requests in %v",
		r.Op, r.Clients, r.PerSecond(), ms(r.Percentile(50)), ms(r.Percentile(95)), ms(r.Percentile(99)),
		r.Requests, r.Elapsed.Round(time.Millisecond))
	if r.Errors > 0 {
		s += fmt.Sprintf(", %d errors, the first: %s", r.Errors, r.FirstError)
	}
	if r.Exhausted {
		s += ", every created case resolved"
	}
	for _, c := range r.CPU {
		s += fmt.Sprintf(", %s CPU %.0f µs/req", c.Meter, micros(c.PerRequest))
	}
	return s + ")"
}

// Header describes a run above its table: what was measured, where, with
// how many cases, and the machine's load average when it started.
type Header struct {
	Target, URL, Cases, LoadAverage string
	Started                         time.Time
}

// WriteMarkdown writes the results as a Markdown table under a line that
// says what was measured, with a column of CPU time per request for each
// meter the run read.
func WriteMarkdown(w io.Writer, h Header, results []Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s at %s, %s cases, %s (load average %s)\n\n",
		h.Target, h.URL, h.Cases, h.Started.UTC().Format("2006-01-02 15:04 MST"), h.LoadAverage)
	b.WriteString("| operation | clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms |")
	var meters []CPUCost
	if len(results) > 0 {
		meters = results[0].CPU
	}
	for _, m := range meters {
		b.WriteString(" " + m.Meter + " CPU µs/req |")
	}
	b.WriteString("\n|---|---:|---:|---:|---:|---:|---:|---:|" + strings.Repeat("---:|", len(meters)) + "\n")
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %.1f | %s | %s | %s |", r.Op, r.Clients, r.Requests, r.Errors,
			r.PerSecond(), ms(r.Percentile(50)), ms(r.Percentile(95)), ms(r.Percentile(99)))
		for _, c := range r.CPU {
			fmt.Fprintf(&b, " %.0f |", micros(c.PerRequest))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
