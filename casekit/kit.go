package casekit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"casekit.dev/casekit/store"
)

// Clock tells casekit the time. Tests inject one to move time forward.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Kit is casekit bound to a store. It is safe for concurrent use; build one
// per process and share it.
type Kit struct {
	store  store.Store
	clock  Clock
	logger *slog.Logger
	dir    Directory
	poll   time.Duration
	// config caches each tenant's configuration by version.
	config    configCache
	notifier  Notifier
	templates TemplateEngine
	blobs     BlobStore
	junk      JunkScreen
	// intakeLimit is how many cases an address opens per hour through
	// Desk.Intake; 0 for no limit.
	intakeLimit int
	// authorize answers for agents' permissions instead of stored roles.
	authorize Authorizer

	deliveryTimeout time.Duration
	// privateWebhooks lets webhooks reach private addresses
	// (WithPrivateWebhookTargets); webhookClient posts them.
	privateWebhooks bool
	webhookClient   *http.Client
}

// Option configures a Kit.
type Option func(*Kit)

// WithClock makes the kit read the time from c instead of the system clock.
func WithClock(c Clock) Option { return func(k *Kit) { k.clock = c } }

// WithLogger makes the kit log to l instead of slog.Default().
func WithLogger(l *slog.Logger) Option { return func(k *Kit) { k.logger = l } }

// WithPollInterval sets how often Run looks for due timers; a second by
// default.
func WithPollInterval(d time.Duration) Option { return func(k *Kit) { k.poll = d } }

// WithDirectory gives the kit the host's Directory of people and team
// members. With one, an agent is assigned to a team's case only if the
// Directory lists them as a member, and picks only from queues of their
// teams; without one, casekit takes agent and team IDs as given.
func WithDirectory(d Directory) Option { return func(k *Kit) { k.dir = d } }

// New returns a Kit on store.
func New(store store.Store, opts ...Option) (*Kit, error) {
	if store == nil {
		return nil, errors.New("casekit: New needs a store")
	}
	k := &Kit{store: store, clock: systemClock{}, logger: slog.Default(), poll: time.Second, deliveryTimeout: DefaultDeliveryTimeout, intakeLimit: IntakeRateLimit}
	for _, o := range opts {
		o(k)
	}
	if k.clock == nil || k.logger == nil {
		return nil, errors.New("casekit: WithClock and WithLogger need a non-nil value")
	}
	if k.deliveryTimeout <= 0 || k.deliveryTimeout > deliveryLease/2 {
		return nil, fmt.Errorf("casekit: WithDeliveryTimeout(%v): it must be positive and at most %v", k.deliveryTimeout, deliveryLease/2)
	}
	if k.intakeLimit < 0 {
		return nil, fmt.Errorf("casekit: WithIntakeRateLimit(%d): the limit must not be negative", k.intakeLimit)
	}
	if k.poll <= 0 {
		return nil, fmt.Errorf("casekit: WithPollInterval(%v): the interval must be positive", k.poll)
	}
	k.webhookClient = k.newWebhookClient()
	return k, nil
}

// Store returns the store the kit was built on.
func (k *Kit) Store() store.Store { return k.store }

func (k *Kit) now() time.Time { return k.clock.Now().UTC().Truncate(time.Microsecond) }

