package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"casekit.dev/casekit"
	"casekit.dev/internal/browsertest"
	"casekit.dev/storage/postgres"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write the helpdesk screenshots to docs/")

// browser drives one page of the helpdesk.
type browser struct {
	t         *testing.T
	ctx       context.Context
	base      string
	passwords bool // sign in with the password form, not the demo's picker
	// axe checks each page the walk visits for accessibility; nil when
	// axe-core is not installed (browsertest.LoadAxe says so).
	axe *browsertest.Axe
	// app is the helpdesk served, for the numbers a page must show.
	app *app
}

// open loads a path and returns its HTTP status.
func (b *browser) open(path string) int {
	b.t.Helper()
	res, err := chromedp.RunResponse(b.ctx, chromedp.Navigate(b.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	return int(res.Status)
}

// click clicks what sel finds and waits for the page it leads to.
func (b *browser) click(sel string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
		b.t.Fatalf("click %s: %v", sel, err)
	}
}

// toggle clicks what sel finds without waiting for a page: a <summary>
// opening its dialog, a checkbox, a radio button.
func (b *browser) toggle(sel string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		b.t.Fatalf("click %s: %v", sel, err)
	}
}

func (b *browser) typeIn(sel, text string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.CSS(sel), text)); err != nil {
		b.t.Fatalf("type into %s: %v", sel, err)
	}
}

func (b *browser) choose(sel, value string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.CSS(sel), value)); err != nil {
		b.t.Fatalf("choose %q in %s: %v", value, sel, err)
	}
}

// text returns the text of what sel finds.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// body returns the page's whole text.
func (b *browser) body() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// login signs in as id: by picking them on the demo's sign-in page, or
// with their address (or ID) and password.
func (b *browser) login(id string) {
	b.t.Helper()
	b.open("/login")
	if !b.passwords {
		b.click(fmt.Sprintf(`button[id="login-%s"]`, strings.TrimPrefix(id, "email:")))
		return
	}
	b.typeIn("#signin-login", strings.TrimPrefix(id, "email:"))
	b.typeIn("#signin-password", testPassword)
	b.click("#signin-button")
}

// location is the page's address.
func (b *browser) location() string {
	b.t.Helper()
	u, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

// notice fails the test unless the page's notice says want.
func (b *browser) notice(want string) {
	b.t.Helper()
	if got := b.text("#notice"); got != want {
		b.t.Fatalf("notice %q, want %q", got, want)
	}
}

func (b *browser) save(name string) {
	b.t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "..", "docs", name), buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// TestHelpdeskInABrowser runs the whole round trip of a case through the
// pages only, in a real headless chromium, on SQLite (and on PostgreSQL
// when CASEKIT_TEST_DATABASE_URL is set). With -update-screenshots it
// writes docs/helpdesk-console.png, docs/helpdesk-case.png,
// docs/helpdesk-portal.png and the others the README shows, among them
// docs/helpdesk-statuses.png and docs/helpdesk-templates.png.
func TestHelpdeskInABrowser(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		ctx := browsertest.Chromium(t, 1280, 900, 10*time.Minute)
		a, srv := testApp(t, true)
		scenario(t, &browser{t: t, ctx: ctx, base: srv.URL, axe: browsertest.LoadAxe(t), app: a}, *updateScreenshots)
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("CASEKIT_TEST_DATABASE_URL")
		if dsn == "" {
			t.Skip("CASEKIT_TEST_DATABASE_URL is not set: skipping the PostgreSQL run")
		}
		ctx := browsertest.Chromium(t, 1280, 900, 10*time.Minute)
		store, err := postgres.Open(context.Background(), dsn, postgres.WithPrefix(fmt.Sprintf("hd%d_", time.Now().UnixNano()%1e8)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			bg := context.Background()
			if err := store.DropTenant(bg, tenant); err != nil {
				t.Errorf("drop tenant: %v", err)
			}
			if err := store.DropControl(bg); err != nil {
				t.Errorf("drop control schema: %v", err)
			}
			store.Close()
		})
		accounts, err := openPostgresAccounts(context.Background(), store.DB(), store.Prefix())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { dropAccounts(t, store) })
		// No demo: no demo cases (the scenario is the same, and seeding on
		// PostgreSQL costs seconds), and everyone signs in with a password.
		a, srv := startApp(t, store, accounts, false)
		scenario(t, &browser{t: t, ctx: ctx, base: srv.URL, passwords: true, axe: browsertest.LoadAxe(t), app: a}, false)
	})
}

