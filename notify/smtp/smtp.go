// Package smtp is a casekit.Notifier that mails each notification to its
// recipient through an SMTP server (a submission service, a relay or a
// local MTA).
//
// Every mail carries:
//
//	Message-ID:  <notification ID@Domain>, the same on every retry, so a
//	             receiver can drop the repeats of a retried delivery
//	In-Reply-To: the mail it answers (an acknowledgement answers the
//	             customer's first mail), else the thread ID
//	References:  that mail and the thread ID, so the mails of one case
//	             thread: <case-<reply token>@Domain> for a customer or
//	             watcher, a secret that lets their replies join the case
//	             (casekit.Desk.Inbound), <case-<case ID>@Domain> else
//	X-Casekit-Event: the event type, e.g. case.resolved
//	Auto-Submitted: auto-generated (RFC 3834: no vacation replies,
//	             please), except on an agent's own message
//	X-Auto-Response-Suppress: All (the same, for Exchange)
//	Reply-To: Config.ReplyTo's address, or else the case's reply address
//	             from the notification, when there is one
//
// and, on an agent's message copied to other addresses, Cc: those of
// them other than the recipient's (the mail itself goes to the recipient
// alone: each copied address has a notification of its own). Every mail
// is text/plain, or multipart/alternative text and HTML when the
// rendered Message has HTML, in UTF-8 and quoted-printable; an agent's
// message with files is multipart/mixed with each file attached, read
// from Config.Blobs at delivery.
//
// Each Notify opens a connection of its own, sends one mail and closes it,
// so a Notifier is safe for concurrent use. A render error, a recipient
// that is empty or not an address, a dial, TLS or authentication failure,
// and a refusal by the server all come back as errors naming what failed;
// the outbox retries them with backoff and finally dead-letters them with
// that reason. Nothing is sent when rendering or the recipient fails.
package smtp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"strings"
	"time"

	"casekit.dev/casekit"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// Security says how the connection to the server is protected.
type Security int

// The kinds of transport security.
const (
	// StartTLS connects in plain text and requires the server to offer
	// STARTTLS, failing otherwise: the default (port 587 style).
	StartTLS Security = iota
	// StartTLSOpportunistic uses STARTTLS when the server offers it and
	// plain text when it does not. It first asks on a plain connection
	// and, when STARTTLS is offered, connects again to use it. A password
	// is never sent over plain text, except to a loopback address.
	StartTLSOpportunistic
	// ImplicitTLS speaks TLS from the first byte (port 465 style).
	ImplicitTLS
	// NoTLS never encrypts: for a trusted local relay only. A password is
	// never sent over it, except to a loopback address.
	NoTLS
)

// String names the security mode.
func (s Security) String() string {
	switch s {
	case StartTLS:
		return "STARTTLS"
	case StartTLSOpportunistic:
		return "opportunistic STARTTLS"
	case ImplicitTLS:
		return "implicit TLS"
	case NoTLS:
		return "no TLS"
	}
	return fmt.Sprintf("Security(%d)", int(s))
}

// renderedOrDefault uses the kit's rendering when the notification has
// one, and Render when not.
func renderedOrDefault(n casekit.Notification) (Message, error) {
	if r := n.Rendered; r != nil {
		return Message{Subject: r.Subject, Text: r.Text, HTML: r.HTML}, nil
	}
	return Render(n)
}

// Message is the rendered content of one mail.
type Message struct {
	// Subject is the Subject header, any Unicode; it must not be empty.
	Subject string
	// Text is the plain text body; it must not be empty.
	Text string
	// HTML is an optional HTML alternative of Text.
	HTML string
}

