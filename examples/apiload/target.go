// Package apiload sends the same case operations over HTTP to
// examples/saas (casekit's casehttp.API) or to libredesk, from 1 and more
// concurrent clients, and measures throughput and latency per operation:
// the side-by-side figures of BENCHMARKS.md, "HTTP API against libredesk".
// The command is examples/apiload/cmd/apiload.
package apiload

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Target is one system under load. Each method is one HTTP request (Setup
// may send a few) and returns an error for a transport failure or any
// status but the expected one, so that a failed request is never counted
// as a fast one.
type Target interface {
	// Name is how reports name the system.
	Name() string
	// Setup signs in and makes what the operations need (libredesk: an
	// inbox), once before any is measured.
	Setup(ctx context.Context) error
	// Create opens a case for an existing customer; n varies its text and
	// picks the customer.
	Create(ctx context.Context, n int) (id string, err error)
	// List reads page 1, newest first, 30 cases, and returns their IDs.
	List(ctx context.Context) (ids []string, err error)
	// Get reads one case.
	Get(ctx context.Context, id string) error
	// Search finds cases by a word of their text, first page of 30.
	Search(ctx context.Context, word string) error
	// Resolve moves a case that is not resolved yet to the resolved
	// status (casekit: POST status; libredesk: PUT status Resolved).
	Resolve(ctx context.Context, id string) error
}

// PageSize is the page every List and Search asks for.
const PageSize = 30

// maxResponse bounds what a target reads of one response.
const maxResponse = 8 << 20

// NewHTTPClient returns the client every target uses: keep-alive
// connections enough for 64 concurrent clients, and a timeout so that a
// stuck server ends the run instead of hanging it.
func NewHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 128
	tr.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// exchange sends one request with a JSON body (none when body is nil),
// checks the status and decodes a JSON response into out when out is not
// nil; otherwise it reads and drops the response, as a client would.
func exchange(ctx context.Context, hc *http.Client, method, url string, body any, want int, out any, header http.Header) error {
	var r io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("%s %s: reading the response: %w", method, url, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d, want %d: %.300s", method, url, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: %w in %.300s", method, url, err, raw)
		}
	}
	return nil
}
