package casekit

import (
	"context"
	"errors"
	"fmt"
)

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
