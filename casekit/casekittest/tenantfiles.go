package casekittest

import (
	"errors"
	"strings"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/storage/fsblob"
)

// testDropTenantFiles checks that Kit.DropTenant deletes the tenant's
// files, whether the blob store deletes a tenant at once or only lists
// and deletes blobs, and that a tenant created again with the ID sees
// none of them; a blob store that can do neither is refused before
// anything is dropped.
func testDropTenantFiles(t *testing.T, newStore StoreFactory) {
	blobs, err := fsblob.New(t.TempDir())
	must(t, err, "fsblob.New")
	countBlobs := func(t *testing.T, tenant string) int {
		n := 0
		must(t, blobs.ListBlobs(t.Context(), tenant, func(casekit.BlobInfo) error { n++; return nil }), "ListBlobs")
		return n
	}
	for _, tc := range []struct {
		name  string
		blobs casekit.BlobStore
	}{
		{"a store that deletes a tenant at once", blobs},
		{"a store that lists its blobs", struct {
			casekit.BlobStore
			casekit.BlobLister
		}{blobs, blobs}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, store := t.Context(), newStore(t)
			e, other := NewEnv(t, store, casekit.WithBlobStore(tc.blobs)), NewEnv(t, store, casekit.WithBlobStore(tc.blobs))
			for _, env := range []*Env{e, other} {
				try(env.Agent().Upload(ctx, env.open(t, "With a file", "cust-1").ID, "a.txt", "text/plain", strings.NewReader("a"))).get(t)
			}
			must(t, e.Kit.DropTenant(ctx, e.Tenant), "DropTenant")
			must(t, e.Kit.CreateTenant(ctx, casekit.TenantSpec{ID: e.Tenant, Name: "Again"}), "CreateTenant after DropTenant")
			wantEqual(t, 0, countBlobs(t, e.Tenant), "files of the tenant created again")
			wantEqual(t, 2, countBlobs(t, other.Tenant), "files of the other tenant (its upload and the upload's record)")
		})
	}
	t.Run("a store that can neither is refused, and nothing is dropped", func(t *testing.T) {
		t.Parallel()
		e := NewEnv(t, newStore(t))
		kit, err := casekit.New(e.Store, casekit.WithBlobStore(struct{ casekit.BlobStore }{blobs}))
		must(t, err, "casekit.New")
		if err := kit.DropTenant(t.Context(), e.Tenant); !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("DropTenant with a blob store that cannot list: %v, want errors.ErrUnsupported", err)
		}
		try(e.Kit.Tenant(t.Context(), e.Tenant)).get(t)
	})
}
