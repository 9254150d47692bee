package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"casekit.dev/casekit"
	"casekit.dev/storage/sqlite"
)

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func withClock(c *testClock) func(*appConfig) { return func(cfg *appConfig) { cfg.Now = c.now } }

// signIn posts the password form and returns the status and Location.
func (c *client) signIn(login, password string) (int, string) {
	c.t.Helper()
	c.get("/login")
	status, _, h := c.post("/login", url.Values{"login": {login}, "password": {password}})
	return status, h.Get("Location")
}

func TestSignInPickerOnlyWithDemo(t *testing.T) {
	for _, demo := range []bool{false, true} {
		_, srv := testApp(t, demo)
		c := newClient(t, srv.URL)
		_, page := c.get("/login")
		if got := strings.Contains(page, `action="/login/pick"`); got != demo {
			t.Errorf("demo %v: the sign-in page offers the picker: %v", demo, got)
		}
		if !strings.Contains(page, `id="signin-password"`) {
			t.Errorf("demo %v: the sign-in page has no password field", demo)
		}
		status, _, h := c.post("/login/pick", url.Values{"who": {"u-ava"}})
		want := http.StatusNotFound
		if demo {
			want = http.StatusSeeOther
		}
		if status != want {
			t.Errorf("demo %v: picking Ava: %d, want %d", demo, status, want)
		}
		status, _ = c.get("/cases")
		if signedIn := status == http.StatusOK; signedIn != demo {
			t.Errorf("demo %v: after the pick (to %q) /cases answers %d", demo, h.Get("Location"), status)
		}
	}
	// With -demo, picking someone the directory does not know is refused.
	_, srv := testApp(t, true)
	c := newClient(t, srv.URL)
	c.get("/login")
	if status, _, _ := c.post("/login/pick", url.Values{"who": {"u-mallory"}}); status != http.StatusBadRequest {
		t.Errorf("picking an unknown person: %d, want 400", status)
	}
}

func TestSignInWithPassword(t *testing.T) {
	_, srv := testApp(t, false)
	c := newClient(t, srv.URL)
	c.get("/login")
	for _, tc := range []struct{ login, password string }{
		{"u-ava", "wrong password"},
		{"u-mallory", testPassword},              // nobody of that ID
		{"ava@acme.example", testPassword + "x"}, // by address, wrong
	} {
		status, body, _ := c.post("/login", url.Values{"login": {tc.login}, "password": {tc.password}})
		if status != http.StatusUnauthorized || !strings.Contains(body, "do not match an account") || !strings.Contains(body, `value="`+tc.login+`"`) {
			t.Errorf("%s with %q: %d, want 401 saying so, the login kept", tc.login, tc.password, status)
		}
		if status, _ := c.get("/cases"); status != http.StatusSeeOther {
			t.Fatalf("after a refused sign-in /cases answers %d, want 303 to sign in", status)
		}
	}
	if status, body, _ := c.post("/login", url.Values{"login": {"u-ava"}, "password": {""}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter your ID") {
		t.Errorf("no password: %d, want 422", status)
	}
	if status, to := c.signIn("u-ava", testPassword); status != http.StatusSeeOther || to != "/cases" {
		t.Errorf("Ava with her password: %d to %q, want 303 to /cases", status, to)
	}
	if status, _ := c.get("/cases"); status != http.StatusOK {
		t.Errorf("Ava signed in: /cases answers %d", status)
	}
	cust := newClient(t, srv.URL)
	if status, to := cust.signIn("Ada@Example.com", testPassword); status != http.StatusSeeOther || to != "/portal/" {
		t.Errorf("Ada by her address: %d to %q, want 303 to the portal", status, to)
	}
	if status, _ := cust.get("/portal/"); status != http.StatusOK {
		t.Errorf("Ada signed in: /portal/ answers %d", status)
	}
}

func TestSessionExpiresServerSide(t *testing.T) {
	clock := newTestClock()
	_, srv := testApp(t, false, withClock(clock))
	u, _ := url.Parse(srv.URL)
	signedIn := func(c *client) bool { status, _ := c.get("/cases"); return status == http.StatusOK }

	// Idle: each request keeps it alive; two hours without one end it.
	c := newClient(t, srv.URL)
	c.login("u-ava")
	for range 3 {
		clock.add(sessionIdle - time.Second)
		if !signedIn(c) {
			t.Fatal("the session ended while in use")
		}
	}
	old := cookieValue(c.http.Jar, u)
	clock.add(sessionIdle)
	if signedIn(c) {
		t.Error("the session outlived two idle hours")
	}
	// The server forgot it: the old cookie does not bring it back.
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: old}})
	clock.add(-sessionIdle)
	if signedIn(c) {
		t.Error("an expired session came back with its cookie")
	}
	clock.add(sessionIdle)

	// Absolute: however busy, twelve hours after sign-in it ends.
	c = newClient(t, srv.URL)
	c.login("u-ava")
	for elapsed := time.Duration(0); elapsed+time.Hour < sessionMax; elapsed += time.Hour {
		clock.add(time.Hour)
		if !signedIn(c) {
			t.Fatalf("the session ended %v after sign-in", elapsed+time.Hour)
		}
	}
	clock.add(time.Hour)
	if signedIn(c) {
		t.Error("the session outlived twelve hours")
	}

	// Signing in as someone else ends the session before.
	c = newClient(t, srv.URL)
	c.login("u-ava")
	before := cookieValue(c.http.Jar, u)
	c.login("u-ben")
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: before}})
	if signedIn(c) {
		t.Error("the session before a switch of user still works")
	}

	// Sign-out ends it on the server: the cookie kept from before is dead.
	c = newClient(t, srv.URL)
	c.login("u-ava")
	kept := cookieValue(c.http.Jar, u)
	if status, _, _ := c.post("/logout", url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("logout: %d", status)
	}
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: kept}})
	if signedIn(c) {
		t.Error("the session's cookie still works after sign-out")
	}
}

