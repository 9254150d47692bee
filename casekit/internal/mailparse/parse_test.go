package mailparse

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type wantAttachment struct {
	Filename    string
	ContentType string
	Inline      bool
	ContentID   string
	DataFile    string // testdata file the data must equal
	Data        string // or the data itself
	Size        int    // or at least its size
}

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file         string
		messageID    string
		inReplyTo    []string
		references   []string
		from         Address
		to, cc       []Address
		subject      string
		date         string // RFC 3339
		text         string
		quoted       string
		htmlContains string // "" means HTML must be empty
		attachments  []wantAttachment
		autoReply    bool
	}{
		{
			file:       "gmail_reply.eml",
			messageID:  "CAJx9+Lm3kqz0=Yw3dV4c5x_QF7Lr8a+oMn3XW1xkY9c@mail.gmail.com",
			inReplyTo:  []string{"case-1042-3@acme.example"},
			references: []string{"case-1042-1@acme.example", "case-1042-3@acme.example"},
			from:       Address{Name: "Jane Customer", Email: "jane.customer@gmail.com"},
			to:         []Address{{Name: "Acme Support", Email: "support@acme.example"}},
			cc:         []Address{{Name: "Doe, John", Email: "john.doe@example.com"}, {Email: "mary@example.com"}},
			subject:    "Re: [#1042] Printer jams on tray 2",
			date:       "2024-03-04T11:16:29+01:00",
			text: "Hi,\n\n" +
				"the new firmware didn’t help — tray 2 still jams after about 20 pages. I attached nothing this time, the error code is E-301.\n\n" +
				"Jane",
			quoted: "On Mon, Mar 4, 2024 at 10:02\u202fAM Acme Support <support@acme.example>\nwrote:\n\n" +
				"> Hello Jane,\n>\n" +
				"> please install firmware 2.4.1 and tell us whether the problem persists.\n>\n" +
				"> Kind regards,\n> Acme Support\n>",
			htmlContains: `<div class="gmail_quote gmail_quote_container">`,
		},
		{
			file:       "outlook_attachment.eml",
			messageID:  "AM0PR04MB6456E2C1A5B8D3F9A0C1B2D4C9A52@AM0PR04MB6456.eurprd04.prod.outlook.com",
			inReplyTo:  []string{"case-1043-1@acme.example"},
			references: []string{"case-1043-1@acme.example"},
			from:       Address{Name: "Jan Kowalski", Email: "jan.kowalski@kowalski-bau.example"},
			to:         []Address{{Name: "Acme Support", Email: "support@acme.example"}},
			cc:         []Address{{Name: "Ewa Nowak", Email: "ewa.nowak@kowalski-bau.example"}},
			subject:    "RE: [#1043] Invoice 2024-0117 wrong VAT rate",
			date:       "2024-03-05T08:41:12Z",
			text: "Hello,\n\n" +
				"invoice 2024-0117 was issued with 8% VAT instead of 23%. Please correct it; the corrected PDF is attached with our remarks.\n\n" +
				"Best regards\nJan Kowalski\nKowalski Bau Sp. z o.o.",
			quoted: "-----Original Message-----\n" +
				"From: Acme Support <support@acme.example> \n" +
				"Sent: Monday, March 4, 2024 4:55 PM\n" +
				"To: Jan Kowalski <jan.kowalski@kowalski-bau.example>\n" +
				"Subject: [#1043] Invoice 2024-0117 wrong VAT rate\n\n" +
				"Dear Mr Kowalski,\n\n" +
				"we received your request and will get back to you shortly.\n\n" +
				"Acme Support",
			htmlContains: `<p class="MsoNormal">Hello,<o:p></o:p></p>`,
			attachments: []wantAttachment{{
				Filename: "Invoice 2024-0117 corrected.pdf", ContentType: "application/pdf", DataFile: "invoice.pdf",
			}},
		},
		{
			file:       "apple_inline_image.eml",
			messageID:  "5F1C2D3E-4A5B-6C7D-8E9F-0A1B2C3D4E5F@icloud.com",
			inReplyTo:  []string{"case-1044-2@acme.example"},
			references: []string{"case-1044-1@acme.example", "case-1044-2@acme.example"},
			from:       Address{Name: "Marie Dupont", Email: "marie.dupont@icloud.com"},
			to:         []Address{{Name: "Acme Support", Email: "support@acme.example"}},
			subject:    "Re: [#1044] Screen flickers after update",
			date:       "2024-03-06T14:03:22+01:00",
			text:       "Hello,\n\nhere is a screenshot of the flickering screen.\n\nMarie",
			quoted: "> On 6 Mar 2024, at 09:12, Acme Support <support@acme.example> wrote:\n> \n" +
				"> Hello Marie,\n> \n> could you send us a screenshot?\n> \n> Acme Support\n>",
			htmlContains: `<img src="cid:0E5D8F2A-1B3C-4D5E-8F9A-0B1C2D3E4F5A" alt="screenshot.png">`,
			attachments: []wantAttachment{{
				Filename: "screenshot.png", ContentType: "image/png", Inline: true,
				ContentID: "0E5D8F2A-1B3C-4D5E-8F9A-0B1C2D3E4F5A", DataFile: "screenshot.png",
			}},
		},
		{
			file:       "thunderbird_latin1_flowed.eml",
			messageID:  "3b1f2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d@posteo.de",
			inReplyTo:  []string{"case-1045-1@acme.example"},
			references: []string{"case-1045-1@acme.example"},
			from:       Address{Name: "Jürgen Müller", Email: "juergen.mueller@posteo.de"},
			to:         []Address{{Name: "Acme Support", Email: "support@acme.example"}},
			subject:    "Re: [#1045] Lieferung beschädigt",
			date:       "2024-03-07T09:30:14+01:00",
			text: "Hallo,\n\n" +
				"die Ersatzlieferung ist heute angekommen, aber die Verpackung war erneut beschädigt. Zwei der Gläser sind zerbrochen. Fotos schicke ich gern nach.\n\n" +
				"Viele Grüße\nJürgen Müller",
			quoted: "Am 05.03.24 um 16:20 schrieb Acme Support:\n" +
				"> Sehr geehrter Herr Müller,\n>\n" +
				"> wir haben Ihnen heute eine Ersatzlieferung geschickt.\n>\n" +
				"> Mit freundlichen Grüßen\n> Acme Support",
		},
		{
			file:       "outlook_web_html_only.eml",
			messageID:  "DB9PR83MB0923A1B2C3D4E5F6A7B8C9D0E1F2A@DB9PR83MB0923.EURPRD83.prod.outlook.com",
			inReplyTo:  []string{"case-1046-2@acme.example"},
			references: []string{"case-1046-2@acme.example"},
			from:       Address{Name: "Peter Smith", Email: "peter.smith@contoso.example"},
			to:         []Address{{Name: "Acme Support", Email: "support@acme.example"}},
			subject:    "RE: [#1046] Refund of €49.90 – still pending",
			date:       "2024-03-08T15:22:09Z",
			text: "Hello,\n\n" +
				"it’s been two weeks and the refund of €49.90 hasn’t arrived. Order: #88231 (https://shop.acme.example/orders/88231), see https://shop.acme.example/returns\n\n" +
				"- Paid with: Visa\n- Returned on: 19 February\n\n" +
				"Thanks,\nPeter",
			quoted: "From: Acme Support <support@acme.example>\n" +
				"Sent: Monday, March 4, 2024 10:12\n" +
				"To: Peter Smith <peter.smith@contoso.example>\n" +
				"Subject: [#1046] Refund of €49.90\n\n" +
				"Dear Peter, your refund has been approved.",
			htmlContains: "the refund of €49.90 hasn’t arrived",
		},
		{
			file:       "thunderbird_html_only.eml",
			messageID:  "8c2d4e6f-0a1b-4c3d-9e8f-7a6b5c4d3e2f@laposte.example",
			inReplyTo:  []string{"case-1049-1@acme.example"},
			references: []string{"case-1049-1@acme.example"},
			from:       Address{Name: "Claire Martin", Email: "claire.martin@laposte.example"},
			to:         []Address{{Name: "Acme Support", Email: "support@acme.example"}},
			subject:    "Re: [#1049] Numéro de série",
			date:       "2024-03-07T08:05:51+01:00",
			text: "Bonjour,\n\n" +
				"merci pour votre réponse. Le numéro de série est SN-7781-AX.\nJe reste disponible :\n\n" +
				"- par téléphone le matin,\n- par e-mail claire.martin@laposte.example.\n\n" +
				"Cordialement,\nClaire Martin",
			// No-break spaces become spaces in text made from HTML.
			quoted: "Le 06/03/2024 à 17:45, Acme Support a écrit :\n" +
				"> Bonjour Madame Martin,\n>\n" +
				"> pourriez-vous nous indiquer le numéro de série de l'appareil ?\n>\n" +
				"> Acme Support",
			htmlContains: `<blockquote type="cite" cite="mid:case-1049-1@acme.example">`,
		},
		{
			file:      "iso2022jp.eml",
			messageID: "20240308104100.8F2A.TARO@yamada-shoji.example.jp",
			inReplyTo: []string{"case-1047-1@acme.example"},
			from:      Address{Name: "山田 太郎", Email: "taro.yamada@yamada-shoji.example.jp"},
			to:        []Address{{Email: "support@acme.example"}},
			subject:   "Re: [#1047] 請求書の再発行",
			date:      "2024-03-08T10:41:00+09:00",
			text: "Acmeサポートご担当者様\n\n" +
				"請求書の宛名を「株式会社山田商事」に変更して再発行していただけますでしょうか。\n\n" +
				"山田太郎",
			quoted: "2024年3月7日(木) 10:00 Acme Support <support@acme.example>:\n" +
				"> 山田様\n>\n> 請求書をお送りします。",
		},
		{
			file:      "shift_jis.eml",
			messageID: "000001da7123$4a5b6c70$df0e4550$@example.ne.jp",
			from:      Address{Name: "佐藤 花子", Email: "sato@example.ne.jp"},
			to:        []Address{{Email: "support@acme.example"}},
			subject:   "トナー未着",
			date:      "2024-03-08T12:00:00+09:00",
			text:      "お世話になっております。\nプリンターのトナーが届いていません。\n\n佐藤",
		},
		{
			file:      "koi8r.eml",
			messageID: "1712345678.20240311133700@mail.example.ru",
			from:      Address{Name: "Иван Петров", Email: "ivan.petrov@mail.example.ru"},
			to:        []Address{{Email: "support@acme.example"}},
			subject:   "Оплата не прошла",
			date:      "2024-03-11T13:37:00+03:00",
			text: "Здравствуйте!\n\n" +
				"Счёт N 2024-0311 до сих пор не оплачен, хотя деньги списаны.\n\n" +
				"-- \nС уважением,\n Иван Петров",
		},
		{
			file:      "rfc2231_filenames.eml",
			messageID: "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d@example.de",
			from:      Address{Name: "Anna Schmidt", Email: "anna.schmidt@example.de"},
			to:        []Address{{Name: "Acme Support", Email: "support@acme.example"}},
			subject:   "Unterlagen zur Reklamation",
			date:      "2024-03-09T10:12:40+01:00",
			text:      "Guten Tag,\n\nanbei die Unterlagen.\n\nAnna",
			attachments: []wantAttachment{
				{Filename: "Kostenvoranschlag Müller €.pdf", ContentType: "application/pdf", DataFile: "invoice.pdf"},
				{Filename: "Договор поставки № 17.pdf", ContentType: "application/pdf", DataFile: "invoice.pdf"},
				// ISO-8859-1 in RFC 2231, which the standard library drops;
				// the data keeps its own charset.
				{Filename: "Straßenliste.txt", ContentType: "text/plain", Data: "Hauptstra\xdfe 1\nGro\xdfe Allee 7\n"},
				{Filename: "Fälle 2024.jpg", ContentType: "image/jpeg", Size: 91},
				{Filename: "Your invoice 2024-0309.eml", ContentType: "message/rfc822", Size: 344},
			},
		},
		{
			file:       "autoreply.eml",
			messageID:  "1b2c3d4e5f6a4b7c8d9e0f1a2b3c4d5e@VI1PR08MB5325.eurprd08.prod.outlook.com",
			inReplyTo:  []string{"case-1048-1@acme.example"},
			references: []string{"case-1048-1@acme.example"},
			from:       Address{Name: "Sarah Lee", Email: "sarah.lee@fabrikam.example"},
			to:         []Address{{Name: "Acme Support", Email: "support@acme.example"}},
			subject:    "Automatic reply: [#1048] Your request has been received",
			date:       "2024-03-08T07:00:03Z",
			text: "I am out of the office until 18 March with limited access to e-mail. " +
				"For urgent matters please contact my colleague Tom Baker (tom.baker@fabrikam.example).\n\nSarah",
			autoReply: true,
		},
		{
			file:       "mutt_interleaved.eml",
			messageID:  "Zemj3Xq0lk3kWm7b@baker.example.org",
			inReplyTo:  []string{"case-1050-1@acme.example"},
			references: []string{"case-1050-1@acme.example"},
			from:       Address{Name: "Tom Baker", Email: "tom@baker.example.org"},
			to:         []Address{{Name: "Acme Support", Email: "support@acme.example"}},
			subject:    "Re: [#1050] Which printer model?",
			date:       "2024-03-07T12:14:05+01:00",
			// Interleaved: every quote is followed by an answer; the
			// signature stays.
			text: "On Thu, Mar 07, 2024 at 11:02:44AM +0100, Acme Support wrote:\n" +
				"> Which model do you have?\n\nLaserJet 4000.\n\n" +
				"> And which firmware version?\n\n2.3.9, I think.\n\n" +
				"-- \nTom Baker",
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw := readTestdata(t, tt.file)
			m, err := Parse(raw, Limits{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			check := func(field string, got, want any) {
				t.Helper()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s:\n got %#v\nwant %#v", field, got, want)
				}
			}
			check("MessageID", m.MessageID, tt.messageID)
			check("InReplyTo", m.InReplyTo, tt.inReplyTo)
			check("References", m.References, tt.references)
			check("From", m.From, tt.from)
			check("To", m.To, tt.to)
			check("Cc", m.Cc, tt.cc)
			check("Subject", m.Subject, tt.subject)
			wantDate, err := time.Parse(time.RFC3339, tt.date)
			if err != nil {
				t.Fatal(err)
			}
			if !m.Date.Equal(wantDate) {
				t.Errorf("Date = %v, want %v", m.Date, wantDate)
			}
			check("Text", m.Text, tt.text)
			check("Quoted", m.Quoted, tt.quoted)
			check("AutoReply", m.AutoReply, tt.autoReply)
			if tt.htmlContains == "" {
				check("HTML", m.HTML, "")
			} else if !strings.Contains(m.HTML, tt.htmlContains) {
				t.Errorf("HTML lacks %q:\n%s", tt.htmlContains, m.HTML)
			}
			if len(m.Attachments) != len(tt.attachments) {
				t.Fatalf("%d attachments, want %d: %+v", len(m.Attachments), len(tt.attachments), m.Attachments)
			}
			for i, w := range tt.attachments {
				a := m.Attachments[i]
				check("Filename", a.Filename, w.Filename)
				check("ContentType", a.ContentType, w.ContentType)
				check("Inline", a.Inline, w.Inline)
				check("ContentID", a.ContentID, w.ContentID)
				switch {
				case w.DataFile != "":
					if !bytes.Equal(a.Data, readTestdata(t, w.DataFile)) {
						t.Errorf("%s: data differs from %s", a.Filename, w.DataFile)
					}
				case w.Data != "":
					check("Data", string(a.Data), w.Data)
				default:
					check("len(Data)", len(a.Data), w.Size)
				}
			}
		})
	}
}

