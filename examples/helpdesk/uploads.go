package main

import (
	"errors"
	"fmt"
	"mime"
	"net/http"

	"casekit.dev/casekit"
	"casekit.dev/casekit/casehttp"
)

// Bounds on what one post may carry: the form's fields, and the files a
// reply or note form uploads (the tenant's own limit on one file,
// Settings.MaxAttachmentBytes, applies on top in Desk.Upload).
const (
	maxFormBytes   = 1 << 20
	maxUploadBytes = 25 << 20
	maxUploadFiles = 10
	// multipartMemory is what a multipart form keeps in memory; the rest
	// of its files waits in temporary files until the request ends.
	multipartMemory = 1 << 20
)

// readForm reads a post's form, a multipart one (with files) bounded by
// maxUploadBytes, any other by maxFormBytes; the status to answer with
// when it cannot.
func readForm(w http.ResponseWriter, r *http.Request) (int, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	limit := int64(maxFormBytes)
	if mt == "multipart/form-data" {
		limit = maxUploadBytes
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	if mt == "multipart/form-data" {
		err = r.ParseMultipartForm(multipartMemory)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, fmt.Errorf("it is larger than %d MB", limit>>20)
	case err != nil:
		return http.StatusBadRequest, errors.New("it is not a form")
	}
	return 0, nil
}

// upload stores the files of a reply or note form (field "files") with
// Desk.Upload; see casehttp.Upload.
func upload(r *http.Request, d *casekit.Desk, c *casekit.Case) ([]casekit.NewAttachment, error) {
	return casehttp.Upload(r, d, c.ID, "files", maxUploadFiles)
}

// attachment sends an attachment of a case as a download.
func (a *app) attachment(w http.ResponseWriter, r *http.Request, req *request) {
	c, ok := a.loadCase(w, r, req)
	if !ok {
		return
	}
	att, body, err := req.desk.OpenAttachment(r.Context(), c.ID, r.PathValue("id"))
	switch {
	case errors.Is(err, casekit.ErrNotFound):
		a.fail(w, r, http.StatusNotFound, "There is no such file on this case.")
		return
	case err != nil:
		a.internal(w, r, err)
		return
	}
	defer body.Close()
	casehttp.ServeAttachment(w, att, body)
}
