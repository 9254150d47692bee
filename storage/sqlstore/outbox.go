package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// notificationOf is the notification a row holds, of tenant.
func notificationOf(r outboxRow, tenant string) casetype.Notification {
	return casetype.Notification{ID: r.ID, Tenant: tenant, EventID: r.EventID, Event: casetype.EventType(r.EventType),
		CaseID: r.CaseID, CaseNumber: r.CaseNumber,
		Recipient: casetype.Recipient{Kind: casetype.RecipientKind(r.RecipientKind), ID: r.RecipientID, Name: r.RecipientName, Email: r.RecipientEmail},
		Data:      r.Data, Template: r.Template, CreatedAt: time.UnixMicro(r.CreatedUS).UTC(), Attempts: r.Attempts, LastError: r.LastError, Dead: r.Dead}
}

// Enqueue implements store.Tx.
func (t *Tx) Enqueue(ctx context.Context, ns []casetype.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	rows := make([]outboxRow, len(ns))
	earliest := ns[0].CreatedAt
	for i, n := range ns {
		rows[i] = outboxRow{ID: n.ID, EventID: n.EventID, EventType: string(n.Event), CaseID: n.CaseID, CaseNumber: n.CaseNumber,
			RecipientKind: string(n.Recipient.Kind), RecipientID: n.Recipient.ID, RecipientName: n.Recipient.Name, RecipientEmail: n.Recipient.Email,
			Data: n.Data, Template: n.Template, CreatedUS: Micros(n.CreatedAt), DueUS: Micros(n.CreatedAt)}
		if n.CreatedAt.Before(earliest) {
			earliest = n.CreatedAt
		}
	}
	if _, err := t.ins(&rows, "outbox").Exec(ctx); err != nil {
		return t.err(err, "enqueue notifications")
	}
	return t.wake(ctx, QueueOutbox, earliest)
}

// DeadLetters implements store.Tx.
func (t *Tx) DeadLetters(ctx context.Context) ([]casetype.Notification, error) {
	var rows []outboxRow
	if err := t.sel(&rows, "outbox", "ob").Where("ob.dead = ?", true).OrderExpr("ob.created_us, ob.id").Scan(ctx); err != nil {
		return nil, t.err(err, "dead letters")
	}
	out := make([]casetype.Notification, len(rows))
	for i, r := range rows {
		out[i] = notificationOf(r, "")
	}
	return out, nil
}

// RetryDeadLetter implements store.Tx.
func (t *Tx) RetryDeadLetter(ctx context.Context, id string, now time.Time) error {
	res, err := t.db.NewRaw("UPDATE ?.outbox SET dead = ?, attempts = 0, due_us = ? WHERE id = ? AND dead = ?",
		t.schema, false, Micros(now), id, true).Exec(ctx)
	if err != nil {
		return t.err(err, "retry dead letter")
	}
	if err := affected(res, casetype.ErrNotFound); err != nil {
		return err
	}
	return t.wake(ctx, QueueOutbox, now)
}

