package templates

import (
	"bytes"
	"errors"
	"io/fs"
	"testing"
	"time"

	"casekit.dev/casekit"
)

// The goal of the sandbox, as FuzzRender checks it: one rendering takes
// less than this much CPU time and allocates less than that.
const (
	maxRenderTime  = time.Second
	maxRenderAlloc = 64 << 20
)

// FuzzRender renders arbitrary template sources, as text and as HTML,
// with the default limits against sample message data, measuring each
// step (compiling, each rendering): whatever the source, the sandbox
// must return (an error is fine) within maxRenderTime of CPU and
// maxRenderAlloc of allocation, write no more than its output limit,
// and never panic. The seed corpus (testdata/fuzz/FuzzRender) holds the
// attacks of issue 17.
//
//	go test -run '^$' -fuzz '^FuzzRender$' -fuzztime 60s ./templates/
func FuzzRender(f *testing.F) {
	_ = fs.WalkDir(defaults, "default", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := defaults.ReadFile(p)
			f.Add(string(b))
		}
		return nil
	})
	lim := DefaultLimits
	data := messageData(sampleNotifications(casekit.EventResolved)[0], sampleLinks)
	bounded := func(t *testing.T, what string, run func() error) error {
		d, alloc, err := measured(run)
		if errors.Is(err, errPanic) {
			t.Fatalf("%s: %v", what, err)
		}
		if !raceEnabled && (d > maxRenderTime || alloc > maxRenderAlloc) {
			t.Fatalf("%s took %v of CPU and allocated %d MiB (bounds %v, %d MiB); error %v", what, d, alloc>>20, maxRenderTime, maxRenderAlloc>>20, err)
		}
		return err
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > lim.MaxSource {
			return
		}
		var c *compiled
		err := bounded(t, "compiling", func() (err error) {
			c, err = compile([]source{{"t", src}}, lim, true, true)
			return err
		})
		if err != nil {
			return
		}
		for _, html := range []bool{false, true} {
			var out bytes.Buffer
			_ = bounded(t, "rendering", func() error { return c.execute(ctx, &out, "t", html, data, time.UTC) })
			if out.Len() > lim.MaxOutput {
				t.Fatalf("wrote %d bytes, more than %d", out.Len(), lim.MaxOutput)
			}
		}
	})
}
