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

// uploads stores the comment's files; a refused file is a ValidationError
// on "files" naming it. On an error it returns the files stored before
// it too, for the caller to discard.
func (p *Portal) uploads(r *http.Request, d *casekit.Desk, c *casekit.Case) ([]casekit.NewAttachment, error) {
	files := r.MultipartForm.File["files"]
	if len(files) > 20 {
		return nil, &casekit.ValidationError{Fields: []casekit.FieldError{{Field: "files", Rule: "max", Message: "At most 20 files at once."}}}
	}
	var out []casekit.NewAttachment
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			return out, err
		}
		a, err := d.Upload(r.Context(), c.ID, fh.Filename, fh.Header.Get("Content-Type"), f)
		f.Close()
		var ve *casekit.ValidationError
		if errors.As(err, &ve) {
			msgs := make([]string, len(ve.Fields))
			for i, fe := range ve.Fields {
				msgs[i] = fe.Message
			}
			return out, &casekit.ValidationError{Fields: []casekit.FieldError{{Field: "files", Rule: "accepted",
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
	h := w.Header()
	ct := "application/octet-stream"
	if safeTypes[a.ContentType] {
		ct = a.ContentType
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	if a.Size > 0 {
		h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	}
	_, _ = io.Copy(w, rc)
}

// safeTypes are the media types a download keeps; any other is sent as
// application/octet-stream.
var safeTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/pdf": true, "text/plain": true, "text/csv": true, "application/zip": true}
