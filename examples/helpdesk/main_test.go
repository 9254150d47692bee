package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/fsblob"
	"casekit.dev/storage/sqlite"
)

// testPassword is the password testApp gives everyone.
const testPassword = "correct horse battery"

// testApp starts the helpdesk on SQLite in a temporary directory, with
// Kit.Run delivering in the background, behind an httptest server. The
// sample people have accounts with testPassword (at bcrypt.MinCost, to
// be quick), with -demo or without.
func testApp(t *testing.T, demo bool, opts ...func(*appConfig)) (*app, *httptest.Server) {
	t.Helper()
	dir := t.TempDir()
	store, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	accounts, err := openSQLiteAccounts(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { accounts.Close() })
	return startApp(t, store, accounts, demo, opts...)
}

func startApp(t *testing.T, store store.Store, accounts *accountStore, demo bool, opts ...func(*appConfig)) (*app, *httptest.Server) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := accounts.setCost(bcrypt.MinCost); err != nil {
		t.Fatal(err)
	}
	for _, ac := range sampleAccounts() {
		if err := accounts.save(ctx, ac, testPassword, teamIDs(), false); err != nil {
			t.Fatal(err)
		}
	}
	blobs, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := appConfig{Store: store, Blobs: blobs, Accounts: accounts, Logger: slog.New(slog.DiscardHandler), Demo: demo, PollInterval: 50 * time.Millisecond}
	for _, o := range opts {
		o(&cfg)
	}
	a, err := newApp(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	srv := httptest.NewServer(a)
	a.setBaseURL(srv.URL)
	done := make(chan error, 1)
	go func() { done <- a.kit.Run(ctx) }()
	t.Cleanup(func() {
		srv.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Kit.Run: %v", err)
		}
	})
	return a, srv
}

// sampleAccounts are the demo's people as accounts.
func sampleAccounts() []account {
	s := &accountStore{}
	s.withDemo(demoPeople())
	return s.demo
}

// client is a browser without JavaScript: it keeps cookies, does not
// follow redirects (so the tests see them) and remembers the CSRF token
// of the last page it read.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *client) do(req *http.Request) (int, string, http.Header) {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if m := csrfRE.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return res.StatusCode, string(b), res.Header
}

func (c *client) get(path string) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	status, body, _ := c.do(req)
	return status, body
}