// DefaultTimeout bounds one Notify, connecting included, when
// Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Config configures an SMTP notifier.
type Config struct {
	// Addr is the server's host:port, e.g. "smtp.example.com:587".
	Addr string
	// From is the sender, with a display name if wanted:
	// "Acme Help Desk <help@acme.example>". Its address is also the
	// envelope sender (MAIL FROM).
	From string
	// Username and Password, when Username is set, authenticate with
	// SASL PLAIN (RFC 4616); no authentication when Username is empty.
	Username string
	// Password is Username's password.
	Password string
	// Security is the transport security: StartTLS (required) when zero.
	Security Security
	// TLSConfig configures TLS for StartTLS, StartTLSOpportunistic and
	// ImplicitTLS; when nil, or when its ServerName is empty, the host of
	// Addr is the name verified. It is not modified.
	TLSConfig *tls.Config
	// Domain is the right-hand side of the Message-IDs and thread IDs;
	// the domain of From when empty.
	Domain string
	// ReplyTo gives a notification's Reply-To address; no Reply-To when
	// it returns "". When nil, the case's reply address casekit put in
	// the notification (Data["reply_to"], from the tenant's
	// casekit.MailSettings) is used, if any. An address that does not
	// parse is an error.
	ReplyTo func(n casekit.Notification) string
	// Render gives a notification's subject and bodies. When nil, the
	// notification's own rendering is used (Notification.Rendered, from
	// the kit's template engine: casekit.WithTemplates with package
	// casekit.dev/templates), or Render (the package function) when it
	// has none.
	Render func(n casekit.Notification) (Message, error)
	// Timeout bounds one Notify, dialling, TLS and every command included;
	// DefaultTimeout when zero. The context given to Notify is honoured
	// too.
	Timeout time.Duration
	// Now tells the time for the Date header; time.Now when nil.
	Now func() time.Time
	// Blobs is where an agent's message's files are read from at
	// delivery: the kit's BlobStore. A notification with files fails
	// without it.
	Blobs casekit.BlobStore
	// MaxAttachmentBytes bounds the files of one mail together;
	// DefaultMaxAttachmentBytes when zero. A mail over it fails, naming
	// the limit, rather than be sent without its files.
	MaxAttachmentBytes int64
}

// DefaultMaxAttachmentBytes is Config.MaxAttachmentBytes when zero: what
// most mail servers take after base64's growth by a third.
const DefaultMaxAttachmentBytes = 20 << 20

// Notifier mails notifications through one SMTP server. It is safe for
// concurrent use: every Notify has a connection of its own.
type Notifier struct {
	cfg  Config
	from *mail.Address
	host string
	tls  *tls.Config
}

