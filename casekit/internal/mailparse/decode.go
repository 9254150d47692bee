package mailparse

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	htmlcharset "golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
)

// decodeTransfer removes a part's Content-Transfer-Encoding with
// go-message's decoders. When those stop at broken input (a stray
// character in base64, a bad "=" escape in quoted-printable), the whole
// part is decoded again leniently so that one bad line does not lose the
// rest. Unknown encodings leave the bytes as they are.
func decodeTransfer(enc string, raw []byte) []byte {
	enc = strings.ToLower(strings.TrimSpace(enc))
	if enc != "base64" && enc != "quoted-printable" {
		return raw
	}
	// A header with only the transfer encoding: go-message then applies no
	// charset, which is done separately for body text only.
	var h message.Header
	h.Set("Content-Transfer-Encoding", enc)
	e, err := message.New(h, bytes.NewReader(raw))
	if err == nil {
		// Decoding never lengthens the data: base64 makes three bytes of
		// four characters, quoted-printable one of one to three. So one
		// buffer of that size holds it all, and a buffer that fills up
		// means the decoder went wrong.
		bound := len(raw)
		if enc == "base64" {
			bound = len(raw)/4*3 + 3
		}
		out := make([]byte, bound+1)
		n, err := io.ReadFull(e.Body, out)
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return out[:n]
		}
	}
	if enc == "base64" {
		return looseBase64(raw)
	}
	return looseQuotedPrintable(raw)
}

// looseBase64 decodes every base64 character in raw, skipping anything
// else, and ignores padding and a dangling last character.
func looseBase64(raw []byte) []byte {
	clean := make([]byte, 0, len(raw))
	for _, c := range raw {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			clean = append(clean, c)
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, _ := base64.RawStdEncoding.Decode(out, clean)
	return out[:n]
}

// looseQuotedPrintable decodes "=XX" escapes and soft line breaks and keeps
// every other byte, including malformed escapes, as it is.
func looseQuotedPrintable(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '=' {
			out = append(out, c)
			continue
		}
		// Soft line break: "=" then optional white space then a line end.
		j := i + 1
		for j < len(raw) && (raw[j] == ' ' || raw[j] == '\t') {
			j++
		}
		if j == len(raw) {
			i = j
			continue
		}
		if raw[j] == '\n' {
			i = j
			continue
		}
		if raw[j] == '\r' && j+1 < len(raw) && raw[j+1] == '\n' {
			i = j + 1
			continue
		}
		if i+2 < len(raw) {
			if hi, ok := unhex(raw[i+1]); ok {
				if lo, ok := unhex(raw[i+2]); ok {
					out = append(out, hi<<4|lo)
					i += 2
					continue
				}
			}
		}
		out = append(out, c)
	}
	return out
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// decodeCharset turns body text in the named charset into UTF-8.
//
// Mail in the wild is often mislabelled, so: ISO-8859-1 and US-ASCII are
// read as Windows-1252 (their superset for printable text, as browsers and
// mail readers do); text with no or an unknown charset is taken as UTF-8
// when it is valid UTF-8, and otherwise as the charset an HTML document
// declares in a <meta> or, failing that, Windows-1252. A charset declared
// as UTF-8 is trusted: invalid bytes become U+FFFD.
func decodeCharset(data []byte, label string, isHTML bool) string {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	switch label {
	case "utf-8", "utf8":
		return string(data)
	case "", "us-ascii", "ascii", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "windows-1252", "cp1252":
		if label != "" && isASCII(data) {
			return string(data)
		}
		if label == "" || strings.Contains(label, "ascii") {
			return guessCharset(data, isHTML)
		}
		return decodeWith(charmap.Windows1252.NewDecoder().Reader(bytes.NewReader(data)), data)
	}
	r, err := charset.Reader(label, bytes.NewReader(data))
	if err != nil || r == nil {
		return guessCharset(data, isHTML)
	}
	return decodeWith(r, data)
}

func guessCharset(data []byte, isHTML bool) string {
	if utf8.Valid(data) {
		return string(data)
	}
	if isHTML {
		if enc, _, _ := htmlcharset.DetermineEncoding(data, "text/html"); enc != nil {
			return decodeWith(enc.NewDecoder().Reader(bytes.NewReader(data)), data)
		}
	}
	return decodeWith(charmap.Windows1252.NewDecoder().Reader(bytes.NewReader(data)), data)
}

// decodeWith reads a charset decoder to its end. Decoders replace bad
// input with U+FFFD; should one fail outright, what it produced stands.
func decodeWith(r io.Reader, data []byte) string {
	var b strings.Builder
	b.Grow(len(data) + len(data)/2)
	_, _ = io.Copy(&b, r)
	return b.String()
}

func isASCII(data []byte) bool {
	for _, c := range data {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// cleanText makes decoded body text safe to store: valid UTF-8, "\n" line
// ends, no byte-order mark, and no control characters but tab and line
// feed (PostgreSQL refuses NUL in text).
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n':
			return r
		case r == '\r':
			return '\n'
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\uFEFF':
			return -1
		}
		return r
	}, s)
}

