package casekit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"syscall"
	"time"

	"casekit.dev/casekit/store"
)

// The headers of every webhook request, a tenant's subscriptions' and
// notify/webhook's alike:
//
//	Content-Type: application/json
//	Casekit-Id: <the delivery's ID, the same on every retry: drop repeats>
//	Casekit-Timestamp: <Unix seconds when this attempt was signed>
//	Casekit-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// A subscription's requests also carry Casekit-Event (the event type) and
// Casekit-Webhook (the subscription's key). A receiver checks them with
// VerifyWebhook.
const (
	WebhookHeaderID        = "Casekit-Id"
	WebhookHeaderTimestamp = "Casekit-Timestamp"
	WebhookHeaderSignature = "Casekit-Signature"
	WebhookHeaderEvent     = "Casekit-Event"
	WebhookHeaderWebhook   = "Casekit-Webhook"
)

// SignWebhook returns the Casekit-Signature value for a timestamp and
// body: "v1=" and the hex HMAC-SHA256, keyed with secret, of the
// timestamp, a dot and the body.
func SignWebhook(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

// ErrBadWebhookSignature is returned by VerifyWebhook for a request that
// was not signed with the secret, or was signed too long ago or in the
// future.
var ErrBadWebhookSignature = errors.New("webhook: bad signature")

// VerifyWebhook checks a received request's signature headers against its
// body: the signature must match (compared in constant time) and the
// timestamp lie within tolerance of now, so a captured request cannot be
// replayed later. Receivers should also drop repeats of a Casekit-Id they
// have seen.
func VerifyWebhook(secret []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts := h.Get(WebhookHeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: malformed %s %q", ErrBadWebhookSignature, WebhookHeaderTimestamp, ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: signed %v from now, beyond the tolerance of %v", ErrBadWebhookSignature, d.Round(time.Second), tolerance)
	}
	if !hmac.Equal([]byte(SignWebhook(secret, ts, body)), []byte(h.Get(WebhookHeaderSignature))) {
		return fmt.Errorf("%w: the signature does not match", ErrBadWebhookSignature)
	}
	return nil
}

//go:embed schema/webhook-event.v1.json
var webhookSchema []byte

// WebhookSchema returns the JSON Schema (draft 2020-12) of the body every
// webhook delivery posts at WebhookVersion, as kept in the repository at
// casekit/schema/webhook-event.v1.json.
func WebhookSchema() []byte { return slices.Clone(webhookSchema) }

// WithPrivateWebhookTargets lets the tenants' webhook subscriptions post
// to loopback, private and link-local addresses and to localhost: for a
// host whose receivers live on its own network, and for tests. Without
// it (the default) such a URL is refused when saved, and a delivery
// refuses to dial such an address whatever the URL's host name resolves
// to at the time, so neither a URL nor a DNS answer turns a tenant's
// webhook into a request inside the host's network.
func WithPrivateWebhookTargets(allow bool) Option {
	return func(k *Kit) { k.privateWebhooks = allow }
}

// webhookDialTimeout bounds connecting to a receiver, and
// webhookSnippet how much of a failed answer's body is kept for the log.
const (
	webhookDialTimeout = 10 * time.Second
	webhookSnippet     = 512
)

// errWebhookTarget is a delivery refused at dial time: the receiver's
// address is not public and the kit does not allow private targets.
var errWebhookTarget = errors.New("the address is not public, and the host does not let webhooks reach private ones")

