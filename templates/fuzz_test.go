package templates

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"testing"
	"time"

	"casekit.dev/casekit"
)

// FuzzSandbox renders arbitrary template sources, as text and as HTML,
// against sample message data: whatever the source, the sandbox must
// return (an error is fine) within its time limit, write no more than its
// output limit, and never panic.
//
//	go test -run '^$' -fuzz FuzzSandbox -fuzztime 60s ./templates/
func FuzzSandbox(f *testing.F) {
	for _, s := range []string{
		`{{range 1000000000}}{{end}}`,
		`{{range $i, $e := until 50}}{{range $e}}{{$i}}{{end}}{{end}}`,
		`{{define "a"}}{{template "a" .}}{{template "a" .}}{{end}}{{template "a" .}}`,
		`{{$x := "ab"}}{{range 40}}{{$x = cat $x $x}}{{end}}{{$x}}`,
		`{{printf "%9999d%9999d" 1 2}}{{printf "%[2]*[1]d" 1 2}}`,
		`{{.Case.Subject | upper | repeat 3 | indent 4 | b64enc | b64dec}}`,
		`<a href="{{.Case.URL}}" onclick="x({{.Case.Subject}})">{{.Case.Subject}}</a><script>var s = {{.}};</script>`,
		`{{$d := dict "a" (list 1 2 3)}}{{toJson $d | fromJson | toPrettyJson}}{{dig "a" "b" "c" $d}}`,
		`{{regexReplaceAll "(a+)+$" (repeat 5000 "a") "b"}}{{semver "1.2.3"}}{{urlParse "http://x/y?z"}}`,
		`{{with .Ratings}}{{range .}}{{.Level}} {{.URL}}{{else}}none{{end}}{{end}}{{break}}`,
		`{{range .Data}}{{.}}{{continue}}{{end}}{{template "x"}}{{define "x"}}{{.}}{{end}}`,
		`{{date "2006" .At}}{{dateInZone "15:04" .At "Europe/Berlin"}}{{dateInZone "x" .At "../../etc/passwd"}}`,
		`{{chunk 2 (until 9)}}{{seq 5}}{{untilStep 10 0 -3}}{{slice "abc" 1}}{{index .Data "subject"}}`,
	} {
		f.Add(s)
	}
	_ = fs.WalkDir(defaults, "default", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := defaults.ReadFile(p)
			f.Add(string(b))
		}
		return nil
	})
	lim := Limits{Timeout: 200 * time.Millisecond, MaxOutput: 64 << 10, MaxValue: 64 << 10, MaxIterations: 10_000, MaxCalls: 1000}.withDefaults()
	data := messageData(sampleNotifications(casekit.EventResolved)[0], sampleLinks)
	f.Fuzz(func(t *testing.T, src string) {
		c, err := compile([]source{{"t", src}}, lim, true, true)
		if err != nil {
			if errors.Is(err, errPanic) {
				t.Fatal(err)
			}
			return
		}
		for _, html := range []bool{false, true} {
			var out bytes.Buffer
			start := time.Now()
			err := c.execute(context.Background(), &out, "t", html, data, time.UTC)
			if errors.Is(err, errPanic) {
				t.Fatal(err)
			}
			if out.Len() > lim.MaxOutput {
				t.Fatalf("wrote %d bytes, more than %d", out.Len(), lim.MaxOutput)
			}
			// Generous: the point is that it stops, not how fast.
			if d := time.Since(start); d > lim.Timeout+10*time.Second {
				t.Fatalf("ran for %v", d)
			}
		}
	})
}

// The goal of the sandbox, as FuzzRender checks it: one rendering takes
// less than this and allocates less than that.
const (
	maxRenderTime  = time.Second
	maxRenderAlloc = 64 << 20
)
