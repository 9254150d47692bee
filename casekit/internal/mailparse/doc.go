// Package mailparse turns an inbound customer e-mail, as raw RFC 5322
// bytes, into what case management needs: the thread identifiers that find
// the case, the sender, the new text with the quoted history folded away,
// the HTML as sent, the attachments, and whether the mail was sent by a
// machine (so that no automatic answer starts a mail loop).
//
//	m, err := mailparse.Parse(raw, mailparse.Limits{})
//	if errors.Is(err, mailparse.ErrTooLarge) { ... }
//	n, ok := mailparse.CaseNumberFromSubject(m.Subject) // "Re: [#1042] ..." -> 1042
//
// MIME structure, header decoding and addresses come from
// github.com/emersion/go-message; non-UTF-8 charsets are decoded with its
// charset package (importing this package therefore sets
// message.CharsetReader, as that package does). HTML is read with
// golang.org/x/net/html.
//
// Parse is lenient where mail in the wild is sloppy (a missing closing
// boundary, a broken base64 line, a From header that net/mail rejects, text
// labelled ISO-8859-1 that is really Windows-1252) and strict where nothing
// useful can be read: a message without a header, without a sender, or
// whose multipart body cannot be split returns an error wrapping
// ErrMalformed. Every string in a Mail is valid UTF-8 without NUL bytes.
package mailparse