func scenario(t *testing.T, b *browser, screenshots bool) {
	defer browsertest.ShotOnFailure(t, b.ctx, "helpdesk")
	const subject = "Coffee machine leaks on the counter"

	// A signed-in customer writes in through the web form (her address is
	// then hers, so the case is in her portal); a mistake first.
	b.login(ada)
	b.open("/form")
	b.typeIn("#name", "Ada Lovelace")
	b.typeIn("#email", "ada@example")
	b.typeIn("#description", "Water everywhere since this morning.")
	b.click("#webform button[type=submit]")
	if msg := b.text("#subject-error"); msg == "" {
		t.Fatal("no error shown next to the missing subject")
	}
	if got, _ := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS("#name"))); got != "Ada Lovelace" {
		t.Fatalf("the name typed is gone after the refusal: %q", got)
	}
	b.accessible("/form with a field error")
	b.typeIn("#subject", subject)
	b.choose("#email", "ada@example.com")
	b.choose("#priority", "critical")
	b.click("#webform button[type=submit]")
	m := regexp.MustCompile(`case #(\d+)`).FindStringSubmatch(b.text("#thanks"))
	if m == nil {
		t.Fatalf("thanks page: %q", b.text("main"))
	}
	number, _ := strconv.Atoi(m[1])
	casePath := fmt.Sprintf("/cases/%d", number)

	// An agent signs in and picks it from the queue: the most urgent.
	b.login("u-ava")
	if screenshots {
		b.open("/cases?status_flags=active&sort=priority")
		b.save("helpdesk-console.png")
	}
	b.open("/queues")
	b.click("#pick-general")
	if h1 := b.text("h1"); !strings.Contains(h1, subject) {
		t.Fatalf("picked %q, want the web form's case", h1)
	}
	if got := b.text("#assignee"); got != "Ava Martin" {
		t.Fatalf("assignee after the pick: %q", got)
	}
	// An activity, then a question to the customer and the status to match.
	b.toggle("#open-activity")
	b.choose("#activity-kind", "call")
	b.typeIn("#activity-subject", "Send a technician")
	b.click("#activity-button")
	b.notice("The activity was added.")
	b.typeIn("#reply-body", "Is the water tank seated properly? Please check and tell us.")
	b.click("#reply-button")
	b.click("#to-waiting_for_response")
	if got := b.text("#status"); got != "Waiting for response" {
		t.Fatalf("status %q, want Waiting for response", got)
	}
	if screenshots {
		b.save("helpdesk-case.png")
	}

	// The customer answers in the portal: the case reopens.
	b.login(ada)
	if !strings.Contains(b.text("table"), subject) {
		t.Fatalf("Ada's portal list lacks her case:\n%s", b.body())
	}
	b.open(fmt.Sprintf("/portal/cases/%d", number))
	b.typeIn("#body", "The tank was seated. It still leaks.")
	b.click("form[action$='/comment'] button[type=submit]")
	if got := b.text(".notice"); got != "Your comment was added." {
		t.Fatalf("portal notice %q", got)
	}
	if screenshots {
		b.save("helpdesk-portal.png")
	}

	// The agent sees it reopened and back in the queue, unassigned.
	b.login("u-ava")
	b.open(casePath)
	if got := b.text("#status"); got != "Reopened" {
		t.Fatalf("status after the customer's reply %q, want Reopened", got)
	}
	if got := b.text("#assignee"); got != "nobody" {
		t.Fatalf("assignee after the customer's reply %q, want nobody", got)
	}
	if !strings.Contains(b.text("#conversation"), "It still leaks.") {
		t.Fatal("the customer's reply is not in the conversation")
	}
	// Picks it again, completes the activity, resolves.
	b.open("/queues")
	b.click("#pick-general")
	if h1 := b.text("h1"); !strings.Contains(h1, subject) {
		t.Fatalf("picked %q again, want the reopened case", h1)
	}
	// Resolving with the activity open is refused, and says why.
	b.toggle("#open-resolve")
	b.typeIn("#resolve-summary", "Replaced the tank seal.")
	b.click("#resolve-button")
	if got := b.text("#resolve-form .problem"); !strings.Contains(got, "open activities: “Send a technician”") {
		t.Fatalf("refused resolve says %q", got)
	}
	b.accessible("the case page with a refused resolve")
	b.typeIn("#activities input[name=result]", "Seal replaced")
	b.click("#activities .complete-button")
	b.toggle("#open-resolve")
	b.typeIn("#resolve-summary", "Replaced the tank seal.")
	b.click("#resolve-button")
	if got := b.text("#status"); got != "Resolved" {
		t.Fatalf("status %q, want Resolved", got)
	}

	// The customer rates 5 in the portal, which closes the case.
	b.login(ada)
	b.open(fmt.Sprintf("/portal/cases/%d", number))
	b.toggle(`input[name=level][value="5"]`)
	b.typeIn("#rate-comment", "Dry again, thanks!")
	b.click("form[action$='/rate'] button[type=submit]")
	if got := b.text(".notice"); got != "Thank you for your rating." {
		t.Fatalf("rating notice %q", got)
	}
	if got := b.text("article .badge"); got != "Closed" {
		t.Fatalf("portal status after rating 5: %q, want Closed", got)
	}

	// Another customer sees neither the case in the list nor its page.
	b.login(grace)
	if strings.Contains(b.body(), subject) {
		t.Fatal("Grace's portal lists Ada's case")
	}
	if status := b.open(fmt.Sprintf("/portal/cases/%d", number)); status != http.StatusNotFound {
		t.Fatalf("Grace opening Ada's case: %d, want 404", status)
	}
	// Nor may she open the console.
	if status := b.open(casePath); status != http.StatusForbidden {
		t.Fatalf("Grace opening the console: %d, want 403", status)
	}

	// The mail view lists what was sent about the case (Kit.Run delivers
	// in the background, so give it a moment).
	b.login("u-ava")
	deadline := time.Now().Add(10 * time.Second)
	for {
		b.open("/mail")
		page := b.body()
		if strings.Contains(page, fmt.Sprintf("#%d", number)) && strings.Contains(page, "ada@example.com") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the mail view lists nothing about case #%d:\n%s", number, page)
		}
		time.Sleep(200 * time.Millisecond)
	}

	caseWork(t, b, screenshots)
}

