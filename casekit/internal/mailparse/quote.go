package mailparse

import (
	"regexp"
	"strings"
)

// foldQuote splits plain text into the new content and the quoted history
// that trails it. The history starts at the earliest of:
//
//   - an Outlook separator: a "-----Original Message-----" line (and its
//     translations), or a header block "From: / Sent: / Subject:" (with
//     "To:" and "Cc:" lines, in several languages) with the line of
//     underscores Outlook puts above it; all that follows is history;
//   - the trailing block of ">" lines (blank lines may stand between them);
//     quotes followed by new text, as in an interleaved reply, stay;
//
// and it takes along the attribution line above it ("On <date>, <name>
// wrote:", "Am ... schrieb ...:", "Le ... a écrit :" and the like), also
// when a mail client wrapped that line in two or three.
//
// Forwarded messages ("---------- Forwarded message ---------") are content,
// not history, and are not folded.
func foldQuote(text string) (body, quoted string) {
	lines := strings.Split(text, "\n")
	cut := outlookStart(lines)

	// The trailing quote block within lines[:cut].
	end := cut
	for end > 0 && isBlank(lines[end-1]) {
		end--
	}
	if end > 0 && isQuoteLine(lines[end-1]) {
		k := end
		for k > 0 && (isQuoteLine(lines[k-1]) || isBlank(lines[k-1])) {
			k--
		}
		for isBlank(lines[k]) {
			k++
		}
		cut = k
	}

	// The attribution line above the history (or ending the text).
	above := cut
	for above > 0 && isBlank(lines[above-1]) {
		above--
	}
	if n := attributionLines(lines[:above], cut < len(lines)); n > 0 {
		cut = above - n
	}

	return trimBlankLines(strings.Join(lines[:cut], "\n")), trimBlankLines(strings.Join(lines[cut:], "\n"))
}

var (
	originalMessageRe = regexp.MustCompile(`(?i)^-{2,}\s*(original message|ursprüngliche nachricht|originalnachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|originalmeddelande|oprindelig meddelelse|opprinnelig melding)\s*-{2,}$`)
	forwardMarkerRe   = regexp.MustCompile(`(?i)(forwarded message|begin forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado)`)
	underscoresRe     = regexp.MustCompile(`^_{8,}$`)
)

// Field names of a quoted message header, in the languages Outlook writes
// them in, by role.
const (
	fieldOther = iota
	fieldFrom
	fieldSent
	fieldSubject
)

var headerFields = map[string]int{
	"from": fieldFrom, "von": fieldFrom, "de": fieldFrom, "van": fieldFrom, "da": fieldFrom,
	"från": fieldFrom, "fra": fieldFrom, "od": fieldFrom, "от": fieldFrom,
	"sent": fieldSent, "date": fieldSent, "gesendet": fieldSent, "datum": fieldSent,
	"envoyé": fieldSent, "enviado": fieldSent, "enviado el": fieldSent, "inviato": fieldSent,
	"verzonden": fieldSent, "skickat": fieldSent, "sendt": fieldSent, "отправлено": fieldSent,
	"subject": fieldSubject, "betreff": fieldSubject, "objet": fieldSubject, "asunto": fieldSubject,
	"oggetto": fieldSubject, "onderwerp": fieldSubject, "ämne": fieldSubject, "emne": fieldSubject,
	"тема": fieldSubject,
}

// headerField tells which quoted-header field a trimmed line starts, as in
// "From: x", "De : x" or Outlook's bold "*From:* x".
func headerField(t string) int {
	t = strings.TrimPrefix(t, "*")
	i := strings.IndexByte(t, ':')
	if i <= 0 || i > 24 {
		return fieldOther
	}
	return headerFields[strings.ToLower(strings.TrimSpace(t[:i]))]
}

// outlookStart returns the index of the first line of an Outlook-style
// history, or len(lines).
func outlookStart(lines []string) int {
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || t[0] == '>' {
			continue
		}
		if originalMessageRe.MatchString(t) {
			return i
		}
		if headerField(t) != fieldFrom || !isHeaderBlock(lines[i+1:]) {
			continue
		}
		prev := i - 1
		for prev >= 0 && isBlank(lines[prev]) {
			prev--
		}
		if prev >= 0 {
			p := strings.TrimSpace(lines[prev])
			if forwardMarkerRe.MatchString(p) {
				continue
			}
			if underscoresRe.MatchString(p) || originalMessageRe.MatchString(p) {
				return prev
			}
		}
		return i
	}
	return len(lines)
}

