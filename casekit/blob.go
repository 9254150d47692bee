package casekit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"casekit.dev/casekit/store"
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

// Directory returns the kit's Directory, nil without WithDirectory.
func (k *Kit) Directory() Directory { return k.dir }

// fileData is a file a command keeps: Inbound's mail attachments and
// Intake's uploads, read before the command starts.
type fileData struct {
	name, ctype string
	data        []byte
}

// refusedFile is a file keepFiles did not keep, and why: rule "accepted"
// for a type the tenant does not take, "max" for one over its size.
type refusedFile struct {
	index      int
	name, rule string
	reason     string
}

// checkFile says why the tenant's settings refuse a file of this media
// type and size ("" when they take it); size < 0 skips the size check.
func checkFile(set Settings, mediaType string, size int64) (rule, reason string) {
	set = settingsFilled(set)
	switch {
	case !accepts(set.AttachmentTypes, mediaType):
		return "accepted", fmt.Sprintf("type %s not accepted", clipRunes(mediaType, 100))
	case size > set.MaxAttachmentBytes:
		return "max", fmt.Sprintf("larger than %d bytes", set.MaxAttachmentBytes)
	}
	return "", ""
}

// keepFiles stores files for the case as Desk.Upload does (storeUpload),
// within the tenant's limits, appending each key (and its record's) to
// stored so that the caller can delete them again if its command fails.
// It returns the attachments kept and the files refused.
func (d *Desk) keepFiles(c *cmd, caseID string, files []fileData, stored *[]string) ([]NewAttachment, []refusedFile, error) {
	if len(files) == 0 {
		return nil, nil, nil
	}
	set, err := c.tx.Settings(c.ctx)
	if err != nil {
		return nil, nil, err
	}
	set = settingsFilled(set)
	var (
		kept    []NewAttachment
		refused []refusedFile
	)
	for i, f := range files {
		name := clipRunes(fileName(f.name), 255)
		mt := fileType(name, f.ctype, f.data[:min(len(f.data), sniffBytes)])
		if rule, reason := checkFile(set, mt, int64(len(f.data))); rule != "" {
			refused = append(refused, refusedFile{index: i, name: name, rule: rule, reason: reason})
			continue
		}
		up, err := d.storeUpload(c.ctx, set, caseID, name, f.ctype, bytes.NewReader(f.data))
		if err != nil {
			return nil, nil, err
		}
		*stored = append(*stored, up.Key, up.Key+recordSuffix)
		up.stored = true
		kept = append(kept, *up)
	}
	return kept, refused, nil
}

// dropBlobs deletes what a failed command stored.
func (d *Desk) dropBlobs(ctx context.Context, keys []string) {
	for _, key := range keys {
		_ = d.kit.blobs.Delete(context.WithoutCancel(ctx), d.tenant, key)
	}
}

// baseType is a Content-Type's media type in lower case, without
// parameters.
func baseType(ct string) string {
	t, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(t))
}

// fileName is a sent file's name without any directory part, Windows'
// included; "file" when nothing is left.
func fileName(name string) string {
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), "\\", "/"))
	if name == "" || name == "." || name == "/" {
		return "file"
	}
	return name
}

// BlobInfo is one blob a BlobLister lists.
type BlobInfo struct {
	Key string
	// ModTime is when the blob was written.
	ModTime time.Time
}

// BlobLister is a BlobStore that can list a tenant's blobs, which
// Kit.SweepBlobs needs; casekit.dev/storage/fsblob is one.
type BlobLister interface {
	// ListBlobs calls fn with each of the tenant's blobs, in no order,
	// and stops at fn's first error, which it returns. A tenant with no
	// blobs lists none.
	ListBlobs(ctx context.Context, tenant string, fn func(BlobInfo) error) error
}

// MinSweepAge is the least age Kit.SweepBlobs deletes a blob at.
const MinSweepAge = time.Hour

// sweepBatch is how many blobs SweepBlobs asks the store about at once.
const sweepBatch = 500

