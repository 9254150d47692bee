package mailparse

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText makes readable text of an HTML body and folds its quoted
// history away. The history is found by the containers mail clients wrap
// it in (see quoteMarker); when there is none, the text rendering (in
// which a <blockquote> becomes "> " lines) is folded as plain text. Only
// the first maxHTMLConvert bytes are read, which bounds the document
// tree.
func htmlToText(src string) (text, quoted string) {
	src = cutAt(src, maxHTMLConvert)
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		// Nested deeper than the parser accepts: read the tokens instead.
		return foldQuote(tokensToText(src))
	}
	m := quoteMarker(doc)
	if m == nil {
		return foldQuote(renderText(doc))
	}
	rest := detachFrom(m)
	text, quoted = renderText(doc), renderText(rest)

	// Thunderbird's "On ... wrote:" stands before its blockquote, outside
	// it; take it along.
	lines := strings.Split(text, "\n")
	end := len(lines)
	for end > 0 && isBlank(lines[end-1]) {
		end--
	}
	if n := attributionLines(lines[:end], true); n > 0 {
		quoted = strings.Join(lines[end-n:end], "\n") + "\n" + quoted
		text = strings.Join(lines[:end-n], "\n")
	}
	return trimBlankLines(text), trimBlankLines(quoted)
}

// Kinds of quote container.
const (
	notMarker = iota
	// trailingMarker holds the quote; it counts only when no text follows
	// it, so that an interleaved reply keeps its quotes.
	trailingMarker
	// toEndMarker starts the history: it and everything after it go.
	toEndMarker
)

// markerKind tells whether n is a container mail clients put the quoted
// history in: Gmail's div.gmail_quote, Apple Mail's and Thunderbird's
// blockquote[type=cite], Yahoo's and Proton's quote divs, and Outlook's
// #appendonsend, #divRplyFwdMsg and #mail-editor-reference-message-container,
// after which all is history.
func markerKind(n *html.Node) int {
	switch attr(n, "id") {
	case "appendonsend", "divRplyFwdMsg", "mail-editor-reference-message-container":
		return toEndMarker
	}
	switch n.DataAtom {
	case atom.Blockquote:
		if strings.EqualFold(attr(n, "type"), "cite") {
			return trailingMarker
		}
	case atom.Div:
		for _, c := range strings.Fields(attr(n, "class")) {
			switch c {
			case "gmail_quote", "gmail_quote_container", "yahoo_quoted", "protonmail_quote":
				return trailingMarker
			}
		}
	}
	return notMarker
}

// quoteMarker returns the first quote container that holds the history:
// a to-the-end one, or a trailing one with no text after it. Containers
// that hold a forwarded message are content and are passed over.
func quoteMarker(doc *html.Node) *html.Node {
	type candidate struct {
		n     *html.Node
		kind  int
		after int // text nodes seen when the container ended
	}
	var cands []candidate
	type frame struct {
		n    *html.Node
		exit bool
		cand int
	}
	texts := 0
	stack := []frame{{n: doc, cand: -1}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f.exit {
			cands[f.cand].after = texts
			continue
		}
		n := f.n
		switch n.Type {
		case html.TextNode:
			if strings.TrimSpace(n.Data) != "" {
				texts++
			}
			continue
		case html.ElementNode:
			if skipElement(n) {
				continue
			}
			if k := markerKind(n); k != notMarker {
				cands = append(cands, candidate{n: n, kind: k})
				stack = append(stack, frame{n: n, exit: true, cand: len(cands) - 1})
			}
		case html.DocumentNode:
		default:
			continue
		}
		for c := n.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, frame{n: c, cand: -1})
		}
	}
	for _, c := range cands {
		if c.kind == trailingMarker && c.after != texts {
			continue
		}
		if forwardMarkerRe.MatchString(firstText(c.n, 200)) {
			continue
		}
		return c.n
	}
	return nil
}