// isHeaderBlock reports whether the lines after a "From:" line carry the
// date and subject lines of a quoted message header, without a blank line
// between.
func isHeaderBlock(lines []string) bool {
	var sent, subject bool
	for i := 0; i < len(lines) && i < 6; i++ {
		t := strings.TrimSpace(lines[i])
		if t == "" {
			break
		}
		switch headerField(t) {
		case fieldSent:
			sent = true
		case fieldSubject:
			subject = true
		}
	}
	return sent && subject
}

var (
	// Attributions that name themselves by their first and last words.
	attributionRes = []*regexp.Regexp{
		regexp.MustCompile(`^On\s.{1,300}\swrote\s?:$`),
		regexp.MustCompile(`^Am\s.{1,300}\sschrieb\s.{0,300}:$`),
		regexp.MustCompile(`^Am\s.{1,300}\shat\s.{1,300}\sgeschrieben\s?:$`),
		regexp.MustCompile(`^Le\s.{1,300}\sa écrit\s?:$`),
		regexp.MustCompile(`^El\s.{1,300}\sescribió\s?:$`),
		regexp.MustCompile(`^Il\s.{1,300}\sha scritto\s?:$`),
		regexp.MustCompile(`^Op\s.{1,300}\sschreef\s.{0,300}:$`),
		regexp.MustCompile(`^Em\s.{1,300}\sescreveu\s?:$`),
		regexp.MustCompile(`^\d{4}年\d{1,2}月\d{1,2}日.{1,300}:$`), // Gmail in Japanese
	}
	// "John Doe <john@example.com> wrote:", taken only right above a quote.
	looseAttributionRe = regexp.MustCompile(`(?i)^.{1,200}\s(wrote|writes|schrieb|a écrit|escribió|ha scritto|schreef|escreveu)\s?:$`)
)

// attributionLines returns how many of the last lines (one to three: mail
// clients wrap long ones) form an attribution line, or 0. aboveQuote allows
// the looser one-line "X wrote:" form.
func attributionLines(lines []string, aboveQuote bool) int {
	for n := 1; n <= 3 && n <= len(lines); n++ {
		group := lines[len(lines)-n:]
		if isBlank(group[0]) {
			break
		}
		s := normalizeSpace(strings.Join(group, " "))
		if len(s) > 400 {
			break
		}
		for _, re := range attributionRes {
			if re.MatchString(s) {
				return n
			}
		}
	}
	if aboveQuote && len(lines) > 0 {
		s := normalizeSpace(lines[len(lines)-1])
		if len(s) <= 400 && looseAttributionRe.MatchString(s) {
			return 1
		}
	}
	return 0
}

// normalizeSpace collapses white space, including the no-break spaces
// French typography puts before a colon (Unicode white space both), into
// single spaces.
func normalizeSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func isBlank(l string) bool { return strings.TrimSpace(l) == "" }

func isQuoteLine(l string) bool {
	return strings.HasPrefix(strings.TrimLeft(l, " \t"), ">")
}

// trimBlankLines drops the blank lines before the first and after the
// last line of text, and trailing white space; the first line keeps its
// indentation.
func trimBlankLines(s string) string {
	s = strings.TrimRight(s, " \t\n")
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 || strings.TrimSpace(s[:i]) != "" {
			break
		}
		s = s[i+1:]
	}
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return s
}

// unflow joins the soft line breaks of a format=flowed text (RFC 3676):
// a line ending in a space continues on the next line of the same quote
// depth. Space-stuffing is undone, and with delsp=yes the space before a
// soft break is removed. Quoted lines come out as ">" markers and a space.
func unflow(text string, delsp bool) string {
	lines := strings.Split(text, "\n")
	var out []string
	var cur strings.Builder
	curDepth := -1
	flush := func() {
		if curDepth < 0 {
			return
		}
		line := cur.String()
		if line != "-- " {
			line = strings.TrimRight(line, " ")
		}
		if curDepth > 0 {
			line = strings.TrimRight(strings.Repeat(">", curDepth)+" "+line, " ")
		}
		out = append(out, line)
		cur.Reset()
		curDepth = -1
	}
	for _, l := range lines {
		depth := 0
		for depth < len(l) && l[depth] == '>' {
			depth++
		}
		content := l[depth:]
		content = strings.TrimPrefix(content, " ")
		if curDepth >= 0 && depth != curDepth {
			flush()
		}
		soft := strings.HasSuffix(content, " ") && content != "-- "
		if soft && delsp {
			content = content[:len(content)-1]
		}
		cur.WriteString(content)
		curDepth = depth
		if !soft {
			flush()
		}
	}
	flush()
	return strings.Join(out, "\n")
}
