package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/examples/apiload"
	"casekit.dev/storage/postgres"
)

// loadTarget serves the example in process with a tenant "acme" and
// returns its URL, a key acting as casekit.System, the store (opened with
// opts) and the load client's target for it.
func loadTarget(tb testing.TB, opts ...postgres.Option) (base, key string, store *postgres.Store, target *apiload.Saas) {
	tb.Helper()
	kit, store, keys := testKitWith(tb, opts, "acme")
	base = testServer(tb, kit, keys, io.Discard)
	_, key = newTestKey(tb, keys, "acme", casekit.System)
	target, err := apiload.NewSaas(base+apiPrefix, key, apiload.NewHTTPClient())
	if err != nil {
		tb.Fatal(err)
	}
	return base, key, store, target
}

// TestAPILoadSelfTest runs the side-by-side load client, briefly, against
// this example served in process: every operation must succeed through
// the example's own key check and routes, and what the client says it did
// must be in the store afterwards (cases created, cases resolved).
func TestAPILoadSelfTest(t *testing.T) {
	base, key, _, target := loadTarget(t)
	const preload, perRun = 40, 30
	var progress bytes.Buffer
	analyzed := false
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	results, err := apiload.Run(ctx, apiload.Config{
		Target: target, Clients: []int{1, 4}, Requests: perRun,
		Preload: preload, PreloadClients: 4, Progress: &progress,
		AfterPreload: func(context.Context) error { analyzed = true; return nil },
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	if !analyzed {
		t.Error("AfterPreload did not run")
	}
	if len(results) != len(apiload.AllOps)*2 {
		t.Fatalf("%d results, want %d (every operation at 1 and 4 clients)", len(results), len(apiload.AllOps)*2)
	}
	created, resolved := preload, 0
	for _, r := range results {
		if r.Errors > 0 || r.Requests != perRun || r.PerSecond() <= 0 || r.Percentile(95) <= 0 || r.Percentile(50) > r.Percentile(99) {
			t.Errorf("%s at %d clients: %d requests (want %d), %d errors (%s), %.1f req/s, p50 %v, p99 %v",
				r.Op, r.Clients, r.Requests, perRun, r.Errors, r.FirstError, r.PerSecond(), r.Percentile(50), r.Percentile(99))
		}
		switch r.Op {
		case apiload.OpCreate:
			created += r.Requests
		case apiload.OpStatus:
			resolved += r.Requests
		}
	}

	agent := bearer(t, base, key)
	var page struct {
		Cases []casekit.Case `json:"cases"`
	}
	agent.do("GET", "/cases?limit=500", nil, &page)
	if len(page.Cases) != created {
		t.Errorf("the store holds %d cases, want the %d the client created", len(page.Cases), created)
	}
	agent.do("GET", "/cases?status=resolved&limit=500", nil, &page)
	if len(page.Cases) != resolved {
		t.Errorf("the store holds %d resolved cases, want the %d the client resolved", len(page.Cases), resolved)
	}
	var md bytes.Buffer
	if err := apiload.WriteMarkdown(&md, apiload.Header{Target: target.Name(), Cases: "40"}, results); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(md.String(), "\n| "); got != len(results)+1 {
		t.Errorf("the Markdown table has %d rows, want a header and %d:\n%s", got, len(results), md.String())
	}
	if t.Failed() {
		t.Log(progress.String())
	}
}
