package mailparse_test

import (
	"errors"
	"fmt"

	"casekit.dev/casekit/internal/mailparse"
)

func ExampleParse() {
	raw := []byte("From: Jane Customer <jane@example.com>\r\n" +
		"To: Acme Support <support@acme.example>\r\n" +
		"Subject: Re: [#1042] Printer jams on tray 2\r\n" +
		"Message-ID: <reply-1@example.com>\r\n" +
		"In-Reply-To: <case-1042-3@acme.example>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" +
		"Still jams after the update.\r\n" +
		"\r\n" +
		"On Mon, 4 Mar 2024 at 10:02, Acme Support <support@acme.example> wrote:\r\n" +
		"> Please install firmware 2.4.1.\r\n")

	m, err := mailparse.Parse(raw, mailparse.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	n, _ := mailparse.CaseNumberFromSubject(m.Subject)
	fmt.Println("from:", m.From.Email)
	fmt.Println("case:", n)
	fmt.Println("in reply to:", m.InReplyTo)
	fmt.Printf("text: %q\n", m.Text)
	fmt.Printf("quoted: %q\n", m.Quoted)
	fmt.Println("auto-reply:", m.AutoReply)
	// Output:
	// from: jane@example.com
	// case: 1042
	// in reply to: [case-1042-3@acme.example]
	// text: "Still jams after the update."
	// quoted: "On Mon, 4 Mar 2024 at 10:02, Acme Support <support@acme.example> wrote:\n> Please install firmware 2.4.1."
	// auto-reply: false
}

func ExampleParse_errors() {
	_, err := mailparse.Parse([]byte("To: support@acme.example\r\n\r\nWho sent this?\r\n"), mailparse.Limits{})
	fmt.Println(errors.Is(err, mailparse.ErrMalformed), err)

	big := make([]byte, 2048)
	_, err = mailparse.Parse(big, mailparse.Limits{MaxSize: 1024})
	fmt.Println(errors.Is(err, mailparse.ErrTooLarge), err)
	// Output:
	// true mailparse: malformed message: no From header
	// true mailparse: message too large: 2048 bytes, limit 1024
}

func ExampleCaseNumberFromSubject() {
	for _, s := range []string{"AW: [#1042] Drucker", "Order #1042 broken"} {
		n, ok := mailparse.CaseNumberFromSubject(s)
		fmt.Println(n, ok)
	}
	// Output:
	// 1042 true
	// 0 false
}