// CreateTenant creates a tenant with the default statuses, transitions,
// lookups and settings (or spec.Settings) and its first admins
// (spec.Admins), all in one transaction.
func (k *Kit) CreateTenant(ctx context.Context, spec TenantSpec) error {
	var v validations
	if err := ValidateTenantID(spec.ID); err != nil {
		v.Merge(err)
	}
	if spec.Settings != nil {
		f := settingsFilled(*spec.Settings)
		spec.Settings = &f
	}
	if err := v.Merge(validateStruct(spec)); err != nil {
		return err
	}
	settings := DefaultSettings()
	if spec.Settings != nil {
		settings = *spec.Settings
	}
	lookups := DefaultLookups()
	if err := v.Merge(validateSettings(settings, lookups)); err != nil {
		return err
	}
	if err := v.Err(); err != nil {
		return fmt.Errorf("casekit: create tenant %q: %w", spec.ID, err)
	}
	t := Tenant{ID: spec.ID, Name: spec.Name, CreatedAt: k.now()}
	err := k.store.CreateTenant(ctx, t, func(ctx context.Context, raw store.Tx) error {
		tx := k.configTx(t.ID, raw) // its writes set a fresh config version
		if err := tx.ReplaceStatuses(ctx, DefaultStatuses(), DefaultTransitions()); err != nil {
			return err
		}
		if err := tx.SaveLookups(ctx, lookups); err != nil {
			return err
		}
		for _, id := range spec.Admins {
			if err := tx.SetAgentRole(ctx, id, RoleAdmin); err != nil {
				return err
			}
		}
		return tx.SaveSettings(ctx, settings)
	})
	if err != nil {
		return fmt.Errorf("casekit: create tenant %q: %w", spec.ID, err)
	}
	k.logger.LogAttrs(ctx, slog.LevelInfo, "casekit: tenant created", slog.String("tenant", spec.ID))
	return nil
}

// DropTenant removes a tenant and all its data, the files in the kit's
// blob store included, so that a tenant created later with the same ID
// starts without them. The files go after the rows, so no attachment is
// ever left without its file; a tenant that is already gone
// (ErrTenantNotFound) has any files an earlier drop left removed too. A
// blob store that is neither a BlobTenantDeleter nor a BlobLister is
// refused before anything is dropped (errors.ErrUnsupported).
func (k *Kit) DropTenant(ctx context.Context, id string) error {
	if err := ValidateTenantID(id); err != nil {
		return fmt.Errorf("casekit: drop tenant: %w", err)
	}
	if err := k.checkBlobDrop(); err != nil {
		return fmt.Errorf("casekit: drop tenant %q: %w", id, err)
	}
	err := k.store.DropTenant(ctx, id)
	if err != nil && !errors.Is(err, ErrTenantNotFound) {
		return fmt.Errorf("casekit: drop tenant %q: %w", id, err)
	}
	if berr := k.dropTenantBlobs(ctx, id); berr != nil {
		return fmt.Errorf("casekit: drop tenant %q: the tenant is gone but not all its files (drop it again to retry): %w", id, errors.Join(err, berr))
	}
	if err != nil {
		return fmt.Errorf("casekit: drop tenant %q: %w", id, err)
	}
	k.logger.LogAttrs(ctx, slog.LevelInfo, "casekit: tenant dropped", slog.String("tenant", id))
	return nil
}

// Tenants lists every tenant, ordered by ID.
func (k *Kit) Tenants(ctx context.Context) ([]Tenant, error) {
	ts, err := k.store.Tenants(ctx)
	if err != nil {
		return nil, fmt.Errorf("casekit: list tenants: %w", err)
	}
	return ts, nil
}

// Tenant returns one tenant, or ErrTenantNotFound.
func (k *Kit) Tenant(ctx context.Context, id string) (Tenant, error) {
	if err := ValidateTenantID(id); err != nil {
		return Tenant{}, fmt.Errorf("casekit: tenant: %w", err)
	}
	t, err := k.store.Tenant(ctx, id)
	if err != nil {
		return Tenant{}, fmt.Errorf("casekit: tenant %q: %w", id, err)
	}
	return t, nil
}

// Migrate brings every tenant's storage to the latest schema version. It is
// idempotent and resumable: run it at every start.
func (k *Kit) Migrate(ctx context.Context, opts ...MigrateOptions) error {
	var o MigrateOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if err := k.store.Migrate(ctx, o); err != nil {
		return fmt.Errorf("casekit: migrate: %w", err)
	}
	return nil
}

// Desk returns the desk of one tenant. Name the actor with As before running
// commands; a desk with no actor refuses every command with ErrForbidden.
func (k *Kit) Desk(tenant string) *Desk {
	return &Desk{kit: k, tenant: tenant}
}
