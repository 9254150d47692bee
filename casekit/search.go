package casekit

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	caseNumberRE = regexp.MustCompile(`^#([0-9]{1,18})$`)
	wordRE       = regexp.MustCompile(`[\p{L}\p{N}]+`)
)

// maxSearchTerms bounds the terms of one search.
const maxSearchTerms = 32

// parseSearch reads CaseFilter.Text: "#1042" is a case number; otherwise
// the text's words and "quoted phrases", lower-cased, letters and digits
// only, at most maxSearchTerms. Text with no word searches nothing.
func parseSearch(text string) (number int64, terms [][]string) {
	text = strings.TrimSpace(text)
	if m := caseNumberRE.FindStringSubmatch(text); m != nil {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err == nil && n > 0 {
			return n, nil
		}
	}
	for i, part := range strings.Split(text, `"`) {
		words := wordRE.FindAllString(strings.ToLower(part), -1)
		if i%2 == 1 && len(words) > 1 { // inside quotes: one phrase
			terms = append(terms, words)
			continue
		}
		for _, w := range words {
			terms = append(terms, []string{w})
		}
	}
	if len(terms) > maxSearchTerms {
		terms = terms[:maxSearchTerms]
	}
	return 0, terms
}
