package store

import (
	"context"
	"io"
	"time"

	"casekit.dev/casekit/casetype"
)

// Store persists casekit's data, for any number of tenants. It holds no
// rules: validation, permissions and the lifecycle rules live in casekit,
// once. Every method takes the tenant explicitly; a store checks it with
// casetype.ValidateTenantID before it reaches SQL or the file system, so
// an empty or malformed tenant fails closed. A Store is safe for use by
// many goroutines, and several Stores (processes) may share one database
// where the store says so. The package doc lists what every method
// guarantees and what a store maintains itself.
//
// Stores prove themselves with casekittest.RunStoreTests.
type Store interface {
	// CreateTenant creates the tenant's storage (schema or file) at the
	// latest version, registers it and runs seed in the same transaction
	// as the tenant's first writes. If seed fails nothing remains. An ID in
	// use gives ErrTenantExists.
	CreateTenant(ctx context.Context, t casetype.Tenant, seed func(context.Context, Tx) error) error
	// DropTenant removes the tenant and all its data. An unknown ID gives
	// ErrTenantNotFound.
	DropTenant(ctx context.Context, id string) error
	// ClaimNotifications takes up to limit notifications, of any tenants,
	// due at or before now and not dead, counts an attempt on each and
	// holds them for lease: they are due again then unless settled. Callers
	// in any number of processes claim disjoint sets. When it fails part
	// way it returns, with the error, what it claimed before the failure.
	// webhooksOnly takes only deliveries to webhook subscriptions
	// (casetype.RecipientWebhook), for a kit that has no Notifier.
	ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int, webhooksOnly bool) ([]casetype.Notification, error)
	// SettleNotifications ends claimed attempts, in one transaction per
	// tenant: a delivered notification leaves the outbox; a failed one
	// keeps its error and is due at its Retry, or dead when that is the
	// zero time.
	SettleNotifications(ctx context.Context, results []Settlement) error
	// Tenant returns one registered tenant or ErrTenantNotFound.
	Tenant(ctx context.Context, id string) (casetype.Tenant, error)
	// Tenants lists the registered tenants ordered by ID.
	Tenants(ctx context.Context) ([]casetype.Tenant, error)
	// Migrate brings every tenant's storage to the latest version.
	Migrate(ctx context.Context, opts casetype.MigrateOptions) error
	// FireTimer takes one timer, of any tenant, due at or before now and
	// not dead, and runs fn on it in one transaction on its tenant's data,
	// deleting the timer in the same transaction. Callers in any number of
	// goroutines or processes never fire one timer twice, and finding due
	// timers does not visit every tenant. It reports false when no timer
	// is due. When fn fails, the transaction rolls back and, in one of its
	// own, the timer gets Attempts+1, LastError and Due = retryAt(Attempts),
	// or is marked dead when retryAt returns the zero time; the error is
	// returned, naming the tenant.
	FireTimer(ctx context.Context, now time.Time, fn func(ctx context.Context, tenant string, tx Tx, t casetype.Timer) error, retryAt func(attempts int) time.Time) (bool, error)
	// InTx runs fn in one transaction on the tenant's data: committed if fn
	// returns nil, rolled back otherwise. An unknown tenant gives
	// ErrTenantNotFound. fn must do all its work through the Tx it is given.
	InTx(ctx context.Context, tenant string, fn func(context.Context, Tx) error) error
	io.Closer
}

// Settlement is how one claimed delivery attempt ended.
type Settlement struct {
	Notification casetype.Notification
	// Failure is nil for a delivery.
	Failure error
	// Retry is when a failed notification is due again; the zero time
	// makes it a dead letter.
	Retry time.Time
	// Attempt, for a delivery to a webhook subscription, goes to the
	// subscription's delivery log in the same transaction, which keeps
	// the newest WebhookLogSize entries of each subscription.
	Attempt *casetype.WebhookAttempt
}

// WebhookLogSize is how many entries a subscription's delivery log keeps.
const WebhookLogSize = 100