func TestParseForwardedMessageKeptWhole(t *testing.T) {
	m, err := Parse(readTestdata(t, "rfc2231_filenames.eml"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	eml := m.Attachments[len(m.Attachments)-1]
	inner, err := Parse(eml.Data, Limits{})
	if err != nil {
		t.Fatalf("the attached message does not parse: %v", err)
	}
	if inner.Subject != "Your invoice 2024-0309" || inner.Text != "Dear customer, please find your invoice attached." {
		t.Errorf("attached message = %q / %q", inner.Subject, inner.Text)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		raw    []byte
		limits Limits
		want   error
		reason string
	}{
		{"no header", readTestdata(t, "malformed_no_header.eml"), Limits{}, ErrMalformed, "malformed MIME header line"},
		{"broken boundary", readTestdata(t, "malformed_boundary.eml"), Limits{}, ErrMalformed, `boundary "expected-boundary"`},
		{"no From", readTestdata(t, "malformed_no_from.eml"), Limits{}, ErrMalformed, "no From header"},
		{"empty", nil, Limits{}, ErrMalformed, "no header fields"},
		{"From without address", []byte("From: Jane Customer\r\nSubject: hi\r\n\r\nbody\r\n"), Limits{}, ErrMalformed, `no address in From header "Jane Customer"`},
		{"long garbage is clipped", []byte("From: " + strings.Repeat("Jane ", 10000) + "\n\nx"), Limits{}, ErrMalformed, "Jane Jane …"},
		{"long garbage header line is clipped", []byte(strings.Repeat("no colon here ", 10000)), Limits{}, ErrMalformed, "malformed MIME header line"},
		{"multipart without boundary", []byte("From: a@example.com\nContent-Type: multipart/mixed\n\nbody\n"), Limits{}, ErrMalformed, "multipart/mixed without a boundary"},
		{"oversized", readTestdata(t, "gmail_reply.eml"), Limits{MaxSize: 1024}, ErrTooLarge, "limit 1024"},
		{"too many parts", readTestdata(t, "many_parts.eml"), Limits{MaxParts: 8}, ErrTooLarge, "more than 8 MIME parts"},
		{"too many attachments", readTestdata(t, "many_parts.eml"), Limits{MaxAttachments: 5}, ErrTooLarge, "more than 5 attachments"},
		{"nested too deep", nestedMultipart(maxDepth + 2), Limits{}, ErrTooLarge, "nested more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.raw, tt.limits)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if m != nil {
				t.Errorf("got a Mail with an error")
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("err = %q, want it to say %q", err, tt.reason)
			}
			if len(err.Error()) > 400 {
				t.Errorf("error message of %d bytes", len(err.Error()))
			}
		})
	}
}

