package casehttp

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"casekit.dev/casekit"
)

// uploads stores the comment's files (at most 20).
func (p *Portal) uploads(r *http.Request, d *casekit.Desk, c *casekit.Case) ([]casekit.NewAttachment, error) {
	return Upload(r, d, c.ID, "files", 20)
}

// multipartMemory is what a multipart body parsed by the portal, the web
// form or the API keeps in memory; the rest of its files wait in
// temporary files until the request ends, so that concurrent uploads
// cost the server disk, not a whole upload's size of memory each.
const multipartMemory = 8 << 20

// Upload stores the files of the parsed multipart form's field (at most
// max) for a case with Desk.Upload, for a message or note to attach: a
// host's comment form with files. A refused file is a ValidationError
// on field naming the file; on an error the files stored before it are
// returned too, for the caller to discard with Desk.DiscardUploads once
// the post is refused. A file input left empty is skipped.
func Upload(r *http.Request, d *casekit.Desk, caseID, field string, max int) ([]casekit.NewAttachment, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	files := r.MultipartForm.File[field]
	if len(files) > max {
		return nil, &casekit.ValidationError{Fields: []casekit.FieldError{{Field: field, Rule: "max", Message: "At most " + strconv.Itoa(max) + " files at once."}}}
	}
	var out []casekit.NewAttachment
	for _, fh := range files {
		if fh.Filename == "" && fh.Size == 0 {
			continue
		}
		f, err := fh.Open()
		if err != nil {
			return out, err
		}
		a, err := d.Upload(r.Context(), caseID, fh.Filename, fh.Header.Get("Content-Type"), f)
		f.Close()
		var ve *casekit.ValidationError
		if errors.As(err, &ve) {
			msgs := make([]string, len(ve.Fields))
			for i, fe := range ve.Fields {
				msgs[i] = fe.Message
			}
			return out, &casekit.ValidationError{Fields: []casekit.FieldError{{Field: field, Rule: "accepted",
				Message: fh.Filename + ": " + strings.Join(msgs, "; ")}}}
		}
		if err != nil {
			return out, err
		}
		out = append(out, *a)
	}
	return out, nil
}

// download serves an attachment the customer may see, always as a
// download: never rendered in the portal's origin.
func (p *Portal) download(w http.ResponseWriter, r *http.Request) {
	d, _, c, ok := p.loadCase(w, r)
	if !ok {
		return
	}
	a, rc, err := d.OpenAttachment(r.Context(), c.ID, r.PathValue("id"))
	switch {
	case errors.Is(err, casekit.ErrNotFound), errors.Is(err, casekit.ErrNoBlobStore):
		p.fail(w, r, http.StatusNotFound, "There is no such file.")
		return
	case err != nil:
		p.internal(w, r, err)
		return
	}
	defer rc.Close()
	ServeAttachment(w, a, rc)
}

// ServeAttachment sends an attachment Desk.OpenAttachment opened, always
// as a download, never rendered in the host's origin: sandboxed, and
// with its type kept only when it is one a browser shows safely.
func ServeAttachment(w http.ResponseWriter, a *casekit.Attachment, body io.Reader) {
	h := w.Header()
	ct := "application/octet-stream"
	if safeTypes[a.ContentType] {
		ct = a.ContentType
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	if a.Size > 0 {
		h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	}
	_, _ = io.Copy(w, body)
}

// safeTypes are the media types a download keeps; any other is sent as
// application/octet-stream.
var safeTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/pdf": true, "text/plain": true, "text/csv": true, "application/zip": true}
