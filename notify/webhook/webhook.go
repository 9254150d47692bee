// Package webhook is a casekit.Notifier that POSTs each notification as
// JSON to a URL, signed with HMAC-SHA256 so the receiver can tell it came
// from you and is not a replay.
//
// Every request carries:
//
//	Content-Type: application/json
//	Casekit-Id: <notification ID, the same on every retry: drop repeats>
//	Casekit-Timestamp: <Unix seconds when this attempt was signed>
//	Casekit-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// A receiver verifies with Verify, or by hand:
//
//	ts := r.Header.Get("Casekit-Timestamp")
//	mac := hmac.New(sha256.New, secret)
//	mac.Write([]byte(ts + "." + string(body)))
//	want := "v1=" + hex.EncodeToString(mac.Sum(nil))
//	ok := hmac.Equal([]byte(want), []byte(r.Header.Get("Casekit-Signature")))
//	// and refuse a timestamp more than a few minutes from now
//
// Any 2xx answer is a delivery; anything else, a timeout or a network
// error is a failure, which the outbox retries with backoff and finally
// dead-letters.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"casekit.dev/casekit"
)

// The headers of every request: casekit's, which a tenant's webhook
// subscriptions send too.
const (
	HeaderID        = casekit.WebhookHeaderID
	HeaderTimestamp = casekit.WebhookHeaderTimestamp
	HeaderSignature = casekit.WebhookHeaderSignature
)

// Config configures a webhook notifier.
type Config struct {
	// URL receives the POSTs; http or https.
	URL string
	// Secret is the HMAC key shared with the receiver: at least 16 bytes.
	Secret []byte
	// Timeout bounds one request, connecting included; 10 s when zero.
	Timeout time.Duration
	// Client sends the requests; a client of its own when nil.
	Client *http.Client
	// Now tells the time for the signature; time.Now when nil.
	Now func() time.Time
}

// Notifier posts notifications to one URL. It is safe for concurrent use.
type Notifier struct {
	cfg Config
}

// New checks cfg and returns the notifier.
func New(cfg Config) (*Notifier, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("webhook: URL %q is not an http(s) URL", cfg.URL)
	}
	if len(cfg.Secret) < 16 {
		return nil, errors.New("webhook: the secret must be at least 16 bytes")
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("webhook: negative timeout %v", cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Notifier{cfg: cfg}, nil
}

// Payload is the JSON body of every request.
type Payload struct {
	ID         string            `json:"id"`
	Tenant     string            `json:"tenant"`
	Event      casekit.EventType `json:"event"`
	EventID    string            `json:"event_id"`
	CaseID     string            `json:"case_id,omitempty"`
	CaseNumber int64             `json:"case_number,omitempty"`
	Recipient  casekit.Recipient `json:"recipient"`
	Data       map[string]any    `json:"data,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	Attempt    int               `json:"attempt"`
}

// Notify implements casekit.Notifier.
func (w *Notifier) Notify(ctx context.Context, n casekit.Notification) error {
	body, err := json.Marshal(Payload{ID: n.ID, Tenant: n.Tenant, Event: n.Event, EventID: n.EventID, CaseID: n.CaseID,
		CaseNumber: n.CaseNumber, Recipient: n.Recipient, Data: n.Data, CreatedAt: n.CreatedAt, Attempt: n.Attempts})
	if err != nil {
		return fmt.Errorf("webhook: encode notification %s: %w", n.ID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	ts := strconv.FormatInt(w.cfg.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "casekit-webhook/1")
	req.Header.Set(HeaderID, n.ID)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(w.cfg.Secret, ts, body))
	resp, err := w.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: POST %s: %w", w.cfg.URL, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook: POST %s: %s: %q", w.cfg.URL, resp.Status, snippet)
	}
	return nil
}

// Sign returns the Casekit-Signature value for a timestamp and body, as
// casekit.SignWebhook makes it for a tenant's subscriptions too.
func Sign(secret []byte, timestamp string, body []byte) string {
	return casekit.SignWebhook(secret, timestamp, body)
}

// ErrBadSignature is returned by Verify for a request that was not signed
// with the secret, or was signed too long ago or in the future.
var ErrBadSignature = casekit.ErrBadWebhookSignature

// Verify checks a received request's signature headers against its body
// with casekit.VerifyWebhook: the signature must match (compared in
// constant time) and the timestamp lie within tolerance of now, so a
// captured request cannot be replayed later. Receivers should also drop
// repeats of a Casekit-Id they have seen.
func Verify(secret []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	return casekit.VerifyWebhook(secret, h, body, now, tolerance)
}
