package apiload

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Saas is examples/saas, or any host of casehttp.API, reached with one
// API key ("Authorization: Bearer <key>"; the key names the tenant).
type Saas struct {
	// URL is where the API is mounted, e.g. http://127.0.0.1:8081/api/v1.
	URL string
	// Key is the tenant's API key (examples/saas -new-key tenant:system).
	Key    string
	Client *http.Client

	header http.Header
}

// NewSaas returns the target for the API at apiURL with key.
func NewSaas(apiURL, key string, hc *http.Client) (*Saas, error) {
	if apiURL == "" || key == "" {
		return nil, errors.New("the saas target needs -url (e.g. http://127.0.0.1:8081/api/v1) and -key (from examples/saas -new-key tenant:system)")
	}
	return &Saas{URL: strings.TrimRight(apiURL, "/"), Key: key, Client: hc,
		header: http.Header{"Authorization": {"Bearer " + key}}}, nil
}

// Name implements Target.
func (s *Saas) Name() string { return "casekit (examples/saas)" }

// Setup implements Target: it checks the key with one list request.
func (s *Saas) Setup(ctx context.Context) error {
	_, err := s.List(ctx)
	return err
}

// Create implements Target.
func (s *Saas) Create(ctx context.Context, n int) (string, error) {
	var c struct {
		ID string `json:"id"`
	}
	err := exchange(ctx, s.Client, "POST", s.URL+"/cases", map[string]any{
		"subject":     subject(n),
		"description": description(n),
		"customer_id": fmt.Sprintf("customer-%03d", customer(n)),
	}, http.StatusCreated, &c, s.header)
	return c.ID, err
}

// List implements Target.
func (s *Saas) List(ctx context.Context) ([]string, error) {
	var page struct {
		Cases []struct {
			ID string `json:"id"`
		} `json:"cases"`
	}
	err := exchange(ctx, s.Client, "GET", fmt.Sprintf("%s/cases?sort=-created&limit=%d", s.URL, PageSize), nil, http.StatusOK, &page, s.header)
	ids := make([]string, len(page.Cases))
	for i, c := range page.Cases {
		ids[i] = c.ID
	}
	return ids, err
}

// Get implements Target.
func (s *Saas) Get(ctx context.Context, id string) error {
	return exchange(ctx, s.Client, "GET", s.URL+"/cases/"+url.PathEscape(id), nil, http.StatusOK, nil, s.header)
}

// Search implements Target: the full-text filter over subject,
// description and messages.
func (s *Saas) Search(ctx context.Context, word string) error {
	return exchange(ctx, s.Client, "GET", fmt.Sprintf("%s/cases?text=%s&limit=%d", s.URL, url.QueryEscape(word), PageSize), nil, http.StatusOK, nil, s.header)
}

// Resolve implements Target.
func (s *Saas) Resolve(ctx context.Context, id string) error {
	return exchange(ctx, s.Client, "POST", s.URL+"/cases/"+url.PathEscape(id)+"/status",
		map[string]string{"status": "resolved"}, http.StatusOK, nil, s.header)
}