// SweepBlobs deletes the tenant's blobs that no attachment refers to and
// that were written more than olderThan ago (by the kit's clock): files
// uploaded with Desk.Upload but never attached, the records Upload keeps
// next to its files (which matter only until the file is attached), and
// the files of deleted cases. It returns how many it deleted.
//
// A blob is in use once the message or note that attaches it commits, so
// olderThan must outlast the longest a host lets an upload wait for its
// message: a file attached after it was swept is lost. It is at least
// MinSweepAge (a ValidationError on "older_than" otherwise); a day suits
// most hosts. The blob store must be a BlobLister (an error wrapping
// errors.ErrUnsupported otherwise). Any number of processes may sweep at
// once.
func (k *Kit) SweepBlobs(ctx context.Context, tenant string, olderThan time.Duration) (int, error) {
	if k.blobs == nil {
		return 0, fmt.Errorf("casekit: sweep blobs: %w", ErrNoBlobStore)
	}
	lister, ok := k.blobs.(BlobLister)
	if !ok {
		return 0, fmt.Errorf("casekit: sweep blobs: the blob store %T cannot list blobs: %w", k.blobs, errors.ErrUnsupported)
	}
	if olderThan < MinSweepAge {
		return 0, invalid("older_than", "min", "is %v; blobs are swept at %v old at the earliest", olderThan, MinSweepAge)
	}
	cutoff := k.now().Add(-olderThan)
	var batch []string
	deleted := 0
	sweep := func() error {
		var attached []string
		err := k.store.InTx(ctx, tenant, func(ctx context.Context, tx store.Tx) error {
			var err error
			attached, err = tx.AttachedKeys(ctx, batch)
			return err
		})
		if err != nil {
			return err
		}
		for _, key := range batch {
			if slices.Contains(attached, key) {
				continue
			}
			if err := k.blobs.Delete(ctx, tenant, key); err != nil {
				return err
			}
			deleted++
		}
		batch = batch[:0]
		return nil
	}
	err := lister.ListBlobs(ctx, tenant, func(b BlobInfo) error {
		if !b.ModTime.Before(cutoff) {
			return nil
		}
		if batch = append(batch, b.Key); len(batch) == sweepBatch {
			return sweep()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = sweep()
	}
	if err != nil {
		return deleted, fmt.Errorf("casekit: sweep blobs of tenant %q: %w", tenant, err)
	}
	if deleted > 0 {
		k.logger.InfoContext(ctx, "casekit: swept blobs", "tenant", tenant, "deleted", deleted)
	}
	return deleted, nil
}

// BlobTenantDeleter is a BlobStore that deletes all of a tenant's blobs
// at once, which Kit.DropTenant uses; casekit.dev/storage/fsblob is one.
// Without it DropTenant deletes a BlobLister's blobs one by one.
type BlobTenantDeleter interface {
	// DeleteTenant removes every blob of the tenant; a tenant with none
	// is no error.
	DeleteTenant(ctx context.Context, tenant string) error
}

// checkBlobDrop refuses, before anything is dropped, a blob store that
// DropTenant could not empty of the tenant's files: they would outlive
// the tenant and pass to the next one with its ID.
func (k *Kit) checkBlobDrop() error {
	switch k.blobs.(type) {
	case nil, BlobTenantDeleter, BlobLister:
		return nil
	}
	return fmt.Errorf("the blob store %T can neither delete a tenant's blobs nor list them: %w", k.blobs, errors.ErrUnsupported)
}

// dropTenantBlobs deletes every blob of the tenant.
func (k *Kit) dropTenantBlobs(ctx context.Context, tenant string) error {
	switch b := k.blobs.(type) {
	case BlobTenantDeleter:
		return b.DeleteTenant(ctx, tenant)
	case BlobLister:
		return b.ListBlobs(ctx, tenant, func(info BlobInfo) error { return k.blobs.Delete(ctx, tenant, info.Key) })
	}
	return nil
}