// caseWork walks the console's case work and administration as the
// admin: a case opened for a caller found in the directory, edited,
// tagged, given a portal link, then a team added in the administration.
func caseWork(t *testing.T, b *browser, screenshots bool) {
	b.open("/cases")
	b.click("#new-case")
	b.typeIn("#lookup", "grace")
	b.click("#lookup-button")
	b.choose("#new-customer", grace)
	b.click("#newcase-button")
	if got := b.text("#new-subject-error"); got == "" {
		t.Fatal("no error next to the missing subject of the new case")
	}
	b.accessible("/cases/new with a field error")
	b.typeIn("#new-subject", "Cannot print from the laptop")
	b.choose("#new-type", "problem")
	b.choose("#new-queue", "general")
	if screenshots {
		b.save("helpdesk-newcase.png")
	}
	b.click("#newcase-button")
	b.notice("The case is opened.")
	b.toggle("#open-edit")
	b.typeIn("#edit-contact-phone", "+1 555 0100")
	b.click("#edit-button")
	b.notice("The case was saved.")
	b.typeIn("#tag-new", "printer")
	b.click("#tag-button")
	if !strings.Contains(b.text("#tags"), "printer") {
		t.Fatal("the tag is not shown")
	}
	caseURL := strings.TrimPrefix(b.location(), b.base)
	b.click("#portal-link-button")
	portalLink, _ := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS("#new-portal-link")))
	if !strings.Contains(portalLink, "/portal/link/") {
		t.Fatalf("the new portal link: %q", portalLink)
	}
	portalLink = strings.TrimPrefix(portalLink, b.base)
	if screenshots {
		b.save("helpdesk-casework.png")
	}
	b.click(`a[href="/admin"]`)
	b.click(`a[href="/admin/teams"]`)
	b.typeIn("#rows form:last-child input[name=id]", "night")
	b.typeIn("#rows form:last-child input[name=name]", "Night shift")
	b.click("#rows form:last-child button[type=submit]")
	saved, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector('form[aria-label="night"]') !== null`))
	if got := b.text("#notice"); got != "Saved." || !saved {
		t.Fatalf("adding a team: notice %q, row shown %v", got, saved)
	}
	if screenshots {
		b.open("/admin/lookups?kind=case_type")
		b.save("helpdesk-admin.png")
		b.open("/admin/statuses")
		b.save("helpdesk-statuses.png")
		b.open("/admin/templates/edit?name=message/case.resolved")
		b.click("#preview-button")
		b.save("helpdesk-templates.png")
	}
	automation(t, b, screenshots)
	dashboard(t, b, screenshots)
	walk(t, b, caseURL, portalLink)
}

// automation adds a trigger through the admin page (a refusal first),
// sees a web-form case land where it says, then adds a macro and
// applies it to that case from the case page's menu.
func automation(t *testing.T, b *browser, screenshots bool) {
	b.open("/admin/triggers")
	b.click("#new-trigger")
	b.typeIn("#trigger-key", "web-billing")
	b.typeIn("#trigger-name", "Web form cases go to Billing")
	b.toggle(`input[name="when.case.opened"]`)
	b.typeIn("#if-0-field", "origin")
	b.choose("#if-0-op", "is")
	b.typeIn("#if-0-values", "web")
	b.choose("#then-0-kind", "assign_queue")
	b.typeIn("#act-then-0-value", "bill")
	b.refused("#trigger-save", "#act-then-0-value-error", `"bill"`, "#if-0-values", "web", "the trigger editor with a refusal")
	b.choose("#act-then-0-value", "billing")
	b.click("#trigger-save")
	b.notice("Saved.")
	if !strings.Contains(b.text("#trigger-web-billing"), "If origin is web") {
		t.Fatalf("the new trigger in the list: %q", b.text("#trigger-web-billing"))
	}
	if screenshots {
		b.open("/admin/triggers/edit?key=web-billing")
		b.save("helpdesk-triggers.png")
	}
	timeRule(t, b)

	// A stranger writes in through the public form: the case is in
	// Billing, not in General where the form puts it.
	b.click(`form[action="/logout"] button`)
	b.open("/form")
	b.typeIn("#name", "Zoe Quinn")
	b.typeIn("#email", "zoe@example.com")
	b.typeIn("#subject", "Charged for a cancelled order")
	b.typeIn("#description", "Order 5521 was cancelled but charged.")
	b.click("#webform button[type=submit]")
	m := regexp.MustCompile(`case #(\d+)`).FindStringSubmatch(b.text("#thanks"))
	if m == nil {
		t.Fatalf("thanks page: %q", b.text("main"))
	}
	b.login("u-ava")
	casePath := "/cases/" + m[1]
	b.open(casePath)
	if got := b.text("#queue"); got != "Billing" {
		t.Fatalf("the web-form case is in %q, want Billing (the trigger)", got)
	}

	// A macro, made on the admin page and applied on the case.
	b.open("/admin/macros")
	b.click("#new-macro")
	b.typeIn("#macro-key", "refund-started")
	b.typeIn("#macro-name", "Refund started")
	b.choose("#then-0-kind", "add_tags")
	b.typeIn("#act-then-0-values", "refund")
	b.choose("#then-1-kind", "set_priority")
	b.typeIn("#act-then-1-value", "high")
	b.typeIn("#macro-reply", "Hello {{contact_name}}, the refund for case {{number}} is on its way.")
	b.click("#macro-save")
	b.notice("Saved.")
	b.open(casePath)
	b.choose("#macro-choice", "refund-started")
	b.click("#macro-preview-button")
	preview := b.text("#macro-preview")
	for _, want := range []string{"priority: medium → high", "tags: — → refund", "Sends the customer: “Hello Zoe Quinn, the refund for case " + m[1] + " is on its way.”"} {
		if !strings.Contains(preview, want) {
			t.Fatalf("the macro's preview lacks %q:\n%s", want, preview)
		}
	}
	b.accessible("the case page with a macro's preview")
	if screenshots {
		b.save("helpdesk-macros.png")
	}
	b.click("#macro-apply")
	b.notice("The macro was applied.")
	if !strings.Contains(b.text("#tags"), "refund") || !strings.Contains(b.text("#facts"), "Priority high") ||
		!strings.Contains(b.text("#conversation"), "the refund for case "+m[1]+" is on its way.") {
		t.Fatalf("after the macro: tags %q, facts %q, conversation %q", b.text("#tags"), b.text("#facts"), b.text("#conversation"))
	}
	webhooks(t, b)
}