// mediaParams parses a Content-Type or Content-Disposition value. It uses
// go-message's parser (which decodes RFC 2231 and RFC 2047 parameters) and
// falls back to the standard library's, which still returns the media type
// when only a parameter is broken, and then to picking the wanted
// parameters out by hand: unquoted boundaries such as
// "----=_Part_1" are common and invalid.
func mediaParams(h *message.Header, key string) (string, map[string]string) {
	v := h.Get(key)
	if strings.TrimSpace(v) == "" {
		return "", map[string]string{}
	}
	var (
		value  string
		params map[string]string
		err    error
	)
	if key == "Content-Type" {
		value, params, err = h.ContentType()
	} else {
		value, params, err = h.ContentDisposition()
	}
	if err == nil {
		if params == nil {
			params = map[string]string{}
		}
		return strings.ToLower(value), params
	}
	value, _, _ = mime.ParseMediaType(v)
	if value == "" {
		value = v
		if i := strings.IndexByte(value, ';'); i >= 0 {
			value = value[:i]
		}
		value = strings.ToLower(strings.TrimSpace(value))
	}
	params = map[string]string{}
	for _, name := range []string{"boundary", "charset", "name", "filename", "format", "delsp"} {
		if p, ok := looseParam(v, name); ok {
			if dec, err := wordDecoder.DecodeHeader(p); err == nil {
				p = dec
			}
			params[name] = p
		}
	}
	return value, params
}

// looseParam finds name=value or name="value" in a header value.
func looseParam(v, name string) (string, bool) {
	lower := asciiLower(v) // same length as v, unlike strings.ToLower
	from := 0
	for {
		i := strings.Index(lower[from:], name)
		if i < 0 {
			return "", false
		}
		i += from
		from = i + len(name)
		// The name must start a parameter: after ";" and white space.
		before := strings.TrimRight(lower[:i], " \t\r\n")
		if !strings.HasSuffix(before, ";") {
			continue
		}
		rest := strings.TrimLeft(v[i+len(name):], " \t\r\n")
		if !strings.HasPrefix(rest, "=") {
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t\r\n")
		if strings.HasPrefix(rest, `"`) {
			rest = rest[1:]
			if j := strings.IndexByte(rest, '"'); j >= 0 {
				rest = rest[:j]
			}
			return rest, true
		}
		if j := strings.IndexAny(rest, "; \t\r\n"); j >= 0 {
			rest = rest[:j]
		}
		return rest, rest != ""
	}
}

// rfc2231Param decodes an RFC 2231 parameter (name*=charset'lang'value,
// or continued as name*0*=, name*1*=, ...) in any charset. The standard
// library decodes only UTF-8 and US-ASCII ones and drops the rest, such as
// the ISO-8859-1 file names of older mail clients.
func rfc2231Param(v, name string) (string, bool) {
	name = strings.ToLower(name)
	type segment struct {
		encoded bool
		value   string
	}
	segs := map[int]segment{}
	for _, p := range splitParams(v) {
		k, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.TrimSpace(val)
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1]
		}
		rest, ok := strings.CutPrefix(k, name+"*")
		if !ok {
			continue
		}
		if rest == "" {
			segs[0] = segment{encoded: true, value: val}
			continue
		}
		encoded := strings.HasSuffix(rest, "*")
		rest = strings.TrimSuffix(rest, "*")
		n := 0
		for _, c := range rest {
			if c < '0' || c > '9' || n > 1000 {
				n = -1
				break
			}
			n = n*10 + int(c-'0')
		}
		if n >= 0 {
			segs[n] = segment{encoded: encoded, value: val}
		}
	}
	first, ok := segs[0]
	if !ok {
		return "", false
	}
	var label string
	var data []byte
	for i := 0; ; i++ {
		s, ok := segs[i]
		if !ok {
			break
		}
		val := s.value
		if i == 0 && first.encoded {
			parts := strings.SplitN(val, "'", 3)
			if len(parts) != 3 {
				return "", false
			}
			label, val = parts[0], parts[2]
		}
		if s.encoded {
			data = append(data, percentDecode(val)...)
		} else {
			data = append(data, val...)
		}
	}
	return decodeCharset(data, label, false), true
}

// splitParams splits a header value at the semicolons outside quotes.
func splitParams(v string) []string {
	var out []string
	quoted := false
	start := 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '"':
			quoted = !quoted
		case ';':
			if !quoted {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	if start < len(v) {
		out = append(out, v[start:])
	}
	return out
}

func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if hi, ok := unhex(s[i+1]); ok {
				if lo, ok := unhex(s[i+2]); ok {
					out = append(out, hi<<4|lo)
					i += 2
					continue
				}
			}
		}
		out = append(out, s[i])
	}
	return out
}

// asciiLower lowers the ASCII letters of s and leaves every other byte,
// so that offsets in the result are offsets in s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