// firstText returns about the first limit bytes of text under n, looking
// at no more than a few hundred nodes.
func firstText(n *html.Node, limit int) string {
	var b strings.Builder
	stack := []*html.Node{n}
	for visits := 0; len(stack) > 0 && b.Len() < limit && visits < 500; visits++ {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
			continue
		}
		if n.Type == html.ElementNode && skipElement(n) {
			continue
		}
		for c := n.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, c)
		}
	}
	return normalizeSpace(b.String())
}

// detachFrom removes m and everything after it in document order from the
// tree and returns them under a new element.
func detachFrom(m *html.Node) *html.Node {
	nodes := []*html.Node{m}
	for n := m; n.Parent != nil; n = n.Parent {
		for s := n.NextSibling; s != nil; s = s.NextSibling {
			nodes = append(nodes, s)
		}
	}
	box := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	for _, n := range nodes {
		n.Parent.RemoveChild(n)
		box.AppendChild(n)
	}
	return box
}

// skipElement reports an element whose content is not text for a reader:
// the head, scripts and styles, embedded objects, and what the sender hid.
func skipElement(n *html.Node) bool {
	if n.Namespace != "" {
		return true // svg, math
	}
	switch n.DataAtom {
	case atom.Head, atom.Script, atom.Style, atom.Title, atom.Template, atom.Noscript,
		atom.Object, atom.Iframe, atom.Select, atom.Svg, atom.Math:
		return true
	}
	if n.DataAtom == 0 && n.Data == "xml" {
		return true // Outlook's <xml> islands
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "style":
			s := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
			if strings.Contains(s, "display:none") || strings.Contains(s, "mso-hide:all") {
				return true
			}
		}
	}
	return false
}

// renderText renders a (sub)tree as text.
func renderText(root *html.Node) string {
	var r renderer
	type frame struct {
		n    *html.Node
		exit bool
	}
	stack := []frame{{n: root}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := f.n
		if f.exit {
			r.end(n.DataAtom, n.Attr)
			continue
		}
		switch n.Type {
		case html.TextNode:
			r.text(n.Data)
			continue
		case html.ElementNode:
			if skipElement(n) {
				continue
			}
			r.start(n.DataAtom, n.Attr)
			stack = append(stack, frame{n: n, exit: true})
		case html.DocumentNode:
		default:
			continue
		}
		for c := n.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, frame{n: c})
		}
	}
	return r.String()
}

