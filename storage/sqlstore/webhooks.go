package sqlstore

import (
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// webhookAttemptRow is one entry of a subscription's delivery log.
type webhookAttemptRow struct {
	bun.BaseModel `bun:"table:webhook_attempts,alias:wa"`

	ID         string    `bun:"id,pk"`
	Webhook    string    `bun:"webhook"`
	DeliveryID string    `bun:"delivery_id"`
	EventID    string    `bun:"event_id"`
	EventType  string    `bun:"event_type"`
	Attempt    int       `bun:"attempt"`
	At         time.Time `bun:"at"`
	Status     int       `bun:"status"`
	Error      string    `bun:"error"`
	DurationUS int64     `bun:"duration_us"`
	Delivered  bool      `bun:"delivered"`
}

// Webhooks implements store.Tx.
func (t *Tx) Webhooks(ctx context.Context) ([]casetype.Webhook, error) {
	return keyedDocs(ctx, t, "webhooks", func(w *casetype.Webhook, key string) { w.Key = key })
}

// SaveWebhook implements store.Tx.
func (t *Tx) SaveWebhook(ctx context.Context, w casetype.Webhook) error {
	return saveKeyedDoc(ctx, t, "webhooks", w.Key, w)
}

// DeleteWebhook implements store.Tx.
func (t *Tx) DeleteWebhook(ctx context.Context, key string) error {
	if err := t.deleteByKey(ctx, "webhooks", key); err != nil {
		return err
	}
	if _, err := t.db.NewRaw("DELETE FROM ?.webhook_attempts WHERE webhook = ?", t.schema, key).Exec(ctx); err != nil {
		return t.err(err, "delete webhook log")
	}
	_, err := t.db.NewRaw("DELETE FROM ?.outbox WHERE recipient_kind = ? AND recipient_id = ?",
		t.schema, string(casetype.RecipientWebhook), key).Exec(ctx)
	return t.err(err, "delete webhook deliveries")
}

// WebhookAttempts implements store.Tx.
func (t *Tx) WebhookAttempts(ctx context.Context, key string, limit int) ([]casetype.WebhookAttempt, error) {
	var rows []webhookAttemptRow
	err := t.sel(&rows, "webhook_attempts", "wa").Where("wa.webhook = ?", key).
		OrderExpr("wa.at DESC, wa.id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, t.err(err, "webhook attempts")
	}
	out := make([]casetype.WebhookAttempt, len(rows))
	for i, r := range rows {
		out[i] = casetype.WebhookAttempt{ID: r.ID, Webhook: r.Webhook, DeliveryID: r.DeliveryID, EventID: r.EventID,
			Event: casetype.EventType(r.EventType), Attempt: r.Attempt, At: r.At.UTC(), Status: r.Status, Error: r.Error,
			Duration: time.Duration(r.DurationUS) * time.Microsecond, Delivered: r.Delivered}
	}
	return out, nil
}

// logAttempts adds the webhook attempts of settled deliveries to their
// subscriptions' logs on tx, then cuts each log touched to its newest
// store.WebhookLogSize entries.
func logAttempts(ctx context.Context, tx *Tx, results []store.Settlement) error {
	var rows []webhookAttemptRow
	var hooks []string
	for _, r := range results {
		a := r.Attempt
		if a == nil {
			continue
		}
		rows = append(rows, webhookAttemptRow{ID: a.ID, Webhook: a.Webhook, DeliveryID: a.DeliveryID, EventID: a.EventID,
			EventType: string(a.Event), Attempt: a.Attempt, At: a.At.UTC(), Status: a.Status, Error: truncate(a.Error, 2000),
			DurationUS: a.Duration.Microseconds(), Delivered: a.Delivered})
		if !slices.Contains(hooks, a.Webhook) {
			hooks = append(hooks, a.Webhook)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if _, err := tx.ins(&rows, "webhook_attempts").Exec(ctx); err != nil {
		return tx.err(err, "log webhook attempts")
	}
	for _, h := range hooks {
		_, err := tx.db.NewRaw(`DELETE FROM ?.webhook_attempts WHERE webhook = ? AND id NOT IN
			(SELECT id FROM ?.webhook_attempts WHERE webhook = ? ORDER BY at DESC, id DESC LIMIT ?)`,
			tx.schema, h, tx.schema, h, store.WebhookLogSize).Exec(ctx)
		if err != nil {
			return tx.err(err, "cut webhook log")
		}
	}
	return nil
}
