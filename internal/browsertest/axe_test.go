package browsertest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestAxeFindsViolations makes sure the check can fail: a page with an
// unlabelled input and an image without a text alternative has both
// reported, with the rule and the node; a page with neither passes.
func TestAxeFindsViolations(t *testing.T) {
	ctx := Chromium(t, 800, 600, time.Minute)
	axe := LoadAxe(t)
	if axe == nil {
		t.Skip("axe-core is not installed")
	}
	pages := map[string]string{
		"/bad":  `<!DOCTYPE html><html lang="en"><head><title>Bad</title></head><body><main><h1>Bad</h1><input type="text" id="q"><img src="/x.png"></main></body></html>`,
		"/good": `<!DOCTYPE html><html lang="en"><head><title>Good</title></head><body><main><h1>Good</h1><label for="q">Query</label><input type="text" id="q"><img src="/x.png" alt="A cat"></main></body></html>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'")
		w.Write([]byte(pages[r.URL.Path]))
	}))
	defer srv.Close()
	check := func(path string) []Violation {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path)); err != nil {
			t.Fatal(err)
		}
		found, err := axe.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return found
	}
	var rules []string
	for _, v := range check("/bad") {
		rules = append(rules, v.Rule+" at "+v.Target)
	}
	if got := strings.Join(rules, ", "); !strings.Contains(got, "label at #q") || !strings.Contains(got, "image-alt at img") {
		t.Errorf("the bad page's violations: %s; want label at #q and image-alt at img", got)
	}
	if found := check("/good"); len(found) != 0 {
		t.Errorf("the good page has violations: %v", found)
	}
}
