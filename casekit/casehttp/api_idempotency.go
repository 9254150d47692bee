package casehttp

import (
	"bytes"
	"casekit.dev/casekit/store"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"casekit.dev/casekit"
)

// maxIdempotencyKey bounds an Idempotency-Key.
const maxIdempotencyKey = 255

// replayedHeaders are the response headers a replay repeats.
var replayedHeaders = []string{"Content-Type", "Location", "ETag"}

// once runs a POST with an Idempotency-Key at most once per key, actor
// and tenant: the key is recorded before the command runs and its
// response after, so that a retry gets that response again (with
// Idempotent-Replayed: true). The same key with another request is a
// 422, a retry while the first still runs a 409. A response of 500 or
// more forgets the key, so that the request may be tried again.
func (a *API) once(c *call, rt apiRoute) {
	key := c.r.Header.Get("Idempotency-Key")
	if len(key) > maxIdempotencyKey || !printable(key) {
		a.fail(c.w, c.r, &badRequest{kind: "bad-idempotency-key",
			msg: "Idempotency-Key must be at most 255 printable ASCII characters."})
		return
	}
	body, err := io.ReadAll(c.r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			err = &badRequest{status: http.StatusRequestEntityTooLarge, kind: "too-large", msg: "The body is over " + strconv.FormatInt(tooBig.Limit, 10) + " bytes."}
		}
		a.fail(c.w, c.r, err)
		return
	}
	c.r.Body = io.NopCloser(bytes.NewReader(body))
	now := time.Now().UTC()
	rec := store.IdempotencyRecord{
		Key:         digest(c.desk.Actor().String(), key),
		Fingerprint: digest(c.r.Method, c.r.URL.Path, c.r.URL.RawQuery, c.r.Header.Get("Content-Type"), string(body)),
		CreatedAt:   now,
		ExpiresAt:   now.Add(a.cfg.IdempotencyTTL),
	}
	st := a.cfg.Kit.Store()
	var prev *store.IdempotencyRecord
	err = st.InTx(c.r.Context(), c.desk.Tenant(), func(ctx context.Context, tx store.Tx) error {
		p, err := tx.IdempotencyByKey(ctx, rec.Key, now)
		if errors.Is(err, casekit.ErrNotFound) {
			return tx.InsertIdempotency(ctx, rec)
		}
		prev = p
		return err
	})
	switch {
	case errors.Is(err, casekit.ErrConflict):
		prev = &store.IdempotencyRecord{Fingerprint: rec.Fingerprint}
	case err != nil:
		a.fail(c.w, c.r, err)
		return
	}
	if prev != nil {
		a.replay(c, rec, prev)
		return
	}
	tee := &teeWriter{ResponseWriter: c.w, status: http.StatusOK}
	c.w = tee
	if err := rt.run(c); err != nil {
		a.fail(tee, c.r, err)
	}
	rec.Status, rec.Body = tee.status, tee.body.Bytes()
	if rec.Status >= 500 {
		rec.Status, rec.Body = 0, nil
	}
	rec.Header = map[string]string{}
	for _, h := range replayedHeaders {
		if v := tee.Header().Get(h); v != "" {
			rec.Header[h] = v
		}
	}
	// The command's own context may be done (the client went away); the
	// record must still be written, or the key stays held until it
	// expires.
	err = st.InTx(context.WithoutCancel(c.r.Context()), c.desk.Tenant(), func(ctx context.Context, tx store.Tx) error {
		return tx.FinishIdempotency(ctx, rec)
	})
	if err != nil {
		a.cfg.Logger.ErrorContext(c.r.Context(), "casehttp: cannot record an idempotent response", "err", err)
	}
}

// replay answers a request whose key is held already.
func (a *API) replay(c *call, rec store.IdempotencyRecord, prev *store.IdempotencyRecord) {
	switch {
	case prev.Fingerprint != rec.Fingerprint:
		a.fail(c.w, c.r, &badRequest{status: http.StatusUnprocessableEntity, kind: "idempotency-key-reused",
			msg: "This Idempotency-Key was sent with another request; use a new key for a new request."})
	case prev.Status == 0:
		a.fail(c.w, c.r, &badRequest{status: http.StatusConflict, kind: "idempotency-key-in-use",
			msg: "A request with this Idempotency-Key is still running; retry later."})
	default:
		for k, v := range prev.Header {
			c.w.Header().Set(k, v)
		}
		c.w.Header().Set("Idempotent-Replayed", "true")
		c.w.WriteHeader(prev.Status)
		_, _ = c.w.Write(prev.Body)
	}
}

// teeWriter passes a response on and keeps its status and body.
type teeWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (t *teeWriter) WriteHeader(status int) {
	t.status = status
	t.ResponseWriter.WriteHeader(status)
}

func (t *teeWriter) Write(b []byte) (int, error) {
	t.body.Write(b)
	return t.ResponseWriter.Write(b)
}

// digest is the hex SHA-256 of the parts, each length-prefixed so that
// no two lists of parts give the same input.
func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(strconv.Itoa(len(p)) + ":" + p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// printable reports whether s is printable ASCII.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