// newWebhookClient is the HTTP client of the kit's webhook deliveries:
// no proxy (a proxy would hide the address dialed), redirects not
// followed (a 3xx is a failure: the subscription names the URL), every
// address dialed checked by webhookDialControl.
func (k *Kit) newWebhookClient() *http.Client {
	d := &net.Dialer{Timeout: webhookDialTimeout, KeepAlive: 30 * time.Second, Control: k.webhookDialControl}
	tr := &http.Transport{DialContext: d.DialContext, ForceAttemptHTTP2: true, MaxIdleConns: 64, MaxIdleConnsPerHost: 4,
		IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: webhookDialTimeout, ExpectContinueTimeout: time.Second}
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// webhookDialControl refuses, unless the kit allows private targets, a
// connection to an address that is not public: it runs on the address
// the resolver answered, just before the connection is made.
func (k *Kit) webhookDialControl(network, address string, _ syscall.RawConn) error {
	if k.privateWebhooks {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	if !publicAddr(ap.Addr()) {
		return fmt.Errorf("dial %s: %w", address, errWebhookTarget)
	}
	return nil
}

// webhooksOf reads the subscriptions the webhook deliveries of batch go
// to, by tenant and key, in a transaction of each tenant of its own; a
// tenant whose read failed has its error in failed.
func (k *Kit) webhooksOf(ctx context.Context, batch []Notification) (hooks map[string]map[string]*Webhook, failed map[string]error) {
	hooks, failed = map[string]map[string]*Webhook{}, map[string]error{}
	tenants := map[string]bool{}
	for _, n := range batch {
		if n.Recipient.Kind == RecipientWebhook {
			tenants[n.Tenant] = true
		}
	}
	for _, tenant := range slices.Sorted(maps.Keys(tenants)) {
		var ws []Webhook
		err := k.store.InTx(ctx, tenant, func(ctx context.Context, tx store.Tx) (err error) {
			ws, err = k.configTx(tenant, tx).Webhooks(ctx)
			return err
		})
		if err != nil {
			failed[tenant] = fmt.Errorf("reading the tenant's webhooks: %w", err)
			continue
		}
		hooks[tenant] = map[string]*Webhook{}
		for i := range ws {
			hooks[tenant][ws[i].Key] = &ws[i]
		}
	}
	return hooks, failed
}

// postWebhook delivers n to its subscription w and says how it went, with
// the entry for the subscription's log: posted, or dropped unsent when
// the subscription is disabled. Deleting a subscription deletes its
// queued deliveries; one claimed meanwhile finds it gone and is dropped
// with no entry.
func (k *Kit) postWebhook(ctx context.Context, n Notification, w *Webhook) store.Settlement {
	if w == nil {
		k.logger.LogAttrs(ctx, slog.LevelWarn, "casekit: webhook delivery dropped: its subscription is gone",
			slog.String("tenant", n.Tenant), slog.String("webhook", n.Recipient.ID), slog.String("id", n.ID))
		return store.Settlement{Notification: n}
	}
	a := &WebhookAttempt{ID: newID(), Webhook: w.Key, DeliveryID: n.ID, EventID: n.EventID, Event: n.Event, Attempt: n.Attempts, At: k.now()}
	out := store.Settlement{Notification: n, Attempt: a}
	if !w.Enabled {
		a.Error = "not sent: the subscription is disabled"
		return out
	}
	start := time.Now()
	a.Status, out.Failure = k.post(ctx, n, w)
	a.Duration = time.Since(start)
	if out.Failure != nil {
		a.Error = out.Failure.Error()
	} else {
		a.Delivered = true
	}
	return out
}

// post sends one attempt of n to w, signed, bounded by the delivery
// timeout, and returns the receiver's status (0 for none) and, unless it
// is a 2xx, why the attempt failed. The error names the subscription by
// its key, never its URL, which may be a credential and which the dead
// letters show to every reader.
func (k *Kit) post(ctx context.Context, n Notification, w *Webhook) (int, error) {
	body, err := json.Marshal(n.Data)
	if err != nil {
		return 0, fmt.Errorf("webhook %q: encode delivery %s: %w", w.Key, n.ID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, k.deliveryTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("webhook %q: the URL: %w", w.Key, errors.Unwrap(err))
	}
	ts := strconv.FormatInt(k.clock.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "casekit-webhook/"+WebhookVersion)
	req.Header.Set(WebhookHeaderID, n.ID)
	req.Header.Set(WebhookHeaderTimestamp, ts)
	req.Header.Set(WebhookHeaderSignature, SignWebhook([]byte(w.Secret), ts, body))
	req.Header.Set(WebhookHeaderEvent, string(n.Event))
	req.Header.Set(WebhookHeaderWebhook, w.Key)
	resp, err := k.webhookClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, fmt.Errorf("webhook %q: POST: %w", w.Key, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, webhookSnippet))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("webhook %q: POST: %s: %q", w.Key, resp.Status, snippet)
	}
	return resp.StatusCode, nil
}
