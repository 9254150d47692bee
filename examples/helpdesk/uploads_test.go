package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"casekit.dev/casekit"
)

// postFiles posts a multipart form with fields and files (name →
// contents) in the field "files", as a browser sends the reply and note
// forms.
func (c *client) postFiles(path string, fields map[string]string, files map[string][]byte) (int, string, http.Header) {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", c.csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile("files", name)
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// Replies and notes take files through Desk.Upload; the case page lists
// them for download with Desk.OpenAttachment; a refused post keeps no
// file, and a file the tenant does not accept is named in the error.
func TestUploadsOnRepliesAndNotes(t *testing.T) {
	a, srv := testApp(t, false)
	ctx := context.Background()
	d := a.kit.Desk(tenant).As(casekit.System)
	c, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Printer jams", Contact: casekit.Contact{Email: "x@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	blobs := func() int {
		n := 0
		if err := a.kit.BlobStore().(casekit.BlobLister).ListBlobs(ctx, tenant, func(casekit.BlobInfo) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	u := fmt.Sprintf("/cases/%d", c.Number)
	ben := newClient(t, srv.URL)
	ben.login("u-ben")
	if _, page := ben.get(u); !strings.Contains(page, `id="reply-form" enctype="multipart/form-data"`) || !strings.Contains(page, `<input type="file" id="note-files" name="files" multiple>`) {
		t.Fatalf("the case page's forms take no files:\n%s", page)
	}
	log := []byte("paper jam at tray 2\n")
	status, page, h := ben.postFiles(u+"/reply", map[string]string{"body": "The log you sent, for the record."}, map[string][]byte{"jam.txt": log})
	if status != http.StatusSeeOther {
		t.Fatalf("a reply with a file: %d\n%s", status, page)
	}
	_, page = ben.get(h.Get("Location"))
	view, _ := d.CaseView(ctx, c.ID)
	if len(view.Messages) != 1 || len(view.Messages[0].Attachments) != 1 {
		t.Fatalf("messages %+v", view.Messages)
	}
	att := view.Messages[0].Attachments[0]
	link := fmt.Sprintf("%s/files/%s", u, att.ID)
	if !strings.Contains(page, `<a href="`+link+`" download>jam.txt</a>`) {
		t.Fatalf("the case page does not list the file:\n%s", page)
	}
	res, err := ben.http.Get(srv.URL + link)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Equal(got, log) || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("download: %d %q %v", res.StatusCode, got, res.Header)
	}
	if status, _ := ben.get(u + "/files/nothing"); status != http.StatusNotFound {
		t.Errorf("an unknown file: %d, want 404", status)
	}
	stored := blobs()

	// A note without its subject is refused: its file is not kept.
	ben.get(u)
	status, page, _ = ben.postFiles(u+"/note", map[string]string{"body": "Photo of the tray"}, map[string][]byte{"tray.txt": []byte("a photo, in words")})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Photo of the tray") {
		t.Fatalf("a note without subject: %d\n%s", status, page)
	}
	if n := blobs(); n != stored {
		t.Fatalf("the refused note left %d files behind", n-stored)
	}
	// A program is not a file the tenant takes: the error names it, next
	// to the file field, and the file before it is discarded too.
	status, page, _ = ben.postFiles(u+"/note", map[string]string{"subject": "general", "body": "Two files"},
		map[string][]byte{"a.txt": []byte("fine"), "setup.exe": append([]byte("MZ\x90\x00\x03"), make([]byte, 600)...)})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, `id="note-files-error">setup.exe: files of type`) {
		t.Fatalf("a note with a program: %d\n%s", status, page)
	}
	if n := blobs(); n != stored {
		t.Fatalf("the refused note left %d files behind", n-stored)
	}
	// A body past the bound is refused before anything is stored.
	status, _, _ = ben.postFiles(u+"/note", map[string]string{"subject": "general", "body": "Huge"}, map[string][]byte{"big.txt": make([]byte, maxUploadBytes+1)})
	if status != http.StatusRequestEntityTooLarge || blobs() != stored {
		t.Fatalf("a huge upload: %d, %d files", status, blobs())
	}
	ben.get(u)
	if status, page, _ := ben.postFiles(u+"/note", map[string]string{"subject": "general", "body": "The tray"}, map[string][]byte{"tray.txt": []byte("tray 2")}); status != http.StatusSeeOther {
		t.Fatalf("a note with a file: %d\n%s", status, page)
	}
	if view, _ := d.CaseView(ctx, c.ID); len(view.Notes) != 1 || len(view.Notes[0].Attachments) != 1 || view.Notes[0].Attachments[0].Name != "tray.txt" {
		t.Fatalf("notes %+v", view.Notes)
	}
}
