package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/postgres"
)

// testDSN returns CASEKIT_TEST_DATABASE_URL or skips the test.
func testDSN(t *testing.T) string {
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
func dropOnCleanup(t *testing.T, dsn, prefix string) {
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

// testKit returns a kit on a store with a schema prefix of its own and one
// tenant, "acme". Everything is dropped when the test ends.
func testKit(t *testing.T) (*casekit.Kit, *postgres.Store) {
	t.Helper()
	dsn := testDSN(t)
	prefix := testPrefix()
	ctx := context.Background()
	s, err := postgres.Open(ctx, dsn, postgres.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	dropOnCleanup(t, dsn, prefix)
	kit, err := casekit.New(s, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if err := kit.CreateTenant(ctx, casekit.TenantSpec{ID: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	return kit, s
}

// client sends requests to the test server as one agent.
type client struct {
	t     *testing.T
	base  string
	agent string
}

// do sends a request with body (a string is sent as is, anything else as
// JSON) and decodes the JSON response into out when it is not nil.
func (c client) do(method, path string, body any, out any) (int, string) {
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
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.agent != "" {
		req.Header.Set("X-Agent", c.agent)
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
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		c.t.Errorf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return resp.StatusCode, string(raw)
}

func TestAPI(t *testing.T) {
	kit, _ := testKit(t)
	var logs bytes.Buffer
	srv := httptest.NewServer(newHandler(kit, slog.New(slog.NewTextHandler(&logs, nil))))
	defer srv.Close()
	agent := client{t: t, base: srv.URL, agent: "u-17"}

	// Open.
	var opened casekit.Case
	code, body := agent.do("POST", "/acme/cases", map[string]any{
		"subject": "Invoice 2211 charged twice", "customer_id": "cust-42", "tags": []string{"billing"},
	}, &opened)
	if code != http.StatusCreated || opened.ID == "" || opened.Number != 1 || opened.Status != "new" || opened.Version != 1 {
		t.Fatalf("open: %d %s", code, body)
	}
	if opened.CreatedBy != casekit.Agent("u-17") {
		t.Errorf("open: created by %v, want the X-Agent", opened.CreatedBy)
	}
	agent.do("POST", "/acme/cases", map[string]any{"subject": "Printer on fire"}, nil)

	// List, with and without filters.
	var page casekit.CasePage
	if code, body := agent.do("GET", "/acme/cases", nil, &page); code != http.StatusOK || len(page.Cases) != 2 {
		t.Fatalf("list: %d %s", code, body)
	}
	if page.Cases[0].Subject != "Printer on fire" {
		t.Errorf("list: first case %q, want the newest", page.Cases[0].Subject)
	}
	page = casekit.CasePage{}
	code, body = agent.do("GET", "/acme/cases?"+url.Values{"text": {"invoice"}, "status": {"new,in_progress"}}.Encode(), nil, &page)
	if code != http.StatusOK || len(page.Cases) != 1 || page.Cases[0].ID != opened.ID {
		t.Errorf("list text=invoice: %d %s", code, body)
	}
	page = casekit.CasePage{}
	code, body = agent.do("GET", "/acme/cases?limit=1", nil, &page)
	if code != http.StatusOK || len(page.Cases) != 1 || page.Next == "" {
		t.Fatalf("list limit=1: %d %s", code, body)
	}
	next := casekit.CasePage{}
	code, body = agent.do("GET", "/acme/cases?limit=1&after="+url.QueryEscape(page.Next), nil, &next)
	if code != http.StatusOK || len(next.Cases) != 1 || next.Cases[0].ID != opened.ID || next.Next != "" {
		t.Errorf("list second page: %d %s", code, body)
	}
	page = casekit.CasePage{}
	code, body = agent.do("GET", "/acme/cases?sort=created&limit=1", nil, &page)
	if code != http.StatusOK || len(page.Cases) != 1 || page.Cases[0].ID != opened.ID || page.Next == "" {
		t.Errorf("list sort=created: %d %s, want the oldest case first", code, body)
	}
	if code, body := agent.do("GET", "/acme/cases?limit=1&after="+url.QueryEscape(page.Next), nil, nil); code != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"after"`) {
		t.Errorf("list newest first after a sort=created cursor: %d %s, want 422 naming after", code, body)
	}
	if code, body := agent.do("GET", "/acme/cases?sort=nonsense", nil, nil); code != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"sort"`) {
		t.Errorf("list sort=nonsense: %d %s, want 422 naming sort", code, body)
	}
	if code, body := agent.do("GET", "/acme/cases?limit=ten", nil, nil); code != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"limit"`) {
		t.Errorf("list limit=ten: %d %s, want 422 naming limit", code, body)
	}
	if code, body := agent.do("GET", "/acme/cases?colour=red", nil, nil); code != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"colour"`) {
		t.Errorf("list colour=red: %d %s, want 422 naming the unknown filter", code, body)
	}
	if code, body := agent.do("GET", "/acme/cases?status=nonsense", nil, nil); code != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"status"`) {
		t.Errorf("list status=nonsense: %d %s, want 422 naming status", code, body)
	}

	// Get.
	var got casekit.Case
	if code, body := agent.do("GET", "/acme/cases/"+opened.ID, nil, &got); code != http.StatusOK || got.ID != opened.ID {
		t.Fatalf("get: %d %s", code, body)
	}
	if code, body := agent.do("GET", "/acme/cases/0190a0a0-0000-7000-8000-000000000001", nil, nil); code != http.StatusNotFound {
		t.Errorf("get unknown case: %d %s, want 404", code, body)
	}

	// Update, then again with the now stale version.
	var updated casekit.Case
	code, body = agent.do("PATCH", "/acme/cases/"+opened.ID, map[string]any{"if_version": 1, "priority": "high"}, &updated)
	if code != http.StatusOK || updated.Priority != "high" || updated.Version != 2 {
		t.Fatalf("update: %d %s", code, body)
	}
	code, body = agent.do("PATCH", "/acme/cases/"+opened.ID, map[string]any{"if_version": 1, "priority": "low"}, nil)
	if code != http.StatusConflict || !strings.Contains(body, `"code":"conflict"`) {
		t.Errorf("stale update: %d %s, want 409 conflict", code, body)
	}

	// Close: without a note it is 422; with reason and note it closes, and
	// the closed case is read-only.
	code, body = agent.do("POST", "/acme/cases/"+opened.ID+"/close", map[string]any{"reason": "fixed"}, nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"note"`) {
		t.Errorf("close without note: %d %s, want 422 naming note", code, body)
	}
	var closed casekit.Case
	code, body = agent.do("POST", "/acme/cases/"+opened.ID+"/close", map[string]any{"reason": "fixed", "note": "Refunded"}, &closed)
	if code != http.StatusOK || closed.Status != "closed" || closed.ClosureReason != "fixed" {
		t.Fatalf("close: %d %s", code, body)
	}
	code, body = agent.do("PATCH", "/acme/cases/"+opened.ID, map[string]any{"subject": "again"}, nil)
	if code != http.StatusConflict || !strings.Contains(body, `"code":"read_only"`) {
		t.Errorf("update closed case: %d %s, want 409 read_only", code, body)
	}

	// Bad requests.
	for _, tc := range []struct {
		name, method, path string
		body               any
		agent              string
		code               int
		want               string
	}{
		{"no agent", "POST", "/acme/cases", map[string]any{"subject": "x"}, "", http.StatusUnauthorized, "X-Agent"},
		{"no agent on read", "GET", "/acme/cases", nil, "", http.StatusUnauthorized, "X-Agent"},
		{"unknown tenant", "GET", "/nobody/cases", nil, "u-17", http.StatusNotFound, `"code":"tenant_not_found"`},
		{"unknown tenant open", "POST", "/nobody/cases", map[string]any{"subject": "x"}, "u-17", http.StatusNotFound, "tenant_not_found"},
		{"tenant not a slug", "GET", "/Not_A_Slug/cases", nil, "u-17", http.StatusNotFound, "tenant_not_found"},
		{"bad JSON", "POST", "/acme/cases", `{"subject": `, "u-17", http.StatusBadRequest, "malformed JSON"},
		{"unknown field", "POST", "/acme/cases", `{"subjekt": "x"}`, "u-17", http.StatusBadRequest, "subjekt"},
		{"two objects", "POST", "/acme/cases", `{"subject": "x"} {}`, "u-17", http.StatusBadRequest, "malformed JSON"},
		{"too large", "POST", "/acme/cases", `{"subject": "` + strings.Repeat("x", maxBody) + `"}`, "u-17", http.StatusRequestEntityTooLarge, "too_large"},
		{"missing subject", "POST", "/acme/cases", map[string]any{"description": "no subject"}, "u-17", http.StatusUnprocessableEntity, `"field":"subject"`},
		{"unknown priority", "POST", "/acme/cases", map[string]any{"subject": "x", "priority": "urgent!"}, "u-17", http.StatusUnprocessableEntity, `"field":"priority"`},
		{"unknown closure reason", "POST", "/acme/cases/" + got.ID + "/close", map[string]any{"reason": "bored", "note": "n"}, "u-17", http.StatusUnprocessableEntity, `"field":"reason"`},
		{"wrong method", "DELETE", "/acme/cases/" + got.ID, nil, "u-17", http.StatusMethodNotAllowed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := client{t: t, base: srv.URL, agent: tc.agent}
			if tc.code == http.StatusMethodNotAllowed {
				req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tc.code {
					t.Errorf("%s %s: %d, want %d", tc.method, tc.path, resp.StatusCode, tc.code)
				}
				return
			}
			code, body := c.do(tc.method, tc.path, tc.body, nil)
			if code != tc.code || !strings.Contains(body, tc.want) {
				t.Errorf("%s %s: %d %.200s, want %d with %q", tc.method, tc.path, code, body, tc.code, tc.want)
			}
		})
	}

}

// brokenStore fails every transaction with an error full of internals.
type brokenStore struct{ store.Store }

func (brokenStore) InTx(context.Context, string, func(context.Context, store.Tx) error) error {
	return errors.New(`dial tcp 10.1.2.3:5432: relation "casekit_t_acme.cases" is gone`)
}

// A failure casekit does not name is a 500 that says nothing of its cause,
// which goes to the log.
func TestInternalErrorsDoNotLeak(t *testing.T) {
	kit, err := casekit.New(brokenStore{}, casekit.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	srv := httptest.NewServer(newHandler(kit, slog.New(slog.NewTextHandler(&logs, nil))))
	defer srv.Close()
	code, body := client{t: t, base: srv.URL, agent: "u-17"}.do("GET", "/acme/cases", nil, nil)
	if code != http.StatusInternalServerError || body != `{"code":"internal","message":"internal error"}`+"\n" {
		t.Errorf("GET with a broken store: %d %s, want a bare 500", code, body)
	}
	if !strings.Contains(logs.String(), "10.1.2.3") {
		t.Errorf("the 500's cause is not in the log: %s", logs.String())
	}
}

func TestProvision(t *testing.T) {
	kit, _ := testKit(t)
	ctx := context.Background()
	var bar bytes.Buffer
	res, err := provision(ctx, kit, 5, 2, &bar)
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
	res, err = provision(ctx, kit, 7, 3, io.Discard)
	if err != nil || res.Created != 2 || res.Existing != 5 {
		t.Errorf("provision 7 over 5: %+v, %v", res, err)
	}
	var out bytes.Buffer
	if err := migrate(ctx, kit, 2, &out); err != nil {
		t.Fatal(err)
	}
	// acme and the seven tenants.
	if n := strings.Count(out.String(), "nothing to do"); n != 8 {
		t.Errorf("migrate: %d tenants already current, want 8:\n%s", n, out.String())
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
	if !strings.Contains(out.String(), "provisioned 3 tenants") || !strings.Contains(errOut.String(), "3/3 100%") {
		t.Errorf("-provision 3 printed:\n%s\n%s", out.String(), errOut.String())
	}
	out.Reset()
	if err := run(ctx, []string{"-db", dsn, "-prefix", prefix, "-migrate"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "[3/3]") || !strings.Contains(out.String(), "tenant-0002") {
		t.Errorf("-migrate printed:\n%s", out.String())
	}

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
		{"bad address", []string{"-db", dsn, "-prefix", prefix, "-addr", "256.0.0.1:1"}, "cannot serve on -addr"},
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

func msDuration(i int) time.Duration { return time.Duration(i) * time.Millisecond }
