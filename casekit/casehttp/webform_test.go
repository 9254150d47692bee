package casehttp_test

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casehttp"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/fsblob"
	"casekit.dev/storage/sqlite"
)

func TestWebForm(t *testing.T) {
	eachStore(t, func(t *testing.T, store store.Store) {
		blobs, err := fsblob.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		kit, tenant := casekittest.NewKit(t, store, casekit.WithBlobStore(blobs))
		srv, client, post := formServer(t, kit)
		desk := kit.Desk(tenant).As(casekit.System)
		if err := desk.Config().SaveTeam(t.Context(), casekit.Team{ID: "support", Name: "Support"}); err != nil {
			t.Fatal(err)
		}
		if err := desk.Config().SaveQueue(t.Context(), casekit.Queue{ID: "web", Name: "Web", TeamID: "support"}); err != nil {
			t.Fatal(err)
		}
		fields := url.Values{"subject": {"Broken login"}, "email": {"ada@example.com"}, "idempotency_key": {"k-1"}}
		code, loc, _ := post("/forms/"+tenant, fields)
		if code != 303 || loc != "/thanks?case=1" {
			t.Fatalf("post: %d %q", code, loc)
		}
		if code, loc, _ = post("/forms/"+tenant, fields); code != 303 || loc != "/thanks?case=1" {
			t.Errorf("double submit: %d %q, want the same case", code, loc)
		}
		if code, loc, _ = post("/forms/"+tenant, url.Values{"subject": {"Spam"}, "website": {"x"}, "idempotency_key": {"k-2"}}); code != 303 || loc != "/thanks" {
			t.Errorf("honeypot: %d %q", code, loc)
		}
		code, _, body := post("/forms/"+tenant, url.Values{"email": {"ada@example.com"}, "idempotency_key": {"k-3"}})
		if code != 422 || !strings.Contains(body, `"field":"subject"`) {
			t.Errorf("no subject: %d %s", code, body)
		}
		code, loc, _ = post("/forms/"+tenant+"?queue=web", url.Values{"subject": {"Queued"}, "email": {"ada@example.com"}, "idempotency_key": {"k-q"}})
		if c, err := desk.CaseByNumber(t.Context(), 2); code != 303 || err != nil || c.QueueID != "web" || c.TeamID != "support" {
			t.Errorf("a post for the web queue: %d %q, case %+v, %v", code, loc, c, err)
		}
		code, _, body = post("/forms/"+tenant, url.Values{"subject": {"Bad address"}, "email": {"nope"}, "idempotency_key": {"k-e"}})
		if code != 422 || !strings.Contains(body, `"field":"email"`) {
			t.Errorf("a bad address: %d %s, want 422 naming the form's email field", code, body)
		}
		if code, _, _ = post("/forms/nope", fields); code != 404 {
			t.Errorf("unknown tenant: %d", code)
		}
		if res, err := client.Get(srv.URL + "/forms/" + tenant); err != nil || res.StatusCode != 405 {
			t.Errorf("GET: %v %v", res.StatusCode, err)
		}
		// A file field becomes an attachment.
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("subject", "With a file")
		mw.WriteField("email", "ada@example.com")
		mw.WriteField("idempotency_key", "k-4")
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="upload"; filename="shot.png"`)
		h.Set("Content-Type", "image/png")
		fw, _ := mw.CreatePart(h)
		fw.Write([]byte("\x89PNG"))
		mw.Close()
		req, _ := http.NewRequest("POST", srv.URL+"/forms/"+tenant, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 303 || res.Header.Get("Location") != "/thanks?case=3" {
			t.Fatalf("multipart post: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		c, err := kit.Desk(tenant).As(casekit.Agent("a")).CaseByNumber(t.Context(), 3)
		if err != nil {
			t.Fatal(err)
		}
		msgs, _ := kit.Desk(tenant).As(casekit.Agent("a")).Messages(t.Context(), c.ID)
		if len(msgs) != 1 || len(msgs[0].Attachments) != 1 || msgs[0].Attachments[0].Name != "shot.png" {
			t.Errorf("the form's file: %+v", msgs)
		}
	})
}

// formPost posts a form to a path of the test server and returns the
// answer's status, Location and body.
type formPost func(path string, v url.Values) (code int, location, body string)

// formServer serves kit's web form at /forms/{tenant} (the queue from
// ?queue=) and returns the server, a client that does not follow
// redirects and a poster.
func formServer(t *testing.T, kit *casekit.Kit) (*httptest.Server, *http.Client, formPost) {
	t.Helper()
	form, err := casehttp.NewWebForm(casehttp.WebFormConfig{Kit: kit, Done: "/thanks",
		Tenant: func(r *http.Request) string { return r.PathValue("tenant") },
		Queue:  func(r *http.Request) string { return r.URL.Query().Get("queue") }})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/forms/{tenant}", form)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return srv, client, func(path string, v url.Values) (int, string, string) {
		t.Helper()
		res, err := client.PostForm(srv.URL+path, v)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Location"), string(b)
	}
}

// sqliteKit returns a kit on an in-memory SQLite store and its tenant:
// the rules behind the form run on both stores in the conformance suite;
// these tests check what the form answers.
func sqliteKit(t *testing.T, opts ...casekit.Option) (*casekit.Kit, string) {
	t.Helper()
	s, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return casekittest.NewKit(t, s, opts...)
}

// TestWebFormRefusesUndeclaredField: a forged post's extra field is
// refused with 422 naming it, unless the tenant opened it to the form.
func TestWebFormRefusesUndeclaredField(t *testing.T) {
	kit, tenant := sqliteKit(t)
	_, _, post := formServer(t, kit)
	agent := kit.Desk(tenant).As(casekit.Agent("a"))
	fields := func(key string, extra url.Values) url.Values {
		v := url.Values{"subject": {"Help"}, "email": {"ada@example.com"}, "idempotency_key": {key}}
		maps.Copy(v, extra)
		return v
	}
	code, _, body := post("/forms/"+tenant, fields("k-1", url.Values{"discount": {"50"}}))
	if code != 422 || !strings.Contains(body, `"field":"custom.discount"`) {
		t.Errorf("a field the tenant does not define: %d %s", code, body)
	}
	for _, f := range []casekit.CustomField{
		{Key: "discount", Label: "Discount", Type: casekit.CustomNumber},
		{Key: "size", Label: "Size", Type: casekit.CustomText, Audience: casekit.AudienceForm},
	} {
		if err := kit.Desk(tenant).As(casekit.System).Config().SaveCustomField(t.Context(), f); err != nil {
			t.Fatal(err)
		}
	}
	code, _, body = post("/forms/"+tenant, fields("k-2", url.Values{"discount": {"50"}, "size": {"M"}}))
	if code != 422 || !strings.Contains(body, `"field":"custom.discount"`) {
		t.Errorf("an internal field: %d %s", code, body)
	}
	if code, loc, body := post("/forms/"+tenant, fields("k-3", url.Values{"size": {"M"}})); code != 303 || loc != "/thanks?case=1" {
		t.Fatalf("a form field: %d %q %s", code, loc, body)
	}
	c, err := agent.CaseByNumber(t.Context(), 1)
	if err != nil || c.Custom["size"] != "M" || len(c.Custom) != 1 {
		t.Errorf("the case: %+v, %v", c, err)
	}
}

// TestWebFormFieldBounded: a post is bounded before it is read, and each
// field to its own bound.
func TestWebFormFieldBounded(t *testing.T) {
	kit, tenant := sqliteKit(t)
	_, _, post := formServer(t, kit)
	agent := kit.Desk(tenant).As(casekit.Agent("a"))
	if err := kit.Desk(tenant).As(casekit.System).Config().SaveCustomField(t.Context(), casekit.CustomField{Key: "note", Label: "Note", Type: casekit.CustomText, Audience: casekit.AudienceForm}); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"subject": {"Help"}, "email": {"ada@example.com"}, "idempotency_key": {"k-1"}}
	v.Set("note", strings.Repeat("x", 2<<20))
	if code, _, _ := post("/forms/"+tenant, v); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MiB post: %d, want 413", code)
	}
	v.Set("note", strings.Repeat("x", 10001))
	if code, _, body := post("/forms/"+tenant, v); code != 422 || !strings.Contains(body, `"field":"custom.note"`) {
		t.Errorf("a text field past 10,000 characters: %d %s", code, body)
	}
	if cs, err := agent.ListCases(t.Context(), casekit.CaseFilter{}); err != nil || len(cs.Cases) != 0 {
		t.Errorf("cases after refused posts: %+v, %v", cs, err)
	}
}

// TestIntakeRateLimitAnswers429: past the limit a post is answered 429
// with Retry-After, not sent on to the thank-you page.
func TestIntakeRateLimitAnswers429(t *testing.T) {
	kit, tenant := sqliteKit(t, casekit.WithIntakeRateLimit(2))
	srv, client, _ := formServer(t, kit)
	for i := range 3 {
		res, err := client.PostForm(srv.URL+"/forms/"+tenant, url.Values{"subject": {"Help"}, "idempotency_key": {fmt.Sprint("k-", i)}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		retry, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		switch {
		case i < 2 && res.StatusCode != 303:
			t.Errorf("post %d: %d, want 303", i, res.StatusCode)
		case i == 2 && (res.StatusCode != 429 || retry < 1 || retry > 3600 || res.Header.Get("Location") != ""):
			t.Errorf("past the limit: %d, Retry-After %q, Location %q; want 429 within the hour", res.StatusCode, res.Header.Get("Retry-After"), res.Header.Get("Location"))
		}
	}
}
