package casekit

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// Webhook is a tenant's subscription of one URL to events, each
	// posted as JSON signed with the subscription's own secret.
	Webhook = casetype.Webhook
	// WebhookAttempt is one entry of a subscription's delivery log.
	WebhookAttempt = casetype.WebhookAttempt
)

const (
	// EventWebhookChanged is recorded when a subscription is saved,
	// deleted or given a new secret.
	EventWebhookChanged = casetype.EventWebhookChanged
	// RecipientWebhook is a delivery to a webhook subscription, which
	// casekit posts itself.
	RecipientWebhook = casetype.RecipientWebhook
)

// WebhookVersion is the version of the body every webhook delivery
// posts ("version"), documented as JSON Schema in
// casekit/schema/webhook-event.v1.json (WebhookSchema). Fields may be
// added within a version; none is removed or changes its meaning.
const WebhookVersion = "1"

// maxWebhooks bounds a tenant's subscriptions: every command's events are
// matched against them.
const maxWebhooks = 20

// Webhooks lists the tenant's webhook subscriptions by key, without their
// secrets. Reading them needs PermConfigure, as changing them does: a
// URL may itself be a credential (a chat's incoming webhook).
func (cf *Config) Webhooks(ctx context.Context) ([]Webhook, error) {
	return runValue(cf.d, ctx, "webhooks", adminOnly, func(c *cmd) ([]Webhook, error) {
		ws, err := c.tx.Webhooks(c.ctx)
		for i := range ws {
			ws[i].Secret = ""
		}
		return ws, err
	})
}

// SaveWebhook adds or changes a webhook subscription. Its URL must be
// http or https with no user or password in it and, unless the kit has
// WithPrivateWebhookTargets, name no loopback, private or link-local
// address nor localhost (a host name that resolves to one is refused
// when a delivery dials it); its events must be types casekit records
// (EventTypes). A new subscription gets a secret, which the returned
// Webhook carries: the only time it is shown, bar RotateWebhookSecret.
// A changed one keeps its secret, and the returned Webhook has none.
// Secret is casekit's to make: one given is refused.
func (cf *Config) SaveWebhook(ctx context.Context, w Webhook) (*Webhook, error) {
	private := cf.d.kit.privateWebhooks
	return runValue(cf.d, ctx, "save webhook", adminOnly, func(c *cmd) (*Webhook, error) {
		w.URL, w.Description = strings.TrimSpace(w.URL), strings.TrimSpace(w.Description)
		var v validations
		if err := v.Merge(validateStruct(w)); err != nil {
			return nil, err
		}
		if w.Secret != "" {
			v.Add("secret", "excluded", "casekit makes a subscription's secret; rotate it with RotateWebhookSecret")
		}
		if w.URL != "" && len(w.URL) <= 2000 {
			if rule, msg := webhookURLProblem(w.URL, private); rule != "" {
				v.Add("url", rule, "%s", msg)
			}
		}
		known := EventTypes()
		if len(w.Events) > len(known) {
			v.Add("events", "max", "at most %d event types", len(known))
		} else {
			for i, ev := range w.Events {
				if !slices.Contains(known, ev) {
					v.Add(fmt.Sprintf("events[%d]", i), "oneof", "%q is not an event type casekit records", ev)
				}
			}
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
		all, err := c.tx.Webhooks(c.ctx)
		if err != nil {
			return nil, err
		}
		w.UpdatedAt = c.now
		i := slices.IndexFunc(all, func(o Webhook) bool { return o.Key == w.Key })
		switch {
		case i >= 0:
			w.Secret, w.CreatedAt = all[i].Secret, all[i].CreatedAt
		case len(all) >= maxWebhooks:
			return nil, invalid("key", "max", "a tenant has at most %d webhook subscriptions", maxWebhooks)
		default:
			w.Secret, w.CreatedAt = newWebhookSecret(), c.now
		}
		w.Events = slices.Clip(w.Events)
		if err := c.tx.SaveWebhook(c.ctx, w); err != nil {
			return nil, err
		}
		// Not the URL, which may be a credential: the history is for every reader.
		c.record(nil, EventWebhookChanged, map[string]any{"key": w.Key, "enabled": w.Enabled, "events": w.Events})
		if i >= 0 {
			w.Secret = ""
		}
		return &w, nil
	})
}

// DeleteWebhook removes a subscription, its delivery log and the
// deliveries queued for it, unsent. ErrNotFound if there is none, and
// ErrConflict while a trigger posts to it: change the trigger first.
func (cf *Config) DeleteWebhook(ctx context.Context, key string) error {
	return cf.d.run(ctx, "delete webhook", adminOnly, func(c *cmd) error {
		ts, err := c.tx.Triggers(c.ctx)
		if err != nil {
			return err
		}
		for _, t := range ts {
			if slices.ContainsFunc(t.Then, func(a Action) bool { return a.Kind == ActionWebhook && a.Value == key }) {
				return fmt.Errorf("webhook %q: trigger %q posts to it: change the trigger first: %w", key, t.Key, ErrConflict)
			}
		}
		if err := c.tx.DeleteWebhook(c.ctx, key); err != nil {
			return fmt.Errorf("webhook %q: %w", key, err)
		}
		c.record(nil, EventWebhookChanged, map[string]any{"key": key, "deleted": true})
		return nil
	})
}

// RotateWebhookSecret gives a subscription a new secret and returns it:
// deliveries are signed with it from the commit on, retries of earlier
// ones included. ErrNotFound if there is no such subscription.
func (cf *Config) RotateWebhookSecret(ctx context.Context, key string) (string, error) {
	return runValue(cf.d, ctx, "rotate webhook secret", adminOnly, func(c *cmd) (string, error) {
		w, err := c.webhook(key)
		if err != nil {
			return "", err
		}
		w.Secret, w.UpdatedAt = newWebhookSecret(), c.now
		if err := c.tx.SaveWebhook(c.ctx, *w); err != nil {
			return "", err
		}
		c.record(nil, EventWebhookChanged, map[string]any{"key": key, "secret_rotated": true})
		return w.Secret, nil
	})
}

// WebhookLog returns a subscription's delivery log, newest first: each
// attempt's time, the receiver's status, the error and how long it took,
// the last store.WebhookLogSize attempts. ErrNotFound if there is no
// such subscription.
func (cf *Config) WebhookLog(ctx context.Context, key string) ([]WebhookAttempt, error) {
	return runValue(cf.d, ctx, "webhook log", adminOnly, func(c *cmd) ([]WebhookAttempt, error) {
		if _, err := c.webhook(key); err != nil {
			return nil, err
		}
		return c.tx.WebhookAttempts(c.ctx, key, store.WebhookLogSize)
	})
}

// webhook reads one subscription; ErrNotFound if there is none.
func (c *cmd) webhook(key string) (*Webhook, error) {
	all, err := c.tx.Webhooks(c.ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(all, func(w Webhook) bool { return w.Key == key })
	if i < 0 {
		return nil, fmt.Errorf("webhook %q: %w", key, ErrNotFound)
	}
	return &all[i], nil
}

// newWebhookSecret returns 32 random bytes as text, the whole text
// being the HMAC key.
func newWebhookSecret() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b)
}

