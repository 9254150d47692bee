package casekit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
)

// Upload stores a file for a case in the kit's BlobStore, within the
// tenant's limits (Settings.MaxAttachmentBytes and AttachmentTypes), and
// returns the NewAttachment to pass with PostMessage or AddNote.
//
// The type is detected from the file's first bytes; the name's extension
// and contentType (which may be "") can only make it more precise, never
// turn it into another type: an SVG sent as "x.png", "image/png" is kept
// as image/svg+xml (see fileType). The tenant's accepted types apply to
// the detected type. A file over the limit is a ValidationError on
// "size", a type the tenant does not accept (or a malformed contentType)
// one on "content_type"; nothing is kept then. Next to the file Upload
// records its name, type and size, which PostMessage and AddNote read.
//
// A customer uploads to their own cases only, and anyone may attach to a
// message or note only what was uploaded to that case, once. A file
// uploaded but never attached stays in the blob store until
// Kit.SweepBlobs deletes it.
func (d *Desk) Upload(ctx context.Context, caseID, name, contentType string, r io.Reader) (*NewAttachment, error) {
	if d.kit.blobs == nil {
		return nil, fmt.Errorf("casekit: upload: %w", ErrNoBlobStore)
	}
	var (
		set Settings
		cs  *Case
	)
	err := d.run(ctx, "upload", customerToo, func(c *cmd) error {
		var err error
		if cs, err = c.load(caseID, false); err != nil {
			return err
		}
		st, _, err := c.status(cs)
		if err != nil {
			return err
		}
		if st.Final || st.Canceled {
			return fmt.Errorf("case %s is %s: %w", cs.ID, st.Key, ErrReadOnly)
		}
		if set, err = c.tx.Settings(c.ctx); err != nil {
			return err
		}
		set = set.filled()
		var v validations
		if strings.TrimSpace(name) == "" || len(name) > 255 {
			v.add("name", "required", "a file name of 1 to 255 bytes is required")
		}
		if _, _, err := mime.ParseMediaType(contentType); err != nil && contentType != "" {
			v.add("content_type", "accepted", "files of type %q are not accepted", clipRunes(contentType, 100))
		}
		return v.err()
	})
	if err != nil {
		return nil, err
	}
	up, err := d.storeUpload(ctx, set, cs.ID, fileName(name), contentType, r)
	if err != nil {
		return nil, fmt.Errorf("casekit: upload: tenant %q: %w", d.tenant, err)
	}
	return up, nil
}

// storeUpload reads the file's first bytes, refuses a type the tenant
// does not accept before anything is stored, then stores the file and
// its record (uploadRecord). A refused or failed upload leaves nothing.
func (d *Desk) storeUpload(ctx context.Context, set Settings, caseID, name, declared string, r io.Reader) (*NewAttachment, error) {
	head := make([]byte, sniffBytes)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	head = head[:n]
	mt := fileType(name, declared, head)
	if rule, _ := checkFile(set, mt, -1); rule != "" {
		return nil, invalid("content_type", "accepted", "files of type %s are not accepted", mt)
	}
	up := &NewAttachment{Name: name, ContentType: mt, Key: caseID + "/" + newID()}
	limit := set.MaxAttachmentBytes
	up.Size, err = d.kit.blobs.Put(ctx, d.tenant, up.Key, io.LimitReader(io.MultiReader(bytes.NewReader(head), r), limit+1))
	if err == nil && up.Size > limit {
		err = invalid("size", "max", "the file is larger than %d bytes", limit)
	}
	if err == nil {
		err = d.putRecord(ctx, up)
	}
	if err != nil {
		for _, key := range []string{up.Key, up.Key + recordSuffix} {
			if derr := d.kit.blobs.Delete(context.WithoutCancel(ctx), d.tenant, key); derr != nil {
				err = errors.Join(err, derr)
			}
		}
		return nil, err
	}
	return up, nil
}

// accepts reports whether a media type is in the list, where "image/*"
// stands for every image type.
func accepts(list []string, mt string) bool {
	major, _, _ := strings.Cut(mt, "/")
	for _, a := range list {
		if a == mt || a == major+"/*" {
			return true
		}
	}
	return false
}

// OpenAttachment returns an attachment of a case and its contents, which
// the caller closes. A customer opens only the attachments of public
// messages and notes of their own cases; anything else is ErrNotFound.
func (d *Desk) OpenAttachment(ctx context.Context, caseID, id string) (*Attachment, io.ReadCloser, error) {
	if d.kit.blobs == nil {
		return nil, nil, fmt.Errorf("casekit: open attachment: %w", ErrNoBlobStore)
	}
	var found *Attachment
	err := d.run(ctx, "open attachment", customerRead, func(c *cmd) error {
		cs, err := c.load(caseID, false)
		if err != nil {
			return err
		}
		msgs, err := c.tx.Messages(c.ctx, cs.ID)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			for i := range m.Attachments {
				if m.Attachments[i].ID == id && (m.Public || !c.customer()) {
					found = &m.Attachments[i]
				}
			}
		}
		notes, err := c.tx.Notes(c.ctx, cs.ID)
		if err != nil {
			return err
		}
		for _, n := range notes {
			for i := range n.Attachments {
				if n.Attachments[i].ID == id && (n.Public || !c.customer()) {
					found = &n.Attachments[i]
				}
			}
		}
		if found == nil {
			return fmt.Errorf("attachment %s: %w", id, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	rc, err := d.kit.blobs.Open(ctx, d.tenant, found.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("casekit: open attachment %s: tenant %q: %w", id, d.tenant, err)
	}
	return found, rc, nil
}
