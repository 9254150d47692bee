package mailparse

import "testing"

func TestCaseNumberFromSubject(t *testing.T) {
	tests := []struct {
		subject string
		want    int64
		ok      bool
	}{
		{"[#1042] Printer jams", 1042, true},
		{"Re: [#1042] Printer jams", 1042, true},
		{"AW: RE: Fwd: [#7] x", 7, true},
		{"Re: Printer jams [#1042]", 1042, true},
		{"[#0042] leading zeros", 42, true},
		{"Order #1042 arrived broken", 0, false},
		{"#1042", 0, false},
		{"[1042]", 0, false},
		{"[# 1042]", 0, false},
		{"[#1042 ] space", 0, false},
		{"[#] empty", 0, false},
		{"[#0] zero", 0, false},
		{"[#12a] letters", 0, false},
		{"[#1042", 0, false},
		{"[#12x] then [#34]", 34, true},
		{"[#12] then [#34]", 12, true},
		{"[#123456789012345678] 18 digits", 123456789012345678, true},
		{"[#1234567890123456789] 19 digits", 0, false},
		{"[#99999999999999999999999]", 0, false},
		{"", 0, false},
		{"[[#5]]", 5, true},
		{"［#5］ full-width", 0, false},
	}
	for _, tt := range tests {
		got, ok := CaseNumberFromSubject(tt.subject)
		if got != tt.want || ok != tt.ok {
			t.Errorf("CaseNumberFromSubject(%q) = %d, %v; want %d, %v", tt.subject, got, ok, tt.want, tt.ok)
		}
	}
}
