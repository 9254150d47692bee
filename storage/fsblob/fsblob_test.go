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
	s, dir := newStore(t)
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

func TestListBlobs(t *testing.T) {
	s, dir := newStore(t)
	ctx := t.Context()
	list := func(tenant string) map[string]bool {
		t.Helper()
		got := map[string]bool{}
		err := s.ListBlobs(ctx, tenant, func(b casekit.BlobInfo) error {
			if b.ModTime.IsZero() {
				t.Errorf("%s has no time", b.Key)
			}
			got[b.Key] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := list("empty"); len(got) != 0 {
		t.Errorf("a tenant with no blobs lists %v", got)
	}
	for _, key := range []string{"case-1/a", "case-1/b", "case-2/sub/c", "top"} {
		if _, err := s.Put(ctx, "t1", key, strings.NewReader(key)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Put(ctx, "t2", "case-9/other", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	// A write under way leaves a temporary file, which is no blob.
	if err := os.WriteFile(filepath.Join(dir, "t1", "case-1", ".put-123"), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := list("t1")
	if len(got) != 4 || !got["case-1/a"] || !got["case-1/b"] || !got["case-2/sub/c"] || !got["top"] {
		t.Errorf("t1 lists %v, want its four blobs", got)
	}
	stop := errors.New("stop")
	n := 0
	err := s.ListBlobs(ctx, "t1", func(casekit.BlobInfo) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("fn's error: %v after %d calls, want it after one", err, n)
	}
	if err := s.ListBlobs(ctx, "../t1", func(casekit.BlobInfo) error { return nil }); err == nil {
		t.Error("a tenant ID that leaves the directory lists")
	}
}

// TestDropTenantRemovesFiles: DeleteTenant removes one tenant's blobs,
// leaves the others' and refuses a tenant ID that is a path.
func TestDropTenantRemovesFiles(t *testing.T) {
	s, dir := newStore(t)
	ctx := t.Context()
	for _, tenant := range []string{"acme", "other"} {
		if _, err := s.Put(ctx, tenant, "case-1/file-1", strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []string{"..", "../other", "", "acme/case-1"} {
		if err := s.DeleteTenant(ctx, bad); err == nil {
			t.Errorf("DeleteTenant(%q) succeeded", bad)
		}
	}
	if err := s.DeleteTenant(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTenant(ctx, "acme"); err != nil {
		t.Errorf("deleting a tenant with no blobs: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "acme")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the tenant's directory is still there: %v", err)
	}
	if _, err := s.Open(ctx, "other", "case-1/file-1"); err != nil {
		t.Errorf("the other tenant's blob: %v", err)
	}
}

// newStore returns a store in a new temporary directory, and the directory.
func newStore(t *testing.T) (*fsblob.Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := fsblob.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}
