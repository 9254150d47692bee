package casekit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"regexp"
	"slices"
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
		set = settingsFilled(set)
		var v validations
		if strings.TrimSpace(name) == "" || len(name) > 255 {
			v.Add("name", "required", "a file name of 1 to 255 bytes is required")
		}
		if _, _, err := mime.ParseMediaType(contentType); err != nil && contentType != "" {
			v.Add("content_type", "accepted", "files of type %q are not accepted", clipRunes(contentType, 100))
		}
		return v.Err()
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

// recordSuffix ends the key of an upload's record: next to the file
// "<case ID>/<upload ID>", Desk.Upload (and Inbound and Intake, which
// store files the same way) keeps "<case ID>/<upload ID>.upload", a
// small JSON NewAttachment with the file's name, detected type and
// stored size. It is what PostMessage and AddNote attach: a caller names
// the file by its key, and cannot change what the kit recorded. Records
// are not attachments, so Kit.SweepBlobs deletes them when they are old.
const recordSuffix = ".upload"

// maxRecord bounds the record read back: a name of 255 bytes, a type, a
// key and JSON's quoting fit well within it.
const maxRecord = 4 << 10

// uploadKey is the form of the keys Upload makes; no other key has a
// record, so others are not looked up at all.
var uploadKey = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// putRecord stores the record of an upload.
func (d *Desk) putRecord(ctx context.Context, up *NewAttachment) error {
	b, err := json.Marshal(up)
	if err != nil {
		return err
	}
	_, err = d.kit.blobs.Put(ctx, d.tenant, up.Key+recordSuffix, bytes.NewReader(b))
	return err
}

// uploaded replaces each attachment a caller names with the record of
// its upload, read before the command so that the transaction does not
// wait on the blob store. A key with no record stays as given, not
// marked stored, and the command refuses it (cmd.attachments). More than
// a message may carry are left for validation to refuse, unread; so is
// every key on a kit without a blob store, where nothing was uploaded.
func (d *Desk) uploaded(ctx context.Context, in []NewAttachment) ([]NewAttachment, error) {
	if len(in) == 0 || len(in) > maxAttachments {
		return in, nil
	}
	out := make([]NewAttachment, len(in))
	for i, a := range in {
		out[i] = NewAttachment{Key: a.Key}
		if d.kit.blobs == nil || !uploadKey.MatchString(a.Key) {
			continue
		}
		rec, err := d.readRecord(ctx, a.Key)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("casekit: attach %s: tenant %q: %w", a.Key, d.tenant, err)
		}
		out[i] = *rec
	}
	return out, nil
}

// readRecord reads the record of the upload under key; ErrNotFound when
// there is none or it is not one.
func (d *Desk) readRecord(ctx context.Context, key string) (*NewAttachment, error) {
	rc, err := d.kit.blobs.Open(ctx, d.tenant, key+recordSuffix)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var rec NewAttachment
	if err := json.NewDecoder(io.LimitReader(rc, maxRecord)).Decode(&rec); err != nil || rec.Key != key || rec.Name == "" {
		return nil, fmt.Errorf("upload record of %s: %w", key, ErrNotFound)
	}
	rec.stored = true
	return &rec, nil
}

// maxAttachments is the most files one message or note may carry.
const maxAttachments = 20

// attachments makes the attachments of a new message or note on cs. Each
// must be a file stored for cs (its record read by uploaded, or stored by
// the command itself) and attached nowhere yet; any other is a
// ValidationError on its key.
func (c *cmd) attachments(cs *Case, in []NewAttachment) ([]Attachment, error) {
	if len(in) == 0 {
		return nil, nil
	}
	keys := make([]string, len(in))
	for i, a := range in {
		field := fmt.Sprintf("attachments[%d].key", i)
		switch {
		case !strings.HasPrefix(a.Key, cs.ID+"/"):
			return nil, invalid(field, "case", "was not uploaded to this case")
		case !a.stored:
			return nil, invalid(field, "upload", "is not a file uploaded with Upload")
		case slices.Contains(keys[:i], a.Key):
			return nil, invalid(field, "attached", "names the same file twice")
		}
		keys[i] = a.Key
	}
	attached, err := c.tx.AttachedKeys(c.ctx, keys)
	if err != nil {
		return nil, err
	}
	if len(attached) > 0 {
		i := slices.Index(keys, attached[0])
		return nil, invalid(fmt.Sprintf("attachments[%d].key", i), "attached", "is attached already")
	}
	out := make([]Attachment, len(in))
	for i, a := range in {
		out[i] = Attachment{ID: newID(), CaseID: cs.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, Key: a.Key, CreatedAt: c.now}
	}
	return out, nil
}

// maxDiscard is how many uploads one DiscardUploads call takes: more
// than a comment carries, few enough to ask the store about at once.
const maxDiscard = 100

// DiscardUploads deletes files Upload stored for a case that no message
// or note attaches: a host calls it when the comment it uploaded them for
// is refused, so that a refused post leaves no file behind instead of
// waiting for Kit.SweepBlobs. Only keys Upload makes for this case are
// touched, never an attached one; a customer discards on their own cases
// only. More than 100 uploads at once is a ValidationError on "uploads".
// A file the blob store fails to delete is left for Kit.SweepBlobs.
func (d *Desk) DiscardUploads(ctx context.Context, caseID string, uploads []NewAttachment) error {
	if len(uploads) > maxDiscard {
		return fmt.Errorf("casekit: discard uploads: %w", invalid("uploads", "max", "at most %d at once", maxDiscard))
	}
	if d.kit.blobs == nil || len(uploads) == 0 {
		return nil
	}
	var drop []string
	err := d.run(ctx, "discard uploads", customerToo, func(c *cmd) error {
		cs, err := c.load(caseID, false)
		if err != nil {
			return err
		}
		var keys []string
		for _, a := range uploads {
			if strings.HasPrefix(a.Key, cs.ID+"/") {
				keys = append(keys, a.Key)
			}
		}
		if len(keys) == 0 {
			return nil
		}
		attached, err := c.tx.AttachedKeys(c.ctx, keys)
		for _, key := range keys {
			if !slices.Contains(attached, key) {
				drop = append(drop, key, key+recordSuffix) // the file and its upload record
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	d.dropBlobs(ctx, drop)
	return nil
}
