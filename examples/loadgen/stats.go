package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// opKind is one kind of operation the load runs.
type opKind int

const (
	opOpen opKind = iota
	opReply
	opComment
	opStart
	opWait
	opResolve
	opClose
	opReopen
	opCancel
	opList
	opSearch
	opOpenBun
	numOps
)

var opNames = [numOps]string{
	opOpen: "open case", opReply: "agent reply", opComment: "customer comment",
	opStart: "start processing", opWait: "wait for response", opResolve: "resolve",
	opClose: "close", opReopen: "reopen", opCancel: "cancel",
	opList: "list", opSearch: "search", opOpenBun: "open case (plain Bun)",
}

func (o opKind) String() string { return opNames[o] }

// outcome is how one operation ended.
type outcome int

const (
	succeeded outcome = iota
	// conflicted: refused because the case changed under the command
	// (another worker moved it since this one last saw it). Expected
	// with concurrent workers; not a failure.
	conflicted
	failed
	// interrupted: the run was stopped mid-operation; not counted.
	interrupted
)

// opStats is what one kind of operation did.
type opStats struct {
	Count, OK, Conflicts, Errors int
	// Latency holds every counted attempt's time, whatever its outcome.
	Latency histogram
	// FirstErrors keeps the first few distinct failures, for the report.
	FirstErrors []string
}

func (s *opStats) add(o *opStats) {
	s.Count += o.Count
	s.OK += o.OK
	s.Conflicts += o.Conflicts
	s.Errors += o.Errors
	s.Latency.merge(&o.Latency)
}

// stats gathers the workers' operations. It is safe for concurrent use.
type stats struct {
	mu  sync.Mutex
	ops [numOps]opStats
}

func (s *stats) record(op opKind, d time.Duration, o outcome, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.ops[op]
	st.Count++
	st.Latency.record(d)
	switch o {
	case succeeded:
		st.OK++
	case conflicted:
		st.Conflicts++
	default:
		st.Errors++
		if msg := oneLine(err); len(st.FirstErrors) < 3 && !contains(st.FirstErrors, msg) {
			st.FirstErrors = append(st.FirstErrors, msg)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func (s *stats) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for i := range s.ops {
		n += s.ops[i].Count
	}
	return n
}

// result is what one phase of a run measured.
type result struct {
	// Name is "casekit" or "baseline"; Mix says what ran.
	Name, Mix        string
	Store            string
	Tenants, Workers int
	Seed             uint64
	Elapsed          time.Duration
	Ops              [numOps]opStats
	// Delivered counts notifications handed to the notifier while the
	// workers ran, DeliveredAfter those delivered after they stopped,
	// until the outbox had nothing due (Drain long). Lag is the time from
	// a notification's command to its delivery.
	Delivered, DeliveredAfter int64
	Drain                     time.Duration
	Lag                       histogram
	Runner                    bool
	// PeakRSS is the process's peak resident memory so far (getrusage);
	// PeakGo the most memory the Go runtime held during the phase.
	PeakRSS, PeakGo uint64
	Interrupted     bool
}

// Total sums every operation.
func (r *result) Total() opStats {
	var t opStats
	for i := range r.Ops {
		t.add(&r.Ops[i])
	}
	return t
}

// Rate returns n operations per second of the phase.
func (r *result) Rate(n int) float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(n) / r.Elapsed.Seconds()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// write prints the phase's report.
func (r *result) write(w io.Writer) {
	t := r.Total()
	fmt.Fprintf(w, "== %s, %s: %s, %d tenants, %d workers, seed %d\n", r.Name, r.Mix, r.Store, r.Tenants, r.Workers, r.Seed)
	if r.Interrupted {
		fmt.Fprintln(w, "interrupted: the figures cover the operations finished before the stop")
	}
	fmt.Fprintf(w, "ops: %d in %v = %.1f ops/s; ok %d, conflicts %d (concurrent changes, expected), errors %d\n",
		t.Count, r.Elapsed.Round(time.Millisecond), r.Rate(t.Count), t.OK, t.Conflicts, t.Errors)
	const row = "%-22s %7s %9s %9s %9s %9s %9s %9s %7s\n"
	fmt.Fprintf(w, row, "operation", "ops", "ops/s", "p50", "p95", "p99", "max", "conflicts", "errors")
	line := func(name string, s *opStats) {
		h := &s.Latency
		fmt.Fprintf(w, row, name, fmt.Sprint(s.Count), fmt.Sprintf("%.1f", r.Rate(s.Count)),
			ms(h.percentile(50)), ms(h.percentile(95)), ms(h.percentile(99)), ms(h.max),
			fmt.Sprint(s.Conflicts), fmt.Sprint(s.Errors))
	}
	for i := range r.Ops {
		if r.Ops[i].Count > 0 {
			line(opKind(i).String(), &r.Ops[i])
		}
	}
	line("all", &t)
	runner := "Kit.Run in the background"
	if !r.Runner {
		runner = "no runner during the load; Kit.RunDue after it"
	}
	fmt.Fprintf(w, "notifications (%s): %d delivered during the load, %d queued by it delivered after it (in %v)",
		runner, r.Delivered, r.DeliveredAfter, r.Drain.Round(time.Millisecond))
	if r.Lag.n > 0 {
		fmt.Fprintf(w, "; from command to delivery p50 %s, p99 %s", ms(r.Lag.percentile(50)), ms(r.Lag.percentile(99)))
	}
	fmt.Fprintln(w)
	rss := "unknown on this system"
	if r.PeakRSS > 0 {
		rss = mib(r.PeakRSS)
	}
	fmt.Fprintf(w, "peak memory: %s resident (getrusage maxrss, the process so far); Go runtime %s (runtime/metrics, this phase)\n",
		rss, mib(r.PeakGo))
	for i := range r.Ops {
		for _, e := range r.Ops[i].FirstErrors {
			fmt.Fprintf(w, "error: %s: %s\n", opKind(i), e)
		}
	}
}

// oneLine flattens a multi-line error onto one line.
func oneLine(err error) string {
	if err == nil {
		return ""
	}
	var parts []string
	for line := range strings.SplitSeq(err.Error(), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			parts = append(parts, line)
		}
	}
	return strings.Join(parts, "; ")
}