// New checks cfg and returns the notifier.
func New(cfg Config) (*Notifier, error) {
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" || port == "" {
		return nil, fmt.Errorf("smtp: server address %q is not host:port", cfg.Addr)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtp: From %q: %w", cfg.From, err)
	}
	if cfg.Security < StartTLS || cfg.Security > NoTLS {
		return nil, fmt.Errorf("smtp: unknown %v", cfg.Security)
	}
	if cfg.Username == "" && cfg.Password != "" {
		return nil, errors.New("smtp: a password without a username")
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("smtp: negative timeout %v", cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Domain == "" {
		cfg.Domain = from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	}
	if !isDotAtom(cfg.Domain) {
		return nil, fmt.Errorf("smtp: domain %q cannot be used in a Message-ID", cfg.Domain)
	}
	if cfg.Render == nil {
		cfg.Render = renderedOrDefault
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxAttachmentBytes < 0 {
		return nil, fmt.Errorf("smtp: negative MaxAttachmentBytes %d", cfg.MaxAttachmentBytes)
	}
	if cfg.MaxAttachmentBytes == 0 {
		cfg.MaxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	tc := &tls.Config{}
	if cfg.TLSConfig != nil {
		tc = cfg.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = host
	}
	return &Notifier{cfg: cfg, from: from, host: host, tls: tc}, nil
}

// Notify implements casekit.Notifier: it renders n and mails it to
// n.Recipient over a connection of its own.
func (s *Notifier) Notify(ctx context.Context, n casekit.Notification) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	to, msg, err := s.compose(ctx, n)
	if err != nil {
		return err
	}
	return s.send(ctx, to, msg)
}

// compose checks the recipient, renders n and writes the whole mail.
func (s *Notifier) compose(ctx context.Context, n casekit.Notification) (to *mail.Address, raw []byte, err error) {
	if strings.TrimSpace(n.Recipient.Email) == "" {
		return nil, nil, fmt.Errorf("smtp: notification %s: recipient %s %q has no email address", n.ID, n.Recipient.Kind, n.Recipient.ID)
	}
	to, err = mail.ParseAddress(n.Recipient.Email)
	if err != nil {
		return nil, nil, fmt.Errorf("smtp: notification %s: recipient address %q is invalid: %w", n.ID, n.Recipient.Email, err)
	}
	if n.Recipient.Name != "" {
		to.Name = n.Recipient.Name
	}
	if !isDotAtom(n.ID) {
		return nil, nil, fmt.Errorf("smtp: notification ID %q cannot be used in a Message-ID", n.ID)
	}
	if n.CaseID != "" && !isDotAtom("case-"+n.CaseID) {
		return nil, nil, fmt.Errorf("smtp: notification %s: case ID %q cannot be used in a thread ID", n.ID, n.CaseID)
	}
	var replyTo *mail.Address
	a, _ := n.Data["reply_to"].(string)
	if s.cfg.ReplyTo != nil {
		a = s.cfg.ReplyTo(n)
	}
	if a != "" {
		if replyTo, err = mail.ParseAddress(a); err != nil {
			return nil, nil, fmt.Errorf("smtp: notification %s: Reply-To address %q is invalid: %w", n.ID, a, err)
		}
	}
	cc, err := copies(n, to)
	if err != nil {
		return nil, nil, err
	}
	files, err := s.files(ctx, n)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.cfg.Render(n)
	if err != nil {
		return nil, nil, fmt.Errorf("smtp: render notification %s: %w", n.ID, err)
	}
	if strings.TrimSpace(m.Subject) == "" || strings.TrimSpace(m.Text) == "" {
		return nil, nil, fmt.Errorf("smtp: render notification %s: empty subject or text", n.ID)
	}

	var h gomail.Header
	h.SetDate(s.cfg.Now())
	h.SetAddressList("From", []*mail.Address{s.from})
	h.SetAddressList("To", []*mail.Address{to})
	if len(cc) > 0 {
		h.SetAddressList("Cc", cc)
	}
	if replyTo != nil {
		h.SetAddressList("Reply-To", []*mail.Address{replyTo})
	}
	h.SetSubject(m.Subject)
	h.SetMessageID(n.ID + "@" + s.cfg.Domain)
	if refs := s.references(n); len(refs) > 0 {
		h.SetMsgIDList("In-Reply-To", refs[:1])
		h.SetMsgIDList("References", refs)
	}
	h.SetText("X-Casekit-Event", string(n.Event))
	if _, agentWrote := n.Data["body"].(string); !agentWrote || n.Event != casekit.EventMessagePosted {
		h.Set("Auto-Submitted", "auto-generated")
	}
	h.Set("X-Auto-Response-Suppress", "All")

	var buf bytes.Buffer
	if err := writeMail(&buf, h, m, files); err != nil {
		return nil, nil, fmt.Errorf("smtp: write notification %s: %w", n.ID, err)
	}
	return to, buf.Bytes(), nil
}

// copies are the addresses the agent's message was also copied to
// (Data["mail_cc"], from casekit), for the Cc header; the mail is sent to
// to alone, each of them getting a notification of their own. An entry
// that is not one bare address is an error, as is more than
// casekit.MaxMailRecipients of them.
func copies(n casekit.Notification, to *mail.Address) ([]*mail.Address, error) {
	var list []string
	switch v := n.Data["mail_cc"].(type) {
	case []string:
		list = v
	case []any: // as read back from the outbox's JSON
		for _, a := range v {
			s, _ := a.(string)
			list = append(list, s)
		}
	}
	if len(list) > casekit.MaxMailRecipients {
		return nil, fmt.Errorf("smtp: notification %s: %d Cc addresses, limit %d", n.ID, len(list), casekit.MaxMailRecipients)
	}
	var out []*mail.Address
	for _, s := range list {
		a, err := mail.ParseAddress(s)
		if err != nil || a.Name != "" || a.Address != s {
			return nil, fmt.Errorf("smtp: notification %s: Cc address %q is not one address", n.ID, s)
		}
		if !strings.EqualFold(a.Address, to.Address) {
			out = append(out, a)
		}
	}
	return out, nil
}

// references are the thread's message IDs, the one a reply answers
// first: the mail an acknowledgement answers, then the case's thread ID,
// made from its reply token when the notification has one.
func (s *Notifier) references(n casekit.Notification) []string {
	var refs []string
	if ref, _ := n.Data["mail_in_reply_to"].(string); ref != "" {
		if l, r, ok := strings.Cut(ref, "@"); ok && isDotAtom(l) && isDotAtom(r) {
			refs = append(refs, ref)
		}
	}
	if token, _ := n.Data["reply_token"].(string); token != "" && isDotAtom(token) {
		return append(refs, "case-"+token+"@"+s.cfg.Domain)
	}
	if n.CaseID != "" {
		refs = append(refs, "case-"+n.CaseID+"@"+s.cfg.Domain)
	}
	return refs
}

// file is an attachment read for a mail.
type file struct {
	name, ctype string
	data        []byte
}

// files reads the notification's attachments from Config.Blobs, no more
// than MaxAttachmentBytes together.
func (s *Notifier) files(ctx context.Context, n casekit.Notification) ([]file, error) {
	list, _ := n.Data["attachments"].([]any)
	if len(list) == 0 {
		return nil, nil
	}
	if s.cfg.Blobs == nil {
		return nil, fmt.Errorf("smtp: notification %s has %d attachments and the notifier has no Blobs to read them from", n.ID, len(list))
	}
	var out []file
	left := s.cfg.MaxAttachmentBytes
	for _, v := range list {
		a, _ := v.(map[string]any)
		key, _ := a["key"].(string)
		name, _ := a["name"].(string)
		ctype, _ := a["content_type"].(string)
		if key == "" {
			return nil, fmt.Errorf("smtp: notification %s: an attachment without a key", n.ID)
		}
		rc, err := s.cfg.Blobs.Open(ctx, n.Tenant, key)
		if err != nil {
			return nil, fmt.Errorf("smtp: notification %s: attachment %q: %w", n.ID, name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, left+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("smtp: notification %s: reading attachment %q: %w", n.ID, name, err)
		}
		if left -= int64(len(data)); left < 0 {
			return nil, fmt.Errorf("smtp: notification %s: attachments over %d bytes", n.ID, s.cfg.MaxAttachmentBytes)
		}
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		out = append(out, file{name: name, ctype: ctype, data: data})
	}
	return out, nil
}

// writeMail writes the header h and m, with files attached when there
// are any (multipart/mixed).
func writeMail(w io.Writer, h gomail.Header, m Message, files []file) error {
	if len(files) == 0 {
		return writeBody(w, h, m)
	}
	mw, err := gomail.CreateWriter(w, h)
	if err != nil {
		return err
	}
	iw, err := mw.CreateInline()
	if err != nil {
		return err
	}
	if err := writeParts(iw, m); err != nil {
		return err
	}
	for _, f := range files {
		var ah gomail.AttachmentHeader
		ah.SetContentType(f.ctype, nil)
		ah.SetFilename(f.name)
		ah.Set("Content-Transfer-Encoding", "base64")
		aw, err := mw.CreateAttachment(ah)
		if err != nil {
			return err
		}
		if _, err := aw.Write(f.data); err != nil {
			return err
		}
		if err := aw.Close(); err != nil {
			return err
		}
	}
	return mw.Close()
}

// writeBody writes the header h and m's text, with its HTML alternative
// when there is one.
func writeBody(w io.Writer, h gomail.Header, m Message) error {
	if m.HTML == "" {
		h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		h.Set("Content-Transfer-Encoding", "quoted-printable")
		body, err := gomail.CreateSingleInlineWriter(w, h)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(body, m.Text); err != nil {
			return err
		}
		return body.Close()
	}
	mw, err := gomail.CreateInlineWriter(w, h)
	if err != nil {
		return err
	}
	return writeParts(mw, m)
}

// writeParts writes m's text, and its HTML when it has one, as the parts
// of mw, and closes it.
func writeParts(mw *gomail.InlineWriter, m Message) error {
	part := func(typ string) gomail.InlineHeader {
		var ph gomail.InlineHeader
		ph.SetContentType(typ, map[string]string{"charset": "utf-8"})
		ph.Set("Content-Transfer-Encoding", "quoted-printable")
		return ph
	}
	for _, p := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		if p.body == "" {
			continue
		}
		pw, err := mw.CreatePart(part(p.typ))
		if err != nil {
			return err
		}
		if _, err := io.WriteString(pw, p.body); err != nil {
			return err
		}
		if err := pw.Close(); err != nil {
			return err
		}
	}
	return mw.Close()
}

// send delivers raw to one recipient within ctx.
func (s *Notifier) send(ctx context.Context, to *mail.Address, raw []byte) (err error) {
	c, err := s.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	// fail names the step that failed, and the context's end when that is
	// why (a closed connection says little).
	fail := func(step string, err error) error {
		if cerr := context.Cause(ctx); cerr != nil {
			return fmt.Errorf("smtp: %s at %s: %w (%w)", step, s.cfg.Addr, cerr, err)
		}
		return fmt.Errorf("smtp: %s at %s: %w", step, s.cfg.Addr, err)
	}
	if s.cfg.Username != "" {
		_, encrypted := c.TLSConnectionState()
		switch {
		case !encrypted && !isLoopback(s.host):
			return fmt.Errorf("smtp: authentication at %s: refusing to send the password over an unencrypted connection (%v)", s.cfg.Addr, s.cfg.Security)
		case !c.SupportsAuth(sasl.Plain):
			return fmt.Errorf("smtp: authentication at %s: the server offers no AUTH PLAIN", s.cfg.Addr)
		}
		if err := c.Auth(sasl.NewPlainClient("", s.cfg.Username, s.cfg.Password)); err != nil {
			return fail(fmt.Sprintf("authentication as %q", s.cfg.Username), err)
		}
	}
	if err := c.Mail(s.from.Address, nil); err != nil {
		return fail(fmt.Sprintf("sender <%s>", s.from.Address), err)
	}
	if err := c.Rcpt(to.Address, nil); err != nil {
		return fail(fmt.Sprintf("recipient <%s> rejected", to.Address), err)
	}
	w, err := c.Data()
	if err != nil {
		return fail("DATA", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fail("sending the message", err)
	}
	if err := w.Close(); err != nil {
		return fail("message refused", err)
	}
	_ = c.Quit() // the server has taken the mail; a failing QUIT changes nothing
	return nil
}

// connect dials the server and sets up TLS as configured. The connection
// is closed when ctx ends, which unblocks whatever waits on it.
func (s *Notifier) connect(ctx context.Context) (*gosmtp.Client, error) {
	dial := func(implicitTLS bool) (net.Conn, error) {
		var (
			conn net.Conn
			err  error
		)
		if implicitTLS {
			if conn, err = (&tls.Dialer{Config: s.tls}).DialContext(ctx, "tcp", s.cfg.Addr); err != nil {
				return nil, fmt.Errorf("smtp: dial %s with TLS: %w", s.cfg.Addr, err)
			}
		} else if conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", s.cfg.Addr); err != nil {
			return nil, fmt.Errorf("smtp: dial %s: %w", s.cfg.Addr, err)
		}
		return &ctxConn{Conn: conn, stop: context.AfterFunc(ctx, func() { conn.Close() })}, nil
	}
	failed := func(step string, err error) error {
		if cerr := context.Cause(ctx); cerr != nil {
			return fmt.Errorf("smtp: %s with %s: %w (%w)", step, s.cfg.Addr, cerr, err)
		}
		return fmt.Errorf("smtp: %s with %s: %w", step, s.cfg.Addr, err)
	}
	// hello greets the server, after TLS if any: a failed TLS handshake
	// shows here rather than at the first command.
	hello := func(c *gosmtp.Client, step string) (*gosmtp.Client, error) {
		// A backstop only: ctx, which ends no later than Timeout from
		// now, closes the connection first, so errors say why.
		c.CommandTimeout = s.cfg.Timeout + time.Second
		c.SubmissionTimeout = c.CommandTimeout
		if err := c.Hello("localhost"); err != nil {
			c.Close()
			return nil, failed(step, err)
		}
		return c, nil
	}

	conn, err := dial(s.cfg.Security == ImplicitTLS)
	if err != nil {
		return nil, err
	}
	switch s.cfg.Security {
	case ImplicitTLS:
		return hello(gosmtp.NewClient(conn), "TLS handshake and greeting")
	case NoTLS, StartTLSOpportunistic:
		c, err := hello(gosmtp.NewClient(conn), "greeting")
		if err != nil {
			return nil, err
		}
		if ok, _ := c.Extension("STARTTLS"); s.cfg.Security == NoTLS || !ok {
			return c, nil
		}
		_ = c.Quit() // offered: connect again to take it
		c.Close()
		if conn, err = dial(false); err != nil {
			return nil, err
		}
	}
	c, err := gosmtp.NewClientStartTLS(conn, s.tls)
	if err != nil {
		return nil, failed("STARTTLS", err)
	}
	return hello(c, "TLS handshake after STARTTLS")
}

// ctxConn is a connection that stops watching its context when closed.
type ctxConn struct {
	net.Conn
	stop func() bool
}

func (c *ctxConn) Close() error {
	c.stop()
	return c.Conn.Close()
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isDotAtom reports whether s is an RFC 5322 dot-atom-text, as the two
// halves of a Message-ID must be.
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		case strings.ContainsRune("!#$%&'*+-/=?^_`{|}~.", r):
		default:
			return false
		}
	}
	return true
}
