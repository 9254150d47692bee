package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/notify/webhook"
	"casekit.dev/storage/sqlite"
)

var secret = []byte("0123456789abcdef-test-secret")

// receiver records verified requests and answers with the next status of
// statuses (200 once they run out).
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []webhook.Payload
	ids      []string
	errs     []error
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err := webhook.Verify(secret, r.Header, body, time.Now(), 5*time.Minute); err != nil {
		rc.errs = append(rc.errs, err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var p webhook.Payload
	if err := json.Unmarshal(body, &p); err != nil {
		rc.errs = append(rc.errs, err)
	}
	rc.got = append(rc.got, p)
	rc.ids = append(rc.ids, r.Header.Get(webhook.HeaderID))
	status := http.StatusOK
	if len(rc.statuses) > 0 {
		status, rc.statuses = rc.statuses[0], rc.statuses[1:]
	}
	w.WriteHeader(status)
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []webhook.Config{
		{URL: "ftp://example.com/x", Secret: secret},
		{URL: "not a url", Secret: secret},
		{URL: "https://example.com/hook", Secret: []byte("short")},
		{URL: "https://example.com/hook", Secret: secret, Timeout: -time.Second},
	} {
		if _, err := webhook.New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}

func TestVerifyRefusesForgeriesAndReplays(t *testing.T) {
	body := []byte(`{"id":"n-1"}`)
	now := time.Unix(1_900_000_000, 0)
	signed := func(ts time.Time, key []byte) http.Header {
		h := http.Header{}
		s := strconv.FormatInt(ts.Unix(), 10)
		h.Set(webhook.HeaderTimestamp, s)
		h.Set(webhook.HeaderSignature, webhook.Sign(key, s, body))
		return h
	}
	if err := webhook.Verify(secret, signed(now, secret), body, now, time.Minute); err != nil {
		t.Fatalf("a good signature: %v", err)
	}
	for name, tc := range map[string]struct {
		h    http.Header
		body []byte
	}{
		"another secret":      {signed(now, []byte("another-secret-of-16b")), body},
		"a changed body":      {signed(now, secret), []byte(`{"id":"n-2"}`)},
		"an old timestamp":    {signed(now.Add(-10*time.Minute), secret), body},
		"a future timestamp":  {signed(now.Add(10*time.Minute), secret), body},
		"no timestamp":        {http.Header{webhook.HeaderSignature: {"v1=00"}}, body},
		"a malformed header":  {http.Header{webhook.HeaderTimestamp: {"yesterday"}}, body},
		"no signature at all": {http.Header{webhook.HeaderTimestamp: {strconv.FormatInt(now.Unix(), 10)}}, body},
	} {
		if err := webhook.Verify(secret, tc.h, tc.body, now, time.Minute); !errors.Is(err, webhook.ErrBadSignature) {
			t.Errorf("%s: Verify = %v, want ErrBadSignature", name, err)
		}
	}
}

// hookedKit is a kit on an SQLite store with tenant "acme", whose
// notifications go through a webhook to rc.
func hookedKit(t *testing.T, rc *receiver) (*casekit.Kit, *casekittest.Clock) {
	t.Helper()
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	hook, err := webhook.New(webhook.Config{URL: srv.URL, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	clock := casekittest.NewClock(time.Now())
	kit, err := casekit.New(store, casekit.WithNotifier(hook), casekit.WithClock(clock), casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if err := kit.CreateTenant(context.Background(), casekit.TenantSpec{ID: "acme"}); err != nil {
		t.Fatal(err)
	}
	return kit, clock
}

// Through the outbox: a receiver that fails twice gets the notification a
// third time, every attempt signed and carrying the same ID.
func TestRetriedThroughTheOutbox(t *testing.T) {
	rc := &receiver{statuses: []int{http.StatusInternalServerError, http.StatusBadGateway}}
	kit, clock := hookedKit(t, rc)
	ctx := context.Background()
	desk := kit.Desk("acme").As(casekit.Agent("u-1"))
	c, _ := desk.OpenCase(ctx, casekit.NewCase{Subject: "Parcel lost", CustomerID: "cust-1"})
	if _, err := desk.Cancel(ctx, c.ID, "found it"); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"500 Internal Server Error", "502 Bad Gateway", ""} {
		n, err := kit.RunDue(ctx)
		if want == "" {
			if n != 1 || err != nil {
				t.Fatalf("attempt %d: RunDue = %d, %v; want the delivery", i+1, n, err)
			}
			break
		}
		if n != 0 || err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("attempt %d: RunDue = %d, %v; want a failure naming %q", i+1, n, err, want)
		}
		clock.Advance(2 * time.Hour)
	}
	if len(rc.errs) > 0 {
		t.Errorf("the receiver refused requests: %v", rc.errs)
	}
	if len(rc.got) != 3 || rc.ids[0] != rc.ids[1] || rc.ids[1] != rc.ids[2] {
		t.Fatalf("the receiver got %d requests with IDs %v, want 3 with one ID", len(rc.got), rc.ids)
	}
	for i, p := range rc.got {
		if p.ID != rc.ids[i] || p.Attempt != i+1 || p.Event != casekit.EventCanceled || p.Tenant != "acme" || p.CaseNumber != 1 ||
			p.Recipient.ID != "cust-1" || p.Data["subject"] != "Parcel lost" {
			t.Errorf("request %d: %+v", i+1, p)
		}
	}
}

// A receiver that never answers makes Notify fail after the timeout.
func TestHangingReceiverTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	hook, err := webhook.New(webhook.Config{URL: srv.URL, Secret: secret, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = hook.Notify(context.Background(), casekit.Notification{ID: "n-1", Event: casekit.EventResolved})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Notify to a hanging receiver = %v, want a deadline error", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Notify took %v with a 200ms timeout", took)
	}
}

// A webhook forwards a notification whole: what it sends about a customer's
// case to the customer and to a watcher names no agent, no resolution
// summary and no internal activity.
func TestWebhookToCustomersCarriesNoInternalData(t *testing.T) {
	rc := &receiver{}
	kit, _ := hookedKit(t, rc)
	ctx := context.Background()
	desk := kit.Desk("acme").As(casekit.Agent("u-1"))
	c, err := desk.OpenCase(ctx, casekit.NewCase{Subject: "Parcel lost", CustomerID: "cust-1", Contact: casekit.Contact{Email: "c@example.com"}, Tags: []string{"vip"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := desk.AddWatcher(ctx, c.ID, casekit.Watcher{Email: "boss@example.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := desk.AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityCall, Subject: "Call back", AssigneeID: "agent-secret", NotifyContact: true}); err != nil {
		t.Fatal(err)
	}
	internal, err := desk.AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityTask, Subject: "Check the carrier"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := desk.Resolve(ctx, c.ID, casekit.Resolution{Summary: "Refunded against policy", CancelOpenActivities: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := kit.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range rc.got {
		body, _ := json.Marshal(p)
		got = append(got, string(p.Event)+" -> "+string(p.Recipient.Kind))
		for _, secret := range []string{"u-1", "agent-secret", "Refunded", internal.ID, "vip", "assignee", "summary", "canceled_activities"} {
			if strings.Contains(string(body), secret) {
				t.Errorf("%s to a %s carries %q: %s", p.Event, p.Recipient.Kind, secret, body)
			}
		}
	}
	slices.Sort(got)
	if want := []string{"activity.added -> customer", "activity.added -> watcher", "case.resolved -> customer", "case.resolved -> watcher"}; !slices.Equal(got, want) {
		t.Errorf("the receiver got %v, want %v", got, want)
	}
}
