package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"casekit.dev/casekit"
)

// The helpdesk receives mail with an SMTP server of its own
// (emersion/go-smtp, -smtp-listen): each mail it takes is handed to
// casekit's Desk.Inbound, with the envelope recipient as the mailbox
// it arrived at. In production it would sit behind the organisation's
// MTA, which checks the sender (SPF, DKIM, DMARC) before relaying here.

// mailIn is the receiving server's backend.
type mailIn struct {
	kit *casekit.Kit
	log *slog.Logger
}

// inboundTimeout bounds the handling of one received mail.
const inboundTimeout = 30 * time.Second

// serveMail receives mail on l until it is closed, handing each mail to
// the tenant's Desk.Inbound. The returned function stops the server.
func serveMail(l net.Listener, kit *casekit.Kit, log *slog.Logger) (stop func()) {
	srv := gosmtp.NewServer(&mailIn{kit: kit, log: log})
	srv.Domain = "acme.example"
	srv.MaxMessageBytes = 40 << 20 // InboundMail's limit: refused at the door, not after reading
	srv.MaxRecipients = casekit.MaxMailRecipients
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelDebug)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, gosmtp.ErrServerClosed) {
			log.Warn("helpdesk: receiving mail stopped", "err", err)
		}
	}()
	return func() { srv.Close(); <-done }
}

// NewSession implements gosmtp.Backend.
func (m *mailIn) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return &mailInSession{in: m}, nil }

// mailInSession is one SMTP conversation.
type mailInSession struct {
	in *mailIn
	to []string
}

// Mail implements gosmtp.Session: any sender; Inbound judges the mail.
func (s *mailInSession) Mail(string, *gosmtp.MailOptions) error { return nil }

// Rcpt implements gosmtp.Session.
func (s *mailInSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

// Data implements gosmtp.Session: the mail goes to Desk.Inbound as
// received at its first envelope recipient. Refused mail is answered
// with a permanent error, so the sender's server bounces it; a failure
// of ours with a temporary one, so it is sent again.
func (s *mailInSession) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	var rcpt string
	if len(s.to) > 0 {
		rcpt = s.to[0]
	}
	ctx, cancel := context.WithTimeout(context.Background(), inboundTimeout)
	defer cancel()
	res, err := s.in.kit.Desk(tenant).As(casekit.System).Inbound(ctx, casekit.InboundMail{Raw: buf.Bytes(), Recipient: rcpt})
	switch {
	case errors.Is(err, casekit.ErrMailTooLarge):
		return &gosmtp.SMTPError{Code: 552, EnhancedCode: gosmtp.EnhancedCode{5, 3, 4}, Message: "message too large"}
	case errors.Is(err, casekit.ErrMalformedMail):
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 6, 0}, Message: "message cannot be read"}
	case err != nil:
		s.in.log.Error("helpdesk: inbound mail", "err", err)
		return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	if res.Case != nil {
		s.in.log.Info("helpdesk: inbound mail", "action", res.Action, "case", res.Case.Number)
	}
	return nil
}

// Reset implements gosmtp.Session.
func (s *mailInSession) Reset() { s.to = nil }

// Logout implements gosmtp.Session.
func (s *mailInSession) Logout() error { return nil }