// post sends a form with the last page's CSRF token unless the form has
// one of its own.
func (c *client) post(path string, form url.Values) (int, string, http.Header) {
	c.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form = maps.Clone(form) // the caller's form stays as it was, for posting again
		form.Set("csrf", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// login signs in as id (an ID or an e-mail address) with testPassword.
func (c *client) login(id string) {
	c.t.Helper()
	c.get("/login")
	status, body, h := c.post("/login", url.Values{"login": {id}, "password": {testPassword}})
	if status != http.StatusSeeOther {
		c.t.Fatalf("login as %s: status %d\n%s", id, status, body)
	}
	c.get(h.Get("Location"))
}

// pick signs in as id with the demo's picker.
func (c *client) pick(id string) {
	c.t.Helper()
	c.get("/login")
	status, body, h := c.post("/login/pick", url.Values{"who": {id}})
	if status != http.StatusSeeOther {
		c.t.Fatalf("picking %s: status %d\n%s", id, status, body)
	}
	c.get(h.Get("Location"))
}

const (
	ada   = "email:ada@example.com"
	grace = "email:grace@example.com"
)

func TestParseFlags(t *testing.T) {
	def := config{addr: "127.0.0.1:8080", from: "Acme Help Desk <help@acme.example>", prefix: "casekit_", sessionIdle: sessionIdle, sessionMax: sessionMax, mailIn: "127.0.0.1:2525"}
	with := func(f func(*config)) config { c := def; f(&c); return c }
	for _, tc := range []struct {
		args []string
		want config
		err  string
	}{
		{args: nil, want: def},
		{args: []string{"-addr", ":0", "-data", "/tmp/x", "-demo"}, want: with(func(c *config) { c.addr, c.data, c.demo = ":0", "/tmp/x", true })},
		{args: []string{"-postgres", "postgres://h/db", "-smtp", "127.0.0.1:1025"}, want: with(func(c *config) { c.postgres, c.smtp = "postgres://h/db", "127.0.0.1:1025" })},
		{args: []string{"-data", "d", "-add-agent", "u-eve:Eve:eve@acme.example", "-password-file", "-"}, want: with(func(c *config) {
			c.data, c.addAgent, c.passwordFile = "d", "u-eve:Eve:eve@acme.example", "-"
		})},
		{args: []string{"-secure-cookies", "-trusted-proxy-header", "X-Forwarded-User", "-session-idle", "30m", "-session-max", "8h"}, want: with(func(c *config) {
			c.secureCookies, c.proxyHeader, c.sessionIdle, c.sessionMax = true, "X-Forwarded-User", 30*time.Minute, 8*time.Hour
		})},
		{args: []string{"-postgres", "postgres://h/db", "-data", "d"}, err: "not both"},
		{args: []string{"-smtp", "nohost"}, err: "not host:port"},
		{args: []string{"-addr", ""}, err: "-addr must not be empty"},
		{args: []string{"extra"}, err: `unexpected argument "extra"`},
		{args: []string{"-nope"}, err: errUsage.Error()},
		{args: []string{"-add-agent", "u-eve:Eve:eve@acme.example"}, err: "need -data DIR or -postgres"},
		{args: []string{"-data", "d", "-add-agent", "a:A:a@x.example", "-add-customer", "B:b@x.example"}, err: "one account at a time"},
		{args: []string{"-password-file", "p"}, err: "goes with -add-agent"},
		{args: []string{"-session-idle", "0s"}, err: "must be positive"},
		{args: []string{"-trusted-proxy-header", "X User"}, err: "is not a header name"},
		{args: []string{"-trusted-proxy-header", "cookie"}, err: "is not a header name"},
	} {
		got, err := parseFlags(tc.args, io.Discard)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want one saying %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %+v, %v; want %+v", tc.args, got, err, tc.want)
		}
	}
	if _, err := parseFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
}

// Only the tenant's admin may change its configuration; the other agents
// work cases.
func TestOnlyTheAdminConfigures(t *testing.T) {
	a, _ := testApp(t, false)
	ctx := context.Background()
	sla := casekit.SLA{ID: "rush", Name: "Rush", Targets: []casekit.SLATarget{{Priority: "high", FirstResponse: time.Hour, Resolution: 4 * time.Hour}}}
	if err := a.kit.Desk(tenant).As(casekit.Agent("u-ben")).Config().SaveSLA(ctx, sla); !errors.Is(err, casekit.ErrForbidden) {
		t.Errorf("SaveSLA as u-ben: %v, want ErrForbidden", err)
	}
	if err := a.kit.Desk(tenant).As(casekit.Agent(admin)).Config().SaveSLA(ctx, sla); err != nil {
		t.Errorf("SaveSLA as the admin: %v", err)
	}
}

func TestDemoSeedsEveryStatus(t *testing.T) {
	a, _ := testApp(t, true)
	ctx := context.Background()
	d := a.kit.Desk(tenant).As(casekit.Agent("u-ava"))
	total := 0
	for _, st := range []string{casekit.StatusNew, casekit.StatusInProgress, casekit.StatusWaiting, casekit.StatusReopened,
		casekit.StatusResolved, casekit.StatusClosed, casekit.StatusCanceled} {
		pg, err := d.ListCases(ctx, casekit.CaseFilter{Status: []string{st}, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(pg.Cases) == 0 {
			t.Errorf("no demo case is %s", st)
		}
		total += len(pg.Cases)
	}
	if total != len(demoCases) {
		t.Errorf("%d demo cases in those statuses, want %d", total, len(demoCases))
	}
	closed, err := d.ListCases(ctx, casekit.CaseFilter{Status: []string{casekit.StatusClosed}, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := closed.Cases[0]
	acts, _ := d.Activities(ctx, c.ID)
	notes, _ := d.Notes(ctx, c.ID)
	msgs, _ := d.Messages(ctx, c.ID)
	if len(acts) == 0 || len(notes) == 0 || len(msgs) == 0 {
		t.Errorf("closed demo case #%d has %d activities, %d notes, %d messages; want some of each", c.Number, len(acts), len(notes), len(msgs))
	}
	oldest, _ := d.ListCases(ctx, casekit.CaseFilter{Sort: casekit.SortCreated, Limit: 1})
	if since := time.Since(oldest.Cases[0].CreatedAt); since < 7*24*time.Hour {
		t.Errorf("the oldest case was opened %v ago; the demo spreads cases over days", since)
	}
	// Seeding again finds the cases and adds none.
	if err := seedDemo(ctx, a.kit, demoPeople(), a.clock); err != nil {
		t.Fatal(err)
	}
	all, _ := d.ListCases(ctx, casekit.CaseFilter{Limit: 500})
	if len(all.Cases) != len(demoCases) {
		t.Errorf("after a second seed: %d cases, want %d", len(all.Cases), len(demoCases))
	}
}

func TestSessionForgeryRefused(t *testing.T) {
	_, srv := testApp(t, false)
	_, other := testApp(t, false) // another process: another key

	c := newClient(t, srv.URL)
	if status, _ := c.get("/cases"); status != http.StatusSeeOther {
		t.Fatalf("/cases without a session: %d, want 303 to the sign-in", status)
	}
	u, _ := url.Parse(srv.URL)
	forge := func(value string) int {
		jar, _ := cookiejar.New(nil)
		jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: value}})
		cl := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := cl.Get(srv.URL + "/cases")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	// An agent's session, taken from the other process, and made-up ones.
	oc := newClient(t, other.URL)
	oc.login("u-ava")
	ou, _ := url.Parse(other.URL)
	stolen := cookieValue(oc.http.Jar, ou)
	for name, v := range map[string]string{
		"another process's session": stolen,
		"made-up session ID":        "sess." + randomString(32),
		"empty session ID":          "sess.",
		"the old signed format":     base64URL("agent|u-ava|nonce-nonce-nonce") + ".AAAA",
		"anonymous, bad signature":  "anon.nonce.AAAA",
	} {
		if status := forge(v); status != http.StatusSeeOther {
			t.Errorf("%s cookie: /cases answered %d, want 303 to the sign-in", name, status)
		}
	}
	// A customer's genuine session is a customer's.
	c.login(ada)
	if status := forge(cookieValue(c.http.Jar, u)); status != http.StatusForbidden {
		t.Errorf("the customer's own cookie: /cases answered %d, want 403", status)
	}
}

// cookieValue is the session cookie the jar holds for u.
func cookieValue(jar http.CookieJar, u *url.URL) string {
	for _, ck := range jar.Cookies(u) {
		if ck.Name == sessionCookie {
			return ck.Value
		}
	}
	return ""
}

func TestCSRFRefused(t *testing.T) {
	a, srv := testApp(t, false)
	ctx := context.Background()
	cs, err := a.kit.Desk(tenant).As(casekit.Agent("u-ava")).OpenCase(ctx, casekit.NewCase{Subject: "CSRF target", CustomerID: ada})
	if err != nil {
		t.Fatal(err)
	}
	// Login needs the token of the sign-in page.
	c := newClient(t, srv.URL)
	c.get("/login")
	if status, _, _ := c.post("/login", url.Values{"login": {"u-ava"}, "password": {testPassword}, "csrf": {""}}); status != http.StatusForbidden {
		t.Errorf("login without a token: %d, want 403", status)
	}
	c.login("u-ava")
	path := "/cases/" + itoa(cs.Number) + "/reply"
	// The wrong token differs from the right one in its first character
	// whatever that is: "x"+csrf[1:] was the right token once in 64 runs.
	wrong := "x" + c.csrf[1:]
	if c.csrf[0] == 'x' {
		wrong = "y" + c.csrf[1:]
	}
	for name, tok := range map[string]string{"no token": "", "wrong token": wrong} {
		status, body, _ := c.post(path, url.Values{"body": {"hello"}, "csrf": {tok}})
		if status != http.StatusForbidden || !strings.Contains(body, "did not come from this site") {
			t.Errorf("%s: %d, want 403 with the explanation", name, status)
		}
	}
	// A token of another session does not pass either.
	c2 := newClient(t, srv.URL)
	c2.login("u-ben")
	if status, _, _ := c.post(path, url.Values{"body": {"hello"}, "csrf": {c2.csrf}}); status != http.StatusForbidden {
		t.Errorf("another session's token: %d, want 403", status)
	}
	// A cross-origin post with the right token: CrossOriginProtection.
	c.get("/cases/" + itoa(cs.Number))
	form := url.Values{"body": {"hello"}, "csrf": {c.csrf}}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if status, _, _ := c.do(req); status != http.StatusForbidden {
		t.Errorf("cross-site post: %d, want 403", status)
	}
	msgs, _ := a.kit.Desk(tenant).As(casekit.Agent("u-ava")).Messages(ctx, cs.ID)
	if len(msgs) != 0 {
		t.Fatalf("refused posts wrote %d messages", len(msgs))
	}
	// The same post from the page goes through.
	if status, _, h := c.post(path, url.Values{"body": {"hello"}}); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=reply") {
		t.Errorf("a proper post: %d to %q", status, h.Get("Location"))
	}
}

func TestForbiddenAndNotFound(t *testing.T) {
	a, srv := testApp(t, false)
	ctx := context.Background()
	cs, err := a.kit.Desk(tenant).As(casekit.Agent("u-ava")).OpenCase(ctx, casekit.NewCase{Subject: "Ada's case", CustomerID: ada})
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(srv.URL + "/static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Errorf("the stylesheet: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	cust := newClient(t, srv.URL)
	cust.login(grace)
	for _, p := range []string{"/cases", "/cases/" + itoa(cs.Number), "/queues", "/mail"} {
		if status, body := cust.get(p); status != http.StatusForbidden || !strings.Contains(body, "This page is for agents") {
			t.Errorf("customer GET %s: %d, want the 403 page", p, status)
		}
	}
	if status, _ := cust.get("/portal/cases/" + itoa(cs.Number)); status != http.StatusNotFound {
		t.Errorf("Grace opening Ada's case in the portal: %d, want 404", status)
	}
	agent := newClient(t, srv.URL)
	agent.login("u-ava")
	if status, body := agent.get("/portal/"); status != http.StatusForbidden || !strings.Contains(body, "The portal is for customers") {
		t.Errorf("agent GET /portal/: %d, want the 403 page", status)
	}
	for _, p := range []string{"/nothing-here", "/cases/99999", "/cases/abc"} {
		if status, body := agent.get(p); status != http.StatusNotFound || !strings.Contains(body, `id="error-message"`) {
			t.Errorf("GET %s: %d, want the 404 page", p, status)
		}
	}
	if status, _, _ := agent.post("/cases/"+itoa(cs.Number)+"/nonsense", url.Values{}); status != http.StatusNotFound {
		t.Errorf("an unknown action: %d, want 404", status)
	}
}

func TestBadInputShownWithWhatWasTyped(t *testing.T) {
	a, srv := testApp(t, false)
	ctx := context.Background()
	d := a.kit.Desk(tenant).As(casekit.Agent("u-ava"))
	cs, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Printer jams", CustomerID: ada, QueueID: "general"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Router <b>bricked</b>", CustomerID: ada})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.LinkCases(ctx, casekit.NewLink{Kind: casekit.LinkParent, FromID: other.ID, ToID: cs.ID}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv.URL)
	c.login("u-ava")
	path := "/cases/" + itoa(cs.Number)
	if _, page := c.get(path); !strings.Contains(page, `parent: <a href="/cases/`+itoa(other.Number)+`">#`+itoa(other.Number)+` Router &lt;b&gt;bricked&lt;/b&gt;</a>`) {
		t.Errorf("the case page does not list its parent, escaped:\n%s", page)
	}

	for _, tc := range []struct {
		action string
		form   url.Values
		status int
		want   []string
	}{
		{"activity", url.Values{"kind": {"call"}, "subject": {""}, "description": {"typed <b>description</b>"}}, 422,
			[]string{`id="activity-subject" name="subject" value="" aria-invalid="true"`, "typed &lt;b&gt;description&lt;/b&gt;</textarea>", `class="error"`, "<details class=\"card\" open><summary id=\"open-activity\">"}},
		{"activity", url.Values{"kind": {"call"}, "subject": {"Call back"}, "due": {"tomorrow"}}, 422,
			[]string{"is not a date and time", `value="tomorrow"`, `value="Call back"`}},
		{"close", url.Values{"reason": {""}, "note": {"my closing note"}}, 422, []string{"my closing note</textarea>", `<details class="dialog" open><summary id="open-close"`}},
		{"reply", url.Values{"body": {""}}, 422, []string{`id="reply-body" name="body" aria-invalid="true"`}},
		{"note", url.Values{"subject": {"nonsense"}, "body": {"kept body"}}, 422, []string{"kept body</textarea>"}},
		{"escalate", url.Values{"level": {""}, "reason": {"too hard"}}, 422, []string{"Choose a support level.", `value="too hard"`}},
		{"status", url.Values{"to": {casekit.StatusInProgress}}, 303, nil},
		{"status", url.Values{"to": {casekit.StatusNew}}, 409, []string{"That status change is not allowed"}},
	} {
		status, body, _ := c.post(path+"/"+tc.action, tc.form)
		if status != tc.status {
			t.Errorf("%s %v: status %d, want %d", tc.action, tc.form, status, tc.status)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s %v: the page lacks %q", tc.action, tc.form, w)
			}
		}
	}
	// Sentinels: resolving with an open activity, writing to a closed case.
	if status, _, _ := c.post(path+"/activity", url.Values{"kind": {"task"}, "subject": {"Order a part"}}); status != http.StatusSeeOther {
		t.Fatalf("adding an activity: %d", status)
	}
	status, body, _ := c.post(path+"/resolve", url.Values{"summary": {"fixed it"}})
	if status != http.StatusConflict || !strings.Contains(body, "still has open activities: “Order a part”") || !strings.Contains(body, "fixed it</textarea>") {
		t.Errorf("resolve with an open activity: %d, want 409 naming it and keeping the summary", status)
	}
	if status, _, _ := c.post(path+"/close", url.Values{"reason": {"fixed"}, "note": {"done"}, "cancel_open_activities": {"on"}}); status != http.StatusSeeOther {
		t.Fatalf("close: %d", status)
	}
	status, body, _ = c.post(path+"/reply", url.Values{"body": {"one more thing"}})
	if status != http.StatusConflict || !strings.Contains(body, "cannot be changed until it is reopened") || !strings.Contains(body, "one more thing</textarea>") {
		t.Errorf("reply on a closed case: %d, want 409 with the read-only message", status)
	}
	if got, _ := d.Case(ctx, cs.ID); got.Status != casekit.StatusClosed {
		t.Errorf("status %s after the refusals, want closed", got.Status)
	}

	// The filter form.
	status, body = c.get("/cases?created_after=someday&q=printer&sort=sideways")
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="created_after-error"`) || !strings.Contains(body, `value="someday"`) || !strings.Contains(body, `value="printer"`) {
		t.Errorf("bad filter: %d, want 422 with the error next to created_after and the values kept", status)
	}
	status, body = c.get("/cases?sort=sideways")
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="sort-error"`) {
		t.Errorf("bad sort: %d, want 422 with the error next to sort", status)
	}
	status, body = c.get("/cases?colour=blue")
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "colour: is not a filter") {
		t.Errorf("unknown filter: %d, want 422 naming it", status)
	}

	// The public web form.
	web := newClient(t, srv.URL)
	web.get("/form")
	status, body, _ = web.post("/form", url.Values{"idempotency_key": {"k-1"}, "name": {"Zed Typed"}, "email": {"not-an-address"}, "subject": {""}, "description": {"kept words"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="subject-error"`) || !strings.Contains(body, `id="email-error"`) ||
		!strings.Contains(body, `value="Zed Typed"`) || !strings.Contains(body, "kept words</textarea>") || !strings.Contains(body, `value="k-1"`) {
		t.Errorf("bad web form: %d, want 422 with errors by subject and email and the values kept:\n%s", status, body)
	}
}

func TestWebFormOpensCaseInQueue(t *testing.T) {
	a, srv := testApp(t, false)
	web := newClient(t, srv.URL)
	web.get("/form")
	// The form has no CSRF field (it is public), and takes no field it
	// does not know.
	status, _, h := web.post("/form", url.Values{"idempotency_key": {"k-2"}, "name": {"Ada Lovelace"}, "email": {"ada@example.com"},
		"subject": {"Engine will not start"}, "description": {"It hums."}, "website": {""}, "csrf": nil})
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/form/thanks?case=") {
		t.Fatalf("web form: %d to %q", status, h.Get("Location"))
	}
	if _, body := web.get(h.Get("Location")); !strings.Contains(body, "We opened case #1") {
		t.Errorf("thanks page: %s", body)
	}
	cs, err := a.kit.Desk(tenant).As(casekit.System).CaseByNumber(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	// Typed by someone not signed in, the address is kept but is no one's.
	if cs.QueueID != "general" || cs.Contact.ID != "" || cs.Contact.Email != "ada@example.com" || cs.Origin != "web" {
		t.Errorf("case from the form: queue %q contact %q <%s> origin %q", cs.QueueID, cs.Contact.ID, cs.Contact.Email, cs.Origin)
	}
	// Ada signed in: it is hers.
	web.login("email:ada@example.com")
	web.get("/form")
	if status, _, _ := web.post("/form", url.Values{"idempotency_key": {"k-3"}, "email": {"ada@example.com"}, "subject": {"Again"}, "csrf": nil}); status != http.StatusSeeOther {
		t.Fatalf("web form signed in: %d", status)
	}
	if cs, err := a.kit.Desk(tenant).As(casekit.System).CaseByNumber(context.Background(), 2); err != nil || cs.Contact.ID != ada {
		t.Errorf("case from the form of a signed-in customer: %+v, %v", cs, err)
	}
}

// TestWebFormRateLimitShowsRetryAfter: past the rate limit the form's
// page says so with 429 and Retry-After, not the thanks page.
func TestWebFormRateLimitShowsRetryAfter(t *testing.T) {
	_, srv := testApp(t, false)
	web := newClient(t, srv.URL)
	for i := range casekit.IntakeRateLimit + 1 {
		status, _, h := web.post("/form", url.Values{"idempotency_key": {"r-" + strconv.Itoa(i)}, "email": {"ada@example.com"}, "subject": {"Again"}, "csrf": nil})
		switch {
		case i < casekit.IntakeRateLimit && status != http.StatusSeeOther:
			t.Fatalf("post %d: %d", i, status)
		case i == casekit.IntakeRateLimit && (status != http.StatusTooManyRequests || h.Get("Retry-After") == ""):
			t.Errorf("past the limit: %d, Retry-After %q; want 429 with it", status, h.Get("Retry-After"))
		}
	}
}

func itoa(n int64) string { return strconvFormat(n) }

func strconvFormat(n int64) string { return strconv.FormatInt(n, 10) }

func base64URL(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func unbase64URL(t *testing.T, s string) string {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSessionCookieAndLogout(t *testing.T) {
	a, srv := testApp(t, false)
	// The cookie is HttpOnly and SameSite=Lax always, Secure over TLS.
	for _, overTLS := range []bool{false, true} {
		req := httptest.NewRequest(http.MethodGet, "/login", nil)
		if overTLS {
			req = httptest.NewRequest(http.MethodGet, "https://helpdesk.test/login", nil)
		}
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, req)
		cks := rec.Result().Cookies()
		if len(cks) != 1 || cks[0].Name != sessionCookie {
			t.Fatalf("cookies %v, want the session", cks)
		}
		if ck := cks[0]; !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure != overTLS {
			t.Errorf("TLS %v: cookie HttpOnly %v SameSite %v Secure %v", overTLS, ck.HttpOnly, ck.SameSite, ck.Secure)
		}
	}
	c := newClient(t, srv.URL)
	c.login("u-ava")
	if status, _ := c.get("/cases"); status != http.StatusOK {
		t.Fatalf("/cases signed in: %d", status)
	}
	if status, _, _ := c.post("/logout", url.Values{"csrf": {"forged"}}); status != http.StatusForbidden {
		t.Errorf("logout without the token: %d, want 403", status)
	}
	old := c.csrf
	if status, _, h := c.post("/logout", url.Values{}); status != http.StatusSeeOther || h.Get("Location") != "/login" {
		t.Errorf("logout: %d to %q", status, h.Get("Location"))
	}
	if status, _ := c.get("/cases"); status != http.StatusSeeOther {
		t.Errorf("/cases after logout: %d, want 303 to the sign-in", status)
	}
	if c.get("/login"); c.csrf == old {
		t.Error("the CSRF token outlived the session")
	}
	// A sign-in sends an agent on to the page asked for, but never off site.
	c.get("/login?next=/queues")
	if _, _, h := c.post("/login", url.Values{"login": {"u-ben"}, "password": {testPassword}, "next": {"/queues"}}); h.Get("Location") != "/queues" {
		t.Errorf("login with next=/queues went to %q", h.Get("Location"))
	}
	c.get("/login")
	if _, _, h := c.post("/login", url.Values{"login": {"u-ben"}, "password": {testPassword}, "next": {"//evil.example/"}}); h.Get("Location") != "/cases" {
		t.Errorf("login with an off-site next went to %q", h.Get("Location"))
	}
}

func TestCaseListFiltersAndPages(t *testing.T) {
	_, srv := testApp(t, true)
	c := newClient(t, srv.URL)
	c.login("u-ava")
	rowRE := regexp.MustCompile(`<td class="num">#(\d+)</td>`)
	nextRE := regexp.MustCompile(`href="([^"]+)" id="next-page"`)
	seen := map[string]bool{}
	path, pages := "/cases?limit=12&sort=priority", 0
	for path != "" {
		status, body := c.get(path)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, status)
		}
		pages++
		for _, m := range rowRE.FindAllStringSubmatch(body, -1) {
			if seen[m[1]] {
				t.Errorf("case #%s on two pages", m[1])
			}
			seen[m[1]] = true
		}
		path = ""
		if m := nextRE.FindStringSubmatch(body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
			if !strings.Contains(path, "sort=priority") {
				t.Errorf("the next page link %q lost the sort", path)
			}
		}
	}
	if len(seen) != len(demoCases) || pages != 3 {
		t.Errorf("%d cases on %d pages, want %d on 3", len(seen), pages, len(demoCases))
	}
	for q, want := range map[string]int{
		"status=closed":                                      5,
		"status=canceled&q=licence":                          1,
		"customer_id=email:grace@example.com&tag=printer":    3,
		"queue_id=billing&status_flags=active":               5,
		"assignee_id=u-dev":                                  3,
		"created_after=2000-01-01&created_before=2000-02-01": 0,
	} {
		_, body := c.get("/cases?" + q)
		if got := len(rowRE.FindAllString(body, -1)); got != want {
			t.Errorf("/cases?%s: %d rows, want %d", q, got, want)
		}
	}
}

