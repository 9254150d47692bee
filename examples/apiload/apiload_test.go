package apiload

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestLibredesk runs every operation briefly against a libredesk server
// (scripts/libredesk.sh start prints its URL) and checks that a case the
// target creates and resolves is there, resolved. It needs
// CASEKIT_LIBREDESK_URL and the system user's password in
// CASEKIT_LIBREDESK_PASSWORD or LIBREDESK_PASSWORD.
func TestLibredesk(t *testing.T) {
	root := os.Getenv("CASEKIT_LIBREDESK_URL")
	if root == "" {
		t.Skip("CASEKIT_LIBREDESK_URL is not set: skipping the libredesk test (start one with LIBREDESK_SRC=... scripts/libredesk.sh start)")
	}
	password := os.Getenv("CASEKIT_LIBREDESK_PASSWORD")
	if password == "" {
		password = os.Getenv("LIBREDESK_PASSWORD")
	}
	l, err := NewLibredesk(root, "System", password, NewHTTPClient())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const perRun = 20
	var progress strings.Builder
	results, err := Run(ctx, Config{Target: l, Clients: []int{1, 4}, Requests: perRun, Preload: perRun, PreloadClients: 4, Progress: &progress})
	if err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	for _, r := range results {
		if r.Errors > 0 || r.Requests != perRun {
			t.Errorf("%s at %d clients: %d requests (want %d), %d errors, the first: %s", r.Op, r.Clients, r.Requests, perRun, r.Errors, r.FirstError)
		}
	}

	id, err := l.Create(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := l.List(ctx)
	if err != nil || len(ids) == 0 || ids[0] != id {
		t.Errorf("list page 1 = %v, %v; want the case just created first", ids, err)
	}
	if err := l.Resolve(ctx, id); err != nil {
		t.Fatal(err)
	}
	var got envelope[struct {
		Status string `json:"status"`
	}]
	if err := exchange(ctx, l.Client, "GET", root+"/api/v1/conversations/"+id, nil, http.StatusOK, &got, l.header); err != nil {
		t.Fatal(err)
	}
	if got.Data.Status != "Resolved" {
		t.Errorf("after Resolve the conversation is %q, want Resolved", got.Data.Status)
	}
}

// TestLibredeskRefusesABadPassword checks that a failed sign-in fails
// Setup instead of measuring error pages.
func TestLibredeskRefusesABadPassword(t *testing.T) {
	root := os.Getenv("CASEKIT_LIBREDESK_URL")
	if root == "" {
		t.Skip("CASEKIT_LIBREDESK_URL is not set: skipping the libredesk test")
	}
	l, err := NewLibredesk(root, "System", "not-the-password", NewHTTPClient())
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Setup(context.Background()); err == nil {
		t.Error("Setup signed in with a wrong password")
	}
}

func TestPercentile(t *testing.T) {
	r := Result{latencies: make([]time.Duration, 100)}
	for i := range r.latencies {
		r.latencies[i] = time.Duration(i+1) * time.Millisecond
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 95: 95 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := r.Percentile(p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if got := (Result{}).Percentile(95); got != 0 {
		t.Errorf("p95 of nothing = %v, want 0", got)
	}
}

func TestConfigRefusesWhatCannotRun(t *testing.T) {
	s, err := NewSaas("http://127.0.0.1:1/api/v1", "k", NewHTTPClient())
	if err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]Config{
		"no target":      {Requests: 1},
		"unknown op":     {Target: s, Ops: []string{"delete"}, Requests: 1},
		"zero clients":   {Target: s, Clients: []int{0}, Requests: 1},
		"no bound":       {Target: s},
		"negative loads": {Target: s, Preload: -1, Requests: 1},
	} {
		if _, err := Run(context.Background(), cfg); err == nil || !strings.HasPrefix(err.Error(), "apiload:") {
			t.Errorf("%s: err = %v, want a refusal before any request", name, err)
		}
	}
	if _, err := NewSaas("", "", nil); err == nil {
		t.Error("NewSaas without a URL or key: no error")
	}
	if _, err := NewLibredesk("http://x", "System", "", nil); err == nil {
		t.Error("NewLibredesk without a password: no error")
	}
}
