package fsblob_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/storage/fsblob"
)

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("connection reset")
	}
	f.n--
	return copy(p, "part"), nil
}

func TestStore(t *testing.T) {
	dir := t.TempDir()
	s, err := fsblob.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if n, err := s.Put(ctx, "acme", "case-1/file-1", strings.NewReader("hello")); err != nil || n != 5 {
		t.Fatalf("Put = %d, %v", n, err)
	}
	rc, err := s.Open(ctx, "acme", "case-1/file-1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "hello" {
		t.Fatalf("read %q", b)
	}
	if _, err := s.Open(ctx, "other", "case-1/file-1"); !errors.Is(err, casekit.ErrNotFound) {
		t.Errorf("another tenant's key: %v, want ErrNotFound", err)
	}
	for _, key := range []string{"../x", "a/../../x", "/etc/passwd", "a//b", ".", "a/./b", "", "a\\b", strings.Repeat("a/", 5) + "a"} {
		if _, err := s.Put(ctx, "acme", key, strings.NewReader("x")); err == nil {
			t.Errorf("Put accepted the key %q", key)
		}
		if _, err := s.Open(ctx, "acme", key); err == nil || errors.Is(err, casekit.ErrNotFound) {
			t.Errorf("Open(%q): %v, want a refusal", key, err)
		}
	}
	if _, err := s.Put(ctx, "../acme", "x", strings.NewReader("x")); err == nil {
		t.Error("Put accepted the tenant ../acme")
	}
	// A failed write leaves nothing behind, not even its temporary file.
	if _, err := s.Put(ctx, "acme", "case-1/broken", &failingReader{n: 3}); err == nil {
		t.Fatal("a failing reader's Put succeeded")
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "acme", "case-1"))
	if len(entries) != 1 || entries[0].Name() != "file-1" {
		t.Errorf("files after a failed Put: %v", entries)
	}
	if err := s.Delete(ctx, "acme", "case-1/file-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "acme", "case-1/file-1"); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
	if _, err := s.Open(ctx, "acme", "case-1/file-1"); !errors.Is(err, casekit.ErrNotFound) {
		t.Errorf("after Delete: %v", err)
	}
}
