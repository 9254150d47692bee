package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"casekit.dev/casekit"
)

// MigrateTenants runs migrate for every tenant, at most opts.Concurrency at
// once (4 when unset), reporting each through opts.Progress, and joins the
// failures. One tenant's failure does not stop the others.
func MigrateTenants(ctx context.Context, tenants []casekit.Tenant, opts casekit.MigrateOptions,
	migrate func(ctx context.Context, id string) (from, to int, err error)) error {
	n := opts.Concurrency
	if n <= 0 {
		n = 4
	}
	sem := make(chan struct{}, n)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
		errs []error
	)
	for _, t := range tenants {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			from, to, err := migrate(ctx, t.ID)
			mu.Lock()
			done++
			p := casekit.MigrateProgress{Tenant: t.ID, Done: done, Total: len(tenants), From: from, To: to, Err: err}
			if err != nil {
				errs = append(errs, fmt.Errorf("tenant %q: %w", t.ID, err))
			}
			mu.Unlock()
			if opts.Progress != nil {
				opts.Progress(p)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