func TestSignInRateLimited(t *testing.T) {
	clock := newTestClock()
	_, srv := testApp(t, false, withClock(clock))
	c := newClient(t, srv.URL)
	// Per account: five wrong passwords, then even the right one waits.
	for i := 1; i <= maxFailures; i++ {
		if status, _ := c.signIn("u-ben", "wrong password"); status != http.StatusUnauthorized {
			t.Fatalf("wrong password #%d: %d, want 401", i, status)
		}
		clock.add(time.Minute)
	}
	c.get("/login")
	status, body, h := c.post("/login", url.Values{"login": {"ben@acme.example"}, "password": {testPassword}})
	retry, _ := strconv.Atoi(h.Get("Retry-After"))
	if status != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-ins") || retry != int((failureWindow-maxFailures*time.Minute)/time.Second) {
		t.Errorf("sixth attempt (by address, right password): %d, Retry-After %q; want 429 and %v", status, h.Get("Retry-After"), failureWindow-maxFailures*time.Minute)
	}
	clock.add(failureWindow - maxFailures*time.Minute + time.Second) // the first failure ages out
	if status, _ := c.signIn("u-ben", testPassword); status != http.StatusSeeOther {
		t.Errorf("after the oldest failure aged out: %d, want 303", status)
	}

	// Per address: wrong passwords for different accounts add up.
	clock.add(failureWindow)
	c = newClient(t, srv.URL)
	for i, login := range []string{"u-ava", "u-cleo", "u-dev", "nobody-1", "nobody-2"} {
		if status, _ := c.signIn(login, "wrong password"); status != http.StatusUnauthorized {
			t.Fatalf("wrong password #%d: %d, want 401", i+1, status)
		}
	}
	if status, _ := c.signIn("grace@example.com", testPassword); status != http.StatusTooManyRequests {
		t.Errorf("a sixth account from the same address: %d, want 429", status)
	}

	// At once: of ten wrong attempts in parallel, five are checked.
	clock.add(failureWindow)
	c = newClient(t, srv.URL)
	c.get("/login")
	form := url.Values{"login": {"u-dev"}, "password": {"wrong password"}, "csrf": {c.csrf}}.Encode()
	var wg sync.WaitGroup
	statuses := make(chan int, 10)
	for range 10 {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := c.http.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			statuses <- res.StatusCode
		})
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[http.StatusUnauthorized] != maxFailures || count[http.StatusTooManyRequests] != 10-maxFailures {
		t.Errorf("ten wrong attempts at once: %v, want %d×401 and %d×429", count, maxFailures, 10-maxFailures)
	}
}