// webhookURLProblem returns the rule a webhook URL breaks and why, ""
// for a URL casekit may post to. With private false, a URL naming
// localhost or an address that is not public is refused; host names are
// not resolved here, but every address a delivery dials is checked
// (webhookDialControl).
func webhookURLProblem(raw string, private bool) (rule, msg string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return "url", fmt.Sprintf("%q is not an http or https URL", raw)
	}
	if u.User != nil {
		return "url", "a webhook URL carries no user or password: the signature says who posts"
	}
	if private {
		return "", ""
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return "public", fmt.Sprintf("%s is this host's loopback, which the host does not let webhooks reach", u.Hostname())
	}
	if a, err := netip.ParseAddr(host); err == nil && !publicAddr(a) {
		return "public", fmt.Sprintf("%s is a loopback, private or link-local address, which the host does not let webhooks reach", u.Hostname())
	}
	return "", ""
}

// nonPublic are address ranges no webhook reaches beyond those netip
// names (loopback, private, link-local, multicast, unspecified): this
// network, shared address space (carrier NAT), IETF protocol
// assignments, benchmarking, reserved and broadcast, and NAT64, which
// maps onto any IPv4 address.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"), netip.MustParsePrefix("240.0.0.0/4"), netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// publicAddr reports whether a is an address on the public internet,
// seen through an IPv4-mapped IPv6 form.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// webhookDeliveries are the outbox rows of the command's events for the
// tenant's enabled subscriptions: one per event and subscription that
// subscribes to its type or that a trigger's ActionWebhook names for it.
// The subscriptions are read through the configuration cache, so a
// tenant without any pays no query.
func (c *cmd) webhookDeliveries() ([]Notification, error) {
	read := c.tx.Webhooks
	if ct, ok := c.tx.(*configTx); ok {
		read = ct.runningWebhooks // no copy: matching only reads them
	}
	all, err := read(c.ctx)
	if err != nil {
		return nil, err
	}
	hooks := keep(all, func(w Webhook) bool { return w.Enabled })
	if len(hooks) == 0 {
		return nil, nil
	}
	var out []Notification
	for i, ev := range c.events {
		var body map[string]any
		for _, w := range hooks {
			named := slices.ContainsFunc(c.notices[i], func(a Action) bool { return a.Kind == ActionWebhook && a.Value == w.Key })
			if !named && len(w.Events) > 0 && !slices.Contains(w.Events, ev.Type) {
				continue
			}
			if body == nil {
				if body, err = c.webhookBody(i); err != nil {
					return nil, err
				}
			}
			n := Notification{ID: newID(), Tenant: c.tenant, EventID: ev.ID, Event: ev.Type, CaseID: ev.CaseID,
				CaseNumber: ev.CaseNumber, Recipient: Recipient{Kind: RecipientWebhook, ID: w.Key}, CreatedAt: c.now}
			n.Data = maps.Clone(body)
			n.Data["id"], n.Data["webhook"] = n.ID, w.Key
			out = append(out, n)
		}
	}
	return out, nil
}

// webhookEnvelope is the body of a webhook delivery, as
// schema/webhook-event.v1.json describes it; ID and Webhook are filled in
// per delivery.
type webhookEnvelope struct {
	Version    string    `json:"version"`
	Type       EventType `json:"type"`
	Tenant     string    `json:"tenant"`
	OccurredAt time.Time `json:"occurred_at"`
	Event      Event     `json:"event"`
	// Case is the case as the command left it; none for an event about
	// the tenant's configuration.
	Case *Case `json:"case,omitempty"`
}

// webhookBody is the body of the deliveries of the command's i-th event,
// as the JSON object the outbox keeps.
func (c *cmd) webhookBody(i int) (map[string]any, error) {
	ev := c.events[i]
	env := webhookEnvelope{Version: WebhookVersion, Type: ev.Type, Tenant: c.tenant,
		OccurredAt: ev.At.UTC(), Event: ev, Case: c.caseOf(i)}
	raw, err := json.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("webhook body of %s: %w", ev.Type, err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("webhook body of %s: %w", ev.Type, err)
	}
	return out, nil
}
