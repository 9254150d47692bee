package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// FireTimer implements store.Store.FireTimer: each tenant with a due
// wakeup is tried in turn; one found with nothing due has its wakeup
// moved on.
func (h Host) FireTimer(ctx context.Context, now time.Time, fn FireFunc, retryAt func(int) time.Time) (bool, error) {
	tenants, err := h.reg.DueTenants(ctx, QueueTimers, now)
	if err != nil {
		return false, err
	}
	for _, tenant := range tenants {
		var fired bool
		err := h.access.InTenant(ctx, tenant, QueueTimers, func(inTx InTxFunc) error {
			var due bool
			var err error
			fired, due, err = FireIn(ctx, tenant, inTx, now, fn, retryAt)
			if err != nil || fired || due {
				return err
			}
			return h.moveWakeup(ctx, tenant, QueueTimers, inTx)
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

// ClaimNotifications implements store.Store.ClaimNotifications with
// ClaimIn in each tenant with a due wakeup, until limit are claimed.
func (h Host) ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int, webhooksOnly bool) ([]casetype.Notification, error) {
	tenants, err := h.reg.DueTenants(ctx, QueueOutbox, now)
	if err != nil {
		return nil, err
	}
	var out []casetype.Notification
	for _, tenant := range tenants {
		err := h.access.InTenant(ctx, tenant, QueueOutbox, func(inTx InTxFunc) error {
			var got []casetype.Notification
			err := inTx(ctx, func(ctx context.Context, tx *Tx) (err error) {
				got, err = ClaimIn(ctx, tx, tenant, now, lease, limit-len(out), webhooksOnly)
				return err
			})
			if err != nil || len(got) > 0 {
				out = append(out, got...)
				return err
			}
			return h.moveWakeup(ctx, tenant, QueueOutbox, inTx)
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

// moveWakeup moves the tenant's wakeup for queue with
// Access.MoveWakeup, its errors naming the queue.
func (h Host) moveWakeup(ctx context.Context, tenant, queue string, inTx InTxFunc) error {
	if err := h.access.MoveWakeup(ctx, tenant, queue, inTx); err != nil {
		return fmt.Errorf("%s wakeup: %w", queue, err)
	}
	return nil
}

// SettleNotifications implements store.Store.SettleNotifications: one
// transaction per tenant.
func (h Host) SettleNotifications(ctx context.Context, results []store.Settlement) error {
	tenants, groups := ByTenant(results)
	for _, tenant := range tenants {
		err := h.access.InTenant(ctx, tenant, QueueOutbox, func(inTx InTxFunc) error {
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
