package casekit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
)

// Upload stores a file for a case in the kit's BlobStore, within the
// tenant's limits (Settings.MaxAttachmentBytes and AttachmentTypes), and
// returns the NewAttachment to pass with PostMessage or AddNote. A file
// over the limit is a ValidationError on "size", a type the tenant does
// not accept one on "content_type"; nothing is kept then. A customer
// uploads to their own cases only, and may attach to a message only
// what was uploaded to that case. A file uploaded but never attached
// stays in the blob store until Kit.SweepBlobs deletes it.
func (d *Desk) Upload(ctx context.Context, caseID, name, contentType string, r io.Reader) (*NewAttachment, error) {
	if d.kit.blobs == nil {
		return nil, fmt.Errorf("casekit: upload: %w", ErrNoBlobStore)
	}
	var (
		limit int64
		base  string
		cs    *Case
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
		set, err := c.tx.Settings(c.ctx)
		if err != nil {
			return err
		}
		set = set.filled()
		var v validations
		if strings.TrimSpace(name) == "" || len(name) > 255 {
			v.add("name", "required", "a file name of 1 to 255 bytes is required")
		}
		name = fileName(name)
		if err := v.merge(validateStruct(struct {
			Name        string `json:"name"`
			ContentType string `json:"content_type"`
		}{name, contentType})); err != nil {
			return err
		}
		mt, _, perr := mime.ParseMediaType(contentType)
		if rule, _ := checkFile(set, mt, -1); perr != nil || rule != "" {
			v.add("content_type", "accepted", "files of type %q are not accepted", clipRunes(contentType, 100))
		}
		limit, base = set.MaxAttachmentBytes, mt
		return v.err()
	})
	if err != nil {
		return nil, err
	}
	key := cs.ID + "/" + newID()
	n, err := d.kit.blobs.Put(ctx, d.tenant, key, io.LimitReader(r, limit+1))
	if err == nil && n > limit {
		err = invalid("size", "max", "the file is larger than %d bytes", limit)
	}
	if err != nil {
		if derr := d.kit.blobs.Delete(context.WithoutCancel(ctx), d.tenant, key); derr != nil {
			err = errors.Join(err, derr)
		}
		return nil, fmt.Errorf("casekit: upload: tenant %q: %w", d.tenant, err)
	}
	return &NewAttachment{Name: name, ContentType: base, Size: n, Key: key}, nil
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