func TestParseLimitsAtTheEdge(t *testing.T) {
	raw := readTestdata(t, "many_parts.eml")
	// The message, its multipart/mixed and 13 leaves: 14 parts.
	m, err := Parse(raw, Limits{MaxSize: int64(len(raw)), MaxParts: 14, MaxAttachments: 12})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 12 {
		t.Errorf("%d attachments, want 12", len(m.Attachments))
	}
	if _, err := Parse(raw, Limits{MaxParts: 13}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxParts 13: err = %v, want ErrTooLarge", err)
	}
	if _, err := Parse(raw, Limits{MaxSize: int64(len(raw)) - 1}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("MaxSize len-1: err = %v, want ErrTooLarge", err)
	}
	if d := (Limits{MaxSize: -1}).withDefaults(); d.MaxSize != DefaultMaxSize || d.MaxParts != DefaultMaxParts || d.MaxAttachments != DefaultMaxAttachments {
		t.Errorf("defaults = %+v", d)
	}
}

// nestedMultipart builds a message whose multiparts nest depth deep.
func nestedMultipart(depth int) []byte {
	var b strings.Builder
	b.WriteString("From: deep@example.com\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n")
	for i := 1; i <= depth; i++ {
		b.WriteString("--b" + itoa(i-1) + "\r\nContent-Type: multipart/mixed; boundary=b" + itoa(i) + "\r\n\r\n")
	}
	b.WriteString("--b" + itoa(depth) + "\r\nContent-Type: text/plain\r\n\r\ndeep\r\n")
	for i := depth; i >= 0; i-- {
		b.WriteString("--b" + itoa(i) + "--\r\n")
	}
	return []byte(b.String())
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func TestParseNestedWithinDepth(t *testing.T) {
	m, err := Parse(nestedMultipart(maxDepth-1), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "deep" {
		t.Errorf("Text = %q", m.Text)
	}
}

// Mail in the wild is sloppy; these still parse.
func TestParseLenient(t *testing.T) {
	tests := []struct {
		name  string
		raw   string
		check func(t *testing.T, m *Mail)
	}{
		{
			name: "mbox From line, headers only",
			raw:  "From jane@example.com Mon Mar  4 10:00:00 2024\nFrom: jane@example.com\nSubject: empty\n",
			check: func(t *testing.T, m *Mail) {
				if m.From.Email != "jane@example.com" || m.Subject != "empty" || m.Text != "" {
					t.Errorf("got %+v", m)
				}
			},
		},
		{
			name: "byte-order mark and blank line in front",
			raw:  "\xef\xbb\xbf\r\nFrom: jane@example.com\r\n\r\nhi\r\n",
			check: func(t *testing.T, m *Mail) {
				if m.From.Email != "jane@example.com" || m.Text != "hi" {
					t.Errorf("got %+v", m)
				}
			},
		},
		{
			name: "unclosed angle bracket in From",
			raw:  "From: Jane Customer <jane@example.com\nTo: Support <support@acme.example>, \"Doe, John\" john@example.com\n\nhi\n",
			check: func(t *testing.T, m *Mail) {
				if m.From != (Address{Name: "Jane Customer", Email: "jane@example.com"}) {
					t.Errorf("From = %+v", m.From)
				}
				want := []Address{{Name: "Support", Email: "support@acme.example"}, {Email: "john@example.com"}}
				if !reflect.DeepEqual(m.To, want) {
					t.Errorf("To = %+v", m.To)
				}
			},
		},
		{
			name: "message IDs with comments and without domain",
			raw: "From: a@example.com\nMessage-ID: <12345.ABC>\n" +
				"In-Reply-To: <x1@example.com> (Jane's message of Mon, 4 Mar 2024)\n" +
				"References: <x0@example.com>\n <x1@example.com>\n\nhi\n",
			check: func(t *testing.T, m *Mail) {
				if m.MessageID != "12345.ABC" {
					t.Errorf("MessageID = %q", m.MessageID)
				}
				if !reflect.DeepEqual(m.InReplyTo, []string{"x1@example.com"}) {
					t.Errorf("InReplyTo = %q", m.InReplyTo)
				}
				if !reflect.DeepEqual(m.References, []string{"x0@example.com", "x1@example.com"}) {
					t.Errorf("References = %q", m.References)
				}
			},
		},
		{
			name: "missing closing boundary keeps the parts read",
			raw: "From: a@example.com\nContent-Type: multipart/mixed; boundary=\"XYZ\"\n\n--XYZ\n" +
				"Content-Type: text/plain\n\nfirst part\n--XYZ\nContent-Type: application/pdf; name=a.pdf\n" +
				"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK",
			check: func(t *testing.T, m *Mail) {
				if m.Text != "first part" {
					t.Errorf("Text = %q", m.Text)
				}
				if len(m.Attachments) != 1 || string(m.Attachments[0].Data) != "%PDF-1.4\n" {
					t.Errorf("Attachments = %+v", m.Attachments)
				}
			},
		},
		{
			name: "unquoted boundary with =",
			raw: "From: a@example.com\nContent-Type: multipart/alternative; boundary=----=_Part_7_1.2\n\n" +
				"------=_Part_7_1.2\nContent-Type: text/plain; charset=utf-8\n\nplain\n------=_Part_7_1.2--\n",
			check: func(t *testing.T, m *Mail) {
				if m.Text != "plain" {
					t.Errorf("Text = %q", m.Text)
				}
			},
		},
		{
			name: "broken base64 and quoted-printable keep the rest",
			raw: "From: a@example.com\nContent-Type: multipart/mixed; boundary=B\n\n--B\n" +
				"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" +
				"Gr=C3=BC=C3=9Fe =\x01 and =ZZ stay\n--B\nContent-Type: application/octet-stream\n" +
				"Content-Transfer-Encoding: base64\n\naGVsbG8g!!d29y\nbGQ=\n--B--\n",
			check: func(t *testing.T, m *Mail) {
				if m.Text != "Grüße = and =ZZ stay" {
					t.Errorf("Text = %q", m.Text)
				}
				if len(m.Attachments) != 1 || string(m.Attachments[0].Data) != "hello world" {
					t.Errorf("Attachments = %+v", m.Attachments)
				}
			},
		},
		{
			name: "unknown and missing charsets",
			raw: "From: a@example.com\nContent-Type: multipart/mixed; boundary=B\n\n--B\n" +
				"Content-Type: text/plain; charset=x-unknown\n\nna\xefve caf\xe9 \x93quoted\x94\n--B\n" +
				"Content-Type: text/plain\n\nalready UTF-8: caf\xc3\xa9\n--B--\n",
			check: func(t *testing.T, m *Mail) {
				if m.Text != "naïve café “quoted”\nalready UTF-8: café" {
					t.Errorf("Text = %q", m.Text)
				}
			},
		},
		{
			name: "ISO-8859-1 label with Windows-1252 quotes, NUL removed",
			raw:  "From: a@example.com\nContent-Type: text/plain; charset=iso-8859-1\n\n\x93Gr\xfc\xdfe\x94\x00 \x80 5\n",
			check: func(t *testing.T, m *Mail) {
				if m.Text != "“Grüße” € 5" {
					t.Errorf("Text = %q", m.Text)
				}
			},
		},
		{
			name: "empty text/plain next to HTML: text from HTML",
			raw: "From: a@example.com\nContent-Type: multipart/alternative; boundary=B\n\n--B\n" +
				"Content-Type: text/plain\n\n\n--B\nContent-Type: text/html\n\n<p>Hello <b>there</b></p>\n--B--\n",
			check: func(t *testing.T, m *Mail) {
				if m.Text != "Hello there" || m.HTML != "<p>Hello <b>there</b></p>" {
					t.Errorf("Text = %q HTML = %q", m.Text, m.HTML)
				}
			},
		},
		{
			name: "HTML without charset declares it in a meta",
			raw: "From: a@example.com\nContent-Type: text/html\n\n" +
				"<html><head><meta charset=\"koi8-r\"></head><body>\xf0\xd2\xc9\xd7\xc5\xd4</body></html>\n",
			check: func(t *testing.T, m *Mail) {
				if m.Text != "Привет" {
					t.Errorf("Text = %q", m.Text)
				}
			},
		},
		{
			name: "text parts around an inline image are joined",
			raw: "From: a@example.com\nContent-Type: multipart/mixed; boundary=B\n\n--B\n" +
				"Content-Type: text/plain\n\nBefore the photo.\n--B\nContent-Type: image/jpeg\n" +
				"Content-Disposition: inline\nContent-Transfer-Encoding: base64\n\n/9j/\n--B\n" +
				"Content-Type: text/plain\n\nAfter the photo.\n--B--\n",
			check: func(t *testing.T, m *Mail) {
				if m.Text != "Before the photo.\nAfter the photo." {
					t.Errorf("Text = %q", m.Text)
				}
				if len(m.Attachments) != 1 || !m.Attachments[0].Inline || m.Attachments[0].Filename != "" {
					t.Errorf("Attachments = %+v", m.Attachments)
				}
			},
		},
		{
			name: "file names lose their directories",
			raw: "From: a@example.com\nContent-Type: multipart/mixed; boundary=B\n\n--B\n" +
				"Content-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"C:\\\\Users\\\\jan\\\\..\\\\report.xlsx\"\n\nx\n--B\n" +
				"Content-Type: application/octet-stream; name=\"../../etc/passwd\"\n\ny\n--B--\n",
			check: func(t *testing.T, m *Mail) {
				if len(m.Attachments) != 2 || m.Attachments[0].Filename != "report.xlsx" || m.Attachments[1].Filename != "passwd" {
					t.Errorf("Attachments = %+v", m.Attachments)
				}
			},
		},
		{
			name: "unreadable date is zero, subject unfolded",
			raw:  "From: a@example.com\nDate: sometime last week\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\n =?UTF-8?Q?_aus_K=C3=B6ln?=\n\tand more\n\nhi\n",
			check: func(t *testing.T, m *Mail) {
				if !m.Date.IsZero() {
					t.Errorf("Date = %v", m.Date)
				}
				if m.Subject != "Grüße aus Köln and more" {
					t.Errorf("Subject = %q", m.Subject)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.raw), Limits{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.check(t, m)
		})
	}
}

func TestParseAutoReply(t *testing.T) {
	tests := []struct {
		headers string
		want    bool
	}{
		{"", false},
		{"Auto-Submitted: no\n", false},
		{"Auto-Submitted: auto-replied\n", true},
		{"Auto-Submitted: auto-generated (vacation)\n", true},
		{"Auto-Submitted: auto-notified; owner-email=\"me@example.com\"\n", true},
		{"Precedence: bulk\n", true},
		{"Precedence: junk\n", true},
		{"Precedence: list\n", true},
		{"Precedence: first-class\n", false},
		{"X-Autoreply: yes\n", true},
		{"X-Autorespond: Out of office\n", true},
		{"X-Auto-Response-Suppress: All\n", true},
		{"X-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply\n", true},
		{"X-Auto-Response-Suppress: DR\n", false},
		{"Return-Path: <>\n", true},
		{"Return-Path: <bounce@example.com>\n", false},
		{"Content-Type: multipart/report; report-type=delivery-status; boundary=R\n", true},
	}
	for _, tt := range tests {
		raw := "From: a@example.com\n" + tt.headers + "\n"
		if strings.Contains(tt.headers, "multipart") {
			raw += "--R\nContent-Type: text/plain\n\nundeliverable\n--R--\n"
		}
		m, err := Parse([]byte(raw), Limits{})
		if err != nil {
			t.Fatalf("%q: %v", tt.headers, err)
		}
		if m.AutoReply != tt.want {
			t.Errorf("%q: AutoReply = %v, want %v", tt.headers, m.AutoReply, tt.want)
		}
	}
}

func TestParseConcurrent(t *testing.T) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			wg.Go(func() {
				m, err := Parse(raw, Limits{})
				if err == nil && !utf8.ValidString(m.Text) {
					t.Errorf("%s: invalid UTF-8", f)
				}
			})
		}
	}
	wg.Wait()
}

func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"gmail_reply.eml", "outlook_attachment.eml", "outlook_web_html_only.eml", "rfc2231_filenames.eml"} {
		raw := readTestdata(b, name)
		b.Run(strings.TrimSuffix(name, ".eml"), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := Parse(raw, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
