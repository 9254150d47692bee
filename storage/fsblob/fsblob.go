// Package fsblob keeps attachment contents in a directory: one
// subdirectory per tenant, one file per key. It implements
// casekit.BlobStore, casekit.BlobLister and casekit.BlobTenantDeleter.
//
//	blobs, err := fsblob.New("./data/blobs")
//	kit, err := casekit.New(store, casekit.WithBlobStore(blobs))
package fsblob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casetype"
)

// Store is a directory of blobs.
type Store struct{ dir string }

var (
	_ casekit.BlobLister        = (*Store)(nil)
	_ casekit.BlobTenantDeleter = (*Store)(nil)
)

// New returns the blob store in dir, making it if needed.
func New(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("fsblob: no directory")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("fsblob: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("fsblob: %w", err)
	}
	return &Store{dir: abs}, nil
}

var segment = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$`)

// path returns the file of a tenant's key, refusing keys that could leave
// the tenant's directory.
func (s *Store) path(tenant, key string) (string, error) {
	if err := casetype.ValidateTenantID(tenant); err != nil {
		return "", fmt.Errorf("fsblob: %w", err)
	}
	parts := strings.Split(key, "/")
	if len(parts) > 4 {
		return "", fmt.Errorf("fsblob: key %q has more than 4 parts", key)
	}
	for _, p := range parts {
		if !segment.MatchString(p) || p == "." || p == ".." {
			return "", fmt.Errorf("fsblob: key %q is not a blob key", key)
		}
	}
	return filepath.Join(s.dir, tenant, filepath.FromSlash(key)), nil
}

// Put writes r under the tenant's key: into a temporary file first, then
// renamed into place, so a reader never sees half a blob and a failed
// write leaves nothing.
func (s *Store) Put(ctx context.Context, tenant, key string, r io.Reader) (int64, error) {
	p, err := s.path(tenant, key)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return 0, fmt.Errorf("fsblob: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return 0, fmt.Errorf("fsblob: %w", err)
	}
	n, err := io.Copy(f, ctxReader{ctx, r})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return 0, fmt.Errorf("fsblob: put %s: %w", key, err)
	}
	return n, nil
}

// Open reads the tenant's key; casetype.ErrNotFound when there is none.
func (s *Store) Open(_ context.Context, tenant, key string) (io.ReadCloser, error) {
	p, err := s.path(tenant, key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("fsblob: %s: %w", key, casetype.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("fsblob: %w", err)
	}
	return f, nil
}

// Delete removes the tenant's key; a key that is not there is no error.
func (s *Store) Delete(_ context.Context, tenant, key string) error {
	p, err := s.path(tenant, key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("fsblob: %w", err)
	}
	return nil
}

// DeleteTenant removes the tenant's directory with every blob in it
// (casekit.BlobTenantDeleter, for Kit.DropTenant).
func (s *Store) DeleteTenant(_ context.Context, tenant string) error {
	if err := casetype.ValidateTenantID(tenant); err != nil {
		return fmt.Errorf("fsblob: %w", err)
	}
	if err := os.RemoveAll(filepath.Join(s.dir, tenant)); err != nil {
		return fmt.Errorf("fsblob: delete tenant %s: %w", tenant, err)
	}
	return nil
}

// ListBlobs calls fn with each of the tenant's blobs (casekit.BlobLister),
// leaving out the temporary files of writes under way.
func (s *Store) ListBlobs(ctx context.Context, tenant string, fn func(casekit.BlobInfo) error) error {
	if err := casetype.ValidateTenantID(tenant); err != nil {
		return fmt.Errorf("fsblob: %w", err)
	}
	root := filepath.Join(s.dir, tenant)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == root {
			return fs.SkipAll // no blobs yet
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".put-") {
			return nil
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted since the directory was read
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		return fn(casekit.BlobInfo{Key: filepath.ToSlash(rel), ModTime: info.ModTime()})
	})
	if err != nil {
		return fmt.Errorf("fsblob: list %s: %w", tenant, err)
	}
	return nil
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