// TestLimiterReservesBeforeTheCheck: attempts in flight count against
// the limit, so parallel ones cannot all slip in before any fails.
func TestLimiterReservesBeforeTheCheck(t *testing.T) {
	clock := newTestClock()
	l := newLimiter(clock.now)
	var dones []func(bool)
	for range maxFailures {
		done, wait := l.begin("account:x", "address:a")
		if done == nil {
			t.Fatalf("refused within the limit (wait %v)", wait)
		}
		dones = append(dones, done)
	}
	if done, wait := l.begin("account:x", "address:b"); done != nil || wait != time.Second {
		t.Errorf("a sixth attempt while five are in flight: let in %v, wait %v; want refused for a second", done != nil, wait)
	}
	for _, done := range dones {
		done(true)
	}
	if done, _ := l.begin("account:x", "address:a"); done == nil {
		t.Error("refused after the attempts in flight succeeded")
	} else {
		done(true)
	}
	if len(l.keys) != 0 {
		t.Errorf("successes left %d keys behind", len(l.keys))
	}
}

func TestAddAccountStoresOnlyHashes(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	add := func(stdin string, args ...string) error {
		return run(ctx, append([]string{"-data", dir}, args...), strings.NewReader(stdin), &strings.Builder{}, &strings.Builder{})
	}
	const secret = "plain secret 123"
	t.Setenv(passwordEnv, secret)
	if err := add("", "-add-agent", "u-eve:Eve Adams:Eve@Acme.example:support,billing"); err != nil {
		t.Fatal(err)
	}
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("zoe's password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := add("", "-add-customer", "Zoe Quinn:zoe@example.com", "-password-file", pwFile); err != nil {
		t.Fatal(err)
	}
	t.Setenv(passwordEnv, "")
	for _, tc := range []struct {
		stdin string
		args  []string
		err   string
	}{
		{"", []string{"-add-agent", "u-fay:Fay:fay@acme.example"}, "no password"},
		{"short\n", []string{"-add-agent", "u-fay:Fay:fay@acme.example", "-password-file", "-"}, "at least 10"},
		{"long enough pw\n", []string{"-add-agent", "u-fay:Fay:fay@acme.example:marketing", "-password-file", "-"}, `no team "marketing"`},
		{"long enough pw\n", []string{"-add-agent", "U Fay:Fay:fay@acme.example", "-password-file", "-"}, "agent ID"},
		{"long enough pw\n", []string{"-add-agent", "u-fay:Fay:not-an-address", "-password-file", "-"}, "not an e-mail address"},
		{"long enough pw\n", []string{"-add-agent", "u-fay:Fay:eve@acme.example", "-password-file", "-"}, "belongs to another account"},
		{"long enough pw\n", []string{"-add-customer", "Eve:zoe@example.com:x", "-password-file", "-"}, "want Name:email"},
	} {
		if err := add(tc.stdin, tc.args...); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: %v, want an error saying %q", tc.args, err, tc.err)
		}
	}

	// A refused account in a fresh directory leaves no file there.
	fresh := t.TempDir()
	if err := run(ctx, []string{"-data", fresh, "-add-agent", "u-fay:Fay:fay@acme.example:marketing", "-password-file", "-"},
		strings.NewReader("long enough pw\n"), io.Discard, io.Discard); err == nil {
		t.Error("an agent of an unknown team was saved")
	}
	if left, _ := os.ReadDir(fresh); len(left) != 0 {
		t.Errorf("a refused account left %d files behind", len(left))
	}

	accounts, err := openSQLiteAccounts(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer accounts.Close()
	var rows []account
	if err := accounts.db.NewRaw("SELECT id, kind, name, email, teams, password_hash FROM accounts ORDER BY id").Scan(ctx, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].ID != casekit.EmailContactID("zoe@example.com") || rows[1].ID != "u-eve" || rows[1].Email != "eve@acme.example" || rows[1].Teams != "support,billing" {
		t.Fatalf("accounts %+v, want Zoe and Eve only (the refused ones left nothing)", rows)
	}
	for i, pw := range []string{"zoe's password", secret} {
		if strings.Contains(rows[i].Hash, pw) {
			t.Errorf("%s: the password is stored in the clear", rows[i].ID)
		}
		if cost, err := bcrypt.Cost([]byte(rows[i].Hash)); err != nil || cost != bcrypt.DefaultCost {
			t.Errorf("%s: bcrypt cost %d, %v; want %d", rows[i].ID, cost, err, bcrypt.DefaultCost)
		}
		if bcrypt.CompareHashAndPassword([]byte(rows[i].Hash), []byte(pw)) != nil {
			t.Errorf("%s: the hash does not match the password", rows[i].ID)
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, accountsFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), secret) {
		t.Error("the accounts file holds the password in the clear")
	}

	// Eve signs in to the server on that directory with her password.
	store, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	_, srv := startApp(t, store, accounts, false)
	c := newClient(t, srv.URL)
	if status, to := c.signIn("eve@acme.example", secret); status != http.StatusSeeOther || to != "/cases" {
		t.Errorf("Eve signing in: %d to %q", status, to)
	}
	if _, body := c.get("/cases"); !strings.Contains(body, "Eve Adams") {
		t.Error("Eve's name is not on the console")
	}
}