// refused clicks save, whose post is refused: the error at errSel must
// say want, the field kept still hold what was typed, and the page pass
// axe-core's check.
func (b *browser) refused(save, errSel, want, kept, typed, page string) {
	b.t.Helper()
	b.click(save)
	if got := b.text(errSel); !strings.Contains(got, want) {
		b.t.Fatalf("%s: the error at %s says %q, want %q", page, errSel, got, want)
	}
	if got, _ := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(kept))); got != typed {
		b.t.Fatalf("%s: %s holds %q after the refusal, not what was typed, %q", page, kept, got, typed)
	}
	b.accessible(page)
}

// timeRule adds a time rule through the trigger editor: a case left
// waiting for the customer is closed after 40 business hours (a wait of
// none refused first, at its field).
func timeRule(t *testing.T, b *browser) {
	b.open("/admin/triggers/edit")
	b.typeIn("#trigger-key", "give-up")
	b.typeIn("#trigger-name", "Close what the customer left")
	b.toggle(`input[name="when.case.status_changed"]`)
	b.typeIn("#if-0-field", "status")
	b.choose("#if-0-op", "is")
	b.typeIn("#if-0-values", casekit.StatusWaiting)
	b.typeIn("#after-hours", "0")
	b.toggle("#after-business")
	b.choose("#then-0-kind", "set_status")
	b.typeIn("#act-then-0-value", casekit.StatusClosed)
	b.typeIn("#act-then-0-field", "no_response")
	b.refused("#trigger-save", "#after-hours-error", "1 to 8760 hours", "#act-then-0-field", "no_response", "the trigger editor with a refused time rule")
	b.choose("#after-hours", "40")
	b.click("#trigger-save")
	b.notice("Saved.")
	if got := b.text("#trigger-give-up"); !strings.Contains(got, "after 40 business hours") || !strings.Contains(got, "Set status: closed · closure reason no_response") {
		t.Fatalf("the time rule in the list: %q", got)
	}
}

