package casekittest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/storage/fsblob"
)

// testAttachments checks Upload and OpenAttachment with a filesystem blob
// store: the tenant's size and type limits, what customers may attach and
// open, and that refused uploads keep nothing.
func testAttachments(t *testing.T, newStore StoreFactory) {
	env := func(t *testing.T) (*Env, string) { return NewEnv(t, newStore(t)).withBlobs(t) }
	t.Run("upload, attach, open; customers only their own and public", func(t *testing.T) {
		e, _ := env(t)
		ctx := t.Context()
		cust := e.Desk(casekit.Customer("cust-1"))
		c := e.open(t, "With files", "cust-1")
		pdf := []byte("%PDF-1.4 invoice")
		up := try(cust.Upload(ctx, c.ID, `C:\Users\ada\invoice.pdf`, "application/pdf; name=x", bytes.NewReader(pdf))).get(t)
		if up.Name != "invoice.pdf" || up.ContentType != "application/pdf" || up.Size != int64(len(pdf)) || !strings.HasPrefix(up.Key, c.ID+"/") {
			t.Fatalf("upload: %+v", up)
		}
		m := try(cust.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Here it is", Attachments: []casekit.NewAttachment{*up}})).get(t)
		a, rc, err := cust.OpenAttachment(ctx, c.ID, m.Attachments[0].ID)
		must(t, err, "OpenAttachment")
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, pdf) || a.Name != "invoice.pdf" {
			t.Fatalf("opened %q (%s), want the upload", got, a.Name)
		}
		// An internal note's file is not the customer's to open.
		secret := try(e.Agent().Upload(ctx, c.ID, "notes.txt", "text/plain", strings.NewReader("internal"))).get(t)
		n := try(e.Agent().AddNote(ctx, c.ID, casekit.NewNote{Subject: "general", Body: "see file", Attachments: []casekit.NewAttachment{*secret}})).get(t)
		_, _, err = cust.OpenAttachment(ctx, c.ID, n.Attachments[0].ID)
		wantIs(t, err, casekit.ErrNotFound, "a customer opening an internal note's file")
		_, rc, err = e.Agent().OpenAttachment(ctx, c.ID, n.Attachments[0].ID)
		must(t, err, "the agent opening the note's file")
		rc.Close()
		// Another customer's case, and keys from elsewhere.
		other := e.open(t, "Someone else's", "cust-2")
		_, err = cust.Upload(ctx, other.ID, "x.pdf", "application/pdf", strings.NewReader("x"))
		wantIs(t, err, casekit.ErrNotFound, "uploading to another customer's case")
		theirs := try(e.Desk(casekit.Customer("cust-2")).Upload(ctx, other.ID, "y.pdf", "application/pdf", strings.NewReader("y"))).get(t)
		_, err = cust.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "steal", Attachments: []casekit.NewAttachment{*theirs}})
		wantRule(t, err, "attaching a file uploaded to another case", "attachments[0].key", "case")
		_, _, err = cust.OpenAttachment(ctx, other.ID, m.Attachments[0].ID)
		wantIs(t, err, casekit.ErrNotFound, "opening through another customer's case")
	})
	t.Run("UploadDetectsSVGDeclaredPNG", func(t *testing.T) {
		e, dir := env(t)
		ctx, d := t.Context(), e.Agent()
		c := e.open(t, "Pictures", "cust-1")
		svg := `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>`
		page := "<html><body><script>alert(1)</script></body></html>"
		// The defaults accept PNG but neither SVG nor HTML.
		for _, content := range []string{svg, page} {
			_, err := d.Upload(ctx, c.ID, "x.png", "image/png", strings.NewReader(content))
			wantRule(t, err, "a page or an SVG sent as x.png, image/png", "content_type", "accepted")
		}
		walkFiles(t, dir, func(p string) { t.Errorf("a refused upload left %s", p) })
		s := try(d.Config().Settings(ctx)).get(t)
		s.AttachmentTypes = []string{"image/*"}
		must(t, d.Config().SaveSettings(ctx, s), "SaveSettings")
		up := *try(d.Upload(ctx, c.ID, "x.svg", "image/png", strings.NewReader(svg))).get(t)
		n := try(d.AddNote(ctx, c.ID, casekit.NewNote{Subject: "general", Body: "b", Attachments: []casekit.NewAttachment{up}})).get(t)
		if up.ContentType != "image/svg+xml" || n.Attachments[0].ContentType != "image/svg+xml" {
			t.Errorf("an SVG declared image/png is kept as %s, attached as %s; want image/svg+xml", up.ContentType, n.Attachments[0].ContentType)
		}
		_, err := d.Upload(ctx, c.ID, "x.png", "image/png", strings.NewReader(page))
		wantRule(t, err, "a page sent as x.png where images are accepted", "content_type", "accepted")
	})
	t.Run("PostMessageIgnoresForgedAttachmentFields", func(t *testing.T) {
		e, _ := env(t)
		ctx, d := t.Context(), e.Agent()
		cust := e.Desk(casekit.Customer("cust-1"))
		c, other := e.open(t, "Forged", "cust-1"), e.open(t, "Other", "cust-1")
		pdf := "%PDF-1.4 invoice"
		upload := func(caseID string) casekit.NewAttachment {
			return *try(cust.Upload(ctx, caseID, "invoice.pdf", "application/pdf", strings.NewReader(pdf))).get(t)
		}
		for _, tc := range []struct {
			name   string
			forge  func(*casekit.NewAttachment)
			attach func(casekit.NewAttachment) ([]casekit.Attachment, error)
		}{
			{"type", func(a *casekit.NewAttachment) { a.ContentType = "text/html" }, nil},
			{"size", func(a *casekit.NewAttachment) { a.Size = 1 }, nil},
			{"name", func(a *casekit.NewAttachment) { a.Name = "invoice.pdf.exe" }, nil},
			{"all, on a note", func(a *casekit.NewAttachment) {
				*a = casekit.NewAttachment{Key: a.Key, Name: "x.html", ContentType: "text/html", Size: 1 << 40}
			},
				func(a casekit.NewAttachment) ([]casekit.Attachment, error) {
					n, err := d.AddNote(ctx, c.ID, casekit.NewNote{Subject: "general", Body: "b", Attachments: []casekit.NewAttachment{a}})
					if err != nil {
						return nil, err
					}
					return n.Attachments, nil
				}},
		} {
			up := upload(c.ID)
			forged := up
			tc.forge(&forged)
			var got []casekit.Attachment
			if tc.attach == nil {
				m, err := cust.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "file", Attachments: []casekit.NewAttachment{forged}})
				must(t, err, "PostMessage with a forged %s", tc.name)
				got = m.Attachments
			} else {
				got = try(tc.attach(forged)).get(t)
			}
			if a := got[0]; a.Name != "invoice.pdf" || a.ContentType != "application/pdf" || a.Size != int64(len(pdf)) || a.Key != up.Key {
				t.Errorf("a forged %s is attached as %s %s %d bytes; want the upload's %+v", tc.name, a.Name, a.ContentType, a.Size, up)
			}
		}
		// Keys that are not an upload to this case, or are attached already.
		theirs := upload(other.ID)
		// A key of this case's form whose file and record another tenant holds.
		notMine := c.ID + "/" + fakeFixture().CaseID
		putRecord(t, e.Kit.BlobStore(), NewEnv(t, e.Store).Tenant, notMine, pdf)
		attached := upload(c.ID)
		try(d.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "file", Attachments: []casekit.NewAttachment{attached}})).get(t)
		fresh := upload(c.ID)
		before := e.state(t, c.ID)
		for _, tc := range []struct {
			name, rule string
			who        *casekit.Desk
			files      []casekit.NewAttachment
		}{
			{"another case's upload", "case", cust, []casekit.NewAttachment{theirs}},
			{"another case's upload, by an agent", "case", d, []casekit.NewAttachment{theirs}},
			{"another tenant's upload", "upload", cust, []casekit.NewAttachment{{Key: notMine}}},
			{"a key with no upload", "upload", d, []casekit.NewAttachment{{Key: c.ID + "/" + fakeFixture().CaseID, Name: "a.pdf", ContentType: "application/pdf"}}},
			{"an attached file", "attached", cust, []casekit.NewAttachment{attached}},
			{"one file twice", "attached", d, []casekit.NewAttachment{fresh, fresh}},
		} {
			_, err := tc.who.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "file", Attachments: tc.files})
			i := len(tc.files) - 1
			wantRule(t, err, "PostMessage with "+tc.name, fmt.Sprintf("attachments[%d].key", i), tc.rule)
			_, err = d.AddNote(ctx, c.ID, casekit.NewNote{Subject: "general", Body: "b", Attachments: tc.files})
			wantRule(t, err, "AddNote with "+tc.name, fmt.Sprintf("attachments[%d].key", i), tc.rule)
		}
		wantUnchanged(t, before, e.state(t, c.ID), "after refused attachments")
	})
	t.Run("SweepBlobs deletes the old blobs no attachment refers to, and only them", func(t *testing.T) {
		e, dir := env(t)
		ctx, d := t.Context(), e.Agent()
		e.Clock.Set(time.Now()) // the blob store dates files by the wall clock
		up := func(c *casekit.Case, name string) casekit.NewAttachment {
			return *try(d.Upload(ctx, c.ID, name, "text/plain", strings.NewReader(name))).get(t)
		}
		c, gone := e.open(t, "Keeps its files", "cust-1"), e.open(t, "Deleted", "cust-1")
		dup, target := e.open(t, "Merged", "cust-1"), e.open(t, "Merge target", "cust-1")
		inMessage := up(c, "message.txt")
		m := try(d.PostMessage(ctx, c.ID, casekit.NewMessage{Direction: casekit.Outbound, Body: "file", Attachments: []casekit.NewAttachment{inMessage}})).get(t)
		n := try(d.AddNote(ctx, c.ID, casekit.NewNote{Subject: "general", Body: "file", Attachments: []casekit.NewAttachment{up(c, "note.txt")}})).get(t)
		moved := try(d.PostMessage(ctx, dup.ID, casekit.NewMessage{Direction: casekit.Outbound, Body: "file", Attachments: []casekit.NewAttachment{up(dup, "moved.txt")}})).get(t)
		try(d.Merge(ctx, dup.ID, target.ID, casekit.Merge{})).get(t)
		orphan := up(c, "never-attached.txt")
		deleted := up(gone, "deleted.txt")
		try(d.PostMessage(ctx, gone.ID, casekit.NewMessage{Direction: casekit.Outbound, Body: "file", Attachments: []casekit.NewAttachment{deleted}})).get(t)
		must(t, d.DeleteCase(ctx, gone.ID, "opened by mistake"), "DeleteCase")
		blobs := e.Kit.BlobStore()
		_, err := blobs.Put(ctx, e.Tenant, "host/put-directly", strings.NewReader("x"))
		must(t, err, "Put")

		_, err = e.Kit.SweepBlobs(ctx, e.Tenant, 59*time.Minute)
		wantRule(t, err, "a sweep of blobs younger than an hour", "older_than", "min")
		if n, err := e.Kit.SweepBlobs(ctx, e.Tenant, time.Hour); err != nil || n != 0 {
			t.Fatalf("sweeping fresh blobs: %d deleted, %v; want none", n, err)
		}
		e.Clock.Advance(2 * time.Hour)
		// A file written just now is young even when unattached.
		fresh := time.Now().Add(2 * time.Hour)
		young := up(c, "young.txt")
		for _, key := range []string{young.Key, young.Key + ".upload"} {
			must(t, os.Chtimes(filepath.Join(dir, e.Tenant, filepath.FromSlash(key)), fresh, fresh), "Chtimes")
		}
		if n, err := e.Kit.SweepBlobs(ctx, e.Tenant, time.Hour); err != nil || n != 8 {
			t.Fatalf("sweeping after two hours: %d deleted, %v; want 8 (never attached, deleted case, put directly, and the records of the five old uploads)", n, err)
		}
		for _, key := range []string{orphan.Key, deleted.Key, "host/put-directly"} {
			_, err := blobs.Open(ctx, e.Tenant, key)
			wantIs(t, err, casekit.ErrNotFound, "opening swept blob %s", key)
		}
		for _, f := range []struct{ caseID, id string }{{c.ID, m.Attachments[0].ID}, {c.ID, n.Attachments[0].ID}, {target.ID, moved.Attachments[0].ID}} {
			_, rc, err := d.OpenAttachment(ctx, f.caseID, f.id)
			must(t, err, "opening an attached file after the sweep")
			rc.Close()
		}
		try(d.PostMessage(ctx, c.ID, casekit.NewMessage{Direction: casekit.Outbound, Body: "late", Attachments: []casekit.NewAttachment{young}})).get(t)
		if n, err := e.Kit.SweepBlobs(ctx, e.Tenant, time.Hour); err != nil || n != 0 {
			t.Errorf("a second sweep: %d deleted, %v; want none", n, err)
		}
		// A blob store that cannot list cannot be swept (a kit of its
		// own: DropOnCleanup could not drop a tenant with it).
		plain, err := casekit.New(e.Store, casekit.WithBlobStore(struct{ casekit.BlobStore }{blobs}))
		must(t, err, "casekit.New")
		_, err = plain.SweepBlobs(ctx, e.Tenant, time.Hour)
		wantIs(t, err, errors.ErrUnsupported, "sweeping a blob store that cannot list")
	})
	t.Run("the tenant's size and type limits; refused uploads keep nothing", func(t *testing.T) {
		e, dir := env(t)
		ctx, d := t.Context(), e.Agent()
		s := try(d.Config().Settings(ctx)).get(t)
		s.MaxAttachmentBytes, s.AttachmentTypes = 10, []string{"image/*", "application/pdf"}
		must(t, d.Config().SaveSettings(ctx, s), "SaveSettings")
		c := e.open(t, "Limits", "cust-1")
		_, err := d.Upload(ctx, c.ID, "big.pdf", "application/pdf", strings.NewReader("%PDF-"+strings.Repeat("x", 6)))
		wantRule(t, err, "an 11-byte file over a 10-byte limit", "size", "max")
		_, err = d.Upload(ctx, c.ID, "page.html", "text/html", strings.NewReader("<script>"))
		wantRule(t, err, "a refused type", "content_type", "accepted")
		_, err = d.Upload(ctx, c.ID, "x", "not a type", strings.NewReader("x"))
		wantRule(t, err, "a malformed type", "content_type", "accepted")
		_, err = d.Upload(ctx, c.ID, "", "image/png", strings.NewReader("x"))
		wantRule(t, err, "no name", "name", "required")
		try(d.Upload(ctx, c.ID, "ok.png", "", strings.NewReader("\x89PNG\r\n\x1a\n00"))).get(t)
		files := 0
		walkFiles(t, dir, func(string) { files++ })
		wantEqual(t, 2, files, "files kept after one good and four refused uploads (the file and its record)")
		s.AttachmentTypes = []string{"text/html<script>"}
		wantRule(t, d.Config().SaveSettings(ctx, s), "a malformed accepted type", "attachment_types[0]", "mediatype")
		closed := e.into(t, e.open(t, "Closed", "cust-1"), casekit.StatusClosed)
		_, err = d.Upload(ctx, closed.ID, "late.png", "image/png", strings.NewReader("x"))
		wantIs(t, err, casekit.ErrReadOnly, "uploading to a closed case")
		plain := NewEnv(t, newStore(t))
		_, err = plain.Agent().Upload(ctx, plain.open(t, "x", "c").ID, "a.png", "image/png", strings.NewReader("x"))
		if !errors.Is(err, casekit.ErrNoBlobStore) {
			t.Errorf("upload without a blob store: %v", err)
		}
	})
	t.Run("DiscardUploads deletes only the case's unattached uploads", func(t *testing.T) {
		e, dir := env(t)
		ctx, cust := t.Context(), e.Desk(casekit.Customer("cust-1"))
		c, other := e.open(t, "Mine", "cust-1"), e.open(t, "Theirs", "cust-2")
		up := func(d *casekit.Desk, caseID string) casekit.NewAttachment {
			return *try(d.Upload(ctx, caseID, "a.txt", "text/plain", strings.NewReader("a"))).get(t)
		}
		kept, dropped := up(cust, c.ID), up(cust, c.ID)
		theirs := up(e.Agent(), other.ID)
		try(cust.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "one file", Attachments: []casekit.NewAttachment{kept}})).get(t)
		wantIs(t, cust.DiscardUploads(ctx, other.ID, []casekit.NewAttachment{theirs}), casekit.ErrNotFound, "discarding on another customer's case")
		wantRule(t, cust.DiscardUploads(ctx, c.ID, make([]casekit.NewAttachment, 101)), "101 uploads", "uploads", "max")
		must(t, cust.DiscardUploads(ctx, c.ID, []casekit.NewAttachment{kept, dropped, theirs}), "DiscardUploads")
		var left []string
		walkFiles(t, dir, func(p string) { left = append(left, filepath.ToSlash(p)) })
		has := func(key string) bool {
			return slices.ContainsFunc(left, func(p string) bool { return strings.HasSuffix(p, key) })
		}
		if len(left) != 4 || !has(kept.Key) || !has(kept.Key+".upload") || !has(theirs.Key) || !has(theirs.Key+".upload") {
			t.Errorf("files left: %v; want the attached one and the other case's, each with its upload record", left)
		}
	})
}

// withBlobs returns an Env on e's store and tenant whose kit keeps files
// in a new directory, and the directory.
func (e *Env) withBlobs(t *testing.T) (*Env, string) {
	dir := t.TempDir()
	blobs, err := fsblob.New(dir)
	must(t, err, "fsblob.New")
	kit := try(casekit.New(e.Store, casekit.WithBlobStore(blobs), casekit.WithClock(e.Clock))).get(t)
	return &Env{Store: e.Store, Kit: kit, Clock: e.Clock, Tenant: e.Tenant}, dir
}

// putRecord puts a file and an upload record under key straight into
// the tenant's blob store, as Upload would have.
func putRecord(t *testing.T, blobs casekit.BlobStore, tenant, key, content string) {
	rec := fmt.Sprintf(`{"name":"x.pdf","content_type":"application/pdf","size":%d,"key":%q}`, len(content), key)
	for k, v := range map[string]string{key: content, key + ".upload": rec} {
		_, err := blobs.Put(t.Context(), tenant, k, strings.NewReader(v))
		must(t, err, "Put %s", k)
	}
}
