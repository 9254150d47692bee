package mailparse

import "testing"

func TestFoldQuote(t *testing.T) {
	tests := []struct {
		name         string
		in           string
		body, quoted string
	}{
		{
			name:   "no quote",
			in:     "Hello,\n\nthe printer works again.\n\n-- \nJane\n",
			body:   "Hello,\n\nthe printer works again.\n\n-- \nJane",
			quoted: "",
		},
		{
			name:   "trailing quote with attribution",
			in:     "Thanks!\n\nOn Mon, 4 Mar 2024 at 10:02, Acme Support <support@acme.example> wrote:\n> Hello\n>\n> Bye\n",
			body:   "Thanks!",
			quoted: "On Mon, 4 Mar 2024 at 10:02, Acme Support <support@acme.example> wrote:\n> Hello\n>\n> Bye",
		},
		{
			name:   "attribution wrapped over two lines, blank line before the quote",
			in:     "Thanks!\n\nOn Mon, Mar 4, 2024 at 10:02 AM Acme Support <\nsupport@acme.example> wrote:\n\n> Hello\n",
			body:   "Thanks!",
			quoted: "On Mon, Mar 4, 2024 at 10:02 AM Acme Support <\nsupport@acme.example> wrote:\n\n> Hello",
		},
		{
			name:   "attribution wrapped over three lines",
			in:     "Ok.\n\nOn Monday, 4 March 2024 at 10:02:17 CET, Acme Customer Support Team\n<support@acme.example>\nwrote:\n> Hello\n",
			body:   "Ok.",
			quoted: "On Monday, 4 March 2024 at 10:02:17 CET, Acme Customer Support Team\n<support@acme.example>\nwrote:\n> Hello",
		},
		{
			name:   "German",
			in:     "Danke.\n\nAm 04.03.2024 um 10:02 schrieb Acme Support <support@acme.example>:\n> Hallo\n",
			body:   "Danke.",
			quoted: "Am 04.03.2024 um 10:02 schrieb Acme Support <support@acme.example>:\n> Hallo",
		},
		{
			name:   "German Outlook for Mac",
			in:     "Danke.\n\nAm 04.03.24, 10:02 hat Acme Support <support@acme.example> geschrieben:\n> Hallo\n",
			body:   "Danke.",
			quoted: "Am 04.03.24, 10:02 hat Acme Support <support@acme.example> geschrieben:\n> Hallo",
		},
		{
			name:   "French with no-break spaces, wrapped",
			in:     "Merci.\n\nLe lun. 4 mars 2024 à 10:02, Acme Support <support@acme.example> a\u00a0écrit\u202f:\n\n> Bonjour\n",
			body:   "Merci.",
			quoted: "Le lun. 4 mars 2024 à 10:02, Acme Support <support@acme.example> a\u00a0écrit\u202f:\n\n> Bonjour",
		},
		{
			name:   "French wrapped",
			in:     "Merci.\n\nLe lun. 4 mars 2024 à 10:02, Acme Support <support@acme.example>\na écrit :\n> Bonjour\n",
			body:   "Merci.",
			quoted: "Le lun. 4 mars 2024 à 10:02, Acme Support <support@acme.example>\na écrit :\n> Bonjour",
		},
		{
			name:   "loose attribution only right above a quote",
			in:     "Sure.\n\nAcme Support <support@acme.example> wrote:\n> Can you?\n",
			body:   "Sure.",
			quoted: "Acme Support <support@acme.example> wrote:\n> Can you?",
		},
		{
			name:   "loose attribution at the end without a quote stays",
			in:     "Here is what my colleague wrote:",
			body:   "Here is what my colleague wrote:",
			quoted: "",
		},
		{
			name:   "strict attribution ending the text goes",
			in:     "Thanks.\n\nOn Mon, 4 Mar 2024, Acme Support wrote:\n",
			body:   "Thanks.",
			quoted: "On Mon, 4 Mar 2024, Acme Support wrote:",
		},
		{
			name: "interleaved reply keeps its quotes, folds the trailing block",
			in: "On Mon, Acme Support wrote:\n> Which model?\n\nLaserJet 4000.\n\n> Which firmware?\n\n2.3.9.\n\nTom\n\n" +
				"> Kind regards,\n> Acme Support\n",
			body:   "On Mon, Acme Support wrote:\n> Which model?\n\nLaserJet 4000.\n\n> Which firmware?\n\n2.3.9.\n\nTom",
			quoted: "> Kind regards,\n> Acme Support",
		},
		{
			name:   "indented quote markers",
			in:     "Yes.\n  > quoted\n  >> older\n",
			body:   "Yes.",
			quoted: "  > quoted\n  >> older",
		},
		{
			name: "Outlook original message",
			in: "Please see below.\n\nJan\n\n-----Original Message-----\nFrom: Acme <support@acme.example>\nSent: Monday\n" +
				"To: Jan\nSubject: Hello\n\nOld text\n> older quote\n",
			body:   "Please see below.\n\nJan",
			quoted: "-----Original Message-----\nFrom: Acme <support@acme.example>\nSent: Monday\nTo: Jan\nSubject: Hello\n\nOld text\n> older quote",
		},
		{
			name: "Outlook header block under underscores",
			in: "Done, thanks.\n\n________________________________\nFrom: Acme Support <support@acme.example>\n" +
				"Sent: Monday, March 4, 2024 10:12\nTo: Peter <peter@contoso.example>\nCc: Ops <ops@contoso.example>\nSubject: [#1046] Refund\n\nDear Peter,\n",
			body:   "Done, thanks.",
			quoted: "________________________________\nFrom: Acme Support <support@acme.example>\nSent: Monday, March 4, 2024 10:12\nTo: Peter <peter@contoso.example>\nCc: Ops <ops@contoso.example>\nSubject: [#1046] Refund\n\nDear Peter,",
		},
		{
			name:   "German Outlook header block with bold markers",
			in:     "Erledigt.\n\n*Von:* Acme Support <support@acme.example>\n*Gesendet:* Montag, 4. März 2024 10:12\n*An:* Peter\n*Betreff:* AW: Rechnung\n\nHallo Peter,\n",
			body:   "Erledigt.",
			quoted: "*Von:* Acme Support <support@acme.example>\n*Gesendet:* Montag, 4. März 2024 10:12\n*An:* Peter\n*Betreff:* AW: Rechnung\n\nHallo Peter,",
		},
		{
			name:   "French Outlook header block",
			in:     "C'est fait.\n\nDe : Acme Support <support@acme.example>\nEnvoyé : lundi 4 mars 2024 10:12\nÀ : Claire\nObjet : Facture\n\nBonjour,\n",
			body:   "C'est fait.",
			quoted: "De : Acme Support <support@acme.example>\nEnvoyé : lundi 4 mars 2024 10:12\nÀ : Claire\nObjet : Facture\n\nBonjour,",
		},
		{
			name:   "a From: line in the text is not a header block",
			in:     "From: the warehouse, we got 3 boxes.\nSubject: broken glass.\n",
			body:   "From: the warehouse, we got 3 boxes.\nSubject: broken glass.",
			quoted: "",
		},
		{
			name: "forwarded message is content",
			in: "FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Shop <shop@example.com>\nDate: Mon, Mar 4, 2024 at 9:00 AM\n" +
				"Subject: Your order\nTo: <jane@example.com>\n\nYour order has shipped.\n",
			body: "FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Shop <shop@example.com>\nDate: Mon, Mar 4, 2024 at 9:00 AM\n" +
				"Subject: Your order\nTo: <jane@example.com>\n\nYour order has shipped.",
			quoted: "",
		},
		{
			name:   "only a quote",
			in:     "> nothing new\n",
			body:   "",
			quoted: "> nothing new",
		},
		{
			name:   "blank",
			in:     "\n \n",
			body:   "",
			quoted: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, quoted := foldQuote(tt.in)
			if body != tt.body {
				t.Errorf("body:\n got %q\nwant %q", body, tt.body)
			}
			if quoted != tt.quoted {
				t.Errorf("quoted:\n got %q\nwant %q", quoted, tt.quoted)
			}
		})
	}
}

func TestUnflow(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		delsp bool
		want  string
	}{
		{"soft breaks joined", "This is a \nlong line.\nNext.", false, "This is a long line.\nNext."},
		{"delsp removes the space", "Lorem\u00e9 \nipsum", true, "Lorem\u00e9ipsum"},
		{"space-stuffing undone", " >not a quote\n From me", false, ">not a quote\nFrom me"},
		{"signature separator is not soft", "-- \nJane", false, "-- \nJane"},
		{"quotes flow within their depth", "> one \n> two\n>> three \n>> four\nfive", false, "> one two\n>> three four\nfive"},
		{"a soft line before another depth ends", "a \n> b", false, "a\n> b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unflow(tt.in, tt.delsp); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