// webhooks adds a webhook subscription on its page (a receiver on the
// helpdesk's own host refused first, at the URL), sees its secret once,
// gives it a new one and opens its delivery log.
func webhooks(t *testing.T, b *browser) {
	b.open("/admin/webhooks")
	b.click("#new-webhook")
	b.typeIn("#webhook-key", "crm")
	b.typeIn("#webhook-url", "http://127.0.0.1:9/hook")
	b.typeIn("#webhook-description", "The CRM")
	b.toggle(`input[name="event.case.resolved"]`)
	b.refused("#webhook-save", "#webhook-url-error", "loopback", "#webhook-url", "http://127.0.0.1:9/hook", "the webhook editor with a refused URL")
	b.choose("#webhook-url", "https://crm.example/casekit")
	b.click("#webhook-save")
	secret, _ := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS("#new-secret")))
	if !strings.HasPrefix(secret, "whsec_") || !strings.Contains(b.text("#webhook-crm"), "Events: Resolved") {
		t.Fatalf("the new subscription: secret %q, row %q", secret, b.text("#webhook-crm"))
	}
	b.accessible("the webhook list with a new secret")
	b.click("#rotate-crm")
	if again, _ := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS("#new-secret"))); again == secret || !strings.HasPrefix(again, "whsec_") {
		t.Fatalf("the rotated secret %q (was %q)", again, secret)
	}
	b.click("#log-crm")
	if got := b.text("h1"); got != "Deliveries to crm" {
		t.Fatalf("the delivery log's heading: %q", got)
	}
}

// dashboard opens the reports page and checks its numbers against the
// Desk's report of the same period.
func dashboard(t *testing.T, b *browser, screenshots bool) {
	b.open("/reports")
	d := b.app.kit.Desk(tenant).As(casekit.Agent("u-ava"))
	today := b.app.clock.Now().UTC().Truncate(24 * time.Hour)
	q := casekit.ReportQuery{From: today.AddDate(0, 0, -29), To: today.AddDate(0, 0, 1), GroupBy: casekit.GroupQueue}
	rep, err := d.Report(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]int{"#total-opened": rep.Total.Opened, "#total-resolved": rep.Total.Resolved, "#total-backlog": rep.Total.Backlog} {
		if got := b.text(id); got != strconv.Itoa(want) {
			t.Errorf("the dashboard's %s is %s, want %d", id, got, want)
		}
	}
	b.toggle("#backlog summary")
	table := b.text("#backlog-data")
	for _, g := range rep.Groups {
		if g.Key == "general" && !strings.Contains(table, "General\t"+strconv.Itoa(g.Backlog)) {
			t.Errorf("the backlog table lacks General with %d open cases:\n%s", g.Backlog, table)
		}
	}
	if screenshots {
		b.save("helpdesk-dashboard.png")
	}
	b.choose("#period", "12m")
	b.click("#period-button")
	b.toggle("#volume summary")
	if got := b.text("#volume-data tbody tr:last-child th"); got != today.Format("2006-01") {
		t.Errorf("the 12-month volume table ends with %q, want this month", got)
	}
}

