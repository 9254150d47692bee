package apiload

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// Libredesk is a libredesk server (v2.7.0, run by scripts/libredesk.sh),
// signed in once with a session cookie: its API-key authentication hashes
// with bcrypt on every request, which would measure bcrypt, not the API.
type Libredesk struct {
	// URL is the server's root, e.g. http://127.0.0.1:9000.
	URL            string
	User, Password string
	Client         *http.Client

	header  http.Header // X-CSRFTOKEN, set by Setup
	inboxID int
}

// inboxName is the inbox Setup finds or makes.
const inboxName = "apiload"

// NewLibredesk returns the target for the server at root, signing in as
// user. It gives hc a cookie jar of its own for the session.
func NewLibredesk(root, user, password string, hc *http.Client) (*Libredesk, error) {
	if root == "" || password == "" {
		return nil, errors.New("the libredesk target needs -url (e.g. http://127.0.0.1:9000) and -password (the system user's, $LIBREDESK_PASSWORD)")
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := *hc
	c.Jar = jar
	return &Libredesk{URL: strings.TrimRight(root, "/"), User: user, Password: password, Client: &c}, nil
}

// Name implements Target.
func (l *Libredesk) Name() string { return "libredesk" }

// envelope is how libredesk wraps every response.
type envelope[T any] struct {
	Data T `json:"data"`
}

// Setup implements Target: it signs in, keeps the CSRF token its cookie
// carries for the header every write must repeat, and finds or makes an
// e-mail inbox (without SMTP or IMAP: nothing is sent).
func (l *Libredesk) Setup(ctx context.Context) error {
	err := exchange(ctx, l.Client, "POST", l.URL+"/api/v1/auth/login",
		map[string]string{"email": l.User, "password": l.Password}, http.StatusOK, nil, nil)
	if err != nil {
		return fmt.Errorf("signing in to libredesk as %q: %w", l.User, err)
	}
	u, err := url.Parse(l.URL)
	if err != nil {
		return err
	}
	for _, c := range l.Client.Jar.Cookies(u) {
		if c.Name == "csrf_token" {
			l.header = http.Header{"X-Csrftoken": {c.Value}}
		}
	}
	if l.header == nil {
		return errors.New("libredesk set no csrf_token cookie at sign-in")
	}
	var inboxes envelope[[]struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}]
	if err := exchange(ctx, l.Client, "GET", l.URL+"/api/v1/inboxes", nil, http.StatusOK, &inboxes, l.header); err != nil {
		return err
	}
	for _, in := range inboxes.Data {
		if in.Name == inboxName {
			l.inboxID = in.ID
			return nil
		}
	}
	var made envelope[struct {
		ID int `json:"id"`
	}]
	err = exchange(ctx, l.Client, "POST", l.URL+"/api/v1/inboxes", map[string]any{
		"name": inboxName, "channel": "email", "from": "Support <support@example.com>", "enabled": true,
		"config": map[string]any{"auth_type": "password", "smtp": []any{}, "imap": []any{}},
	}, http.StatusOK, &made, l.header)
	l.inboxID = made.Data.ID
	return err
}

// Create implements Target, with initiator "contact": the conversation a
// customer's message opens (with "agent" and an inbox without SMTP,
// v2.7.0 crashed).
func (l *Libredesk) Create(ctx context.Context, n int) (string, error) {
	var c envelope[struct {
		UUID string `json:"uuid"`
	}]
	k := customer(n)
	err := exchange(ctx, l.Client, "POST", l.URL+"/api/v1/conversations", map[string]any{
		"inbox_id":      l.inboxID,
		"contact_email": fmt.Sprintf("customer-%03d@example.com", k),
		"first_name":    "Customer",
		"last_name":     fmt.Sprint(k),
		"subject":       subject(n),
		"content":       description(n),
		"initiator":     "contact",
	}, http.StatusOK, &c, l.header)
	return c.Data.UUID, err
}

// List implements Target: page 1 of all conversations.
func (l *Libredesk) List(ctx context.Context) ([]string, error) {
	var page envelope[struct {
		Results []struct {
			UUID string `json:"uuid"`
		} `json:"results"`
	}]
	err := exchange(ctx, l.Client, "GET", fmt.Sprintf("%s/api/v1/conversations/all?page=1&page_size=%d", l.URL, PageSize), nil, http.StatusOK, &page, l.header)
	ids := make([]string, len(page.Data.Results))
	for i, c := range page.Data.Results {
		ids[i] = c.UUID
	}
	return ids, err
}

// Get implements Target.
func (l *Libredesk) Get(ctx context.Context, id string) error {
	return exchange(ctx, l.Client, "GET", l.URL+"/api/v1/conversations/"+url.PathEscape(id), nil, http.StatusOK, nil, l.header)
}

// Search implements Target with the message search: libredesk's
// conversation search matches only reference numbers and e-mail
// addresses, and the message search is the one that finds a word (an
// ILIKE over the messages' text, at most 30 results).
func (l *Libredesk) Search(ctx context.Context, word string) error {
	return exchange(ctx, l.Client, "GET", l.URL+"/api/v1/messages/search?query="+url.QueryEscape(word), nil, http.StatusOK, nil, l.header)
}

// Resolve implements Target.
func (l *Libredesk) Resolve(ctx context.Context, id string) error {
	return exchange(ctx, l.Client, "PUT", l.URL+"/api/v1/conversations/"+url.PathEscape(id)+"/status",
		map[string]string{"status": "Resolved"}, http.StatusOK, nil, l.header)
}
