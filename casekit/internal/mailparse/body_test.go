package mailparse

import (
	"runtime"
	"strings"
	"testing"
)

// bigMail returns a single-part mail of about size bytes whose body is
// head and then unit repeated.
func bigMail(ctype, head, unit string, size int) []byte {
	var b strings.Builder
	b.Grow(size + 200)
	b.WriteString("From: a@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: " + ctype + "; charset=utf-8\r\n\r\n" + head)
	for b.Len() < size {
		b.WriteString(unit)
	}
	return []byte(b.String())
}

// allocated returns the bytes fn allocates: an upper bound on the memory
// it holds at its peak.
func allocated(fn func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestParseHugeHTMLPartBounded parses mails with a 15 MB body, the attack
// of issue 17 (17 s and 2.2 GiB for one HTML part): what Parse allocates
// must stay under four times the mail, and the text must still start as
// the mail does.
func TestParseHugeHTMLPartBounded(t *testing.T) {
	const size = 15 << 20
	for _, tc := range []struct {
		name, ctype, head, unit string
	}{
		{"html paragraphs", "text/html", "<html><body><p>Hello there</p>",
			"<div><p>Hello <b>there</b>, see <a href=\"https://example.com/x\">this</a>.</p></div>\r\n"},
		{"html dense list", "text/html", "<p>Hello there</p><ul>", "<li>a"},
		{"plain lines", "text/plain", "Hello there\r\n", "a\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := bigMail(tc.ctype, tc.head, tc.unit, size)
			var (
				m   *Mail
				err error
			)
			n := allocated(func() { m, err = Parse(raw, Limits{}) })
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("Parse allocated %d MiB for a %d MiB mail", n>>20, len(raw)>>20)
			if limit := 4 * uint64(len(raw)); n > limit {
				t.Errorf("Parse allocated %d MiB for a %d MiB mail, over %d MiB", n>>20, len(raw)>>20, limit>>20)
			}
			if !strings.HasPrefix(m.Text, "Hello there") || len(m.HTML) > maxBodyBytes {
				t.Errorf("text starts %q, HTML is %d bytes", m.Text[:min(len(m.Text), 40)], len(m.HTML))
			}
		})
	}
}

// BenchmarkParseLargestMail parses mails of the largest size Parse
// accepts (DefaultMaxSize): one whose HTML part fills it and one whose
// base64 attachment does. B/op is what one parse allocates, an upper
// bound on the memory it holds.
func BenchmarkParseLargestMail(b *testing.B) {
	attachment := func() []byte {
		head := "From: a@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n" +
			"--b1\r\nContent-Type: text/plain\r\n\r\nSee the file.\r\n" +
			"--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=big.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
		line := strings.Repeat("QUJD", 19) + "\r\n"
		raw := make([]byte, 0, DefaultMaxSize)
		raw = append(raw, head...)
		for len(raw) < DefaultMaxSize-len(line)-20 {
			raw = append(raw, line...)
		}
		return append(raw, "--b1--\r\n"...)
	}
	for _, tc := range []struct {
		name string
		raw  []byte
	}{
		{"html", bigMail("text/html", "<html><body>",
			"<div><p>Hello <b>there</b>, see <a href=\"https://example.com/x\">this</a>.</p></div>\r\n", DefaultMaxSize-100)},
		{"attachment", attachment()},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.raw)))
			for b.Loop() {
				if _, err := Parse(tc.raw, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
