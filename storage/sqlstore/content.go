package sqlstore

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"casekit.dev/casekit/casetype"
)

func (t *Tx) insertAttachments(ctx context.Context, ownerID string, as []casetype.Attachment) error {
	if len(as) == 0 {
		return nil
	}
	rows := make([]attachmentRow, len(as))
	for i, a := range as {
		rows[i] = attachmentRow{ID: a.ID, CaseID: a.CaseID, OwnerID: ownerID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, BlobKey: a.Key, CreatedAt: a.CreatedAt.UTC()}
	}
	_, err := t.ins(&rows, "attachments").Exec(ctx)
	return t.err(err, "insert attachments")
}

// attachments returns a case's attachments grouped by owner.
func (t *Tx) attachments(ctx context.Context, caseID string) (map[string][]casetype.Attachment, error) {
	var rows []attachmentRow
	if err := t.sel(&rows, "attachments", "f").Where("f.case_id = ?", caseID).OrderExpr("f.id").Scan(ctx); err != nil {
		return nil, t.err(err, "attachments")
	}
	out := map[string][]casetype.Attachment{}
	for _, r := range rows {
		out[r.OwnerID] = append(out[r.OwnerID], r.domain())
	}
	return out, nil
}

// InsertNote implements store.Tx.
func (t *Tx) InsertNote(ctx context.Context, n *casetype.Note) error {
	r := &noteRow{ID: n.ID, CaseID: n.CaseID, Subject: n.Subject, Body: n.Body, Public: n.Public, CreatedBy: n.CreatedBy.String(), CreatedAt: n.CreatedAt.UTC()}
	if _, err := t.ins(r, "notes").Exec(ctx); err != nil {
		return t.err(err, "insert note")
	}
	return t.insertAttachments(ctx, n.ID, n.Attachments)
}

// Notes implements store.Tx.
func (t *Tx) Notes(ctx context.Context, caseID string) ([]*casetype.Note, error) {
	var rows []noteRow
	if err := t.sel(&rows, "notes", "n").Where("n.case_id = ?", caseID).OrderExpr("n.id").Scan(ctx); err != nil {
		return nil, t.err(err, "notes")
	}
	files, err := t.attachments(ctx, caseID)
	if err != nil {
		return nil, err
	}
	out := make([]*casetype.Note, len(rows))
	for i, r := range rows {
		by, err := casetype.ParseActor(r.CreatedBy)
		if err != nil {
			return nil, err
		}
		out[i] = &casetype.Note{ID: r.ID, CaseID: r.CaseID, Subject: r.Subject, Body: r.Body, Public: r.Public,
			Attachments: files[r.ID], CreatedBy: by, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// InsertMessage implements store.Tx.
func (t *Tx) InsertMessage(ctx context.Context, m *casetype.Message) error {
	r := &messageRow{ID: m.ID, CaseID: m.CaseID, Direction: string(m.Direction), Channel: string(m.Channel), Sender: m.From,
		Recipients: orNil(m.To), Cc: orNil(m.Cc), Subject: m.Subject, Body: m.Body, InReplyTo: m.InReplyTo, Public: m.Public,
		CreatedBy: m.CreatedBy.String(), CreatedAt: m.CreatedAt.UTC()}
	if _, err := t.ins(r, "messages").Exec(ctx); err != nil {
		return t.err(err, "insert message")
	}
	return t.insertAttachments(ctx, m.ID, m.Attachments)
}

func (t *Tx) messages(ctx context.Context, where string, arg any) ([]*casetype.Message, error) {
	var rows []messageRow
	if err := t.sel(&rows, "messages", "m").Where(where, arg).OrderExpr("m.id").Scan(ctx); err != nil {
		return nil, t.err(err, "messages")
	}
	var files map[string][]casetype.Attachment
	if len(rows) > 0 {
		var err error
		if files, err = t.attachments(ctx, rows[0].CaseID); err != nil {
			return nil, err
		}
	}
	out := make([]*casetype.Message, len(rows))
	for i, r := range rows {
		by, err := casetype.ParseActor(r.CreatedBy)
		if err != nil {
			return nil, err
		}
		out[i] = &casetype.Message{ID: r.ID, CaseID: r.CaseID, Direction: casetype.Direction(r.Direction), Channel: casetype.Channel(r.Channel),
			From: r.Sender, To: orNil(r.Recipients), Cc: orNil(r.Cc), Subject: r.Subject, Body: r.Body, InReplyTo: r.InReplyTo, Public: r.Public,
			Attachments: files[r.ID], CreatedBy: by, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// orNil is list, or nil when it is empty: a message without addresses
// stores NULL and reads back as nil, whichever way it was written.
func orNil(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	return list
}

// Message implements store.Tx.
func (t *Tx) Message(ctx context.Context, id string) (*casetype.Message, error) {
	ms, err := t.messages(ctx, "m.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("message %s: %w", id, casetype.ErrNotFound)
	}
	return ms[0], nil
}

// Messages implements store.Tx.
func (t *Tx) Messages(ctx context.Context, caseID string) ([]*casetype.Message, error) {
	return t.messages(ctx, "m.case_id = ?", caseID)
}

// AttachedKeys implements store.Tx.
func (t *Tx) AttachedKeys(ctx context.Context, keys []string) ([]string, error) {
	var out []string
	if len(keys) == 0 {
		return nil, nil
	}
	err := t.db.NewRaw("SELECT DISTINCT blob_key FROM ?.attachments WHERE blob_key IN (?)", t.schema, bun.In(keys)).Scan(ctx, &out)
	return out, t.err(err, "attached keys")
}
