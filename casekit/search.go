package casekit

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	caseNumberRE = regexp.MustCompile(`^#([0-9]{1,18})$`)
	wordRE       = regexp.MustCompile(`[\p{L}\p{N}]+`)
)

// maxSearchWords bounds the words of one search, phrases' words included.
// A case must hold every word, so each word more narrows the list while
// it costs the index another posting list: on a tenant of a million
// cases, eight words that are each in 10–20% of them take PostgreSQL's
// GIN indexes about 0.2 s to intersect (BENCHMARKS.md). More words are
// refused, not dropped, so a search never means less than what was typed.
const maxSearchWords = 8

// parseSearch reads CaseFilter.Text: "#1042" is a case number; otherwise
// the text's words and "quoted phrases", lower-cased, letters and digits
// only, each once. Text with no word searches nothing. More than
// maxSearchWords words is a ValidationError on "text".
func parseSearch(text string) (number int64, terms [][]string, err error) {
	text = strings.TrimSpace(text)
	if m := caseNumberRE.FindStringSubmatch(text); m != nil {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err == nil && n > 0 {
			return n, nil, nil
		}
	}
	words := 0
	add := func(term []string) {
		if !slices.ContainsFunc(terms, func(t []string) bool { return slices.Equal(t, term) }) {
			terms = append(terms, term)
			words += len(term)
		}
	}
	for i, part := range strings.Split(text, `"`) {
		found := wordRE.FindAllString(strings.ToLower(part), -1)
		if i%2 == 1 && len(found) > 1 { // inside quotes: one phrase
			add(found)
			continue
		}
		for _, w := range found {
			add([]string{w})
		}
	}
	if words > maxSearchWords {
		return 0, nil, invalid("text", "max_words", "has %d different words; a search may have at most %d", words, maxSearchWords)
	}
	return 0, terms, nil
}
