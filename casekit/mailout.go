package casekit

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
)

// The outbound half of the mail conversation: an agent's public e-mail
// message goes to the case's contact, its watchers and the addresses the
// agent added (To and Cc), and every mail to a customer or watcher
// carries what a Notifier needs to send it as part of the case's thread.

// checkCopies checks a message's To and Cc and keeps each address once,
// in lower case (one in To is not repeated in Cc), without the sending
// agent's own: they wrote the mail. Only an agent's public outbound
// e-mail has them (a customer's post is always inbound); on any other
// message they are a ValidationError on "to" or "cc" (rule "outbound").
// Together they are at most MaxMailRecipients ("cc", rule "max"), and
// each must be one bare address as net/mail reads it, with no display
// name, comment or second address for a header to carry along ("to[i]",
// "cc[i]", rule "email").
func (c *cmd) checkCopies(in *NewMessage) error {
	lists := []struct {
		field string
		addrs *[]string
	}{{"to", &in.To}, {"cc", &in.Cc}}
	if len(in.To)+len(in.Cc) == 0 {
		return nil
	}
	var v validations
	if in.Direction != Outbound || in.Internal || in.Channel != ChannelEmail {
		for _, l := range lists {
			if len(*l.addrs) > 0 {
				v.Add(l.field, "outbound", "only an agent's public outbound e-mail goes to more addresses")
			}
		}
		return v.Err()
	}
	if n := len(in.To) + len(in.Cc); n > MaxMailRecipients {
		return invalid("cc", "max", "%d addresses in to and cc together; at most %d", n, MaxMailRecipients)
	}
	seen := map[string]bool{}
	for _, l := range lists {
		var kept []string
		for i, a := range *l.addrs {
			addr, ok := bareAddress(a)
			if !ok {
				v.Add(fmt.Sprintf("%s[%d]", l.field, i), "email", "%q is not one e-mail address", a)
			} else if !seen[addr] {
				seen[addr] = true
				kept = append(kept, addr)
			}
		}
		*l.addrs = kept
	}
	if err := v.Err(); err != nil {
		return err
	}
	own, err := c.ownAddress()
	if err != nil {
		return err
	}
	for _, l := range lists {
		*l.addrs = slices.DeleteFunc(*l.addrs, func(a string) bool { return a == own })
	}
	return nil
}

// bareAddress is s in lower case when it is one e-mail address and
// nothing else, surrounding spaces aside.
func bareAddress(s string) (string, bool) {
	if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "", false // a line break would start a header of its own
	}
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || validate.Var(s, "email") != nil {
		return "", false
	}
	return strings.ToLower(s), true
}

// ownAddress is the acting agent's address in the Directory, in lower
// case; "" for anyone else, without a Directory, or for an agent it does
// not know. It is looked up once per command.
func (c *cmd) ownAddress() (string, error) {
	if c.self != nil {
		return *c.self, nil
	}
	var own string
	if c.dir != nil && c.actor.Kind == KindAgent {
		p, err := c.dir.Person(c.ctx, c.tenant, c.actor.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return "", fmt.Errorf("directory: person %q: %w", c.actor.ID, err)
		}
		own = strings.ToLower(strings.TrimSpace(p.Email))
	}
	c.self = &own
	return own, nil
}

// mailRecipients are those an agent's public e-mail message goes to: the
// contact and watchers (customer), then each address of the message's To
// and Cc that is not one of them, as a watcher of this one message ("to:"
// or "cc:" and the address as ID); never the sending agent's own address.
func (c *cmd) mailRecipients(ev Event, cs *Case, customer func() ([]Recipient, error)) ([]Recipient, error) {
	out, err := customer()
	if err != nil {
		return nil, err
	}
	if m := c.posted[str(ev.Data["message_id"])]; m != nil {
		for _, l := range []struct {
			kind  string
			addrs []string
		}{{"to", m.To}, {"cc", m.Cc}} {
			for _, a := range l.addrs {
				if !slices.ContainsFunc(out, func(r Recipient) bool { return sameAddress(r.Email, a) }) {
					out = append(out, Recipient{Kind: RecipientWatcher, ID: l.kind + ":" + a, Email: a})
				}
			}
		}
	}
	own, err := c.ownAddress()
	if err != nil || own == "" {
		return out, err
	}
	return slices.DeleteFunc(out, func(r Recipient) bool { return sameAddress(r.Email, own) }), nil
}

// sameAddress reports whether two addresses are the same, ignoring case
// and surrounding spaces.
func sameAddress(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// mailData adds to a customer's or watcher's notification (to r) what
// its mail needs: the case's reply token (for the thread references) and
// reply address; for a message, its whole text, the addresses it was
// copied to other than r's ("mail_cc", its Cc header) and its
// attachments' references (the Notifier reads them from the kit's
// BlobStore at delivery, so the outbox holds no file); for an
// acknowledgement, the Message-ID of the mail it answers.
func (c *cmd) mailData(ev Event, cs *Case, r Recipient, ack bool, data map[string]any) error {
	s, err := c.mailSettings()
	if err != nil {
		return err
	}
	token, err := c.replyToken(cs.ID)
	if err != nil {
		return err
	}
	data["reply_token"] = token
	if addr := mailReplyAddress(s, token); addr != "" {
		data["reply_to"] = addr
	}
	if t := c.linkTokens[str(ev.Data["link_id"])]; t != "" && ev.Type == EventPortalLinkMailed {
		data["portal_token"] = t
	}
	if ack {
		data["acknowledgement"] = true
		if ref := c.mailRefs[cs.ID]; ref != "" {
			data["mail_in_reply_to"] = ref
		}
	}
	if m := c.posted[str(ev.Data["message_id"])]; m != nil && m.Public && ev.Type == EventMessagePosted {
		data["body"] = m.Body
		// Everyone's mail shows who else was copied: the Cc header.
		if cc := slices.DeleteFunc(slices.Clone(m.Cc), func(a string) bool { return sameAddress(a, r.Email) }); len(cc) > 0 {
			data["mail_cc"] = cc
		}
		if len(m.Attachments) > 0 {
			files := make([]any, len(m.Attachments))
			for i, a := range m.Attachments {
				files[i] = map[string]any{"id": a.ID, "name": a.Name, "content_type": a.ContentType, "size": a.Size, "key": a.Key}
			}
			data["attachments"] = files
		}
	}
	return nil
}

// str is v when it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}
