package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/uptrace/bun"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casehttp"
)

// An API key reads "ck_" + its ID + "_" + its secret. The ID (8 random
// bytes, hex) is not secret: it is the indexed column a request is looked
// up by, and what -revoke-key names. The secret is 256 bits from
// crypto/rand, base64url without padding.
const (
	keyPrefix    = "ck_"
	keyIDBytes   = 8
	keyIDLen     = 2 * keyIDBytes
	secretBytes  = 32
	secretLen    = 43 // base64.RawURLEncoding of 32 bytes
	keyLen       = len(keyPrefix) + keyIDLen + 1 + secretLen
	maxAuthLen   = 256 // an Authorization header longer than this is refused unread
	maxAgentID   = 128
	systemActor  = "system"
	keysTable    = "api_keys"
	keysLockName = "saas_api_keys"
	// keyCacheSize bounds how many verified keys a server remembers
	// (about 200 bytes each).
	keyCacheSize = 10000
	// defaultKeyCacheTTL is how long a verified key is trusted without
	// reading its row again, unless -key-cache says otherwise.
	defaultKeyCacheTTL = 10 * time.Second
)

// errBadKey is every credential that does not pass: missing, malformed,
// unknown, wrong or revoked. casehttp.API answers it 401 and sends none of
// its text, so a caller cannot tell which.
var errBadKey = errors.New("saas: the API key is missing, malformed, unknown or revoked")

// apiKeys is the host's own table of per-tenant API keys: a table of
// examples/saas in a schema of its own (prefix+"saas"), beside casekit's
// schemas but not in them. Each row names the tenant the key reaches and
// the actor its commands run as, and holds the SHA-256 of the key, never
// the key.
type apiKeys struct {
	db     bun.IDB
	schema string
	log    *slog.Logger
	// cache holds the rows of keys verified lately by key ID, so that a
	// request with a key seen within the TTL costs no round trip to the
	// table (0.7 ms of a 2.6 ms create in BENCHMARKS.md); nil reads the
	// table every time. See cacheVerified for what it means for
	// revocation.
	cache *expirable.LRU[string, verifiedKey]
}

// verifiedKey is the row of a key that passed: what a later request
// with the same key ID is checked against.
type verifiedKey struct {
	tenant string
	actor  casekit.Actor
	hash   []byte
}

// cacheVerified makes k remember up to keyCacheSize verified keys for
// ttl each (least recently used first out); ttl 0 turns the cache off.
// A key revoked through k (revoke) is forgotten at once; one revoked by
// another process (-revoke-key, another replica) is refused by this one
// within ttl, when its entry expires and the row is read again. A
// request still sends its whole key, whose hash is compared with the
// remembered one in constant time, so a cached ID is no credential.
func (k *apiKeys) cacheVerified(ttl time.Duration) {
	if ttl <= 0 {
		k.cache = nil
		return
	}
	k.cache = expirable.NewLRU[string, verifiedKey](keyCacheSize, nil, ttl)
}

// openKeys makes the keys schema and table if they are missing,
// serialised by an advisory lock so that replicas starting together do
// not race on CREATE ... IF NOT EXISTS.
func openKeys(ctx context.Context, db bun.IDB, prefix string, log *slog.Logger) (*apiKeys, error) {
	k := &apiKeys{db: db, schema: keysSchema(prefix), log: log}
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext(?))", prefix+keysLockName); err != nil {
			return err
		}
		if _, err := tx.NewRaw("CREATE SCHEMA IF NOT EXISTS ?", bun.Ident(k.schema)).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewRaw(`CREATE TABLE IF NOT EXISTS ? (
			id text PRIMARY KEY,
			tenant text NOT NULL,
			actor text NOT NULL,
			hash bytea NOT NULL,
			created_at timestamptz NOT NULL DEFAULT now(),
			revoked_at timestamptz
		)`, k.table()).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("the API keys table %s.%s: %w", k.schema, keysTable, err)
	}
	return k, nil
}

// keysSchema names the schema of the keys table for a store's prefix.
func keysSchema(prefix string) string { return prefix + "saas" }

func (k *apiKeys) table() bun.Ident { return bun.Ident(k.schema + "." + keysTable) }

// drop removes the keys schema: what -drop does last.
func (k *apiKeys) drop(ctx context.Context) error {
	_, err := k.db.NewRaw("DROP SCHEMA IF EXISTS ? CASCADE", bun.Ident(k.schema)).Exec(ctx)
	return err
}

