package casehttp_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casehttp"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/storage/sqlite"
)

// TestWebFormVerifiedAddress: a typed address becomes the case's contact
// identity only when the host's Verified says so for that request.
func TestWebFormVerifiedAddress(t *testing.T) {
	store, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	kit, tenant := casekittest.NewKit(t, store)
	form, err := casehttp.NewWebForm(casehttp.WebFormConfig{Kit: kit, Done: "/thanks",
		Tenant:   func(*http.Request) string { return tenant },
		Verified: func(r *http.Request, email string) bool { return r.Header.Get("X-Signed-In") == email }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(form)
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i, signedIn := range []string{"", "grace@example.com", "ada@example.com"} {
		v := url.Values{"subject": {"Login"}, "email": {"ada@example.com"}, "idempotency_key": {signedIn + "k"}}
		req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Signed-In", signedIn)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		c, err := kit.Desk(tenant).As(casekit.System).CaseByNumber(t.Context(), int64(i+1))
		if err != nil {
			t.Fatalf("signed in as %q: %d, %v", signedIn, res.StatusCode, err)
		}
		want := ""
		if signedIn == "ada@example.com" {
			want = casekit.EmailContactID("ada@example.com")
		}
		if c.Contact.ID != want {
			t.Errorf("signed in as %q: contact ID %q, want %q", signedIn, c.Contact.ID, want)
		}
	}
}
