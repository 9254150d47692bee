package casekittest

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/storage/fsblob"
)

// testAttachments checks Upload and OpenAttachment with a filesystem blob
// store: the tenant's size and type limits, what customers may attach and
// open, and that refused uploads keep nothing.
func testAttachments(t *testing.T, newStore StoreFactory) {
	env := func(t *testing.T) (*Env, string) {
		dir := t.TempDir()
		blobs, err := fsblob.New(dir)
		must(t, err, "fsblob.New")
		return NewEnv(t, newStore(t), casekit.WithBlobStore(blobs)), dir
	}
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
	t.Run("the tenant's size and type limits; refused uploads keep nothing", func(t *testing.T) {
		e, dir := env(t)
		ctx, d := t.Context(), e.Agent()
		s := try(d.Settings(ctx)).get(t)
		s.MaxAttachmentBytes, s.AttachmentTypes = 10, []string{"image/*", "application/pdf"}
		must(t, d.UpdateSettings(ctx, s), "UpdateSettings")
		c := e.open(t, "Limits", "cust-1")
		_, err := d.Upload(ctx, c.ID, "big.pdf", "application/pdf", strings.NewReader(strings.Repeat("x", 11)))
		wantRule(t, err, "an 11-byte file over a 10-byte limit", "size", "max")
		_, err = d.Upload(ctx, c.ID, "page.html", "text/html", strings.NewReader("<script>"))
		wantRule(t, err, "a refused type", "content_type", "accepted")
		_, err = d.Upload(ctx, c.ID, "x", "not a type", strings.NewReader("x"))
		wantRule(t, err, "a malformed type", "content_type", "accepted")
		_, err = d.Upload(ctx, c.ID, "", "image/png", strings.NewReader("x"))
		wantRule(t, err, "no name", "name", "required")
		try(d.Upload(ctx, c.ID, "ok.png", "image/png", strings.NewReader("0123456789"))).get(t)
		files := 0
		walkFiles(t, dir, func(string) { files++ })
		wantEqual(t, 1, files, "files kept after one good and four refused uploads")
		s.AttachmentTypes = []string{"text/html<script>"}
		wantRule(t, d.UpdateSettings(ctx, s), "a malformed accepted type", "attachment_types[0]", "mediatype")
		closed := e.into(t, e.open(t, "Closed", "cust-1"), casekit.StatusClosed)
		_, err = d.Upload(ctx, closed.ID, "late.png", "image/png", strings.NewReader("x"))
		wantIs(t, err, casekit.ErrReadOnly, "uploading to a closed case")
		plain := NewEnv(t, newStore(t))
		_, err = plain.Agent().Upload(ctx, plain.open(t, "x", "c").ID, "a.png", "image/png", strings.NewReader("x"))
		if !errors.Is(err, casekit.ErrNoBlobStore) {
			t.Errorf("upload without a blob store: %v", err)
		}
	})
}
