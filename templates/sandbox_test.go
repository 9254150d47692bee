package templates

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Masterminds/sprig/v3"

	"casekit.dev/casekit"
)

// run compiles src as a text and an HTML template called "t" and renders
// it against the sample message data, within lim.
func run(t *testing.T, src string, lim Limits) (string, error) {
	t.Helper()
	lim = lim.withDefaults()
	c, err := compile([]source{{"t", src}}, lim, true, true)
	if err != nil {
		return "", err
	}
	data := messageData(sampleNotifications(casekit.EventResolved)[0], sampleLinks)
	var text, html bytes.Buffer
	if err := c.execute(context.Background(), &text, "t", false, data, time.UTC); err != nil {
		return text.String(), err
	}
	if err := c.execute(context.Background(), &html, "t", true, data, time.UTC); err != nil {
		return html.String(), err
	}
	return html.String(), nil
}

func TestFunctionsExistAndNothingElse(t *testing.T) {
	all := sprig.HermeticTxtFuncMap()
	for _, name := range Functions {
		if _, ok := all[name]; !ok && name != "date" && name != "dateInZone" {
			t.Errorf("allowed function %q is not in sprig's hermetic map", name)
		}
	}
	fm := stubFuncs()
	for _, name := range []string{"env", "expandenv", "now", "date_modify", "randAlpha", "uuidv4", "getHostByName",
		"genPrivateKey", "bcrypt", "derivePassword", "encryptAES", "osBase", "toDate", "ago", "shuffle", "randInt", "hello"} {
		if _, ok := fm[name]; ok {
			t.Errorf("function %q is allowed", name)
		}
	}
}

func TestForbiddenFunctionNamesItsLine(t *testing.T) {
	for _, name := range []string{"env", "expandenv", "now", "genPrivateKey", "randAlpha", "getHostByName"} {
		src := "{{define \"subject\"}}hi{{end}}\n\n{{define \"body.text\"}}{{" + name + " \"HOME\"}}{{end}}"
		err := New().CheckTemplate(context.Background(), "message/case.resolved", src, nil)
		var te *Error
		if !errors.As(err, &te) || te.Line != 3 || !strings.Contains(te.Message, `"`+name+`" is not allowed`) {
			t.Errorf("%s: got %v (%#v), want an *Error on line 3 saying it is not allowed", name, err, te)
		}
	}
}

func TestRunawayTemplatesStop(t *testing.T) {
	lim := Limits{Timeout: 2 * time.Second, MaxOutput: 1 << 20, MaxValue: 64 << 10}
	cases := map[string]struct{ src, want string }{
		"range over a huge int":       {`{{range 1000000000000}}{{end}}`, "loop iterations"},
		"nested ranges":               {`{{range 1000}}{{range 1000}}{{end}}{{end}}`, "loop iterations|took longer than"},
		"until":                       {`{{until 1000000000}}`, "elements are more than allowed"},
		"untilStep":                   {`{{untilStep 0 2000000000 1}}`, "elements are more than allowed"},
		"seq":                         {`{{seq 1 1000000000}}`, "elements are more than allowed"},
		"repeat":                      {`{{repeat 1000000000 "x"}}`, "repeat: would allocate more than"},
		"indent":                      {`{{indent 1000000000 "x"}}`, "at most 100"},
		"nindent of many lines":       {`{{nindent 100 (repeat 60000 "\n")}}`, "result larger than"},
		"printf width":                {`{{printf "%0999999999d" 1}}`, "above 9999"},
		"printf star":                 {`{{printf "%*d" 1000000000 1}}`, "'*' widths"},
		"chunk of size 0":             {`{{chunk 0 (list 1 2)}}`, "must be at least 1"},
		"string doubling":             {`{{$x := "xxxxxxxxxx"}}{{range 100}}{{$x = print $x $x}}{{end}}`, "print: arguments larger"},
		"list doubling":               {`{{$l := list 1 2}}{{range 100}}{{$l = concat $l $l}}{{end}}`, "larger than"},
		"dict growth":                 {`{{$d := dict}}{{range $i := 90000}}{{$_ := set $d (toString $i) "yyyyyyyyyy"}}{{end}}`, "set: |took longer"},
		"self-referencing dict":       {`{{$d := dict}}{{$_ := set $d "me" $d}}{{deepCopy $d}}`, "nested more than"},
		"deep recursion":              {`{{define "a"}}{{template "a" .}}{{end}}{{template "a" .}}`, "nested more than"},
		"wide recursion":              {`{{define "a"}}{{if lt . 40}}{{template "a" (add1 .)}}{{template "a" (add1 .)}}{{end}}{{end}}{{template "a" 0}}`, "template calls|template: would allocate more than"},
		"output":                      {`{{range 60000}}{{repeat 1000 "x"}}{{end}}`, "output larger"},
		"join of a big list":          {`{{$s := repeat 60000 "x"}}{{join "" (list $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s $s)}}`, "larger than"},
		"many arguments to a builtin": {`{{$s := repeat 60000 "x"}}{{html ` + strings.Repeat("$s ", 40) + `}}`, "at most 32 are allowed"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			out, err := run(t, c.src, lim)
			if err == nil {
				t.Fatalf("rendered %d bytes without error", len(out))
			}
			if !slices.ContainsFunc(strings.Split(c.want, "|"), func(w string) bool { return strings.Contains(err.Error(), w) }) {
				t.Errorf("got %v, want an error saying %q", err, c.want)
			}
			if len(out) > lim.MaxOutput {
				t.Errorf("wrote %d bytes, more than the %d allowed", len(out), lim.MaxOutput)
			}
			if d := time.Since(start); d > lim.Timeout+5*time.Second {
				t.Errorf("took %v", d)
			}
			t.Logf("%v", err)
		})
	}
}