// walk adds a process and an account, then visits every page of the
// console in a row, as the admin, then
// signs out and visits the public ones and the portal through a portal
// link: each must fit a 360 px screen (a phone) and pass axe-core's
// check (accessible).
func walk(t *testing.T, b *browser, caseURL, portalLink string) {
	// A guided process, started on the case, for the case page's process
	// bar.
	b.open("/admin/processes")
	b.typeIn("#process-0-key", "onboarding")
	b.typeIn("#process-0-label", "Onboarding")
	b.typeIn("#process-0-stages", "qualify | Qualify | contact.email\ndone | Done")
	b.click("#process-0 button[type=submit]")
	b.notice("Saved.")
	b.open(caseURL)
	b.click("#process-start")
	if got := b.text("#processbar li.current"); got != "Qualify" {
		t.Fatalf("the process bar's current stage: %q", got)
	}
	// An agent's account, added by the admin.
	b.open("/admin/accounts")
	b.typeIn("#add-id", "u-fay")
	b.typeIn("#add-name", "Fay Lin")
	b.typeIn("#add-email", "fay@acme.example")
	b.toggle("#add-team-support")
	b.typeIn("#add-password", "a long secret")
	b.typeIn("#add-password2", "a long secret")
	b.click("#add-account-button")
	b.notice("The account was added.")
	if !strings.Contains(b.body(), "u-fay · fay@acme.example · teams: support") {
		t.Fatal("the new account is not listed")
	}
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(360, 740)); err != nil {
		t.Fatal(err)
	}
	defer chromedp.Do(b.ctx, chromedp.EmulateViewport(1280, 900))
	for _, p := range []string{"/cases?status_flags=active", "/cases/new", caseURL, "/queues", "/mail",
		"/admin", "/admin/teams", "/admin/queues", "/admin/lookups?kind=case_type", "/admin/fields", "/admin/statuses",
		"/admin/slas", "/admin/calendars", "/admin/processes", "/admin/templates", "/admin/templates/edit?name=message/case.resolved",
		"/admin/accounts", "/admin/assignment", "/admin/triggers", "/admin/triggers/edit?key=web-billing", "/admin/triggers/edit?key=give-up", "/admin/triggers/edit", "/admin/macros",
		"/admin/macros/edit?key=refund-started", "/admin/webhooks", "/admin/webhooks/edit?key=crm", "/admin/webhooks/edit",
		"/admin/webhooks/log?key=crm", "/reports", "/reports?period=12m", "/cases/999999"} {
		b.visit(p)
	}
	b.click(`form[action="/logout"] button`)
	for _, p := range []string{"/login", "/form", portalLink} {
		b.visit(p)
	}
	if !strings.Contains(b.location(), "/portal/cases/") {
		t.Errorf("the portal link led to %s, not the case in the portal", b.location())
	}
}

// visit opens the page, fails when it is wider than the window (the
// walk's is 360 px, a phone's) and checks it with axe-core (once: the
// DOM is the same at every width, and the narrow layout is the one that
// scrolls tables).
func (b *browser) visit(path string) {
	b.t.Helper()
	b.open(path)
	width, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		b.t.Fatal(err)
	}
	if width > 360 {
		b.t.Errorf("%s is %d px wide on a 360 px screen", path, width)
	}
	b.accessible(path)
}

// accessible fails the test with each of axe-core's findings on the
// page: the rule, the node and the page.
func (b *browser) accessible(page string) {
	b.t.Helper()
	if b.axe == nil {
		return
	}
	found, err := b.axe.Check(b.ctx)
	if err != nil {
		b.t.Fatalf("%s: %v", page, err)
	}
	for _, v := range found {
		b.t.Errorf("accessibility of %s: %s", page, v)
	}
}