func TestConsoleActions(t *testing.T) {
	a, srv := testApp(t, false)
	ctx := context.Background()
	d := a.kit.Desk(tenant).As(casekit.Agent("u-ben"))
	cs, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Router reboots", CustomerID: ada, QueueID: "general", Type: "problem"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.PickCase(ctx, cs.ID); err != nil {
		t.Fatal(err)
	}
	other, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Router <b>bricked</b>", CustomerID: ada})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.LinkCases(ctx, casekit.NewLink{Kind: casekit.LinkParent, FromID: other.ID, ToID: cs.ID}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv.URL)
	c.login("u-ava")
	path := "/cases/" + itoa(cs.Number)
	if _, page := c.get(path); !strings.Contains(page, `parent: <a href="/cases/`+itoa(other.Number)+`">#`+itoa(other.Number)+` Router &lt;b&gt;bricked&lt;/b&gt;</a>`) {
		t.Errorf("the case page does not list its parent, escaped:\n%s", page)
	}
	// Ben has it: taking it is a conflict, said in words.
	status, body, _ := c.post(path+"/take", url.Values{})
	if status != http.StatusConflict || !strings.Contains(body, "Someone else changed the case or has it already") {
		t.Errorf("taking Ben's case: %d", status)
	}
	for _, step := range []struct {
		action string
		form   url.Values
		check  func(*casekit.Case) bool
	}{
		{"assign", url.Values{"agent": {"-"}, "team": {"billing"}, "queue": {"billing"}}, func(c *casekit.Case) bool {
			return c.AssigneeID == "" && c.QueueID == "billing" && c.TeamID == "billing"
		}},
		{"take", url.Values{}, nil}, // Ava is not in Billing: 403
		{"assign", url.Values{"team": {"support"}, "queue": {"general"}}, func(c *casekit.Case) bool {
			return c.QueueID == "general" && c.TeamID == "support"
		}},
		{"take", url.Values{}, func(c *casekit.Case) bool { return c.AssigneeID == "u-ava" }},
		{"status", url.Values{"to": {casekit.StatusInProgress}}, func(c *casekit.Case) bool { return c.Status == casekit.StatusInProgress }},
		{"reclassify", url.Values{"type": {"question"}, "category": {"network"}, "service": {""}, "sla": {""}, "reason": {"it is a question"}}, func(c *casekit.Case) bool {
			return c.Type == "question" && c.Category == "network" && c.SLAID == ""
		}},
		{"escalate", url.Values{"level": {"2"}, "agent": {""}, "team": {"second-line"}, "reason": {"needs the network team"}}, func(c *casekit.Case) bool {
			return c.SupportLevel == 2 && c.TeamID == "second-line" && c.AssigneeID == ""
		}},
		{"note", url.Values{"subject": {"diagnosis"}, "body": {"Firmware 1.2 is buggy."}, "public": {"on"}}, nil},
		{"reply", url.Values{"body": {"Forwarding to the network team."}, "internal": {"on"}}, nil},
		{"status", url.Values{"to": {casekit.StatusCanceled}}, func(c *casekit.Case) bool { return c.Status == casekit.StatusCanceled }},
		{"reopen", url.Values{"reason": {"closed_by_mistake"}, "note": {"Wrong case canceled."}}, func(c *casekit.Case) bool {
			return c.Status == casekit.StatusReopened
		}},
	} {
		status, body, h := c.post(path+"/"+step.action, step.form)
		if step.action == "take" && step.check == nil {
			if status != http.StatusForbidden || !strings.Contains(body, "You may not do that: agent &#34;u-ava&#34; is not a member of team &#34;billing&#34;") {
				t.Fatalf("taking a case of another team's: %d\n%s", status, body)
			}
			continue
		}
		if status != http.StatusSeeOther {
			t.Fatalf("%s %v: %d\n%s", step.action, step.form, status, body)
		}
		if _, page := c.get(h.Get("Location")); !strings.Contains(page, `id="notice"`) {
			t.Errorf("%s: no notice after the redirect", step.action)
		}
		got, err := d.Case(ctx, cs.ID)
		if err != nil {
			t.Fatal(err)
		}
		if step.check != nil && !step.check(got) {
			t.Errorf("after %s %v: %+v", step.action, step.form, got)
		}
	}
	notes, _ := d.Notes(ctx, cs.ID)
	msgs, _ := d.Messages(ctx, cs.ID)
	if len(notes) != 1 || !notes[0].Public || len(msgs) != 1 || msgs[0].Public {
		t.Errorf("notes %+v, messages %+v: want one public note and one internal message", notes, msgs)
	}
	// The page shows them, with the history of it all.
	_, body = c.get(path)
	for _, w := range []string{"Firmware 1.2 is buggy.", "Forwarding to the network team.", "case.escalated", "case.reclassified", "case.reopened", "Second line"} {
		if !strings.Contains(body, w) {
			t.Errorf("the case page lacks %q", w)
		}
	}
}
