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

	"casekit.dev/casekit"
)

// tenantID names the i-th provisioned tenant: tenant-0001, tenant-0002, ...
func tenantID(i int) string { return fmt.Sprintf("tenant-%04d", i) }

// provisionResult is what a provision run measured.
type provisionResult struct {
	// Created counts the tenants this run made, Existing those it found
	// made, Failed the attempts that returned an error. Each CreateTenant
	// is one transaction, all or nothing: a failed one leaves no tenant
	// and no schema behind, but one cut short by an interrupt as it
	// committed may have committed, which only the registry can tell.
	Created, Existing, Failed int
	Total                     time.Duration
	// Times holds each created tenant's CreateTenant time, sorted.
	Times []time.Duration
}

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// the sorted times.
func (r provisionResult) percentile(p float64) time.Duration {
	if len(r.Times) == 0 {
		return 0
	}
	i := int(float64(len(r.Times))*p/100+0.999999) - 1
	return r.Times[max(0, min(i, len(r.Times)-1))]
}

func (r provisionResult) mean() time.Duration {
	if len(r.Times) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range r.Times {
		sum += d
	}
	return sum / time.Duration(len(r.Times))
}

// summary is the report printed after a run.
func (r provisionResult) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "provisioned %d tenants in %v", r.Created, r.Total.Round(time.Millisecond))
	if r.Existing > 0 {
		fmt.Fprintf(&b, " (%d already existed)", r.Existing)
	}
	if r.Failed > 0 {
		fmt.Fprintf(&b, "; %d cut short (each all or nothing: the registered count tells)", r.Failed)
	}
	if r.Total > 0 && r.Created > 0 {
		fmt.Fprintf(&b, ", %.1f tenants/s", float64(r.Created)/r.Total.Seconds())
	}
	b.WriteString("\n")
	if len(r.Times) > 0 {
		ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
		fmt.Fprintf(&b, "per tenant: mean %s, p50 %s, p95 %s, max %s\n",
			ms(r.mean()), ms(r.percentile(50)), ms(r.percentile(95)), ms(r.Times[len(r.Times)-1]))
	}
	return b.String()
}

// provision creates the n tenants numbered from first (tenant-0001 ...
// tenant-N for first 1), at most concurrency at once, redrawing a
// progress bar on bar. A tenant that already exists
// is counted and skipped, so a run that was interrupted can be repeated.
// The first other failure stops the run and is returned; no tenant is
// attempted after it (nor after ctx ends), so the bar and the summary
// count only what was really tried.
func provision(ctx context.Context, kit *casekit.Kit, first, n, concurrency int, bar io.Writer) (provisionResult, error) {
	if first <= 0 {
		return provisionResult{}, fmt.Errorf("-first must be above 0, not %d", first)
	}
	if n <= 0 {
		return provisionResult{}, fmt.Errorf("-provision needs a number of tenants above 0, not %d", n)
	}
	if concurrency <= 0 {
		return provisionResult{}, fmt.Errorf("-concurrency must be above 0, not %d", concurrency)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	p := newProgress(bar, "provision", n)
	var (
		mu  sync.Mutex
		res provisionResult
		wg  sync.WaitGroup
	)
	ids := make(chan int)
	start := time.Now()
	for range min(concurrency, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ids {
				if ctx.Err() != nil {
					continue // stopped: drain what the feeder sent
				}
				id := tenantID(i)
				t0 := time.Now()
				err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: id, Name: fmt.Sprintf("Tenant %d", i)})
				took := time.Since(t0)
				mu.Lock()
				switch {
				case err == nil:
					res.Created++
					res.Times = append(res.Times, took)
				case errors.Is(err, casekit.ErrTenantExists):
					res.Existing++
				default:
					res.Failed++
					cancel(fmt.Errorf("tenant %s: %w", id, err))
				}
				mu.Unlock()
				p.step()
			}
		}()
	}
feed:
	for i := first; i < first+n && ctx.Err() == nil; i++ {
		select {
		case ids <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(ids)
	wg.Wait()
	res.Total = time.Since(start)
	p.done()
	slices.Sort(res.Times)
	if err := context.Cause(ctx); err != nil {
		return res, err
	}
	return res, nil
}

// migrate runs kit.Migrate on every tenant, printing one line per tenant.
func migrate(ctx context.Context, kit *casekit.Kit, concurrency int, out io.Writer) error {
	var mu sync.Mutex
	start := time.Now()
	err := kit.Migrate(ctx, casekit.MigrateOptions{Concurrency: concurrency, Progress: func(p casekit.MigrateProgress) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case p.Err != nil:
			fmt.Fprintf(out, "[%d/%d] %s: failed at version %d: %v\n", p.Done, p.Total, p.Tenant, p.To, oneLine(p.Err))
		case p.From == p.To:
			fmt.Fprintf(out, "[%d/%d] %s: at version %d, nothing to do\n", p.Done, p.Total, p.Tenant, p.To)
		default:
			fmt.Fprintf(out, "[%d/%d] %s: version %d -> %d\n", p.Done, p.Total, p.Tenant, p.From, p.To)
		}
	}})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "migrated in %v\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// progress is a text progress bar redrawn in place with \r.
type progress struct {
	w     io.Writer
	label string
	total int
	start time.Time

	mu       sync.Mutex
	count    int
	lastDraw time.Time
}

func newProgress(w io.Writer, label string, total int) *progress {
	p := &progress{w: w, label: label, total: total, start: time.Now()}
	p.draw()
	return p
}

// step counts one more item and redraws, at most every 100 ms and always
// for the last one.
func (p *progress) step() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.count++
	if p.count == p.total || time.Since(p.lastDraw) >= 100*time.Millisecond {
		p.drawLocked()
	}
}

// done ends the bar's line.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drawLocked()
	fmt.Fprintln(p.w)
}

func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drawLocked()
}

func (p *progress) drawLocked() {
	const width = 30
	filled := width * p.count / p.total
	elapsed := time.Since(p.start)
	eta := "--"
	if p.count > 0 && p.count < p.total {
		eta = (elapsed / time.Duration(p.count) * time.Duration(p.total-p.count)).Round(time.Second).String()
	} else if p.count == p.total {
		eta = "0s"
	}
	fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d %3d%%  elapsed %v  eta %s ",
		p.label, strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		p.count, p.total, 100*p.count/p.total, elapsed.Round(time.Second), eta)
	p.lastDraw = time.Now()
}

// oneLine flattens a multi-line error (errors.Join, some connection
// errors) onto one line.
func oneLine(err error) string {
	var parts []string
	for line := range strings.SplitSeq(err.Error(), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			parts = append(parts, line)
		}
	}
	return strings.Join(parts, "; ")
}
