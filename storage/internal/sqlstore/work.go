package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"casekit.dev/casekit"
)

// InTxFunc runs fn in one transaction on one tenant's data.
type InTxFunc func(ctx context.Context, fn func(context.Context, *Tx) error) error

// ErrTenantGone is what a Work's InTenant returns for a tenant dropped
// since its wakeup was read: the tenant is skipped.
var ErrTenantGone = errors.New("the tenant was dropped")

// Work runs Kit.Run's work (timers and the outbox) across the tenants of a
// store, the same way on every dialect. The store says how to find the
// tenants with due work, how to reach a tenant, and how to move a wakeup.
type Work struct {
	// DueTenants lists the tenants whose wakeup for queue is due at now,
	// earliest first.
	DueTenants func(ctx context.Context, queue string, now time.Time) ([]string, error)
	// InTenant calls fn with the tenant's transaction runner, or returns
	// ErrTenantGone.
	InTenant func(ctx context.Context, tenant, queue string, fn func(InTxFunc) error) error
	// MoveWakeup sets the tenant's wakeup for queue to its next due row,
	// or removes it, without ever moving it past work queued meanwhile.
	MoveWakeup func(ctx context.Context, tenant, queue string, inTx InTxFunc) error
}

// FireTimer implements casekit.Store.FireTimer: each tenant with a due
// wakeup is tried in turn; one found with nothing due has its wakeup
// moved on.
func (w Work) FireTimer(ctx context.Context, now time.Time, fn FireFunc, retryAt func(int) time.Time) (bool, error) {
	tenants, err := w.DueTenants(ctx, QueueTimers, now)
	if err != nil {
		return false, err
	}
	for _, tenant := range tenants {
		var fired bool
		err := w.InTenant(ctx, tenant, QueueTimers, func(inTx InTxFunc) error {
			var due bool
			var err error
			fired, due, err = FireIn(ctx, tenant, inTx, now, fn, retryAt)
			if err != nil || fired || due {
				return err
			}
			return w.MoveWakeup(ctx, tenant, QueueTimers, inTx)
		})
		if errors.Is(err, ErrTenantGone) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("tenant %q: %w", tenant, err)
		}
		if fired {
			return true, nil
		}
	}
	return false, nil
}

// ClaimNotifications implements casekit.Store.ClaimNotifications with
// ClaimIn in each tenant with a due wakeup, until limit are claimed.
func (w Work) ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]casekit.Notification, error) {
	tenants, err := w.DueTenants(ctx, QueueOutbox, now)
	if err != nil {
		return nil, err
	}
	var out []casekit.Notification
	for _, tenant := range tenants {
		err := w.InTenant(ctx, tenant, QueueOutbox, func(inTx InTxFunc) error {
			var got []casekit.Notification
			err := inTx(ctx, func(ctx context.Context, tx *Tx) (err error) {
				got, err = ClaimIn(ctx, tx, tenant, now, lease, limit-len(out))
				return err
			})
			if err != nil || len(got) > 0 {
				out = append(out, got...)
				return err
			}
			return w.MoveWakeup(ctx, tenant, QueueOutbox, inTx)
		})
		if errors.Is(err, ErrTenantGone) {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("tenant %q: %w", tenant, err)
		}
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}

// SettleNotifications implements casekit.Store.SettleNotifications: one
// transaction per tenant.
func (w Work) SettleNotifications(ctx context.Context, results []casekit.Settlement) error {
	tenants, groups := ByTenant(results)
	for _, tenant := range tenants {
		err := w.InTenant(ctx, tenant, QueueOutbox, func(inTx InTxFunc) error {
			return inTx(ctx, func(ctx context.Context, tx *Tx) error { return Settle(ctx, tx, groups[tenant]) })
		})
		if errors.Is(err, ErrTenantGone) {
			continue
		}
		if err != nil {
			return fmt.Errorf("tenant %q: %w", tenant, err)
		}
	}
	return nil
}
