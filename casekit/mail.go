package casekit

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"casekit.dev/casekit/casetype"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// MailSettings say how a tenant converses by e-mail: where replies go,
	// which addresses are its own, which mailbox feeds which queue and when a
	// new case is acknowledged.
	MailSettings = casetype.MailSettings
	// Mailbox sends the mail received at Address (or at a plus-address of it)
	// to a queue; the queue's team is told of the cases it opens.
	Mailbox = casetype.Mailbox
	// ReplyToken is the secret that lets mail join a case: it stands in the
	// case's reply address and in the thread references of the mail casekit
	// sends.
	ReplyToken = casetype.ReplyToken
)

const (
	// EventReplyTokensRevoked: a case's reply tokens were revoked; mail with
	// them opens new cases.
	EventReplyTokensRevoked = casetype.EventReplyTokensRevoked
)

// DefaultAcknowledge are the origins acknowledged unless the tenant says
// otherwise: mail and the web form, whose senders have no other sign that
// their case arrived.
var DefaultAcknowledge = []string{"email", "web"}

// DefaultAckLimit is how many acknowledgements one address gets per hour
// unless the tenant says otherwise.
const DefaultAckLimit = 3

// mailSettingsFilled gives nil and zero fields their defaults.
func mailSettingsFilled(s MailSettings) MailSettings {
	if s.Acknowledge == nil {
		s.Acknowledge = slices.Clone(DefaultAcknowledge)
	}
	if s.AckLimit == 0 {
		s.AckLimit = DefaultAckLimit
	}
	return s
}

// MailSettings returns the tenant's mail settings, defaults filled in.
func (cf *Config) MailSettings(ctx context.Context) (MailSettings, error) {
	return runValue(cf.d, ctx, "mail settings", staffRead, func(c *cmd) (MailSettings, error) {
		return c.mailSettings()
	})
}

// SaveMailSettings replaces the tenant's mail settings. Addresses are
// kept in lower case; a reply address form must hold "{token}" once and
// make an address; a mailbox's queue must exist.
func (cf *Config) SaveMailSettings(ctx context.Context, s MailSettings) error {
	return cf.d.run(ctx, "save mail settings", adminOnly, func(c *cmd) error {
		s = deepCopy(s) // the caller's slices stay as they were
		s.Address = strings.ToLower(strings.TrimSpace(s.Address))
		s.ReplyAddress = strings.ToLower(strings.TrimSpace(s.ReplyAddress))
		for i, a := range s.OwnAddresses {
			s.OwnAddresses[i] = strings.ToLower(strings.TrimSpace(a))
		}
		for i := range s.Mailboxes {
			s.Mailboxes[i].Address = strings.ToLower(strings.TrimSpace(s.Mailboxes[i].Address))
		}
		var v validations
		if err := v.Merge(validateStruct(s)); err != nil {
			return err
		}
		if s.ReplyAddress != "" {
			if strings.Count(s.ReplyAddress, "{token}") != 1 {
				v.Add("reply_address", "token", "must hold {token} once")
			} else if validate.Var(strings.Replace(s.ReplyAddress, "{token}", newReplyToken(), 1), "email") != nil {
				v.Add("reply_address", "email", "does not make an e-mail address")
			}
		}
		queues, err := c.tx.Queues(c.ctx)
		if err != nil {
			return err
		}
		for i, m := range s.Mailboxes {
			if !slices.ContainsFunc(queues, func(q Queue) bool { return q.ID == m.QueueID }) {
				v.Add(fmt.Sprintf("mailboxes[%d].queue_id", i), "known", "no queue %q", m.QueueID)
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		old, err := c.mailSettings()
		if err != nil {
			return err
		}
		if reflect.DeepEqual(old, mailSettingsFilled(s)) {
			return nil
		}
		if err := c.tx.SaveMailSettings(c.ctx, s); err != nil {
			return err
		}
		c.record(nil, EventSettingsChanged, map[string]any{"mail": []any{old, mailSettingsFilled(s)}})
		return nil
	})
}

// mailSettings reads the tenant's mail settings once per command, with
// their defaults.
func (c *cmd) mailSettings() (MailSettings, error) {
	if c.mail != nil {
		return *c.mail, nil
	}
	s, err := c.tx.MailSettings(c.ctx)
	if errors.Is(err, ErrNotFound) {
		s, err = MailSettings{}, nil
	}
	if err != nil {
		return MailSettings{}, err
	}
	s = mailSettingsFilled(s)
	c.mail = &s
	return s, nil
}

// replyTokenLen is the length of a token: 130 random bits in lower-case
// base32, which survives mail systems that fold the case of addresses.
const replyTokenLen = 26

var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func newReplyToken() string {
	b := make([]byte, 17)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return tokenEncoding.EncodeToString(b)[:replyTokenLen]
}

// isReplyToken reports whether s has a reply token's form.
func isReplyToken(s string) bool {
	if len(s) != replyTokenLen {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || '2' <= r && r <= '7') {
			return false
		}
	}
	return true
}

// replyToken returns the case's reply token, making one when it has none
// that is not revoked.
func (c *cmd) replyToken(caseID string) (string, error) {
	if t, ok := c.tokens[caseID]; ok {
		return t, nil
	}
	ts, err := c.tx.ReplyTokens(c.ctx, caseID)
	if err != nil {
		return "", err
	}
	token := ""
	for _, t := range ts {
		if t.RevokedAt == nil {
			token = t.Token
		}
	}
	if token == "" {
		token = newReplyToken()
		if err := c.tx.InsertReplyToken(c.ctx, ReplyToken{Token: token, CaseID: caseID, CreatedAt: c.now}); err != nil {
			return "", err
		}
	}
	if c.tokens == nil {
		c.tokens = map[string]string{}
	}
	c.tokens[caseID] = token
	return token, nil
}

// RevokeReplyTokens stops the case's reply address and thread references
// at once: mail with them opens a new case. The next mail about the case
// carries a new token. It returns how many tokens it revoked.
func (d *Desk) RevokeReplyTokens(ctx context.Context, caseID string) (int, error) {
	return runValue(d, ctx, "revoke reply tokens", staffOnly, func(c *cmd) (n int, err error) {
		cs, err := c.load(caseID, true)
		if err != nil {
			return 0, err
		}
		if n, err = c.tx.RevokeReplyTokens(c.ctx, cs.ID, c.now); err != nil || n == 0 {
			return n, err
		}
		c.record(cs, EventReplyTokensRevoked, map[string]any{"revoked": n})
		return n, nil
	})
}

// ReplyAddress returns the case's reply address under the tenant's mail
// settings, making the case a reply token when it has none; "" when the
// tenant has neither Address nor ReplyAddress.
func (d *Desk) ReplyAddress(ctx context.Context, caseID string) (string, error) {
	return ofCase(d, ctx, "reply address", staffOnly, caseID, func(c *cmd, cs *Case) (string, error) {
		s, err := c.mailSettings()
		if err != nil {
			return "", err
		}
		token, err := c.replyToken(cs.ID)
		return mailReplyAddress(s, token), err
	})
}

// mailReplyForm is the reply address form: ReplyAddress, or plus-addressing
// on Address; "" without either.
func mailReplyForm(s MailSettings) string {
	if s.ReplyAddress != "" {
		return s.ReplyAddress
	}
	local, domain, ok := strings.Cut(s.Address, "@")
	if !ok {
		return ""
	}
	if base, _, plus := strings.Cut(local, "+"); plus {
		local = base
	}
	return local + "+{token}@" + domain
}

// mailReplyAddress is the reply address of a case with the token.
func mailReplyAddress(s MailSettings, token string) string {
	if f := mailReplyForm(s); f != "" {
		return strings.Replace(f, "{token}", token, 1)
	}
	return ""
}

// mailTokenOf reads the reply token out of a reply address; "" when addr is
// not one.
func mailTokenOf(s MailSettings, addr string) string {
	f := mailReplyForm(s)
	prefix, suffix, ok := strings.Cut(f, "{token}")
	addr = strings.ToLower(addr)
	if !ok || !strings.HasPrefix(addr, prefix) || !strings.HasSuffix(addr, suffix) || len(addr) != len(prefix)+replyTokenLen+len(suffix) {
		return ""
	}
	if t := addr[len(prefix) : len(addr)-len(suffix)]; isReplyToken(t) {
		return t
	}
	return ""
}

// baseAddress drops a plus tag: "help+billing@acme.example" is
// "help@acme.example".
func baseAddress(addr string) string {
	addr = strings.ToLower(addr)
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return addr
	}
	if base, _, plus := strings.Cut(local, "+"); plus {
		return base + "@" + domain
	}
	return addr
}

