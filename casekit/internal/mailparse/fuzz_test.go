package mailparse

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that Parse never panics or hangs, returns either a Mail
// or an error wrapping one of its sentinels, and that every string in a
// Mail is valid UTF-8 without NUL bytes. Seeds: the testdata/*.eml
// fixtures, the cases below and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte("From: a@example.com\n\nhello\n"))
	f.Add([]byte("From: a@example.com\nContent-Type: text/html\n\n<div class=gmail_quote><blockquote type=cite>x</blockquote></div>"))
	f.Add([]byte("From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\nx\n--c--\n--b--\n"))
	f.Add([]byte("From: a@example.com\nContent-Type: text/plain; format=flowed; delsp=yes\n\n> a \n> b\n"))

	limits := Limits{MaxSize: 1 << 20, MaxParts: 64, MaxAttachments: 16}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw, limits)
		if err != nil {
			if m != nil {
				t.Fatalf("a Mail and an error: %v", err)
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		if m == nil {
			t.Fatal("no Mail and no error")
		}
		if m.From.Email == "" {
			t.Error("no From address")
		}
		strs := []string{m.MessageID, m.From.Name, m.From.Email, m.Subject, m.Text, m.Quoted, m.HTML}
		strs = append(strs, m.InReplyTo...)
		strs = append(strs, m.References...)
		for _, a := range append(append([]Address{}, m.To...), m.Cc...) {
			strs = append(strs, a.Name, a.Email)
		}
		for _, a := range m.Attachments {
			strs = append(strs, a.Filename, a.ContentType, a.ContentID)
		}
		for _, s := range strs {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Errorf("bad string %q", s)
			}
		}
		if strings.Contains(m.Text, "\r") || strings.Contains(m.Quoted, "\r") {
			t.Error("CR in Text or Quoted")
		}
		if len(m.Attachments) > limits.MaxAttachments {
			t.Errorf("%d attachments", len(m.Attachments))
		}
	})
}