func TestLimitErrorsMatchErrLimit(t *testing.T) {
	for _, src := range []string{`{{range 1000000000}}{{end}}`, `{{repeat 100000000 "x"}}`, `{{define "a"}}{{template "a"}}{{end}}{{template "a"}}`} {
		if _, err := run(t, src, Limits{}); !errors.Is(err, ErrLimit) {
			t.Errorf("%s: %v does not match ErrLimit", src, err)
		}
	}
}

func TestTimeLimit(t *testing.T) {
	// Each call is legal; together they take far longer than allowed.
	src := `{{$s := repeat 200000 "ab"}}{{range until 100000}}{{$_ := regexReplaceAll "(a|b)+" $s "c"}}{{end}}`
	// The allocation and work budgets are set far past what the loop
	// needs, so that the clock is what stops it.
	_, err := run(t, src, Limits{Timeout: 100 * time.Millisecond, MaxValue: 1 << 20, MaxAlloc: 1 << 40, MaxSteps: 1 << 50})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("got %v, want the time limit", err)
	}
}

func TestCanceledContextStopsRendering(t *testing.T) {
	c, err := compile([]source{{"t", `{{range until 100000}}{{$_ := repeat 10 "x"}}{{end}}`}}, DefaultLimits, true, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.execute(ctx, &bytes.Buffer{}, "t", false, nil, time.UTC); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestOrdinaryTemplatesStillWork(t *testing.T) {
	src := `{{define "b"}}[{{.}}]{{end}}` +
		`{{range $i, $r := .Ratings}}{{$i}}{{template "b" $r.Level}}{{end}}|` +
		`{{range 3}}{{.}}{{end}}|{{range $k, $v := dict "a" 1 "b" 2}}{{$k}}={{$v}}{{end}}|` +
		`{{with .Case}}{{.Number}}{{end}}|{{template "b"}}|{{printf "%05d" 42}}|{{upper "x" | repeat 3}}|` +
		`{{date "2006-01-02" .At}}|{{.Case.Subject}}`
	out, err := run(t, src, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := `0[5]1[4]2[3]3[2]4[1]|012|a=1b=2|1042|[]|00042|XXX|2026-03-02|Printer &lt;b&gt;on fire&lt;/b&gt; &amp; &#34;smoking&#34;`
	if out != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
}

func TestCallIsRefused(t *testing.T) {
	if _, err := run(t, `{{call .Data.x}}`, Limits{}); err == nil || !strings.Contains(err.Error(), "call is not allowed") {
		t.Fatalf("got %v", err)
	}
}

func TestTooManyArgumentsNamesTheLine(t *testing.T) {
	src := "x\n{{list " + strings.Repeat("1 ", 40) + "}}"
	_, err := compile([]source{{"t", src}}, DefaultLimits, true, false)
	var te *Error
	if !errors.As(err, &te) || te.Line != 2 {
		t.Fatalf("got %v, want an *Error on line 2", err)
	}
}

func TestSourceSizeLimit(t *testing.T) {
	err := New(WithLimits(Limits{MaxSource: 100})).CheckTemplate(context.Background(), "message/case.resolved", strings.Repeat("x", 101), nil)
	if err == nil || !strings.Contains(err.Error(), "at most 100") {
		t.Fatalf("got %v", err)
	}
}

func TestConcurrentRendering(t *testing.T) {
	e := New()
	over := map[string]string{"message/case.resolved": `{{define "subject"}}Done {{.Case.Number}}{{end}}{{define "body.text"}}{{range until 50}}{{.}}{{end}}{{end}}{{define "body.html"}}<p>{{.Case.Subject}}</p>{{end}}`}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := sampleNotifications(casekit.EventResolved)[0]
			n.CaseNumber = int64(i)
			o := over
			if i%2 == 0 {
				o = nil
			}
			m, err := e.RenderNotification(context.Background(), n, o)
			switch {
			case err != nil:
				errs <- err
			case o != nil && m.Subject != fmt.Sprintf("Done %d", i):
				errs <- fmt.Errorf("override: subject %q", m.Subject)
			case o == nil && !strings.HasPrefix(m.Subject, fmt.Sprintf("[#%d] ", i)):
				errs <- fmt.Errorf("default: subject %q", m.Subject)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Issue 17's attacks. Each test names its attack class and gives
// templates that, on the sandbox before the fix, ran for seconds or
// allocated far past the limits; now each is refused (or finishes)
// within the goal of the fuzz target: one rendering, text or HTML, takes
// less than maxRenderTime and allocates less than maxRenderAlloc.

// renderCost renders src (as "t", text then HTML, with lim) and reports
// what the worse of the two renderings took and allocated, and the first
// error.
func renderCost(src string, lim Limits) (time.Duration, uint64, error) {
	c, err := compile([]source{{"t", src}}, lim.withDefaults(), true, true)
	if err != nil {
		return 0, 0, err
	}
	data := messageData(sampleNotifications(casekit.EventResolved)[0], sampleLinks)
	var worstT time.Duration
	var worstA uint64
	var first error
	for _, html := range []bool{false, true} {
		d, a, err := measured(func() error {
			return c.execute(context.Background(), io.Discard, "t", html, data, time.UTC)
		})
		worstT, worstA = max(worstT, d), max(worstA, a)
		if first == nil {
			first = err
		}
	}
	return worstT, worstA, first
}

// measured runs f and reports the CPU time it took and the bytes it
// allocated.
func measured(f func() error) (time.Duration, uint64, error) {
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := cpuTime()
	err := f()
	d := cpuTime() - start
	runtime.ReadMemStats(&m1)
	return d, m1.TotalAlloc - m0.TotalAlloc, err
}

// refusedWithinBounds renders each source with the default limits and
// fails unless the rendering stops with an ErrLimit error saying want,
// within the fuzz target's time and allocation bounds.
func refusedWithinBounds(t *testing.T, want string, srcs ...string) {
	t.Helper()
	for _, src := range srcs {
		d, alloc, err := renderCost(src, Limits{})
		short := src
		if len(short) > 80 {
			short = short[:80] + "…"
		}
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want a limit error saying %q", short, err, want)
		}
		if !raceEnabled && (d > maxRenderTime || alloc > maxRenderAlloc) {
			t.Errorf("%s: took %v and allocated %d MiB (bounds %v, %d MiB)", short, d, alloc>>20, maxRenderTime, maxRenderAlloc>>20)
		}
	}
}

func TestSandboxJSDoubling(t *testing.T) {
	refusedWithinBounds(t, "js:", `{{$x := "abcdefgh"}}{{range 23}}{{$x = js $x $x}}{{end}}{{len $x}}`)
}

func TestSandboxHTMLDoubling(t *testing.T) {
	refusedWithinBounds(t, "html:", `{{$x := "abcdefgh"}}{{range 23}}{{$x = html $x $x}}{{end}}{{len $x}}`)
}

func TestSandboxURLQueryDoubling(t *testing.T) {
	refusedWithinBounds(t, "urlquery:", `{{$x := "abcdefgh"}}{{range 23}}{{$x = urlquery $x $x}}{{end}}{{len $x}}`)
}

func TestSandboxJoinGrowth(t *testing.T) {
	refusedWithinBounds(t, "join:", `{{len (join (repeat 100000 "x") (until 1000))}}`)
}

func TestSandboxReplaceGrowth(t *testing.T) {
	refusedWithinBounds(t, "replace:", `{{len (replace "" (repeat 100000 "x") (repeat 1000 "y"))}}`)
}

func TestSandboxWrapWithGrowth(t *testing.T) {
	refusedWithinBounds(t, "wrapWith:", `{{len (wrapWith 1 (repeat 100000 "x") (repeat 1000 "y "))}}`)
}

func TestSandboxPrintfWidths(t *testing.T) {
	refusedWithinBounds(t, "printf:",
		`{{len (printf (repeat 7000 "%[1]9999d") 1)}}`,
		`{{len (printf "%9999v" (until 10000))}}`)
}

func TestSandboxUniqQuadratic(t *testing.T) {
	refusedWithinBounds(t, "uniq:", `{{len (uniq (until 10000))}}`)
}

func TestSandboxRegexLargeInput(t *testing.T) {
	refusedWithinBounds(t, "regex",
		`{{regexMatch (repeat 300 "(.*a)") (repeat 500000 "a")}}`,
		`{{len (regexReplaceAll "a" (repeat 900000 "a") (repeat 100 "$0"))}}`)
}

// TestSandboxHooksNotCallable: the functions the sandbox puts into the
// parse trees are not for templates: one that calls the leave hook
// itself undoes the depth limit.
func TestSandboxHooksNotCallable(t *testing.T) {
	for _, hook := range []string{hookRange, hookCall, hookEnter, hookLeave} {
		src := "x\n{{define \"a\"}}{{" + hook + "}}{{template \"a\" .}}{{end}}{{template \"a\" .}}"
		_, err := compile([]source{{"t", src}}, DefaultLimits, true, true)
		var te *Error
		if !errors.As(err, &te) || te.Line != 2 || !strings.Contains(te.Message, "not allowed") {
			t.Errorf("%s: got %v, want an *Error on line 2 saying it is not allowed", hook, err)
		}
	}
}
