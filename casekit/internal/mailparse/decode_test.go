package mailparse

import "testing"

func TestDecodeCharset(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		label  string
		isHTML bool
		want   string
	}{
		{"utf-8", "caf\xc3\xa9", "UTF-8", false, "café"},
		{"utf-8 quoted label", "caf\xc3\xa9", `"utf-8"`, false, "café"},
		{"iso-8859-1 as windows-1252", "\x93caf\xe9\x94", "ISO-8859-1", false, "“café”"},
		{"windows-1252", "\x80 5 \x96 ok", "windows-1252", false, "€ 5 – ok"},
		{"us-ascii holding UTF-8", "caf\xc3\xa9", "us-ascii", false, "café"},
		{"us-ascii holding Latin-1", "caf\xe9", "us-ascii", false, "café"},
		{"no label, ASCII", "plain", "", false, "plain"},
		{"koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "KOI8-R", false, "Привет"},
		{"shift_jis", "\x83\x65\x83\x58\x83\x67", "Shift_JIS", false, "テスト"},
		{"iso-2022-jp", "\x1b$B%F%9%H\x1b(B", "iso-2022-jp", false, "テスト"},
		{"iso-8859-2", "\xb1", "iso-8859-2", false, "ą"},
		{"gb2312", "\xc4\xe3\xba\xc3", "gb2312", false, "你好"},
		{"unknown label, Latin-1 bytes", "caf\xe9", "x-unknown", false, "café"},
		{"html meta", "<meta charset=\"iso-8859-7\">\xe1", "", true, "<meta charset=\"iso-8859-7\">α"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decodeCharset([]byte(tt.data), tt.label, tt.isHTML); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecodeTransfer(t *testing.T) {
	tests := []struct {
		name, enc, raw, want string
	}{
		{"7bit", "7bit", "as is=41", "as is=41"},
		{"unknown", "x-uuencode", "begin 644", "begin 644"},
		{"base64", "base64", "aGVs\r\nbG8=\r\n", "hello"},
		{"base64 upper case, spaces", " BASE64 ", "aGVs bG8=", "hello"},
		{"base64 with garbage", "base64", "aGVs*bG8g\nd29y!bGQ", "hello world"},
		{"base64 dangling char", "base64", "aGVsbG8gd", "hello "},
		{"quoted-printable", "quoted-printable", "caf=C3=A9 =\r\nsoft", "café soft"},
		{"quoted-printable broken", "quoted-printable", "a=ZZ b=\x01 c=4", "a=ZZ b=\x01 c=4"},
		{"quoted-printable soft break at the end", "quoted-printable", "end=", "end"},
		{"quoted-printable lower-case hex, broken", "quoted-printable", "=c3=a9\x01", "é\x01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(decodeTransfer(tt.enc, []byte(tt.raw))); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRFC2231Param(t *testing.T) {
	tests := []struct {
		name, value, param string
		want               string
		ok                 bool
	}{
		{"single", `attachment; filename*=UTF-8''M%C3%BCller.pdf`, "filename", "Müller.pdf", true},
		{"latin-1", `attachment; filename*=iso-8859-1'de'Stra%DFe.txt`, "filename", "Straße.txt", true},
		{"continued, mixed", "attachment;\r\n filename*0*=iso-8859-1''Gr%FC; filename*1=\"ne Liste\"; filename*2*=.csv", "filename", "Grüne Liste.csv", true},
		{"quoted encoded value", `attachment; filename*="utf-8''a%20b.txt"`, "filename", "a b.txt", true},
		{"no charset quotes", `attachment; filename*=plain.txt`, "filename", "", false},
		{"absent", `attachment; filename="a.txt"`, "filename", "", false},
		{"gap ends the value", `attachment; filename*0*=utf-8''a; filename*2*=c`, "filename", "a", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := rfc2231Param(tt.value, tt.param)
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	in := "\ufeffa\r\nb\rc\x00d\x1be\tf\u0085g\xff"
	if got, want := cleanText(in), "a\nb\ncde\tfg\ufffd"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLooseParam(t *testing.T) {
	tests := []struct {
		v, name string
		want    string
		ok      bool
	}{
		{`multipart/mixed; boundary=----=_Part_7_1.2`, "boundary", "----=_Part_7_1.2", true},
		{`multipart/mixed; BOUNDARY="a b"; x=y`, "boundary", "a b", true},
		{`text/plain; xcharset=a; charset = koi8-r`, "charset", "koi8-r", true},
		{`text/plain; charset=`, "charset", "", false},
		{`multipart/mixed boundary=x`, "boundary", "", false},
		// Bytes whose strings.ToLower form is longer than they are.
		{"\x87;BoundArY", "boundary", "", false},
		{"İİİ; boundary=b", "boundary", "b", true},
	}
	for _, tt := range tests {
		got, ok := looseParam(tt.v, tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("looseParam(%q, %q) = %q, %v; want %q, %v", tt.v, tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
