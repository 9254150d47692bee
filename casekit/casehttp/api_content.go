package casehttp

import (
	"context"
	"net/http"

	"casekit.dev/casekit"
)

// uploadsBody lists a case's uploads: what POST /cases/{id}/attachments
// answers and POST /cases/{id}/attachments/discard takes.
type uploadsBody struct {
	Uploads []casekit.NewAttachment `json:"uploads"`
}

// contentRoutes read and add a case's notes, messages and files.
var contentRoutes = []apiRoute{
	{method: "GET", path: "/cases/{id}/notes", run: caseList((*casekit.Desk).Notes)},
	{method: "POST", path: "/cases/{id}/notes", run: created((*casekit.Desk).AddNote)},
	{method: "GET", path: "/cases/{id}/messages", run: caseList((*casekit.Desk).Messages)},
	{method: "POST", path: "/cases/{id}/messages", run: created((*casekit.Desk).PostMessage)},
	{method: "POST", path: "/cases/{id}/attachments", upload: true, run: upload},
	{method: "POST", path: "/cases/{id}/attachments/discard", run: command(func(d *casekit.Desk, ctx context.Context, id string, in uploadsBody) (uploadsBody, error) {
		return uploadsBody{Uploads: []casekit.NewAttachment{}}, d.DiscardUploads(ctx, id, in.Uploads)
	})},
	{method: "GET", path: "/cases/{id}/attachments/{attachment}", run: download},
	{method: "GET", path: "/cases/{id}/reply-address", run: replyAddress},
	{method: "POST", path: "/cases/{id}/reply-tokens/revoke", run: revokeReplyTokens},
}

// upload stores the multipart body's "file" parts (at most
// MaxSubmittedFiles) for the case, for a message or note to attach by
// key. A refused file is a 422 naming it, and the files stored before it
// are discarded.
func upload(c *call) error {
	if err := c.r.ParseMultipartForm(multipartMemory); err != nil {
		return &badRequest{status: http.StatusRequestEntityTooLarge, kind: "bad-upload",
			msg: "The body must be multipart/form-data within the upload limit: " + clip(err.Error())}
	}
	defer c.r.MultipartForm.RemoveAll()
	ups, err := Upload(c.r, c.desk, c.path("id"), "file", casekit.MaxSubmittedFiles)
	if err != nil {
		if len(ups) > 0 {
			_ = c.desk.DiscardUploads(context.WithoutCancel(c.r.Context()), c.path("id"), ups)
		}
		return err
	}
	if len(ups) == 0 {
		return &casekit.ValidationError{Fields: []casekit.FieldError{{Field: "file", Rule: "required", Message: "Send at least one file part named \"file\"."}}}
	}
	return c.reply(http.StatusCreated, uploadsBody{Uploads: ups})
}

// download sends an attachment, always as a download (ServeAttachment).
func download(c *call) error {
	a, rc, err := c.desk.OpenAttachment(c.r.Context(), c.path("id"), c.path("attachment"))
	if err != nil {
		return err
	}
	defer rc.Close()
	ServeAttachment(c.w, a, rc)
	return nil
}

// replyAddress answers the case's reply address, making a reply token
// when it has none.
func replyAddress(c *call) error {
	addr, err := c.desk.ReplyAddress(c.r.Context(), c.path("id"))
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, map[string]string{"address": addr})
}

// revokeReplyTokens stops the case's reply address and thread
// references, and says how many tokens went.
func revokeReplyTokens(c *call) error {
	n, err := c.desk.RevokeReplyTokens(c.r.Context(), c.path("id"))
	if err != nil {
		return err
	}
	return c.reply(http.StatusOK, map[string]int{"revoked": n})
}
