package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/storage/postgres"
)

// countCases returns how many cases tenant has, read past the API.
func countCases(t *testing.T, kit *casekit.Kit, tenant string) int {
	t.Helper()
	page, err := kit.Desk(tenant).As(casekit.System).ListCases(context.Background(), casekit.CaseFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Cases)
}

// A key reaches its own tenant as its own actor, and nothing of another
// tenant: what the other tenant's key asks of acme's cases is not found,
// and writes nothing there.
func TestAPIKeysKeepTenantsApart(t *testing.T) {
	kit, _, keys := testKit(t, "acme", "globex")
	base := testServer(t, kit, keys, io.Discard)
	_, acmeKey := newTestKey(t, keys, "acme", casekit.Agent("u-17"))
	_, globexKey := newTestKey(t, keys, "globex", casekit.Agent("u-9"))
	acme, globex := bearer(t, base, acmeKey), bearer(t, base, globexKey)

	var cs casekit.Case
	if resp, body := acme.do("POST", "/cases", map[string]any{"subject": "Acme's secret"}, &cs); resp.StatusCode != http.StatusCreated || cs.CreatedBy != casekit.Agent("u-17") {
		t.Fatalf("acme opens: %d %s, want 201 by agent u-17", resp.StatusCode, body)
	}

	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/cases/" + cs.ID, nil},
		{"GET", "/cases/" + cs.ID + "/view", nil},
		{"GET", "/case-numbers/1", nil},
		{"PATCH", "/cases/" + cs.ID, map[string]any{"subject": "Globex was here"}},
		{"POST", "/cases/" + cs.ID + "/status", map[string]any{"status": "in_progress"}},
		{"POST", "/cases/" + cs.ID + "/close", map[string]any{"reason": "fixed", "note": "Globex was here"}},
		{"DELETE", "/cases/" + cs.ID + "?reason=mistake", nil},
	} {
		// A command the agent may not run in any case (delete) is
		// refused before the case is looked for: a 403 that says nothing
		// of acme either.
		resp, body := globex.do(tc.method, tc.path, tc.body, nil)
		if resp.StatusCode != http.StatusNotFound && (tc.method != "DELETE" || resp.StatusCode != http.StatusForbidden) || strings.Contains(body, "secret") {
			t.Errorf("globex's key: %s %s: %d %s, want 404", tc.method, tc.path, resp.StatusCode, body)
		}
	}
	var page casekit.CasePage
	if resp, body := globex.do("GET", "/cases?text=secret", nil, &page); resp.StatusCode != http.StatusOK || len(page.Cases) != 0 {
		t.Errorf("globex lists: %d %s, want none of acme's cases", resp.StatusCode, body)
	}
	// What globex opens is globex's.
	if resp, body := globex.do("POST", "/cases", map[string]any{"subject": "Globex's own"}, nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("globex opens: %d %s", resp.StatusCode, body)
	}
	after, err := kit.Desk("acme").As(casekit.System).Case(context.Background(), cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Version != cs.Version || after.Subject != cs.Subject || after.Status != cs.Status {
		t.Errorf("acme's case after globex's requests: %+v, want it as opened", after)
	}
	if n, m := countCases(t, kit, "acme"), countCases(t, kit, "globex"); n != 1 || m != 1 {
		t.Errorf("acme has %d cases and globex %d, want 1 each", n, m)
	}

	// A key may act as the system, and the Bearer scheme is read in any
	// case.
	_, sysKey := newTestKey(t, keys, "acme", casekit.System)
	sys := client{t: t, base: base, auth: "bearer " + sysKey}
	var imported casekit.Case
	if resp, body := sys.do("POST", "/cases", map[string]any{"subject": "Nightly import"}, &imported); resp.StatusCode != http.StatusCreated || imported.CreatedBy != casekit.System {
		t.Errorf("system key opens: %d %s, want 201 by the system", resp.StatusCode, body)
	}

	// A key of a tenant dropped since is a 404, not a way in.
	if err := kit.DropTenant(context.Background(), "globex"); err != nil {
		t.Fatal(err)
	}
	if resp, body := globex.do("GET", "/cases", nil, nil); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, problemType("tenant-not-found")) {
		t.Errorf("key of a dropped tenant: %d %s, want 404 tenant-not-found", resp.StatusCode, body)
	}
}

