package casehttp_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"strings"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casehttp"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/storage/fsblob"
)

func TestWebForm(t *testing.T) {
	eachStore(t, func(t *testing.T, store casekit.Store) {
		blobs, err := fsblob.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		kit, tenant := casekittest.NewKit(t, store, casekit.WithBlobStore(blobs))
		form, err := casehttp.NewWebForm(casehttp.WebFormConfig{Kit: kit, Done: "/thanks",
			Tenant: func(r *http.Request) string { return r.PathValue("tenant") },
			Queue:  func(r *http.Request) string { return r.URL.Query().Get("queue") }})
		if err != nil {
			t.Fatal(err)
		}
		desk := kit.Desk(tenant).As(casekit.System)
		if err := desk.SaveTeam(t.Context(), casekit.Team{ID: "support", Name: "Support"}); err != nil {
			t.Fatal(err)
		}
		if err := desk.SaveQueue(t.Context(), casekit.Queue{ID: "web", Name: "Web", TeamID: "support"}); err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		mux.Handle("/forms/{tenant}", form)
		srv := httptest.NewServer(mux)
		defer srv.Close()
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		post := func(path string, v url.Values) (int, string, string) {
			t.Helper()
			res, err := client.PostForm(srv.URL+path, v)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, res.Header.Get("Location"), string(b)
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
