package store

import "time"

// IdempotencyRecord is what a tenant keeps of an HTTP API request sent
// with an Idempotency-Key (casekit/casehttp.API): the request's
// fingerprint and, once its command ran, the response, so that a retry
// of the request gets that response again instead of running the
// command twice. A record lives until ExpiresAt; the store deletes
// expired ones as new ones come in, which keeps the table bounded by
// the keys of one expiry period.
type IdempotencyRecord struct {
	// Key is the key as the API stores it: a digest of the actor and the
	// client's key, so that two agents' keys never meet.
	Key string
	// Fingerprint is a digest of the request's method, path and body: a
	// key sent again with another request is refused.
	Fingerprint string
	// Status is the response's HTTP status; 0 while the first request
	// runs.
	Status int
	// Header holds the response headers a replay repeats (Content-Type,
	// Location, ETag).
	Header map[string]string
	// Body is the response body.
	Body      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}