// A revoked key, a wrong one and a malformed header are each a 401
// problem that writes nothing.
func TestAPIKeysRefused(t *testing.T) {
	kit, _, keys := testKit(t, "acme")
	base := testServer(t, kit, keys, io.Discard)
	id, key := newTestKey(t, keys, "acme", casekit.Agent("u-17"))
	if resp, body := bearer(t, base, key).do("POST", "/cases", map[string]any{"subject": "Before"}, nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("open with the key: %d %s", resp.StatusCode, body)
	}
	if already, err := keys.revoke(context.Background(), id); err != nil || already {
		t.Fatalf("revoke: %v, %v", already, err)
	}

	otherID, _ := newTestKey(t, keys, "acme", casekit.Agent("u-17"))
	secret := key[len(keyPrefix)+keyIDLen+1:]
	zeros := strings.Repeat("A", secretLen) // 256 zero bits: a secret of the right form
	for _, tc := range []struct{ name, auth string }{
		{"revoked", "Bearer " + key},
		{"no header", ""},
		{"basic", "Basic " + base64.StdEncoding.EncodeToString([]byte("u-17:"+key))},
		{"scheme only", "Bearer"},
		{"empty token", "Bearer "},
		{"two spaces", "Bearer  " + key},
		{"token only", key},
		{"trailing byte", "Bearer " + key + "x"},
		{"truncated", "Bearer " + key[:len(key)-1]},
		{"upper-case ID", "Bearer " + keyPrefix + strings.ToUpper(id) + key[len(keyPrefix)+keyIDLen:]},
		{"another key's ID", "Bearer " + keyPrefix + otherID + "_" + secret},
		{"wrong secret", "Bearer " + keyPrefix + id + "_" + zeros},
		{"unknown ID", "Bearer " + keyPrefix + "0123456789abcdef_" + secret},
		{"not base64", "Bearer " + keyPrefix + id + "_" + strings.Repeat("!", secretLen)},
		{"huge", "Bearer " + strings.Repeat("k", 64<<10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := client{t: t, base: base, auth: tc.auth}.do("POST", "/cases", map[string]any{"subject": "After"}, nil)
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, problemType("unauthenticated")) ||
				!strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%d %s (WWW-Authenticate %q), want a 401 problem", resp.StatusCode, body, resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
	if n := countCases(t, kit, "acme"); n != 1 {
		t.Errorf("acme has %d cases after the refused requests, want 1", n)
	}
}

// The table keeps each key's SHA-256 and never the key, and each key
// holds 256 random bits.
func TestAPIKeysStoredAsHashes(t *testing.T) {
	_, store, keys := testKit(t)
	ctx := context.Background()
	id, key := newTestKey(t, keys, "acme", casekit.Agent("u-17"))
	_, key2 := newTestKey(t, keys, "acme", casekit.Agent("u-17"))
	secret, err := base64.RawURLEncoding.DecodeString(key[len(keyPrefix)+keyIDLen+1:])
	if err != nil || len(secret) != 32 || key == key2 || len(key) != keyLen {
		t.Fatalf("key %q: secret of %d bytes (%v), second key %q", key, len(secret), err, key2)
	}
	var row struct {
		Tenant, Actor string
		Hash          []byte
	}
	if err := store.DB().NewRaw("SELECT tenant, actor, hash FROM ? WHERE id = ?", keys.table(), id).Scan(ctx, &row.Tenant, &row.Actor, &row.Hash); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(key))
	if row.Tenant != "acme" || row.Actor != "agent:u-17" || !bytes.Equal(row.Hash, sum[:]) {
		t.Errorf("row %+v, want acme, agent:u-17 and the key's SHA-256", row)
	}
	var found bool
	q := "SELECT EXISTS (SELECT 1 FROM ? WHERE id || tenant || actor || encode(hash, 'escape') LIKE ?)"
	if err := store.DB().NewRaw(q, keys.table(), "%"+key[len(keyPrefix)+keyIDLen+1:]+"%").Scan(ctx, &found); err != nil || found {
		t.Errorf("the secret is in the table: %v, %v", found, err)
	}
}

// A verified key is remembered for the cache's TTL: a wrong secret under
// its ID is still refused (the hash is compared on every request), a
// revocation through the same keys is refused at once, and one by another
// process (-revoke-key) once the entry expires.
func TestAPIKeysCache(t *testing.T) {
	kit, store, keys := testKit(t, "acme")
	const ttl = 300 * time.Millisecond
	keys.cacheVerified(ttl)
	base := testServer(t, kit, keys, io.Discard)
	id, key := newTestKey(t, keys, "acme", casekit.Agent("u-17"))
	get := func(key string) int {
		resp, _ := bearer(t, base, key).do("GET", "/cases", nil, nil)
		return resp.StatusCode
	}
	if got := get(key); got != http.StatusOK {
		t.Fatalf("a new key: %d, want 200", got)
	}
	if keys.cache.Len() != 1 {
		t.Fatalf("%d keys cached after one verified, want 1", keys.cache.Len())
	}
	if got := get(keyPrefix + id + "_" + strings.Repeat("A", secretLen)); got != http.StatusUnauthorized {
		t.Errorf("a wrong secret under a cached ID: %d, want 401", got)
	}
	// Another process revokes the key: its own keys, no shared cache.
	other := &apiKeys{db: store.DB(), schema: keys.schema, log: keys.log}
	if _, err := other.revoke(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(ttl + 2*time.Second)
	for get(key) != http.StatusUnauthorized {
		if time.Now().After(deadline) {
			t.Fatalf("a key revoked by another process is still accepted %v after its TTL", 2*time.Second)
		}
		time.Sleep(ttl / 10)
	}
	// Revoked through the server's own keys: refused at once.
	id2, key2 := newTestKey(t, keys, "acme", casekit.Agent("u-17"))
	if got := get(key2); got != http.StatusOK {
		t.Fatalf("a second key: %d, want 200", got)
	}
	if _, err := keys.revoke(context.Background(), id2); err != nil {
		t.Fatal(err)
	}
	if got := get(key2); got != http.StatusUnauthorized {
		t.Errorf("a key revoked through the server's keys: %d, want 401 at once", got)
	}
}

// When the keys cannot be read every request is refused with a 503 (not
// a 401, which would tell a good key it is bad), and the cause goes to
// the log.
func TestAPIKeysUnreadable(t *testing.T) {
	kit, _, _ := testKit(t)
	dsn := testDSN(t)
	s, err := postgres.Open(context.Background(), dsn, postgres.WithPrefix(testPrefix()))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	keys := &apiKeys{db: s.DB(), schema: keysSchema(s.Prefix()), log: slog.New(slog.NewTextHandler(&logs, nil))}
	s.Close() // the pool is closed and the table was never made
	base := testServer(t, kit, keys, io.Discard)
	resp, body := bearer(t, base, keyPrefix+"0123456789abcdef_"+strings.Repeat("A", secretLen)).do("GET", "/cases", nil, nil)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, problemType("auth-unavailable")) || resp.Header.Get("Retry-After") == "" {
		t.Errorf("%d %s, want a 503 problem with Retry-After", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "cannot read the API keys") {
		t.Errorf("log: %q, want the failure", logs.String())
	}
}
