package mailparse

import "strings"

// CaseNumberFromSubject finds the case number that casekit puts into the
// subjects it sends, "[#1042]", so that a mail naming it ("Re: [#1042]
// Printer jams") can be related to that case; case numbers are no
// secret, so it never makes a mail join one. A bare "#1042" is not taken: customers write
// order and invoice numbers that way. The first bracketed number wins;
// numbers with leading zeros are read as decimal, and zero, or numbers of
// more than 18 digits, are not case numbers.
func CaseNumberFromSubject(subject string) (int64, bool) {
	s := subject
	for {
		i := strings.Index(s, "[#")
		if i < 0 {
			return 0, false
		}
		s = s[i+2:]
		var n int64
		digits := 0
		for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
			if digits < 18 {
				n = n*10 + int64(s[digits]-'0')
			}
			digits++
		}
		if digits > 0 && digits <= 18 && digits < len(s) && s[digits] == ']' && n > 0 {
			return n, true
		}
		s = s[digits:]
	}
}