// tokensToText renders HTML from its tokens, for documents the tree parser
// refuses.
func tokensToText(src string) string {
	var r renderer
	z := html.NewTokenizer(strings.NewReader(src))
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return r.String()
		case html.TextToken:
			if skip == 0 {
				r.text(string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			t := z.Token()
			switch t.DataAtom {
			case atom.Script, atom.Style, atom.Title, atom.Template:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 {
				continue
			}
			if tt != html.EndTagToken {
				r.start(t.DataAtom, t.Attr)
			}
			if tt != html.StartTagToken {
				r.end(t.DataAtom, t.Attr)
			}
		}
	}
}

// maxPrefix caps the quote markers and list indentation a line gets, so
// that deep nesting cannot blow up the output.
const maxPrefix = 10

type outLine struct {
	depth int
	s     string
}

type linkFrame struct {
	href string
	line int // len(lines) at the start
	col  int // cur.Len() at the start; -1 at the start of a line
}

// renderer collects text the way a reader sees a page: blocks on their
// own lines, paragraphs apart, <br> as a line break, list items with
// "- ", blockquotes as "> " lines, links as "text (url)".
type renderer struct {
	lines     []outLine
	cur       strings.Builder
	curDepth  int
	lineStart int // bytes of list marker at the start of cur
	needBlank bool
	nbspLine  bool // the current, empty line held a no-break space
	quote     int
	list      int
	pre       int
	marker    string // list marker for the next line
	links     []linkFrame
}

func (r *renderer) start(a atom.Atom, attrs []html.Attribute) {
	switch a {
	case atom.Br:
		r.endLine(true)
	case atom.P:
		if isMsoParagraph(attrs) {
			r.block()
		} else {
			r.para()
		}
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Dl, atom.Figure, atom.Hr, atom.Table:
		r.para()
	case atom.Pre:
		r.para()
		r.pre++
	case atom.Ul, atom.Ol:
		r.para()
		r.list++
	case atom.Li:
		r.block()
		r.marker = strings.Repeat("  ", min(max(r.list-1, 0), maxPrefix)) + "- "
	case atom.Blockquote:
		r.block()
		r.quote++
	case atom.Div, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Main, atom.Nav,
		atom.Aside, atom.Center, atom.Tr, atom.Dt, atom.Dd, atom.Caption, atom.Details,
		atom.Summary, atom.Address, atom.Figcaption, atom.Form, atom.Fieldset:
		r.block()
	case atom.Td, atom.Th:
		r.text(" ")
	case atom.A:
		f := linkFrame{href: attrValue(attrs, "href"), line: len(r.lines), col: r.cur.Len()}
		if r.cur.Len() == 0 {
			f.col = -1
		}
		r.links = append(r.links, f)
	}
}

func (r *renderer) end(a atom.Atom, attrs []html.Attribute) {
	switch a {
	case atom.P:
		if isMsoParagraph(attrs) {
			r.block()
		} else {
			r.para()
		}
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Dl, atom.Figure, atom.Table:
		r.para()
	case atom.Pre:
		r.pre = max(r.pre-1, 0)
		r.para()
	case atom.Ul, atom.Ol:
		r.list = max(r.list-1, 0)
		r.para()
	case atom.Li:
		r.block()
		r.marker = ""
	case atom.Blockquote:
		r.block()
		r.quote = max(r.quote-1, 0)
	case atom.Div, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Main, atom.Nav,
		atom.Aside, atom.Center, atom.Tr, atom.Dt, atom.Dd, atom.Caption, atom.Details,
		atom.Summary, atom.Address, atom.Figcaption, atom.Form, atom.Fieldset:
		r.block()
	case atom.A:
		if len(r.links) == 0 {
			return
		}
		f := r.links[len(r.links)-1]
		r.links = r.links[:len(r.links)-1]
		r.endLink(f)
	}
}

// endLink writes " (url)" after a link whose text is not its address.
func (r *renderer) endLink(f linkFrame) {
	target := linkTarget(f.href)
	if target == "" {
		return
	}
	if len(r.lines) == f.line {
		col := f.col
		if col < 0 {
			col = r.lineStart
		}
		cur := r.cur.String()
		if col > len(cur) {
			return
		}
		label := strings.TrimSpace(cur[col:])
		if label == "" || sameLink(label, target) {
			return // an image link, or the address itself
		}
	}
	r.text(" (" + target + ")")
}

// linkTarget returns what to show of an href: web and FTP addresses as
// they are, mail addresses without "mailto:", nothing for anchors,
// scripts, cid: and data: URLs.
func linkTarget(href string) string {
	href = strings.TrimSpace(href)
	lower := asciiLower(href)
	switch {
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"), strings.HasPrefix(lower, "ftp://"):
		if strings.ContainsAny(href, " \t\r\n") {
			return ""
		}
		return href
	case strings.HasPrefix(lower, "mailto:"):
		addr := href[len("mailto:"):]
		if i := strings.IndexByte(addr, '?'); i >= 0 {
			addr = addr[:i]
		}
		if u, err := url.PathUnescape(addr); err == nil {
			addr = u
		}
		return strings.TrimSpace(addr)
	}
	return ""
}

// sameLink reports whether a link's text already says where it goes.
func sameLink(label, target string) bool {
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		for _, p := range []string{"mailto:", "https://", "http://", "www."} {
			s = strings.TrimPrefix(s, p)
		}
		return strings.TrimRight(s, "/")
	}
	return norm(label) == norm(target)
}