// keyHash is what the table keeps of a key. A key is 256 random bits, so
// one SHA-256 is enough: a slow password hash (bcrypt, argon2) defends
// guessable secrets against a stolen table, and nobody can guess 2^256;
// it would only cost every request tens of milliseconds.
func keyHash(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// parseKeySpec reads what -new-key names: "tenant:agent-id", or
// "tenant:system" for a key whose commands run as casekit.System.
func parseKeySpec(spec string) (tenant string, actor casekit.Actor, err error) {
	tenant, who, ok := strings.Cut(spec, ":")
	if !ok {
		return "", casekit.Actor{}, fmt.Errorf("-new-key %q: want tenant:agent-id (or tenant:system)", clipArg(spec))
	}
	if err := casekit.ValidateTenantID(tenant); err != nil {
		return "", casekit.Actor{}, fmt.Errorf("-new-key: %w", err)
	}
	if who == systemActor {
		return tenant, casekit.System, nil
	}
	if who == "" || len(who) > maxAgentID || !utf8.ValidString(who) ||
		strings.IndexFunc(who, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0 {
		return "", casekit.Actor{}, fmt.Errorf("-new-key: the agent ID %q must be 1-%d printable characters without spaces", clipArg(who), maxAgentID)
	}
	return tenant, casekit.Agent(who), nil
}

// clipArg shortens a command-line value quoted back in an error.
func clipArg(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// create makes a key for tenant acting as actor and returns its ID and
// the key itself, which is not kept anywhere: the caller shows it once.
func (k *apiKeys) create(ctx context.Context, tenant string, actor casekit.Actor) (id, key string, err error) {
	raw := make([]byte, keyIDBytes+secretBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", "", err
	}
	id = hex.EncodeToString(raw[:keyIDBytes])
	key = keyPrefix + id + "_" + base64.RawURLEncoding.EncodeToString(raw[keyIDBytes:])
	_, err = k.db.NewRaw("INSERT INTO ? (id, tenant, actor, hash) VALUES (?, ?, ?, ?)",
		k.table(), id, tenant, actor.String(), keyHash(key)).Exec(ctx)
	if err != nil {
		return "", "", fmt.Errorf("cannot store the key: %w", err)
	}
	return id, key, nil
}

// revoke marks the key with this ID revoked; from then on it is refused.
// It reports whether the key was already revoked; an ID of no key is an
// error.
func (k *apiKeys) revoke(ctx context.Context, id string) (already bool, err error) {
	if !isKeyID(id) {
		return false, fmt.Errorf("-revoke-key %q: a key ID is %d hex digits, as -new-key printed it", clipArg(id), keyIDLen)
	}
	res, err := k.db.NewRaw("UPDATE ? SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL", k.table(), id).Exec(ctx)
	if err != nil {
		return false, err
	}
	if k.cache != nil {
		k.cache.Remove(id)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return false, err
	}
	var exists bool
	if err := k.db.NewRaw("SELECT EXISTS (SELECT 1 FROM ? WHERE id = ?)", k.table(), id).Scan(ctx, &exists); err != nil {
		return false, err
	}
	if !exists {
		return false, fmt.Errorf("-revoke-key: there is no key with ID %s", id)
	}
	return true, nil
}

// isKeyID reports whether s has the form of a key ID: lower-case hex.
func isKeyID(s string) bool {
	if len(s) != keyIDLen {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// bearerKey reads the key from "Authorization: Bearer <key>", or says
// there is none of the right form. The header is bounded before it is
// looked at.
func bearerKey(h string) (id, key string, ok bool) {
	if len(h) > maxAuthLen {
		return "", "", false
	}
	scheme, key, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") || len(key) != keyLen || !strings.HasPrefix(key, keyPrefix) {
		return "", "", false
	}
	id, secret, _ := strings.Cut(key[len(keyPrefix):], "_")
	if !isKeyID(id) || len(secret) != secretLen {
		return "", "", false
	}
	if _, err := base64.RawURLEncoding.Strict().DecodeString(secret); err != nil {
		return "", "", false
	}
	return id, key, true
}

// authenticate is casehttp.APIConfig.Authenticate: the tenant and actor
// of the request's bearer key. The row is found by the key's ID (in the
// cache of keys verified lately, or in the table), and the key's hash
// compared with the stored one in constant time, so how long the check
// takes says nothing of how much of a guessed key was right (the ID is
// not secret: an unknown ID may return early). A missing, malformed,
// unknown, wrong or revoked key is errBadKey, a 401; a table that cannot
// be read is logged and answered 503 (casehttp.ErrAuthUnavailable), so
// that a client with a good key is not told its key is bad.
func (k *apiKeys) authenticate(r *http.Request) (string, casekit.Actor, error) {
	id, key, ok := bearerKey(r.Header.Get("Authorization"))
	if !ok {
		return "", casekit.Actor{}, errBadKey
	}
	if k.cache != nil {
		if v, ok := k.cache.Get(id); ok {
			if subtle.ConstantTimeCompare(keyHash(key), v.hash) != 1 {
				return "", casekit.Actor{}, errBadKey
			}
			return v.tenant, v.actor, nil
		}
	}
	var (
		tenant, actor string
		hash          []byte
		revoked       bool
	)
	err := k.db.NewRaw("SELECT tenant, actor, hash, revoked_at IS NOT NULL FROM ? WHERE id = ?", k.table(), id).
		Scan(r.Context(), &tenant, &actor, &hash, &revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", casekit.Actor{}, errBadKey
	case err != nil:
		k.log.LogAttrs(r.Context(), slog.LevelError, "saas: cannot read the API keys", slog.Any("err", err))
		return "", casekit.Actor{}, fmt.Errorf("saas: the API keys: %w", casehttp.ErrAuthUnavailable)
	}
	if subtle.ConstantTimeCompare(keyHash(key), hash) != 1 || revoked {
		return "", casekit.Actor{}, errBadKey
	}
	a, err := casekit.ParseActor(actor)
	if err != nil {
		return "", casekit.Actor{}, errBadKey
	}
	if k.cache != nil {
		k.cache.Add(id, verifiedKey{tenant: tenant, actor: a, hash: hash})
	}
	return tenant, a, nil
}
