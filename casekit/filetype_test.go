package casekit

import (
	"archive/zip"
	"bytes"
	"testing"
)

// TestFileType checks that the content decides a file's type and that
// the name and the declared type only make it more precise.
func TestFileType(t *testing.T) {
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("notes.txt")
	w.Write([]byte("hello"))
	zw.Close()
	ole := "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + string(make([]byte, 600))
	svg := `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`
	for _, tc := range []struct {
		name, file, declared, content, want string
	}{
		{"an SVG declared PNG", "x.png", "image/png", svg, "image/svg+xml"},
		{"a page declared PNG", "x.png", "image/png", "<html><script>alert(1)</script></html>", "text/html"},
		{"a PNG declared PDF", "x.pdf", "application/pdf", "\x89PNG\r\n\x1a\n....", "image/png"},
		{"text named and declared HTML", "x.html", "text/html", "hello <b>there</b>", "text/plain"},
		{"text declared JavaScript", "x", "application/javascript", "var x = 1", "text/plain"},
		{"text declared ECMAScript", "x", "text/ecmascript", "var x = 1", "text/plain"},
		{"XML declared XHTML", "x", "application/xhtml+xml", `<?xml version="1.0"?><page/>`, "text/xml"},
		{"text declared a binary type", "x", "application/x-custom", "hello", "text/plain"},
		{"text declared a text type mimetype does not know", "x", "text/x-todo", "buy milk", "text/x-todo"},
		{"bytes declared a text type", "x", "text/x-todo", "\x00\x01\x02", "application/octet-stream"},
		{"bytes declared PNG, which they would show", "x.png", "image/png", "\x00\x01\x02", "application/octet-stream"},
		{"an OLE file declared Word", "report", "application/msword", ole, "application/msword"},
		{"an OLE file declared PNG", "report", "image/png", ole, "application/x-ole-storage"},
		{"a ZIP declared a Word document", "report", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", zipped.String(),
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"a ZIP declared HTML", "report", "text/html", zipped.String(), "application/zip"},
		{"nothing", "empty.txt", "", "", "text/plain"},
	} {
		if got := fileType(tc.file, tc.declared, []byte(tc.content)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
