package casehttp_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casehttp"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/fsblob"
	"casekit.dev/storage/postgres"
	"casekit.dev/storage/sqlite"
	"casekit.dev/templates"
)

// eachStore runs fn on SQLite and, when CASEKIT_TEST_DATABASE_URL is set,
// on PostgreSQL.
func eachStore(t *testing.T, fn func(t *testing.T, store store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		s, err := sqlite.Open(":memory:")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		fn(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("CASEKIT_TEST_DATABASE_URL")
		if dsn == "" {
			t.Skip("CASEKIT_TEST_DATABASE_URL is not set: skipping the PostgreSQL tests (.ci/run sets it)")
		}
		b := make([]byte, 4)
		rand.Read(b)
		s, err := postgres.Open(t.Context(), dsn, postgres.WithPrefix("ch"+hex.EncodeToString(b)+"_"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			s.DropControl(context.Background())
			s.Close()
		})
		fn(t, s)
	})
}

// site is a portal behind a test sign-in: the header X-Customer says who
// the customer is, as a host's session would.
type site struct {
	t      *testing.T
	kit    *casekit.Kit
	tenant string
	srv    *httptest.Server
	engine *templates.Engine
}

func newSite(t *testing.T, store store.Store, opts ...casekit.Option) *site {
	t.Helper()
	blobs, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	kit, tenant := casekittest.NewKit(t, store, append([]casekit.Option{casekit.WithBlobStore(blobs)}, opts...)...)
	engine := templates.New()
	portal, err := casehttp.NewPortal(casehttp.PortalConfig{Kit: kit, Templates: engine, CSRFKey: []byte(strings.Repeat("k", 32)),
		Base: "/support", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/support/", http.StripPrefix("/support", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := r.Header.Get("X-Customer"); id != "" {
			r = r.WithContext(casehttp.WithCustomer(r.Context(), tenant, id))
		}
		portal.ServeHTTP(w, r)
	})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &site{t: t, kit: kit, tenant: tenant, srv: srv, engine: engine}
}

func (s *site) agent() *casekit.Desk { return s.kit.Desk(s.tenant).As(casekit.Agent("agent-1")) }

// browser is one customer's browser: it keeps cookies and does not follow
// redirects.
type browser struct {
	s        *site
	customer string
	c        *http.Client
}

func (s *site) browser(customer string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, customer: customer, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, path string, form url.Values) (int, string, http.Header) {
	b.s.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.s.srv.URL+path, body)
	if err != nil {
		b.s.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return b.send(req)
}

// send sends req as the browser's customer.
func (b *browser) send(req *http.Request) (int, string, http.Header) {
	b.s.t.Helper()
	if b.customer != "" {
		req.Header.Set("X-Customer", b.customer)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out), res.Header
}

