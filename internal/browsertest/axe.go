package browsertest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// AxeEnv names the environment variable that gives the path of
// axe-core's axe.min.js (npm install axe-core; .ci/run installs it
// outside the repository and sets the variable). axe-core is not
// vendored: the tests load it from wherever it was installed.
const AxeEnv = "CASEKIT_AXE_JS"

// AxeTags are the rule sets every page must pass: WCAG 2.0 and 2.1 at
// levels A and AA, and axe's best practices (one main landmark, all
// content in landmarks, one h1, headings in order), which is where the
// landmark and heading rules live.
var AxeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"}

// Axe runs axe-core in the pages of a browser test.
type Axe struct {
	src string
}

// LoadAxe reads axe.min.js from $CASEKIT_AXE_JS. Without the variable it
// returns nil and logs that the accessibility check is skipped, unless
// CASEKIT_REQUIRE_BROWSER is set (CI): then the test fails, since CI
// installs axe-core. A path that cannot be read, or is not axe, fails.
func LoadAxe(t testing.TB) *Axe {
	t.Helper()
	path := os.Getenv(AxeEnv)
	if path == "" {
		if os.Getenv("CASEKIT_REQUIRE_BROWSER") != "" {
			t.Fatalf("CASEKIT_REQUIRE_BROWSER is set but %s is not: install axe-core (npm install axe-core) and set %s to its axe.min.js", AxeEnv, AxeEnv)
		}
		t.Logf("%s is not set: skipping the accessibility check (npm install axe-core, then %s=.../node_modules/axe-core/axe.min.js)", AxeEnv, AxeEnv)
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v", AxeEnv, err)
	}
	if !strings.Contains(string(b[:min(len(b), 4096)]), "axe") {
		t.Fatalf("%s=%s does not look like axe-core's axe.min.js", AxeEnv, path)
	}
	return &Axe{src: string(b)}
}

// Violation is one node that broke one rule.
type Violation struct {
	Rule    string `json:"rule"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	Target  string `json:"target"`
	HTML    string `json:"html"`
	Summary string `json:"summary"`
}

func (v Violation) String() string {
	return fmt.Sprintf("%s (%s): %s\n    at %s: %s\n    %s", v.Rule, v.Impact, v.Help, v.Target, v.HTML, strings.ReplaceAll(v.Summary, "\n", "\n    "))
}

// axeRun runs axe on the document with AxeTags and flattens the
// violations to one entry per node.
const axeRun = `axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]}).then(r =>
	r.violations.flatMap(v => v.nodes.map(n => ({rule: v.id, impact: v.impact || "", help: v.help,
		target: n.target.join(" "), html: n.html.slice(0, 300), summary: n.failureSummary || ""}))))`

// Check loads axe-core into the page ctx shows, unless it is there
// already, and returns the violations of AxeTags it finds. The script
// goes in through the DevTools protocol, which the pages'
// Content-Security-Policy (no scripts) does not govern.
func (x *Axe) Check(ctx context.Context) ([]Violation, error) {
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined"`))
	if err != nil {
		return nil, err
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](x.src)); err != nil {
			return nil, fmt.Errorf("loading axe-core: %w", err)
		}
	}
	tags := `["` + strings.Join(AxeTags, `","`) + `"]`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](fmt.Sprintf(axeRun, tags), chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("running axe-core: %w", err)
	}
	return out, nil
}
