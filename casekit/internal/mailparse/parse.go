package mailparse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// Parse reads one e-mail in RFC 5322 form (as delivered: CRLF or LF line
// ends; a byte-order mark, blank lines or an mbox "From " line in front
// are skipped) and returns what case management needs of it. Parse is
// safe for concurrent use and keeps no reference to raw.
//
// It returns an error wrapping ErrTooLarge when the message exceeds limits
// and one wrapping ErrMalformed when it cannot be read as an e-mail: no
// header, no From address, or a multipart body in which the boundary is
// never found. A multipart whose end is missing (a truncated message)
// keeps the parts that could be read.
func Parse(raw []byte, limits Limits) (*Mail, error) {
	lim := limits.withDefaults()
	if int64(len(raw)) > lim.MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(raw), lim.MaxSize)
	}
	raw = trimPreamble(raw)

	br := bufio.NewReader(bytes.NewReader(raw))
	th, err := textproto.ReadHeader(br)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: reading the header: %s", ErrMalformed, clip(err.Error()))
	}
	if th.Len() == 0 {
		return nil, fmt.Errorf("%w: no header fields", ErrMalformed)
	}
	h := mail.Header{Header: message.Header{Header: th}}

	m := &Mail{
		MessageID:  firstOrEmpty(messageIDs(&h, "Message-Id")),
		InReplyTo:  messageIDs(&h, "In-Reply-To"),
		References: messageIDs(&h, "References"),
		To:         addressList(&h, "To"),
		Cc:         addressList(&h, "Cc"),
	}
	from := addressList(&h, "From")
	if len(from) == 0 {
		if strings.TrimSpace(h.Get("From")) == "" {
			return nil, fmt.Errorf("%w: no From header", ErrMalformed)
		}
		return nil, fmt.Errorf("%w: no address in From header %q", ErrMalformed, clip(oneLine(h.Get("From"))))
	}
	m.From = from[0]
	for _, v := range h.Values("Delivered-To") {
		if a, ok := looseAddress(v); ok {
			m.DeliveredTo = append(m.DeliveredTo, a.Email)
		}
	}
	for f := th.Fields(); f.Next(); {
		if k := strings.ToLower(f.Key()); strings.HasPrefix(k, "list-") {
			m.List = true
			break
		}
	}
	if s, err := h.Subject(); err == nil {
		m.Subject = oneLine(s)
	} else {
		m.Subject = oneLine(h.Get("Subject"))
	}
	if d, err := h.Date(); err == nil {
		m.Date = d
	}
	rootType, _ := mediaParams(&h.Header, "Content-Type")
	m.AutoReply = isAutoReply(&h, rootType)

	p := &parser{lim: lim}
	if err := p.walk(th, br, 0); err != nil {
		return nil, err
	}

	plain := cleanText(strings.Join(p.plain, "\n"))
	m.HTML = cleanText(strings.Join(p.html, "\n"))
	if strings.TrimSpace(plain) != "" || m.HTML == "" {
		m.Text, m.Quoted = foldQuote(plain)
	} else {
		m.Text, m.Quoted = htmlToText(m.HTML)
	}
	m.Attachments = p.attachments
	return m, nil
}

// parser walks the MIME tree of one message.
type parser struct {
	lim         Limits
	parts       int
	plain, html []string
	// plainBytes and htmlBytes count what plain and html hold.
	plainBytes, htmlBytes int
	attachments           []Attachment
}

// walk reads one entity: a multipart's children in turn, or a leaf as
// body text or attachment.
func (p *parser) walk(th textproto.Header, body io.Reader, depth int) error {
	p.parts++
	if p.parts > p.lim.MaxParts {
		return fmt.Errorf("%w: more than %d MIME parts", ErrTooLarge, p.lim.MaxParts)
	}
	if depth > maxDepth {
		return fmt.Errorf("%w: multiparts nested more than %d deep", ErrTooLarge, maxDepth)
	}
	h := message.Header{Header: th}
	mediaType, params := mediaParams(&h, "Content-Type")
	if mediaType == "" {
		mediaType = "text/plain"
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		return p.walkMultipart(mediaType, params["boundary"], body, depth)
	}

	// A leaf: body text or an attachment.
	disp, dparams := mediaParams(&h, "Content-Disposition")
	filename := attachmentName(&h, dparams, params)
	if (mediaType == "text/plain" || mediaType == "text/html") && disp != "attachment" && filename == "" {
		p.bodyText(&h, mediaType, params, body)
		return nil
	}

	if len(p.attachments) >= p.lim.MaxAttachments {
		return fmt.Errorf("%w: more than %d attachments", ErrTooLarge, p.lim.MaxAttachments)
	}
	// A truncated part keeps what could be read.
	raw, _ := readAll(body)
	data := decodeTransfer(h.Get("Content-Transfer-Encoding"), raw)
	cid := strings.TrimSpace(h.Get("Content-Id"))
	cid = oneLine(strings.TrimSuffix(strings.TrimPrefix(cid, "<"), ">"))
	p.attachments = append(p.attachments, Attachment{
		Filename:    filename,
		ContentType: oneLine(mediaType),
		Data:        data,
		Inline:      disp == "inline" || (disp == "" && cid != ""),
		ContentID:   cid,
	})
	return nil
}

// maxBoundary bounds a boundary's length: RFC 2046 allows 70 characters,
// and go-message's reader needs it well below its 4 KiB buffer.
const maxBoundary = 200

func (p *parser) walkMultipart(mediaType, boundary string, body io.Reader, depth int) error {
	if boundary == "" {
		return fmt.Errorf("%w: %s without a boundary", ErrMalformed, clip(mediaType))
	}
	if len(boundary) > maxBoundary {
		return fmt.Errorf("%w: %s boundary longer than %d bytes", ErrMalformed, clip(mediaType), maxBoundary)
	}
	mr := textproto.NewMultipartReader(body, boundary)
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if n == 0 {
				return fmt.Errorf("%w: %s: boundary %q: %s", ErrMalformed, clip(mediaType), oneLine(boundary), clip(err.Error()))
			}
			// Parts were read; the rest is cut off or garbled.
			return nil
		}
		if err := p.walk(part.Header, part, depth+1); err != nil {
			return err
		}
	}
}

// attachmentName returns the decoded file name of a part: the
// Content-Disposition filename, or else the Content-Type name, in their
// RFC 2231 or RFC 2047 forms.
func attachmentName(h *message.Header, dparams, params map[string]string) string {
	name := dparams["filename"]
	if name == "" {
		name, _ = rfc2231Param(h.Get("Content-Disposition"), "filename")
	}
	if name == "" {
		name = params["name"]
	}
	if name == "" {
		name, _ = rfc2231Param(h.Get("Content-Type"), "name")
	}
	return cleanFilename(name)
}

// cleanFilename keeps the last path element of a file name, so that
// "C:\Users\jan\invoice.pdf" and "../../x" name just the file.
func cleanFilename(name string) string {
	name = oneLine(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(name)
	if name == "." || name == ".." {
		return ""
	}
	return name
}

// trimPreamble drops what some mail stores and tools leave in front of a
// message: a UTF-8 byte-order mark, blank lines, an mbox "From sender
// date" separator line.
func trimPreamble(raw []byte) []byte {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	raw = bytes.TrimLeft(raw, "\r\n")
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			raw = raw[i+1:]
		}
	}
	return raw
}

func firstOrEmpty(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// clip shortens text quoted from a message for an error message: the
// reason must not carry megabytes of input into a log.
func clip(s string) string {
	const max = 120
	if len(s) <= max {
		return s
	}
	return cutAt(s, max) + "…"
}
