package casekit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

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
