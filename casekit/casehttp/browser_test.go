package casehttp_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casehttp"
	"casekit.dev/casekit/casekittest"
	"casekit.dev/internal/browsertest"
	"casekit.dev/storage/sqlite"
	"casekit.dev/templates"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write the portal screenshots to docs/")

// TestPortalInABrowser signs a customer in, searches, opens a case,
// comments through the form (the CSRF cookie and token as a browser
// handles them) and rates it, in a real headless chromium. With
// -update-screenshots it writes docs/portal-list.png and
// docs/portal-detail.png.
func TestPortalInABrowser(t *testing.T) {
	ctx := browsertest.Chromium(t, 1200, 900, 2*time.Minute)
	store, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() }) // after the tenant is dropped: cleanups run last first
	clock := casekittest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	kit, tenant := casekittest.NewKit(t, store, casekit.WithClock(clock))
	engine := templates.New()
	portal, err := casehttp.NewPortal(casehttp.PortalConfig{Kit: kit, Templates: engine, CSRFKey: []byte(strings.Repeat("s", 32)), Base: "/support"})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) { // the host's sign-in, reduced to a cookie
		http.SetCookie(w, &http.Cookie{Name: "who", Value: r.URL.Query().Get("as"), Path: "/"})
		http.Redirect(w, r, "/support/", http.StatusSeeOther)
	})
	mux.Handle("/support/", http.StripPrefix("/support", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ck, err := r.Cookie("who"); err == nil {
			r = r.WithContext(casehttp.WithCustomer(r.Context(), tenant, ck.Value))
		}
		portal.ServeHTTP(w, r)
	})))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	agent := kit.Desk(tenant).As(casekit.Agent("agent-1"))
	open := func(subject, desc string, prio string) *casekit.Case {
		clock.Advance(37 * time.Minute)
		c, err := agent.OpenCase(ctx, casekit.NewCase{Subject: subject, Description: desc, CustomerID: "ada", Priority: prio})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	open("Invoice 2026-118 charged twice", "The November invoice was charged to my card twice.", "medium")
	printer := open("Printer on the 3rd floor prints blank pages", "Since Monday every page comes out blank. Toner is new.", "high")
	open("Password reset mail never arrives", "I asked three times; nothing in spam either.", "medium")
	done := open("New laptop for Grace", "Please order the 14\" model.", "low")
	clock.Advance(time.Hour)
	if _, err := agent.SetStatus(ctx, printer.ID, casekit.StatusInProgress); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.PostMessage(ctx, printer.ID, casekit.NewMessage{Direction: casekit.Outbound,
		Body: "Thanks Ada. Could you print the test page from the printer's menu and tell us what you see?"}); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.AddActivity(ctx, printer.ID, casekit.NewActivity{Kind: casekit.ActivityMeeting, Subject: "Technician visit on Thursday",
		Description: "Between 10:00 and 12:00.", NotifyContact: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.Resolve(ctx, done.ID, casekit.Resolution{}); err != nil {
		t.Fatal(err)
	}

	defer browsertest.ShotOnFailure(t, ctx, "portal")
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/login?as=ada"), chromedp.WaitVisible(chromedp.CSS("table"))); err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("tbody tr").length`))
	if err != nil || rows != 4 {
		t.Fatalf("the list shows %d cases (%v), want 4", rows, err)
	}
	if *updateScreenshots {
		save(t, ctx, "portal-list.png")
	}

	// Search, then open the case from the result.
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("q"), "printer")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Submit(chromedp.ID("q")))); err != nil {
		t.Fatal(err)
	}
	rows, _ = chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("tbody tr").length`))
	if rows != 1 {
		t.Fatalf("a search for printer shows %d cases, want 1", rows)
	}
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS("tbody a")))); err != nil {
		t.Fatal(err)
	}
	title, _ := chromedp.Run(ctx, chromedp.Title())
	if !strings.Contains(title, "Printer on the 3rd floor") {
		t.Fatalf("title %q, want the case", title)
	}

	// Comment through the form.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("body"), "The test page is blank too.")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Submit(chromedp.ID("body")))); err != nil {
		t.Fatal(err)
	}
	notice, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".notice")))
	if err != nil || notice != "Your comment was added." {
		t.Fatalf("notice %q (%v)", notice, err)
	}
	msgs, _ := agent.Messages(ctx, printer.ID)
	if len(msgs) != 2 || msgs[1].Body != "The test page is blank too." || msgs[1].CreatedBy != casekit.Customer("ada") {
		t.Fatalf("messages after the comment: %+v", msgs)
	}
	if *updateScreenshots {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+fmt.Sprintf("/support/cases/%d", printer.Number)), chromedp.WaitVisible(chromedp.CSS("article"))); err != nil {
			t.Fatal(err)
		}
		save(t, ctx, "portal-detail.png")
	}

	// Rate the resolved case from its rating link.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+fmt.Sprintf("/support/cases/%d/rate?level=5", done.Number)), chromedp.WaitVisible(chromedp.ID("rate"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Submit(chromedp.ID("rate-comment")))); err != nil {
		t.Fatal(err)
	}
	got, _ := agent.Case(ctx, done.ID)
	if got.Satisfaction != 5 || got.Status != casekit.StatusClosed {
		t.Fatalf("after rating in the browser: satisfaction %d, status %s", got.Satisfaction, got.Status)
	}
}

func save(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "..", "docs", name), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}