func (r *renderer) text(s string) {
	if r.pre > 0 {
		r.preText(s)
		return
	}
	nbsp := strings.ContainsRune(s, '\u00a0')
	s = collapseSpace(s)
	if r.cur.Len() == 0 {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			// A line of only no-break spaces still shows as a line, as
			// Outlook's <p class=MsoNormal>&nbsp;</p> blank lines do.
			r.nbspLine = r.nbspLine || nbsp
			return
		}
		r.startLine()
	}
	if cur := r.cur.String(); s != "" && s[0] == ' ' && cur[len(cur)-1] == ' ' {
		s = s[1:]
	}
	r.cur.WriteString(s)
}

func (r *renderer) preText(s string) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for i, seg := range strings.Split(s, "\n") {
		if i > 0 {
			r.endLine(true)
		}
		if seg == "" {
			continue
		}
		if r.cur.Len() == 0 {
			r.startLine()
		}
		r.cur.WriteString(seg)
	}
}

// startLine begins a line of content: the blank line a paragraph asked
// for, the quote depth, a pending list marker.
func (r *renderer) startLine() {
	if r.needBlank && len(r.lines) > 0 && r.lines[len(r.lines)-1].s != "" {
		r.lines = append(r.lines, outLine{depth: min(r.lines[len(r.lines)-1].depth, r.quote)})
	}
	r.needBlank = false
	r.curDepth = r.quote
	r.lineStart = len(r.marker)
	r.cur.WriteString(r.marker)
	r.marker = ""
}

// endLine ends the current line; force makes an empty line too (<br>).
func (r *renderer) endLine(force bool) {
	if r.cur.Len() == 0 {
		if force || r.nbspLine {
			r.lines = append(r.lines, outLine{depth: r.quote})
			r.needBlank = false
			r.nbspLine = false
		}
		return
	}
	r.nbspLine = false
	r.lines = append(r.lines, outLine{depth: r.curDepth, s: strings.TrimRight(r.cur.String(), " ")})
	r.cur.Reset()
	r.lineStart = 0
}

func (r *renderer) block() { r.endLine(false) }

// para ends a paragraph: the next text comes after a blank line. Inside
// lists paragraphs are only lines, or every item would stand apart.
func (r *renderer) para() {
	r.endLine(false)
	if r.list == 0 && len(r.lines) > 0 {
		r.needBlank = true
	}
}

// String returns the text: quote markers added, runs of blank lines made
// one, blank lines at either end dropped.
func (r *renderer) String() string {
	r.endLine(false)
	var b strings.Builder
	prevBlank := true
	for _, l := range r.lines {
		blank := strings.TrimSpace(l.s) == ""
		if blank && prevBlank {
			continue
		}
		prevBlank = blank
		if d := min(l.depth, maxPrefix); d > 0 {
			b.WriteString(strings.Repeat(">", d))
			if !blank {
				b.WriteByte(' ')
			}
		}
		if !blank {
			b.WriteString(l.s)
		}
		b.WriteByte('\n')
	}
	return trimBlankLines(b.String())
}

// collapseSpace turns every run of white space (no-break spaces included)
// into one space.
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, c := range s {
		switch c {
		case ' ', '\t', '\n', '\r', '\f', '\u00a0':
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		space = false
		b.WriteRune(c)
	}
	return b.String()
}

// isMsoParagraph reports Outlook's (Word's) paragraphs, class="MsoNormal"
// and kin, which have no margins: each is one line, not a paragraph.
func isMsoParagraph(attrs []html.Attribute) bool {
	for _, c := range strings.Fields(attrValue(attrs, "class")) {
		if len(c) > 3 && strings.EqualFold(c[:3], "mso") {
			return true
		}
	}
	return false
}

func attr(n *html.Node, key string) string { return attrValue(n.Attr, key) }

func attrValue(attrs []html.Attribute, key string) string {
	for _, a := range attrs {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}