// TestUnknownLoginCostsABcrypt: a login nobody has is compared with a
// hash as costly as a real one, so it takes as long as a wrong password.
func TestUnknownLoginCostsABcrypt(t *testing.T) {
	ctx := context.Background()
	accounts, err := openSQLiteAccounts(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer accounts.Close()
	if err := accounts.save(ctx, account{ID: "u-eve", Kind: kindAgent, Name: "Eve", Email: "eve@acme.example"}, testPassword, nil, false); err != nil {
		t.Fatal(err)
	}
	timeOf := func(login string) time.Duration {
		best := time.Hour
		for range 3 {
			start := time.Now()
			ac, found, err := accounts.find(ctx, login)
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := accounts.checkPassword(ctx, ac, found, "wrong password"); ok || err != nil {
				t.Fatalf("%s: ok %v, %v", login, ok, err)
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	wrong, unknown := timeOf("u-eve"), timeOf("u-nobody")
	if unknown < wrong/3 {
		t.Errorf("an unknown login took %v, a wrong password %v: the unknown one skips the bcrypt comparison", unknown, wrong)
	}
}

func TestPortalLinkOpensWithoutAccount(t *testing.T) {
	a, srv := testApp(t, false)
	ctx := context.Background()
	d := a.kit.Desk(tenant).As(casekit.Agent("u-ava"))
	cs, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Heating is off", CustomerID: ada})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := d.CreatePortalLink(ctx, cs.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	guest := newClient(t, srv.URL)
	status, _, h := guest.do(mustRequest(t, srv.URL+"/portal/link/"+tenant+"/"+token))
	if status != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "/cases/"+itoa(cs.Number)) {
		t.Fatalf("opening the link: %d to %q", status, h.Get("Location"))
	}
	if status, body := guest.get("/portal/cases/" + itoa(cs.Number)); status != http.StatusOK || !strings.Contains(body, "Heating is off") {
		t.Errorf("the linked case without an account: %d, want 200 with the case", status)
	}
	// Without a link, the portal still sends strangers to sign in.
	stranger := newClient(t, srv.URL)
	if status, _ := stranger.get("/portal/cases/" + itoa(cs.Number)); status != http.StatusSeeOther {
		t.Errorf("the portal without a link or account: %d, want 303 to sign in", status)
	}
}

func mustRequest(t *testing.T, u string) *http.Request {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestCookiesSecureBehindProxy(t *testing.T) {
	// A cookie jar keeps Secure cookies off plain HTTP, so this talks
	// to the server by hand, as the proxy in front of it would.
	roundTrip := func(req *http.Request) (*http.Response, string) {
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	for _, secure := range []bool{false, true} {
		_, srv := testApp(t, false, func(cfg *appConfig) { cfg.SecureCookies = secure })
		res, page := roundTrip(mustRequest(t, srv.URL+"/login"))
		anon := res.Cookies()
		m := csrfRE.FindStringSubmatch(page)
		if len(anon) != 1 || m == nil {
			t.Fatalf("the sign-in page set %v and has token %v", anon, m)
		}
		form := url.Values{"login": {"u-ava"}, "password": {testPassword}, "csrf": {m[1]}}
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(anon[0])
		res, _ = roundTrip(req)
		cks := res.Cookies()
		if len(cks) != 1 || !strings.HasPrefix(cks[0].Value, "sess.") {
			t.Fatalf("secure %v: sign-in answered %d and set %v, want the session cookie", secure, res.StatusCode, cks)
		}
		for _, ck := range []*http.Cookie{anon[0], cks[0]} {
			if ck.Name != sessionCookie || ck.Secure != secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("-secure-cookies %v: cookie %s over plain HTTP is Secure %v HttpOnly %v SameSite %v", secure, ck.Name, ck.Secure, ck.HttpOnly, ck.SameSite)
			}
		}
		// The portal the helpdesk mounts sets its own cookies, with the
		// same option passed on: a customer signs in and opens it.
		form = url.Values{"login": {"ada@example.com"}, "password": {testPassword}, "csrf": {m[1]}}
		req, _ = http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(anon[0])
		res, _ = roundTrip(req)
		if len(res.Cookies()) != 1 {
			t.Fatalf("the customer's sign-in answered %d and set %v", res.StatusCode, res.Cookies())
		}
		req = mustRequest(t, srv.URL+"/portal/")
		req.AddCookie(res.Cookies()[0])
		res, _ = roundTrip(req)
		portal := res.Cookies()
		if len(portal) == 0 {
			t.Fatalf("the portal answered %d and set no cookie", res.StatusCode)
		}
		for _, ck := range portal {
			if ck.Secure != secure {
				t.Errorf("-secure-cookies %v: the portal's cookie %s is Secure %v", secure, ck.Name, ck.Secure)
			}
		}
	}
}

func TestTrustedProxyHeader(t *testing.T) {
	get := func(srv string, who string) int {
		jar, _ := cookiejar.New(nil)
		cl := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req := mustRequest(t, srv+"/cases")
		req.Header.Set("X-Forwarded-User", who)
		res, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	_, trusting := testApp(t, false, func(cfg *appConfig) { cfg.ProxyHeader = "X-Forwarded-User" })
	_, plain := testApp(t, false)
	for _, tc := range []struct {
		srv, who string
		want     int
	}{
		{trusting.URL, "u-ava", http.StatusOK},
		{trusting.URL, "ava@acme.example", http.StatusOK},
		{trusting.URL, "grace@example.com", http.StatusForbidden}, // a customer
		{trusting.URL, "u-mallory", http.StatusSeeOther},
		{trusting.URL, "", http.StatusSeeOther},
		{plain.URL, "u-ava", http.StatusSeeOther}, // not trusted unless the operator names it
	} {
		if got := get(tc.srv, tc.who); got != tc.want {
			t.Errorf("%s with X-Forwarded-User %q: %d, want %d", tc.srv, tc.who, got, tc.want)
		}
	}
}
