// Package browsertest starts the headless Debian chromium that the browser
// tests of casekit's packages and examples drive with chromedp, and saves
// a screenshot when one fails.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium starts a headless chromium with a window of width × height and
// returns a chromedp context for it, ended when the test ends and after
// limit at the latest (a bound for a hung browser, not a speed target).
// Without chromium the test is skipped, unless CASEKIT_REQUIRE_BROWSER is
// set (.ci/run sets it, after installing chromium): then it fails.
func Chromium(t testing.TB, width, height int, limit time.Duration) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CASEKIT_REQUIRE_BROWSER") != "" {
			t.Fatal("chromium is not installed, and CASEKIT_REQUIRE_BROWSER is set")
		}
		t.Skip("chromium is not installed (Debian package chromium; .ci/run installs it): skipping the browser test")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.DisableGPU,
		chromedp.NoSandbox, chromedp.WindowSize(width, height), chromedp.UserDataDir(t.TempDir()))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, limit)
	t.Cleanup(cancel)
	return ctx
}

// ShotOnFailure saves a screenshot of the page as name-failed.png in
// CASEKIT_SCREENSHOT_DIR (the temporary directory when unset) if the test
// has failed, for whoever reads the CI log.
func ShotOnFailure(t testing.TB, ctx context.Context, name string) {
	if !t.Failed() {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	dir := os.Getenv("CASEKIT_SCREENSHOT_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	p := filepath.Join(dir, name+"-failed.png")
	if err := os.WriteFile(p, buf, 0o644); err == nil {
		t.Logf("screenshot of the failure: %s", p)
	}
}