// mailOwn reports whether addr is one of the tenant's addresses: Address, a
// reply address, OwnAddresses or a mailbox.
func mailOwn(s MailSettings, addr string) bool {
	addr = strings.ToLower(addr)
	if addr == "" {
		return false
	}
	base := baseAddress(addr)
	if s.Address != "" && (addr == s.Address || base == baseAddress(s.Address)) {
		return true
	}
	if mailTokenOf(s, addr) != "" || slices.Contains(s.OwnAddresses, addr) {
		return true
	}
	return slices.ContainsFunc(s.Mailboxes, func(m Mailbox) bool { return m.Address == addr || m.Address == base })
}

// mailQueueFor is the queue of the first of addrs that is one of the
// tenant's mailboxes (a plus-address counts as its base); "" for none.
func mailQueueFor(s MailSettings, addrs []string) string {
	for _, a := range addrs {
		a = strings.ToLower(strings.TrimSpace(a))
		for _, m := range s.Mailboxes {
			if m.Address == a || m.Address == baseAddress(a) {
				return m.QueueID
			}
		}
	}
	return ""
}

// acknowledge decides whether the case just opened sends its contact an
// acknowledgement: its origin is one the tenant acknowledges, the contact
// has an address that is not the tenant's own, the opening mail was not
// a list's, and the address has had fewer than AckLimit in the last hour.
// A yes is counted at once, in the command's transaction, and the counts
// of earlier hours are dropped.
func (c *cmd) acknowledge(cs *Case) (bool, error) {
	addr := strings.ToLower(cs.Contact.Email)
	if addr == "" || c.noAck[cs.ID] {
		return false, nil
	}
	s, err := c.mailSettings()
	if err != nil || !slices.Contains(s.Acknowledge, cs.Origin) || mailOwn(s, addr) {
		return false, err
	}
	hourAgo := c.now.Add(-time.Hour)
	n, err := c.tx.CountMailAcks(c.ctx, addr, hourAgo)
	if err != nil || n >= s.AckLimit {
		return false, err
	}
	if err := c.tx.DeleteMailAcks(c.ctx, hourAgo); err != nil { // the count needs no older ones
		return false, err
	}
	return true, c.tx.InsertMailAck(c.ctx, addr, c.now)
}
