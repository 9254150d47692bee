package casekit

import (
	"mime"
	"path"
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// sniffBytes is how much of a file fileType looks at: all that mimetype
// reads.
const sniffBytes = 4096

// fileType returns the media type a file is kept and served as, from its
// first bytes (head, up to sniffBytes) first and its name and declared
// type only after them, because a client declares what it likes: an SVG
// or a page sent as "x.png", "image/png" must not become a PNG.
//
// The content decides (github.com/gabriel-vasile/mimetype). The name's
// extension, then the declared type, may only make it more precise: a
// container the content shows (a ZIP, an OLE file) may become a type
// kept in it (a .docx, a .doc); content that is only some text or some
// bytes may become a text type or a binary type, in turn, that mimetype
// does not know (it would have found it). Never an active type (see
// activeType): those come from the content alone.
func fileType(name, declared string, head []byte) string {
	found := mimetype.Detect(head)
	detected := baseType(found.String())
	generic := detected == "application/octet-stream" || detected == "text/plain"
	for _, c := range []string{mime.TypeByExtension(strings.ToLower(path.Ext(name))), declared} {
		c = baseType(c)
		if c == "" || c == detected || activeType(c) {
			continue
		}
		known := mimetype.Lookup(c)
		switch {
		case generic && known == nil && strings.HasPrefix(c, "text/") == (detected == "text/plain"):
			return c
		case !generic && known != nil && under(known, found):
			return c
		}
	}
	return detected
}

// under reports whether m is a kind of container, below it in mimetype's
// tree.
func under(m, container *mimetype.MIME) bool {
	for p := m.Parent(); p != nil; p = p.Parent() {
		if container.Is(p.String()) {
			return true
		}
	}
	return false
}

// activeType reports a media type a browser runs or renders with script
// or links: HTML, XHTML, SVG and other XML, JavaScript. Only the content
// makes a file one of them, and the portal serves them as plain bytes to
// download.
func activeType(mt string) bool {
	_, sub, _ := strings.Cut(mt, "/")
	switch {
	case mt == "text/html", sub == "xml", strings.HasSuffix(sub, "+xml"),
		strings.Contains(sub, "javascript"), strings.Contains(sub, "ecmascript"):
		return true
	}
	return false
}
