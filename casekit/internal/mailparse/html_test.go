package mailparse

import (
	"strings"
	"testing"
)

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name         string
		in           string
		text, quoted string
	}{
		{
			name: "paragraphs, line breaks, whitespace and entities",
			in:   "<p>Hello   <b>Jane</b>,\n  how are you?</p><p>Line one<br>Line two<br><br>After a blank&nbsp;line &amp; &lt;tags&gt; &euro;5</p>",
			text: "Hello Jane, how are you?\n\nLine one\nLine two\n\nAfter a blank line & <tags> €5",
		},
		{
			name: "Gmail divs",
			in:   `<div dir="ltr"><div>Hi,</div><div><br></div><div>it works.</div><div><br></div><div>Jane</div></div>`,
			text: "Hi,\n\nit works.\n\nJane",
		},
		{
			name: "head, script, style, comments and hidden parts dropped",
			in: `<html><head><title>T</title><style>p{color:red}</style></head><body><!-- c --><script>alert(1)</script>` +
				`<span style="display: none">preheader</span><div hidden>also hidden</div><p>Visible</p><noscript>no</noscript></body></html>`,
			text: "Visible",
		},
		{
			name: "lists",
			in:   "<p>Steps:</p><ol><li>Open</li><li>Close<ul><li>gently</li></ul></li></ol><p>Done</p>",
			text: "Steps:\n\n- Open\n- Close\n  - gently\n\nDone",
		},
		{
			name: "list items holding paragraphs",
			in:   "<ul><li><p>One</p></li><li><div>Two</div></li></ul>",
			text: "- One\n- Two",
		},
		{
			name: "links",
			in: `<p><a href="https://acme.example/track?id=1">Track</a>, <a href="https://acme.example/">acme.example</a>, ` +
				`<a href="mailto:help@acme.example?subject=Hi">help@acme.example</a>, <a href="mailto:help@acme.example">write us</a>, ` +
				`<a href="#top">top</a>, <a href="javascript:void(0)">js</a>, <a href="https://acme.example/logo"><img src="cid:logo"></a></p>`,
			text: "Track (https://acme.example/track?id=1), acme.example, help@acme.example, write us (help@acme.example), top, js,",
		},
		{
			name: "Outlook Word paragraphs are lines",
			in:   `<p class=MsoNormal>Hello,<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Thanks<o:p></o:p></p><p class=MsoNormal>Jan<o:p></o:p></p>`,
			text: "Hello,\n\nThanks\nJan",
		},
		{
			name: "tables",
			in:   "<table><tr><td>Order</td><td>88231</td></tr><tr><th>Total</th><td>€49.90</td></tr></table><p>Bye</p>",
			text: "Order 88231\nTotal €49.90\n\nBye",
		},
		{
			name: "pre keeps its lines",
			in:   "<p>Log:</p><pre>E-301  tray 2\n  at page 20\n</pre><p>end</p>",
			text: "Log:\n\nE-301  tray 2\n  at page 20\n\nend",
		},
		{
			name:   "Gmail quote",
			in:     `<div dir="ltr">Thanks!</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Mar 4, 2024 at 10:02 AM Acme &lt;<a href="mailto:s@acme.example">s@acme.example</a>&gt; wrote:<br></div><blockquote class="gmail_quote">Hello<br>there</blockquote></div>`,
			text:   "Thanks!",
			quoted: "On Mon, Mar 4, 2024 at 10:02 AM Acme <s@acme.example> wrote:\n> Hello\n> there",
		},
		{
			name:   "Gmail forward is content",
			in:     `<div dir="ltr">FYI</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: Shop</div><div>Your order shipped.</div></div>`,
			text:   "FYI\n\n---------- Forwarded message ---------\nFrom: Shop\nYour order shipped.",
			quoted: "",
		},
		{
			name:   "Thunderbird cite prefix outside the blockquote",
			in:     `<p>Fine.</p><div class="moz-cite-prefix">Am 05.03.24 um 16:20 schrieb Acme Support:<br></div><blockquote type="cite"><p>Hallo</p></blockquote>`,
			text:   "Fine.",
			quoted: "Am 05.03.24 um 16:20 schrieb Acme Support:\n> Hallo",
		},
		{
			name: "Apple interleaved: only the trailing cite goes",
			in: `<div>Answers inline.</div><blockquote type="cite"><div>Which model?</div></blockquote><div>LaserJet.</div>` +
				`<blockquote type="cite"><div>Firmware?</div></blockquote><div>2.3.9</div><div><br></div><blockquote type="cite"><div>Regards</div></blockquote><div><br></div>`,
			text:   "Answers inline.\n> Which model?\nLaserJet.\n> Firmware?\n2.3.9",
			quoted: "> Regards",
		},
		{
			name:   "bottom posting keeps all",
			in:     `<blockquote type="cite">Question?</blockquote><div>Answer.</div>`,
			text:   "> Question?\nAnswer.",
			quoted: "",
		},
		{
			name: "Outlook divRplyFwdMsg folds to the end",
			in: `<div>Done.</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Acme<br><b>Sent:</b> Monday<br><b>Subject:</b> Hi</div>` +
				`<div>Old text</div>`,
			text:   "Done.",
			quoted: "From: Acme\nSent: Monday\nSubject: Hi\nOld text",
		},
		{
			name:   "Outlook divRplyFwdMsg alone",
			in:     `<div>Done.</div><hr><div id="divRplyFwdMsg"><b>From:</b> Acme</div><div>Old text</div>`,
			text:   "Done.",
			quoted: "From: Acme\nOld text",
		},
		{
			name:   "Outlook desktop without markers falls back to the header block",
			in:     `<p class=MsoNormal>Done.</p><div style="border-top:solid #E1E1E1 1.0pt"><p class=MsoNormal><b>From:</b> Acme<br><b>Sent:</b> Monday<br><b>To:</b> Jan<br><b>Subject:</b> Hi</p></div><p class=MsoNormal>Old</p>`,
			text:   "Done.",
			quoted: "From: Acme\nSent: Monday\nTo: Jan\nSubject: Hi\nOld",
		},
		{
			name:   "plain blockquote folded as a trailing quote",
			in:     `<p>Yes.</p><p>On Monday, Acme wrote:</p><blockquote><p>Can you?</p><p>Thanks</p></blockquote>`,
			text:   "Yes.",
			quoted: "On Monday, Acme wrote:\n\n> Can you?\n>\n> Thanks",
		},
		{
			name:   "nested quotes",
			in:     `<p>New</p><blockquote type="cite">Mid<blockquote type="cite">Old</blockquote></blockquote>`,
			text:   "New",
			quoted: "> Mid\n>> Old",
		},
		{
			name: "no body at all",
			in:   "",
			text: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, quoted := htmlToText(tt.in)
			if text != tt.text {
				t.Errorf("text:\n got %q\nwant %q", text, tt.text)
			}
			if quoted != tt.quoted {
				t.Errorf("quoted:\n got %q\nwant %q", quoted, tt.quoted)
			}
		})
	}
}

// html.Parse refuses documents nested deeper than 512 elements; they are
// read token by token instead, and deep quotes do not blow up the output.
func TestHTMLToTextTooDeep(t *testing.T) {
	in := strings.Repeat("<blockquote>", 600) + "deep<br>text" + strings.Repeat("</blockquote>", 600) + "<p>after</p>"
	text, quoted := htmlToText(in)
	prefix := strings.Repeat(">", maxPrefix) + " "
	if text != prefix+"deep\n"+prefix+"text\n\nafter" || quoted != "" {
		t.Errorf("text = %q, quoted = %q", text, quoted)
	}
}
