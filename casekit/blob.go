package casekit

import (
	"context"
	"errors"
	"io"
)

// BlobStore keeps attachment contents, per tenant, by key. Package
// casekit.dev/storage/fsblob keeps them in a directory; a host may put
// them in object storage instead.
type BlobStore interface {
	// Put stores r under key and returns its size.
	Put(ctx context.Context, tenant, key string, r io.Reader) (int64, error)
	// Open reads a blob; ErrNotFound when there is none.
	Open(ctx context.Context, tenant, key string) (io.ReadCloser, error)
	// Delete removes a blob; one that is not there is no error.
	Delete(ctx context.Context, tenant, key string) error
}

// WithBlobStore gives the kit a place for attachment contents, which
// Desk.Upload fills and Desk.OpenAttachment reads.
func WithBlobStore(b BlobStore) Option { return func(k *Kit) { k.blobs = b } }

// ErrNoBlobStore is returned by the attachment commands of a kit made
// without WithBlobStore.
var ErrNoBlobStore = errors.New("casekit: no blob store (use WithBlobStore)")

// BlobStore returns the kit's blob store, nil when it has none.
func (k *Kit) BlobStore() BlobStore { return k.blobs }