// ClaimIn claims up to limit due notifications of the tenant on tx: on
// PostgreSQL FOR UPDATE SKIP LOCKED, so concurrent claimers take disjoint
// rows. Each gets one more attempt and is due again after lease.
// webhooksOnly takes only deliveries to webhook subscriptions.
func ClaimIn(ctx context.Context, tx *Tx, tenant string, now time.Time, lease time.Duration, limit int, webhooksOnly bool) ([]casetype.Notification, error) {
	var rows []outboxRow
	q := tx.sel(&rows, "outbox", "ob").Where("ob.dead = ?", false).Where("ob.due_us <= ?", Micros(now)).
		OrderExpr("ob.due_us, ob.id").Limit(int64(limit))
	if webhooksOnly {
		q = q.Where("ob.recipient_kind = ?", string(casetype.RecipientWebhook))
	}
	if err := tx.dialect.LockRows(q, Lock{SkipLocked: true}).Scan(ctx); err != nil {
		return nil, tx.err(err, "claim notifications")
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	_, err := tx.db.NewRaw("UPDATE ?.outbox SET attempts = attempts + 1, due_us = ? WHERE id IN (?)",
		tx.schema, Micros(now.Add(lease)), bun.In(ids)).Exec(ctx)
	if err != nil {
		return nil, tx.err(err, "lease notifications")
	}
	out := make([]casetype.Notification, len(rows))
	for i, r := range rows {
		r.Attempts++
		out[i] = notificationOf(r, tenant)
	}
	return out, nil
}

// Settle ends claimed attempts of one tenant on tx: delivered
// notifications leave the outbox; failed ones keep the error and are due
// at their Retry, or dead when that is the zero time. The attempts of
// webhook deliveries go to their subscriptions' logs.
func Settle(ctx context.Context, tx *Tx, results []store.Settlement) error {
	if err := logAttempts(ctx, tx, results); err != nil {
		return err
	}
	var done []string
	var earliest time.Time
	for _, r := range results {
		if r.Failure == nil {
			done = append(done, r.Notification.ID)
			continue
		}
		msg := truncate(r.Failure.Error(), 2000)
		q := tx.db.NewRaw("UPDATE ?.outbox SET last_error = ?, due_us = ? WHERE id = ?", tx.schema, msg, Micros(r.Retry), r.Notification.ID)
		if r.Retry.IsZero() {
			q = tx.db.NewRaw("UPDATE ?.outbox SET last_error = ?, dead = ? WHERE id = ?", tx.schema, msg, true, r.Notification.ID)
		} else if earliest.IsZero() || r.Retry.Before(earliest) {
			earliest = r.Retry
		}
		if _, err := q.Exec(ctx); err != nil {
			return tx.err(err, "settle notification")
		}
	}
	if len(done) > 0 {
		if _, err := tx.db.NewRaw("DELETE FROM ?.outbox WHERE id IN (?)", tx.schema, bun.In(done)).Exec(ctx); err != nil {
			return tx.err(err, "settle notifications")
		}
	}
	if !earliest.IsZero() {
		if err := tx.wake(ctx, QueueOutbox, earliest); err != nil {
			return fmt.Errorf("settle notifications: %w", err)
		}
	}
	return nil
}

// ByTenant groups settlements by tenant, in the order tenants first appear.
func ByTenant(results []store.Settlement) (tenants []string, groups map[string][]store.Settlement) {
	groups = map[string][]store.Settlement{}
	for _, r := range results {
		t := r.Notification.Tenant
		if _, ok := groups[t]; !ok {
			tenants = append(tenants, t)
		}
		groups[t] = append(groups[t], r)
	}
	return tenants, groups
}

type watcherRow struct {
	bun.BaseModel `bun:"table:watchers,alias:w"`

	ID      string    `bun:"id,pk"`
	CaseID  string    `bun:"case_id"`
	Name    string    `bun:"name"`
	Email   string    `bun:"email"`
	AddedBy string    `bun:"added_by"`
	AddedAt time.Time `bun:"added_at"`
}

// Watchers implements store.Tx.
func (t *Tx) Watchers(ctx context.Context, caseID string) ([]casetype.Watcher, error) {
	var rows []watcherRow
	if err := t.sel(&rows, "watchers", "w").Where("w.case_id = ?", caseID).OrderExpr("w.added_at, w.id").Scan(ctx); err != nil {
		return nil, t.err(err, "watchers")
	}
	out := make([]casetype.Watcher, len(rows))
	for i, r := range rows {
		by, err := casetype.ParseActor(r.AddedBy)
		if err != nil {
			return nil, err
		}
		out[i] = casetype.Watcher{ID: r.ID, CaseID: r.CaseID, Name: r.Name, Email: r.Email, AddedBy: by, AddedAt: r.AddedAt.UTC()}
	}
	return out, nil
}

// AddWatcher implements store.Tx.
func (t *Tx) AddWatcher(ctx context.Context, w casetype.Watcher) error {
	_, err := t.ins(&watcherRow{ID: w.ID, CaseID: w.CaseID, Name: w.Name, Email: w.Email, AddedBy: w.AddedBy.String(), AddedAt: w.AddedAt.UTC()}, "watchers").Exec(ctx)
	return t.err(err, "add watcher")
}

// RemoveWatcher implements store.Tx.
func (t *Tx) RemoveWatcher(ctx context.Context, caseID, id string) error {
	res, err := t.db.NewRaw("DELETE FROM ?.watchers WHERE case_id = ? AND id = ?", t.schema, caseID, id).Exec(ctx)
	if err != nil {
		return t.err(err, "remove watcher")
	}
	return affected(res, casetype.ErrNotFound)
}