func (b *browser) get(path string) (int, string) {
	code, body, _ := b.do("GET", path, nil)
	return code, body
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// post submits a form of the page at from, with its CSRF token.
func (b *browser) post(from, action string, form url.Values) (int, string, http.Header) {
	b.s.t.Helper()
	code, page := b.get(from)
	m := csrfField.FindStringSubmatch(page)
	if code != 200 || m == nil {
		b.s.t.Fatalf("GET %s: %d, no CSRF token in the page", from, code)
	}
	form.Set("csrf", html.UnescapeString(m[1]))
	return b.do("POST", action, form)
}

// upload is a file a test comment carries.
type upload struct{ name, ctype, content string }

// comment posts a comment with files on the case page at detail, with
// the page's CSRF token, and returns the answer's status and body.
func (b *browser) comment(detail, body string, files ...upload) (int, string) {
	b.s.t.Helper()
	_, page := b.get(detail)
	token := html.UnescapeString(csrfField.FindStringSubmatch(page)[1])
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", token)
	mw.WriteField("body", body)
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files"; filename="%s"`, f.name))
		h.Set("Content-Type", f.ctype)
		fw, _ := mw.CreatePart(h)
		io.WriteString(fw, f.content)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.s.srv.URL+detail+"/comment", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	code, out, _ := b.send(req)
	return code, out
}

func (s *site) open(customer, subject string) *casekit.Case {
	s.t.Helper()
	c, err := s.agent().OpenCase(s.t.Context(), casekit.NewCase{Subject: subject, Description: "About " + subject, CustomerID: customer})
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

func TestPortal(t *testing.T) {
	eachStore(t, func(t *testing.T, store store.Store) {
		s := newSite(t, store)
		ctx := t.Context()
		ada, grace := s.browser("ada"), s.browser("grace")
		printer := s.open("ada", "Printer on fire")
		invoice := s.open("ada", "Invoice wrong")
		secret := s.open("grace", "Grace's own case")
		if _, err := s.agent().AddNote(ctx, printer.ID, casekit.NewNote{Subject: "general", Body: "internal only: customer is grumpy"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.agent().PostMessage(ctx, printer.ID, casekit.NewMessage{Direction: casekit.Outbound, Body: "Have you tried water?"}); err != nil {
			t.Fatal(err)
		}

		t.Run("the list shows the customer's own cases only", func(t *testing.T) {
			code, page := ada.get("/support/")
			if !strings.Contains(page, "Signed in as ada<") {
				t.Errorf("without a directory the header names the customer's ID:\n%s", page)
			}
			if code != 200 || !strings.Contains(page, "Printer on fire") || !strings.Contains(page, "Invoice wrong") || strings.Contains(page, "Grace") {
				t.Fatalf("GET /support/: %d\n%s", code, page)
			}
			_, page = ada.get("/support/?q=printer")
			if !strings.Contains(page, "Printer on fire") || strings.Contains(page, "Invoice wrong") {
				t.Errorf("search for printer:\n%s", page)
			}
			_, page = ada.get(fmt.Sprintf("/support/?q=%%23%d", invoice.Number))
			if strings.Contains(page, "Printer on fire") || !strings.Contains(page, "Invoice wrong") {
				t.Errorf("search by number:\n%s", page)
			}
			_, page = ada.get(fmt.Sprintf("/support/?q=%%23%d", secret.Number))
			if strings.Contains(page, "Grace") || !strings.Contains(page, "No case matches") {
				t.Errorf("search for another customer's number:\n%s", page)
			}
			if code, _ := ada.get("/support/?status=closed"); code != 200 {
				t.Errorf("status filter: %d", code)
			}
			if code, _ := ada.get("/support/?status=nonsense"); code != 400 {
				t.Errorf("unknown status filter: %d, want 400", code)
			}
			if code, _ := ada.get("/support/?after=garbage"); code != 400 {
				t.Errorf("malformed cursor: %d, want 400", code)
			}
		})

		t.Run("the detail shows the public thread and nothing internal", func(t *testing.T) {
			code, page := ada.get(fmt.Sprintf("/support/cases/%d", printer.Number))
			if code != 200 || !strings.Contains(page, "Have you tried water?") || strings.Contains(page, "grumpy") || !strings.Contains(page, "About Printer on fire") {
				t.Fatalf("detail: %d\n%s", code, page)
			}
			if code, _ := grace.get(fmt.Sprintf("/support/cases/%d", printer.Number)); code != 404 {
				t.Errorf("another customer's case: %d, want 404", code)
			}
			for _, p := range []string{"/support/cases/99999", "/support/cases/x", "/support/nope"} {
				if code, _ := ada.get(p); code != 404 {
					t.Errorf("GET %s: %d, want 404", p, code)
				}
			}
			if code, _ := s.browser("").get("/support/"); code != 401 {
				t.Errorf("without a customer: %d, want 401", code)
			}
		})

		t.Run("comment, with the CSRF token and only with it", func(t *testing.T) {
			detail := fmt.Sprintf("/support/cases/%d", printer.Number)
			code, _, h := ada.post(detail, detail+"/comment", url.Values{"body": {"It is still smoking"}})
			if code != 303 || h.Get("Location") != detail+"?done=commented" {
				t.Fatalf("comment: %d, Location %q", code, h.Get("Location"))
			}
			_, page := ada.get(detail + "?done=commented")
			if !strings.Contains(page, "It is still smoking") || !strings.Contains(page, "Your comment was added.") {
				t.Errorf("after the comment:\n%s", page)
			}
			// No token, a wrong token, another customer's token: 403, nothing written.
			for name, form := range map[string]url.Values{
				"no token":    {"body": {"forged 1"}},
				"wrong token": {"body": {"forged 2"}, "csrf": {"AAAA"}},
			} {
				if code, _, _ := ada.do("POST", detail+"/comment", form); code != 403 {
					t.Errorf("%s: %d, want 403", name, code)
				}
			}
			_, gpage := grace.get(fmt.Sprintf("/support/cases/%d", secret.Number))
			gtoken := html.UnescapeString(csrfField.FindStringSubmatch(gpage)[1])
			if code, _, _ := ada.do("POST", detail+"/comment", url.Values{"body": {"forged 3"}, "csrf": {gtoken}}); code != 403 {
				t.Errorf("another customer's token: %d, want 403", code)
			}
			msgs, _ := s.agent().Messages(ctx, printer.ID)
			for _, m := range msgs {
				if strings.HasPrefix(m.Body, "forged") {
					t.Errorf("a refused post wrote %q", m.Body)
				}
			}
			// An empty comment is refused next to the field, 422.
			code, page, _ = ada.post(detail, detail+"/comment", url.Values{"body": {""}})
			if code != 422 || !strings.Contains(page, `id="body-error"`) {
				t.Errorf("empty comment: %d\n%s", code, page)
			}
			// Cross-origin posts are refused before anything else.
			req, _ := http.NewRequest("POST", s.srv.URL+detail+"/comment", strings.NewReader("body=x"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Customer", "ada")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 403 {
				t.Errorf("cross-site post: %d, want 403", res.StatusCode)
			}
		})

		t.Run("comment with files; downloads are attachments, for the case's customer only", func(t *testing.T) {
			detail := fmt.Sprintf("/support/cases/%d", printer.Number)
			post := func(b *browser, name, ctype, content string) (int, string) {
				t.Helper()
				return b.comment(detail, "See the attached "+name, upload{name, ctype, content})
			}
			if code, page := post(ada, "log.txt", "text/plain", "E42 paper jam"); code != 303 {
				t.Fatalf("comment with a file: %d\n%s", code, page)
			}
			_, page := ada.get(detail)
			link := regexp.MustCompile(`href="(/support/cases/\d+/files/[^"]+)">log.txt</a>`).FindStringSubmatch(page)
			if link == nil {
				t.Fatalf("no download link in\n%s", page)
			}
			code, body, h := ada.do("GET", link[1], nil)
			if code != 200 || body != "E42 paper jam" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") ||
				h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
				t.Errorf("download: %d %q %v", code, body, h)
			}
			if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("a text file downloads as %q, want text/plain", ct)
			}
			if code, _ := grace.get(link[1]); code != 404 {
				t.Errorf("another customer's download: %d, want 404", code)
			}
			// A type the tenant accepts but a browser might act on goes out
			// as bytes.
			if code, page := post(ada, "report.doc", "application/msword", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"+strings.Repeat("\x00", 600)); code != 303 {
				t.Fatalf("comment with a Word file: %d\n%s", code, page)
			}
			_, page = ada.get(detail)
			link = regexp.MustCompile(`href="(/support/cases/\d+/files/[^"]+)">report.doc</a>`).FindStringSubmatch(page)
			if link == nil {
				t.Fatalf("no download link for report.doc in\n%s", page)
			}
			if _, _, h := ada.do("GET", link[1], nil); h.Get("Content-Type") != "application/octet-stream" {
				t.Errorf("a Word file downloads as %q, want application/octet-stream", h.Get("Content-Type"))
			}
			if code, page := post(ada, "evil.html", "text/html", "<script>alert(1)</script>"); code != 422 || !strings.Contains(page, `id="files-error"`) {
				t.Errorf("an HTML upload: %d", code)
			}
			if code, _ := post(ada, "cat.png", "image/png", `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`); code != 422 {
				t.Errorf("an SVG sent as cat.png, image/png: %d, want 422 (SVG is not accepted)", code)
			}
			if code, _ := post(ada, "big.txt", "text/plain", strings.Repeat("x", 11<<20)); code != 422 {
				t.Errorf("an 11 MiB upload over the 10 MiB default: %d, want 422", code)
			}
		})

		t.Run("close keeps what was typed when refused, then closes", func(t *testing.T) {
			detail := fmt.Sprintf("/support/cases/%d", invoice.Number)
			code, page, _ := ada.post(detail, detail+"/close", url.Values{"reason": {"answered"}, "note": {""}})
			if code != 422 || !strings.Contains(page, `id="note-error"`) || !strings.Contains(page, `<option value="answered" selected>`) {
				t.Fatalf("close without a note: %d\n%s", code, page)
			}
			code, _, _ = ada.post(detail, detail+"/close", url.Values{"reason": {"answered"}, "note": {"Found it myself"}})
			if code != 303 {
				t.Fatalf("close: %d", code)
			}
			c, _ := s.agent().Case(ctx, invoice.ID)
			if c.Status != casekit.StatusClosed || c.ClosureReason != "answered" {
				t.Errorf("after close: %s %s", c.Status, c.ClosureReason)
			}
			// The status filter follows the case.
			_, closedList := ada.get("/support/?status=closed")
			_, openList := ada.get("/support/?status=open")
			if !strings.Contains(closedList, "Invoice wrong") || strings.Contains(closedList, "Printer on fire") ||
				strings.Contains(openList, "Invoice wrong") || !strings.Contains(openList, "Printer on fire") {
				t.Errorf("status filters after closing: closed\n%s\nopen\n%s", closedList, openList)
			}
			_, page = ada.get(detail)
			if strings.Contains(page, `action="`+detail+`/close"`) || strings.Contains(page, `action="`+detail+`/comment"`) {
				t.Errorf("a closed case still offers close or comment")
			}
		})

		t.Run("rate from the notice's link: the form first, then the rating", func(t *testing.T) {
			c := s.open("ada", "Rate me")
			if _, err := s.agent().Resolve(ctx, c.ID, casekit.Resolution{}); err != nil {
				t.Fatal(err)
			}
			detail := fmt.Sprintf("/support/cases/%d", c.Number)
			code, page := ada.get(detail + "/rate?level=5")
			if code != 200 || !strings.Contains(page, `value="5" checked`) {
				t.Fatalf("rating link: %d\n%s", code, page)
			}
			if got, _ := s.agent().Case(ctx, c.ID); got.Satisfaction != 0 {
				t.Fatal("following the link rated the case")
			}
			code, page, _ = ada.post(detail, detail+"/rate", url.Values{"level": {"9"}})
			if code != 422 || !strings.Contains(page, `id="level-error"`) {
				t.Errorf("unknown level: %d", code)
			}
			code, _, _ = ada.post(detail, detail+"/rate", url.Values{"level": {"5"}, "comment": {"Quick!"}})
			got, _ := s.agent().Case(ctx, c.ID)
			if code != 303 || got.Satisfaction != 5 || got.SatisfactionComment != "Quick!" || got.Status != casekit.StatusClosed {
				t.Fatalf("rate: %d, case %+v", code, got)
			}
		})
	})
}

// xssPayloads are typed into every field a customer fills in.
var xssPayloads = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`'><svg/onload=alert(1)>`,
	`</textarea><script>alert(1)</script>`,
	`</title><script>alert(1)</script>`,
	`javascript:alert(1)`,
	`{{.}}{{template "page" .}}`,
	`<a href="javascript:alert(1)">x</a>`,
	`<style>body{display:none}</style>`,
	`<iframe src="https://evil.example"></iframe>`,
	"\"; alert(1); //",
	`<!--`,
}

// TestXSSPayloadsAreEscaped types each payload into every customer field
// (subject, description, comment, close note, rating comment, the search
// box) and checks every page that shows it: no element or attribute
// comes from what was typed, and the template syntax stays text.
func TestPortalShowsLinkedAndMergedCases(t *testing.T) {
	eachStore(t, func(t *testing.T, store store.Store) {
		s := newSite(t, store)
		ctx, d := t.Context(), s.agent()
		ada := s.browser("ada")
		dup := s.open("ada", "Screen flickers again")
		target := s.open("ada", "Screen flickers")
		parent := s.open("ada", "Office move")
		foreign := s.open("grace", "Grace's secret case")
		for _, l := range []casekit.NewLink{
			{Kind: casekit.LinkParent, FromID: parent.ID, ToID: target.ID},
			{Kind: casekit.LinkRelated, FromID: target.ID, ToID: foreign.ID},
		} {
			if _, err := d.LinkCases(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.PostMessage(ctx, dup.ID, casekit.NewMessage{Direction: casekit.Outbound, Body: "Try another cable"}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Merge(ctx, dup.ID, target.ID, casekit.Merge{Note: "same screen"}); err != nil {
			t.Fatal(err)
		}
		_, page := ada.get(fmt.Sprintf("/support/cases/%d", target.Number))
		for _, want := range []string{"Linked cases", fmt.Sprintf("Parent: <a href=\"/support/cases/%d\">#%d Office move</a>", parent.Number, parent.Number),
			fmt.Sprintf("Duplicated by: <a href=\"/support/cases/%d\">", dup.Number), "Try another cable"} {
			if !strings.Contains(page, want) {
				t.Errorf("target's page lacks %q:\n%s", want, page)
			}
		}
		if strings.Contains(page, "Grace") || strings.Contains(page, fmt.Sprintf("#%d ", foreign.Number)) {
			t.Errorf("target's page shows another customer's linked case:\n%s", page)
		}
		_, page = ada.get(fmt.Sprintf("/support/cases/%d", dup.Number))
		if !strings.Contains(page, fmt.Sprintf("merged into <a href=\"/support/cases/%d\">#%d Screen flickers</a>", target.Number, target.Number)) {
			t.Errorf("merged case's page does not point at the target:\n%s", page)
		}
		if strings.Contains(page, "How did we do?") {
			t.Errorf("a merged case offers a rating:\n%s", page)
		}
		// A portal link opens its one case: it names the target of a
		// merge without a way there, and lists no linked case it could
		// not open.
		for _, c := range []*casekit.Case{target, dup} {
			token, _, err := d.CreatePortalLink(ctx, c.ID, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			guest := s.browser("")
			if code, _, _ := guest.do("GET", "/support/link/"+s.tenant+"/"+token, nil); code != 303 {
				t.Fatalf("opening the link to #%d: %d", c.Number, code)
			}
			_, page := guest.get(fmt.Sprintf("/support/cases/%d", c.Number))
			if strings.Contains(page, "Linked cases") || strings.Count(page, `href="/support/cases/`) != strings.Count(page, fmt.Sprintf(`href="/support/cases/%d`, c.Number)) {
				t.Errorf("#%d through its link points at other cases:\n%s", c.Number, page)
			}
			if c == dup && !strings.Contains(page, fmt.Sprintf("merged into #%d Screen flickers;", target.Number)) {
				t.Errorf("the merged case through its link does not name the target:\n%s", page)
			}
		}
	})
}

func TestPortalNamesTheCustomerFromTheDirectory(t *testing.T) {
	dir := casekit.StaticDirectory{People: []casekit.Person{{ID: "ada", Name: "Ada <Lovelace>"}}}
	store, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s := newSite(t, store, casekit.WithDirectory(dir))
	_, page := s.browser("ada").get("/support/")
	if !strings.Contains(page, "Signed in as Ada &lt;Lovelace&gt;") {
		t.Errorf("the header does not name the customer from the directory, escaped:\n%s", page)
	}
}

func TestXSSPayloadsAreEscaped(t *testing.T) {
	eachStore(t, func(t *testing.T, store store.Store) {
		s := newSite(t, store)
		ctx := t.Context()
		b := s.browser("mallory")
		cust := s.kit.Desk(s.tenant).As(casekit.Customer("mallory"))
		for i, p := range xssPayloads {
			c, err := cust.OpenCase(ctx, casekit.NewCase{Subject: "S " + p, Description: "D " + p, CustomerID: "mallory"})
			if err != nil {
				t.Fatal(err)
			}
			detail := fmt.Sprintf("/support/cases/%d", c.Number)
			if code, _, _ := b.post(detail, detail+"/comment", url.Values{"body": {"C " + p}}); code != 303 {
				t.Fatalf("payload %d: comment %d", i, code)
			}
			// Refused forms echo what was typed.
			_, refused, _ := b.post(detail, detail+"/close", url.Values{"reason": {"answered"}, "note": {""}, "extra": {p}})
			if _, err := s.agent().Resolve(ctx, c.ID, casekit.Resolution{}); err != nil {
				t.Fatal(err)
			}
			_, refusedRate, _ := b.post(detail, detail+"/rate", url.Values{"level": {"9"}, "comment": {"R " + p}})
			_, page := b.get(detail)
			_, list := b.get("/support/?q=" + url.QueryEscape(p))
			_, list2 := b.get("/support/")
			for name, doc := range map[string]string{"detail": page, "refused close": refused, "refused rate": refusedRate, "search": list, "list": list2} {
				checkInert(t, fmt.Sprintf("payload %d in %s", i, name), doc)
			}
			if !strings.Contains(page, html.EscapeString("C "+p)) && !strings.Contains(page, strings.ReplaceAll(html.EscapeString("C "+p), "&#34;", "&quot;")) {
				// html/template escapes " as &#34;; EscapeString as &#34; too.
				t.Errorf("payload %d: the comment is not shown as text", i)
			}
		}
	})
}

// checkInert parses doc and fails on any script element, event handler
// attribute, javascript: URL, iframe or style element: the templates have
// none, so any would come from a payload.
func checkInert(t *testing.T, what, doc string) {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	styles := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "iframe", "img", "svg":
				t.Errorf("%s: a <%s> element", what, n.Data)
			case "style":
				styles++
			}
			for _, a := range n.Attr {
				url := a.Key == "href" || a.Key == "src" || a.Key == "action" || a.Key == "formaction"
				if strings.HasPrefix(strings.ToLower(a.Key), "on") || (url && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:")) {
					t.Errorf("%s: attribute %s=%q on <%s>", what, a.Key, a.Val, n.Data)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	if styles > 1 {
		t.Errorf("%s: %d <style> elements, the layout has one", what, styles)
	}
	if !strings.Contains(doc, "Signed in as mallory") {
		t.Errorf("%s: the page is not whole", what)
	}
}

func TestNewPortalRefusesBadConfig(t *testing.T) {
	store, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	kit, _ := casekit.New(store)
	key := []byte(strings.Repeat("k", 32))
	for name, cfg := range map[string]casehttp.PortalConfig{
		"no kit":       {Templates: templates.New(), CSRFKey: key},
		"no templates": {Kit: kit, CSRFKey: key},
		"short key":    {Kit: kit, Templates: templates.New(), CSRFKey: key[:16]},
		"slash base":   {Kit: kit, Templates: templates.New(), CSRFKey: key, Base: "/support/"},
	} {
		if _, err := casehttp.NewPortal(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestPortalLinks(t *testing.T) {
	eachStore(t, func(t *testing.T, store store.Store) {
		clock := casekittest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		s := newSite(t, store, casekit.WithClock(clock))
		ctx := t.Context()
		printer := s.open("ada", "Printer on fire")
		other := s.open("ada", "Other case of Ada")
		token, link, err := s.agent().CreatePortalLink(ctx, printer.ID, 2*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		guest := s.browser("") // no account: only the link
		detail := fmt.Sprintf("/support/cases/%d", printer.Number)

		code, _, h := guest.do("GET", "/support/link/"+s.tenant+"/"+token, nil)
		if code != 303 || h.Get("Location") != detail {
			t.Fatalf("opening the link: %d to %q, want 303 to %s", code, h.Get("Location"), detail)
		}
		code, page := guest.get(detail)
		if code != 200 || !strings.Contains(page, "Printer on fire") {
			t.Fatalf("the linked case: %d", code)
		}
		if code, _ := guest.get(fmt.Sprintf("/support/cases/%d", other.Number)); code != 404 {
			t.Errorf("another case of the same customer through the link: %d, want 404", code)
		}
		if code, _, h := guest.do("GET", "/support/", nil); code != 303 || h.Get("Location") != detail {
			t.Errorf("the list through the link: %d to %q, want the case", code, h.Get("Location"))
		}
		if code, _, _ := guest.post(detail, detail+"/comment", url.Values{"body": {"Sent from the link"}}); code != 303 {
			t.Errorf("comment through the link: %d", code)
		}
		msgs, _ := s.agent().Messages(ctx, printer.ID)
		if len(msgs) != 1 || msgs[0].CreatedBy != casekit.Customer("ada") {
			t.Errorf("the link's comment: %+v, want one from customer ada", msgs)
		}
		for _, bad := range []string{"/support/link/" + s.tenant + "/" + strings.Repeat("A", 43), "/support/link/" + s.tenant + "/x",
			"/support/link/nope/" + token, "/support/link/" + s.tenant} {
			if code, _ := s.browser("").get(bad); code != 404 {
				t.Errorf("GET %s: %d, want 404", bad, code)
			}
		}
		// A forged session cookie is no session.
		forged := s.browser("")
		u, _ := url.Parse(s.srv.URL + "/support/")
		forged.c.Jar.SetCookies(u, []*http.Cookie{{Name: "casekit_link", Value: "dGVuYW50fGNhc2V8bGluaw.AAAA", Path: "/support/"}})
		if code, _ := forged.get(detail); code != 401 {
			t.Errorf("a forged link session: %d, want 401", code)
		}
		// Revoking stops the session at once.
		if err := s.agent().RevokePortalLink(ctx, printer.ID, link.ID); err != nil {
			t.Fatal(err)
		}
		if code, _ := guest.get(detail); code != 403 {
			t.Errorf("after revoking: %d, want 403", code)
		}
		if code, _ := s.browser("").get("/support/link/" + s.tenant + "/" + token); code != 404 {
			t.Errorf("a revoked link: %d, want 404", code)
		}
		// An expired link says so.
		token2, _, err := s.agent().CreatePortalLink(ctx, printer.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		late := s.browser("")
		if code, _, _ := late.do("GET", "/support/link/"+s.tenant+"/"+token2, nil); code != 303 {
			t.Fatalf("the second link: %d", code)
		}
		clock.Advance(time.Hour)
		if code, _ := late.get(detail); code != 410 {
			t.Errorf("a session of an expired link: %d, want 410", code)
		}
		if code, _ := s.browser("").get("/support/link/" + s.tenant + "/" + token2); code != 410 {
			t.Errorf("an expired link: %d, want 410", code)
		}
	})
}

// TestRefusedCommentLeavesNoFile: a comment refused for a file or for
// its text deletes the files it uploaded at once.
func TestRefusedCommentLeavesNoFile(t *testing.T) {
	store, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s := newSite(t, store)
	c := s.open("ada", "Printer")
	detail := fmt.Sprintf("/support/cases/%d", c.Number)
	ada := s.browser("ada")
	good := upload{"log.txt", "text/plain", "E42"}
	for what, post := range map[string]func() (int, string){
		"a refused second file": func() (int, string) {
			return ada.comment(detail, "Logs", good, upload{"evil.html", "text/html", "<script>"})
		},
		"a text past its bound": func() (int, string) { return ada.comment(detail, strings.Repeat("x", 100001), good) },
	} {
		if code, page := post(); code != 422 {
			t.Fatalf("%s: %d, want 422\n%s", what, code, page)
		}
		var left []string
		err := s.kit.BlobStore().(casekit.BlobLister).ListBlobs(t.Context(), s.tenant, func(b casekit.BlobInfo) error {
			left = append(left, b.Key)
			return nil
		})
		if err != nil || len(left) != 0 {
			t.Errorf("%s left files behind: %v, %v", what, left, err)
		}
	}
}

// TestCookiesSecureBehindProxy: with SecureCookies, a request that
// reached the portal without TLS (from a TLS-terminating proxy) gets
// Secure cookies; without it, only a TLS request does.
func TestCookiesSecureBehindProxy(t *testing.T) {
	store, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	kit, tenant := casekittest.NewKit(t, store)
	c, err := kit.Desk(tenant).As(casekit.Agent("a")).OpenCase(t.Context(), casekit.NewCase{Subject: "Printer", CustomerID: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := kit.Desk(tenant).As(casekit.Agent("a")).CreatePortalLink(t.Context(), c.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, secure := range []bool{false, true} {
		portal, err := casehttp.NewPortal(casehttp.PortalConfig{Kit: kit, Templates: templates.New(), CSRFKey: []byte(strings.Repeat("k", 32)),
			Logger: slog.New(slog.DiscardHandler), SecureCookies: secure})
		if err != nil {
			t.Fatal(err)
		}
		list := httptest.NewRequest("GET", "http://support.example/", nil)
		for _, r := range []*http.Request{list.WithContext(casehttp.WithCustomer(list.Context(), tenant, "ada")),
			httptest.NewRequest("GET", "http://support.example/link/"+tenant+"/"+token, nil)} {
			w := httptest.NewRecorder()
			portal.ServeHTTP(w, r)
			cookies := w.Result().Cookies()
			if len(cookies) == 0 {
				t.Fatalf("GET %s: no cookie (%d)", r.URL.Path, w.Code)
			}
			for _, ck := range cookies {
				if ck.Secure != secure {
					t.Errorf("SecureCookies %v: GET %s set %s with Secure %v", secure, r.URL.Path, ck.Name, ck.Secure)
				}
			}
		}
	}
}
