package mailparse

import (
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
)

// Bounds on the body text Parse keeps and converts. They make the work on
// a body independent of its size: a mail of the largest allowed size whose
// HTML part fills it costs what one of a few megabytes does (see
// BenchmarkParseLargestMail), where reading a 15 MB HTML part whole once
// took 17 s and 2.2 GiB. casekit keeps 100,000 characters of text, far
// less than either bound gives.
const (
	// maxBodyBytes is how much text/plain and how much text/html body
	// Parse keeps (Mail.HTML, and the plain text Mail.Text comes from).
	maxBodyBytes = 1 << 20
	// maxRawBody is how much of one body part is read before its
	// transfer and charset encodings are removed: room for base64's
	// growth by a third and for quoted-printable's "=XX" escapes.
	maxRawBody = 2 * maxBodyBytes
	// maxHTMLConvert is how much HTML markup htmlToText converts. Its
	// document tree takes up to about 120 times the markup's size (for
	// markup as dense as "<li>a"), so this bounds it near 30 MiB. The new
	// text stands at the top of a mail, before the quoted history.
	maxHTMLConvert = 256 << 10
)

// bodyText keeps a text/plain or text/html body part, up to maxBodyBytes
// of each kind in all. Only the first maxRawBody bytes of the part are
// read into memory; the multipart reader skips the rest, and parts of a
// kind that is already full are not read at all.
func (p *parser) bodyText(h *message.Header, mediaType string, params map[string]string, body io.Reader) {
	isHTML := mediaType == "text/html"
	kept, used := &p.plain, &p.plainBytes
	if isHTML {
		kept, used = &p.html, &p.htmlBytes
	}
	if *used >= maxBodyBytes {
		return
	}
	// A truncated part keeps what could be read.
	raw, _ := readAll(io.LimitReader(body, maxRawBody))
	data := decodeTransfer(h.Get("Content-Transfer-Encoding"), raw)
	text := cutAt(decodeCharset(data, params["charset"], isHTML), maxBodyBytes-*used)
	if !isHTML && strings.EqualFold(params["format"], "flowed") {
		text = unflow(cleanText(text), strings.EqualFold(params["delsp"], "yes"))
	}
	*kept = append(*kept, text)
	*used += len(text)
}

// cutAt returns the longest prefix of s of at most n bytes that does not
// split a UTF-8 sequence.
func cutAt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// readAll reads r to its end in chunks that grow from 512 bytes to 1 MiB,
// then joins them, so that reading n bytes allocates about 2n where
// io.ReadAll (growing its buffer by a quarter at a time) allocates about
// 5n: an attachment that fills a mail of the largest size is read in two
// copies' room. A read error returns what was read before it.
func readAll(r io.Reader) ([]byte, error) {
	var (
		chunks [][]byte
		total  int
		err    error
	)
	for size := 512; err == nil; size = min(2*size, 1<<20) {
		c := make([]byte, size)
		var n int
		n, err = io.ReadFull(r, c)
		if n > 0 {
			chunks = append(chunks, c[:n])
			total += n
		}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil
	}
	if len(chunks) == 1 {
		return chunks[0], err
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out, err
}
