package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/postgres"
)

// testDSN returns CASEKIT_TEST_DATABASE_URL or skips the test.
func testDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("CASEKIT_TEST_DATABASE_URL")
	if dsn == "" {
		t.Skip("CASEKIT_TEST_DATABASE_URL is not set: skipping the PostgreSQL tests (.ci/run sets it)")
	}
	return dsn
}

// testPrefix returns a schema prefix no other test run uses.
func testPrefix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return "sa" + hex.EncodeToString(b) + "_"
}

// dropOnCleanup drops every tenant of the prefix and its control schema
// when the test ends.
func dropOnCleanup(t testing.TB, dsn, prefix string) {
	t.Cleanup(func() {
		ctx := context.Background()
		s, err := postgres.Open(ctx, dsn, postgres.WithPrefix(prefix))
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer s.Close()
		if err := dropAll(ctx, s, io.Discard); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
}

// testKit returns a kit on a store with a schema prefix of its own, its
// API keys table, and the tenants named.
// Everything is dropped when the test ends.
func testKit(t testing.TB, tenants ...string) (*casekit.Kit, *postgres.Store, *apiKeys) {
	t.Helper()
	return testKitWith(t, nil, tenants...)
}

// testKitWith is testKit with options for the store.
func testKitWith(t testing.TB, opts []postgres.Option, tenants ...string) (*casekit.Kit, *postgres.Store, *apiKeys) {
	t.Helper()
	dsn := testDSN(t)
	prefix := testPrefix()
	ctx := context.Background()
	s, err := postgres.Open(ctx, dsn, append([]postgres.Option{postgres.WithPrefix(prefix)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	dropOnCleanup(t, dsn, prefix)
	kit, err := casekit.New(s, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := openKeys(ctx, s.DB(), s.Prefix(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	keys.cacheVerified(defaultKeyCacheTTL) // as the server runs
	for _, id := range tenants {
		if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: id, Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	return kit, s, keys
}

// testServer serves the example's handler on kit and keys, logging to
// logs, and returns its URL.
func testServer(t testing.TB, kit *casekit.Kit, keys *apiKeys, logs io.Writer) string {
	t.Helper()
	h, err := newHandler(kit, keys, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// newTestKey makes a key for tenant acting as actor.
func newTestKey(t testing.TB, keys *apiKeys, tenant string, actor casekit.Actor) (id, key string) {
	t.Helper()
	id, key, err := keys.create(context.Background(), tenant, actor)
	if err != nil {
		t.Fatal(err)
	}
	return id, key
}

// client sends requests to the test server's API with one Authorization
// header.
type client struct {
	t    *testing.T
	base string // the server's URL
	auth string // the Authorization header; none when empty
}

// bearer returns a client that sends key as its bearer token.
func bearer(t *testing.T, base, key string) client {
	return client{t: t, base: base, auth: "Bearer " + key}
}

// do sends a request to the API's path with body (a string is sent as
// is, anything else as JSON) and headers (name, value, ...), decodes the
// JSON response into out when it is not nil, and checks the response's
// media type: JSON, a problem for an error, none for a 204.
func (c client) do(method, path string, body, out any, headers ...string) (*http.Response, string) {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+apiPrefix+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	want := "application/json"
	switch {
	case resp.StatusCode == http.StatusNoContent:
		want = ""
	case resp.StatusCode >= 400:
		want = "application/problem+json"
	}
	if ct := resp.Header.Get("Content-Type"); ct != want {
		c.t.Errorf("%s %s: %d with Content-Type %q, want %q", method, path, resp.StatusCode, ct, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return resp, string(raw)
}

// problemType is the type URI of a problem casehttp.API sends.
func problemType(kind string) string { return `"type":"https://casekit.dev/problems/` + kind + `"` }

func TestAPI(t *testing.T) {
	kit, _, keys := testKit(t, "acme")
	base := testServer(t, kit, keys, io.Discard)
	_, key := newTestKey(t, keys, "acme", casekit.Agent("u-17"))
	agent := bearer(t, base, key)

	// Open.
	var opened casekit.Case
	resp, body := agent.do("POST", "/cases", map[string]any{
		"subject": "Invoice 2211 charged twice", "customer_id": "cust-42", "tags": []string{"billing"},
	}, &opened)
	if resp.StatusCode != http.StatusCreated || opened.ID == "" || opened.Number != 1 || opened.Status != "new" || opened.Version != 1 {
		t.Fatalf("open: %d %s", resp.StatusCode, body)
	}
	if opened.CreatedBy != casekit.Agent("u-17") {
		t.Errorf("open: created by %v, want the key's agent", opened.CreatedBy)
	}
	if loc := resp.Header.Get("Location"); loc != apiPrefix+"/cases/"+opened.ID {
		t.Errorf("open: Location %q, want it under %s", loc, apiPrefix)
	}
	agent.do("POST", "/cases", map[string]any{"subject": "Printer on fire"}, nil)

	// List, with and without filters.
	var page casekit.CasePage
	if resp, body := agent.do("GET", "/cases", nil, &page); resp.StatusCode != http.StatusOK || len(page.Cases) != 2 {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}
	if page.Cases[0].Subject != "Printer on fire" {
		t.Errorf("list: first case %q, want the newest", page.Cases[0].Subject)
	}
	page = casekit.CasePage{}
	resp, body = agent.do("GET", "/cases?"+url.Values{"text": {"invoice"}, "status": {"new,in_progress"}}.Encode(), nil, &page)
	if resp.StatusCode != http.StatusOK || len(page.Cases) != 1 || page.Cases[0].ID != opened.ID {
		t.Errorf("list text=invoice: %d %s", resp.StatusCode, body)
	}
	page = casekit.CasePage{}
	resp, body = agent.do("GET", "/cases?limit=1", nil, &page)
	if resp.StatusCode != http.StatusOK || len(page.Cases) != 1 || page.Next == "" {
		t.Fatalf("list limit=1: %d %s", resp.StatusCode, body)
	}
	link := resp.Header.Get("Link")
	if !strings.HasPrefix(link, "<"+apiPrefix+"/cases?") || !strings.HasSuffix(link, `>; rel="next"`) {
		t.Errorf("list limit=1: Link %q, want the next page under %s", link, apiPrefix)
	}
	next := casekit.CasePage{}
	resp, body = agent.do("GET", "/cases?limit=1&after="+url.QueryEscape(page.Next), nil, &next)
	if resp.StatusCode != http.StatusOK || len(next.Cases) != 1 || next.Cases[0].ID != opened.ID || next.Next != "" {
		t.Errorf("list second page: %d %s", resp.StatusCode, body)
	}
	for _, tc := range []struct{ query, field string }{
		{"sort=nonsense", "sort"},
		{"limit=ten", "limit"},
		{"colour=red", "colour"},
		{"status=nonsense", "status"},
	} {
		if resp, body := agent.do("GET", "/cases?"+tc.query, nil, nil); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"`+tc.field+`"`) {
			t.Errorf("list %s: %d %s, want 422 naming %s", tc.query, resp.StatusCode, body, tc.field)
		}
	}

	// Get.
	var got casekit.Case
	if resp, body := agent.do("GET", "/cases/"+opened.ID, nil, &got); resp.StatusCode != http.StatusOK || got.ID != opened.ID || resp.Header.Get("ETag") != `"1"` {
		t.Fatalf("get: %d %s ETag %q", resp.StatusCode, body, resp.Header.Get("ETag"))
	}
	if resp, body := agent.do("GET", "/cases/0190a0a0-0000-7000-8000-000000000001", nil, nil); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, problemType("not-found")) {
		t.Errorf("get unknown case: %d %s, want 404", resp.StatusCode, body)
	}

	// Update with If-Match, then again with the now stale version.
	var updated casekit.Case
	resp, body = agent.do("PATCH", "/cases/"+opened.ID, map[string]any{"priority": "high"}, &updated, "If-Match", `"1"`)
	if resp.StatusCode != http.StatusOK || updated.Priority != "high" || updated.Version != 2 {
		t.Fatalf("update: %d %s", resp.StatusCode, body)
	}
	resp, body = agent.do("PATCH", "/cases/"+opened.ID, map[string]any{"priority": "low"}, nil, "If-Match", `"1"`)
	if resp.StatusCode != http.StatusPreconditionFailed || !strings.Contains(body, problemType("stale")) {
		t.Errorf("stale update: %d %s, want 412", resp.StatusCode, body)
	}

	// Status change, then close: without a note it is 422; with reason
	// and note it closes, and the closed case is read-only.
	var changed casekit.Case
	resp, body = agent.do("POST", "/cases/"+opened.ID+"/status", map[string]any{"status": "in_progress"}, &changed)
	if resp.StatusCode != http.StatusOK || changed.Status != "in_progress" {
		t.Fatalf("status: %d %s", resp.StatusCode, body)
	}
	resp, body = agent.do("POST", "/cases/"+opened.ID+"/close", map[string]any{"reason": "fixed"}, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"note"`) {
		t.Errorf("close without note: %d %s, want 422 naming note", resp.StatusCode, body)
	}
	var closed casekit.Case
	resp, body = agent.do("POST", "/cases/"+opened.ID+"/close", map[string]any{"reason": "fixed", "note": "Refunded"}, &closed)
	if resp.StatusCode != http.StatusOK || closed.Status != "closed" || closed.ClosureReason != "fixed" {
		t.Fatalf("close: %d %s", resp.StatusCode, body)
	}
	resp, body = agent.do("PATCH", "/cases/"+opened.ID, map[string]any{"subject": "again"}, nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, problemType("read-only")) {
		t.Errorf("update closed case: %d %s, want 409 read-only", resp.StatusCode, body)
	}

	// The document is there for anyone.
	req, _ := http.NewRequest("GET", base+apiPrefix+"/openapi.yaml", nil)
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != http.StatusOK {
		t.Errorf("GET %s/openapi.yaml without a key: %v %v", apiPrefix, r, err)
	} else {
		r.Body.Close()
	}

	// Bad requests: each a problem, and nothing opened.
	for _, tc := range []struct {
		name, method, path string
		body               any
		code               int
		want               string
	}{
		{"bad JSON", "POST", "/cases", `{"subject": `, http.StatusBadRequest, problemType("bad-json")},
		{"unknown field", "POST", "/cases", `{"subjekt": "x"}`, http.StatusBadRequest, "subjekt"},
		{"two objects", "POST", "/cases", `{"subject": "x"} {}`, http.StatusBadRequest, problemType("bad-json")},
		{"too large", "POST", "/cases", `{"subject": "` + strings.Repeat("x", 1<<20) + `"}`, http.StatusRequestEntityTooLarge, problemType("too-large")},
		{"missing subject", "POST", "/cases", map[string]any{"description": "no subject"}, http.StatusUnprocessableEntity, `"field":"subject"`},
		{"unknown priority", "POST", "/cases", map[string]any{"subject": "x", "priority": "urgent!"}, http.StatusUnprocessableEntity, `"field":"priority"`},
		{"unknown closure reason", "POST", "/cases/" + got.ID + "/close", map[string]any{"reason": "bored", "note": "n"}, http.StatusUnprocessableEntity, `"field":"reason"`},
		{"wrong method", "PUT", "/cases/" + got.ID, nil, http.StatusMethodNotAllowed, problemType("method-not-allowed")},
		{"unknown route", "GET", "/tickets", nil, http.StatusNotFound, problemType("no-route")},
		{"old tenant path", "GET", "/acme/cases", nil, http.StatusNotFound, problemType("no-route")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := bearer(t, base, key).do(tc.method, tc.path, tc.body, nil)
			if resp.StatusCode != tc.code || !strings.Contains(body, tc.want) {
				t.Errorf("%s %s: %d %.200s, want %d with %q", tc.method, tc.path, resp.StatusCode, body, tc.code, tc.want)
			}
		})
	}
	page = casekit.CasePage{}
	if agent.do("GET", "/cases", nil, &page); len(page.Cases) != 2 {
		t.Errorf("after the bad requests: %d cases, want the 2 opened", len(page.Cases))
	}
}

// brokenStore fails every transaction with an error full of internals.
type brokenStore struct{ store.Store }

func (brokenStore) InTx(context.Context, string, func(context.Context, store.Tx) error) error {
	return errors.New(`dial tcp 10.1.2.3:5432: relation "casekit_t_acme.cases" is gone`)
}

// A failure casekit does not name is a 500 problem that says nothing of
// its cause, which goes to the log.
func TestInternalErrorsDoNotLeak(t *testing.T) {
	_, _, keys := testKit(t)
	kit, err := casekit.New(brokenStore{}, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	base := testServer(t, kit, keys, &logs)
	_, key := newTestKey(t, keys, "acme", casekit.Agent("u-17"))
	resp, body := bearer(t, base, key).do("GET", "/cases", nil, nil)
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, problemType("internal")) || strings.Contains(body, "10.1.2.3") {
		t.Errorf("GET with a broken store: %d %s, want a bare 500", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "10.1.2.3") {
		t.Errorf("the 500's cause is not in the log: %s", logs.String())
	}
}

func TestProvision(t *testing.T) {
	kit, _, _ := testKit(t, "acme")
	ctx := context.Background()
	var bar bytes.Buffer
	res, err := provision(ctx, kit, 1, 5, 2, &bar)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 5 || res.Existing != 0 || len(res.Times) != 5 || res.Total <= 0 {
		t.Errorf("provision 5: %+v", res)
	}
	if !strings.Contains(bar.String(), "5/5 100%") || !strings.Contains(bar.String(), "\r") {
		t.Errorf("progress bar: %q", bar.String())
	}
	sum := res.summary()
	for _, want := range []string{"provisioned 5 tenants in", "per tenant: mean", "p50", "p95", "max"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	for i := 1; i <= 5; i++ {
		if _, err := kit.Tenant(ctx, tenantID(i)); err != nil {
			t.Errorf("tenant %s: %v", tenantID(i), err)
		}
	}
	// Again with more: the five are skipped, the rest made.
	res, err = provision(ctx, kit, 1, 7, 3, io.Discard)
	if err != nil || res.Created != 2 || res.Existing != 5 {
		t.Errorf("provision 7 over 5: %+v, %v", res, err)
	}
	// From the ninth: tenant-0009 and tenant-0010, tenant-0008 left out.
	res, err = provision(ctx, kit, 9, 2, 2, io.Discard)
	if err != nil || res.Created != 2 || res.Existing != 0 {
		t.Errorf("provision 2 from the ninth: %+v, %v", res, err)
	}
	if _, err := kit.Tenant(ctx, tenantID(8)); !errors.Is(err, casekit.ErrTenantNotFound) {
		t.Errorf("tenant-0008: %v, want not found", err)
	}
	var out bytes.Buffer
	if err := migrate(ctx, kit, 2, &out); err != nil {
		t.Fatal(err)
	}
	// acme and the nine tenants.
	if n := strings.Count(out.String(), "nothing to do"); n != 10 {
		t.Errorf("migrate: %d tenants already current, want 10:\n%s", n, out.String())
	}
}

// cancelAfter is a slog.Handler that calls cancel once the kit has
// logged n tenants created: an interrupt in the middle of a run.
type cancelAfter struct {
	mu     *sync.Mutex
	n      *int
	cancel context.CancelFunc
}

func (h cancelAfter) Enabled(context.Context, slog.Level) bool { return true }
func (h cancelAfter) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h cancelAfter) WithGroup(string) slog.Handler            { return h }
func (h cancelAfter) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Message == "casekit: tenant created" {
		if *h.n--; *h.n == 0 {
			h.cancel()
		}
	}
	return nil
}

// A run interrupted midway reports what it made: the tenants it counts
// as created are registered, and so may be some of the attempts cut
// short (counted apart, at most one per worker), those whose commit
// raced the interrupt; every registered tenant has its schema and no
// schema is left without its registry row; nothing is attempted after
// the interrupt.
func TestProvisionInterrupted(t *testing.T) {
	_, s, _ := testKit(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 3
	kit, err := casekit.New(s, casekit.WithLogger(slog.New(cancelAfter{mu: &sync.Mutex{}, n: &n, cancel: cancel})))
	if err != nil {
		t.Fatal(err)
	}
	var bar bytes.Buffer
	res, err := provision(ctx, kit, 1, 40, 4, &bar)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("provision interrupted: %v, want context.Canceled", err)
	}
	bg := context.Background()
	ts, err := kit.Tenants(bg)
	if err != nil {
		t.Fatal(err)
	}
	registered := len(ts)
	if res.Created < 3 || registered < res.Created || registered > res.Created+res.Failed || res.Failed > 4 || res.Created+res.Failed > 3+4 {
		t.Errorf("interrupted after 3: %+v, %d registered; want at least 3 created, all of them registered, at most 4 cut short", res, registered)
	}
	var schemas int
	err = s.DB().NewRaw("SELECT count(*) FROM pg_namespace WHERE starts_with(nspname, ?)", s.Prefix()+"t_").Scan(bg, &schemas)
	if err != nil || schemas != len(ts) {
		t.Errorf("%d schemas for %d registered tenants (%v)", schemas, len(ts), err)
	}
	if want := fmt.Sprintf("%d/40", res.Created+res.Failed); !strings.Contains(bar.String(), want) {
		t.Errorf("the bar does not end at %s: %q", want, bar.String())
	}
	if res.Failed > 0 && !strings.Contains(res.summary(), "cut short") {
		t.Errorf("summary: %s", res.summary())
	}
}

func TestPercentiles(t *testing.T) {
	r := provisionResult{}
	for i := 1; i <= 100; i++ {
		r.Times = append(r.Times, msDuration(i))
	}
	if r.percentile(50) != msDuration(50) || r.percentile(95) != msDuration(95) || r.percentile(100) != msDuration(100) || r.mean() != msDuration(50)+msDuration(1)/2 {
		t.Errorf("p50 %v, p95 %v, p100 %v, mean %v", r.percentile(50), r.percentile(95), r.percentile(100), r.mean())
	}
}

// TestRunCommandLine runs the program as main does: -provision and
// -migrate end to end, and bad input fails with one clear line.
func TestRunCommandLine(t *testing.T) {
	dsn := testDSN(t)
	prefix := testPrefix()
	dropOnCleanup(t, dsn, prefix)
	ctx := context.Background()

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"-db", dsn, "-prefix", prefix, "-provision", "3", "-concurrency", "2"}, &out, &errOut); err != nil {
		t.Fatalf("-provision 3: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "provisioned 3 tenants") || !strings.Contains(out.String(), "3 tenants registered under the prefix "+prefix) || !strings.Contains(errOut.String(), "3/3 100%") {
		t.Errorf("-provision 3 printed:\n%s\n%s", out.String(), errOut.String())
	}
	out.Reset()
	if err := run(ctx, []string{"-db", dsn, "-prefix", prefix, "-migrate"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "[3/3]") || !strings.Contains(out.String(), "tenant-0002") {
		t.Errorf("-migrate printed:\n%s", out.String())
	}
	testKeyCommands(t, dsn, prefix)

	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	withUser := *u
	withUser.User = url.UserPassword("no_such_role_casekit", "wrong-password")
	unknownDB := *u
	unknownDB.Path = "/no_such_database_casekit"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no -db", []string{"-db", ""}, "-db is required"},
		{"unreachable", []string{"-db", "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"}, "cannot open the store"},
		{"wrong login", []string{"-db", withUser.String()}, "cannot open the store"},
		{"unknown database", []string{"-db", unknownDB.String()}, "no_such_database_casekit"},
		{"not a URL", []string{"-db", "postgres://[::1"}, "cannot open the store"},
		{"bad prefix", []string{"-db", dsn, "-prefix", "Bad-Prefix"}, "prefix"},
		{"stray argument", []string{"-db", dsn, "serve"}, "unexpected argument"},
		{"bad concurrency", []string{"-db", dsn, "-concurrency", "0"}, "-concurrency"},
		{"bad first", []string{"-db", dsn, "-provision", "2", "-first", "0"}, "-first"},
		{"bad address", []string{"-db", dsn, "-prefix", prefix, "-addr", "256.0.0.1:1"}, "cannot serve on -addr"},
		{"bad pprof address", []string{"-db", dsn, "-prefix", prefix, "-pprof", "256.0.0.1:1"}, "cannot serve the profiles on -pprof"},
		{"key without agent", []string{"-db", dsn, "-prefix", prefix, "-new-key", "tenant-0001"}, "want tenant:agent-id"},
		{"key of a bad tenant ID", []string{"-db", dsn, "-prefix", prefix, "-new-key", "Tenant_1:u-1"}, "tenant ID"},
		{"key of no tenant", []string{"-db", dsn, "-prefix", prefix, "-new-key", "tenant-0099:u-1"}, `no tenant "tenant-0099"`},
		{"key of an empty agent", []string{"-db", dsn, "-prefix", prefix, "-new-key", "tenant-0001:"}, "agent ID"},
		{"key of a spaced agent", []string{"-db", dsn, "-prefix", prefix, "-new-key", "tenant-0001:u 1"}, "agent ID"},
		{"revoke not an ID", []string{"-db", dsn, "-prefix", prefix, "-revoke-key", "ck_xyz"}, "hex digits"},
		{"revoke no key", []string{"-db", dsn, "-prefix", prefix, "-revoke-key", "0123456789abcdef"}, "no key with ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(ctx, tc.args, io.Discard, io.Discard)
			if err == nil {
				t.Fatal("no error")
			}
			msg := oneLine(err)
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, "wrong-password") {
				t.Errorf("error %q, want it to contain %q and no password", msg, tc.want)
			}
		})
	}
}

// testKeyCommands runs -new-key and -revoke-key on the tenants of prefix
// and checks the key works, then does not, and -drop takes the keys.
func testKeyCommands(t *testing.T, dsn, prefix string) {
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"-db", dsn, "-prefix", prefix, "-new-key", "tenant-0002:u-5"}, &out, &errOut); err != nil {
		t.Fatalf("-new-key: %v", err)
	}
	key := strings.TrimSuffix(out.String(), "\n")
	id, _, ok := bearerKey("Bearer " + key)
	if !ok || !strings.Contains(errOut.String(), "key "+id+" for tenant tenant-0002, acting as agent:u-5") {
		t.Fatalf("-new-key printed %q and %q", out.String(), errOut.String())
	}
	s, err := postgres.Open(ctx, dsn, postgres.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	keys, err := openKeys(ctx, s.DB(), prefix, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/cases", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	if tenant, actor, err := keys.authenticate(req); err != nil || tenant != "tenant-0002" || actor != casekit.Agent("u-5") {
		t.Errorf("the new key: %q, %v, %v", tenant, actor, err)
	}
	for _, want := range []string{"key " + id + " revoked", "key " + id + " was already revoked"} {
		errOut.Reset()
		if err := run(ctx, []string{"-db", dsn, "-prefix", prefix, "-revoke-key", id}, io.Discard, &errOut); err != nil || !strings.Contains(errOut.String(), want) {
			t.Errorf("-revoke-key: %v, %q, want %q", err, errOut.String(), want)
		}
	}
	if _, _, err := keys.authenticate(req); !errors.Is(err, errBadKey) {
		t.Errorf("the revoked key: %v, want errBadKey", err)
	}

	out.Reset()
	if err := run(ctx, []string{"-db", dsn, "-prefix", prefix, "-drop"}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "API keys") {
		t.Fatalf("-drop: %v, %q", err, out.String())
	}
	var left bool
	if err := s.DB().NewRaw("SELECT EXISTS (SELECT 1 FROM information_schema.schemata WHERE schema_name = ?)", keysSchema(prefix)).Scan(ctx, &left); err != nil || left {
		t.Errorf("after -drop the keys schema is left: %v, %v", left, err)
	}
}

func msDuration(i int) time.Duration { return time.Duration(i) * time.Millisecond }
