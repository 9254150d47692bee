package casekit

import "strings"

// The outbound half of the mail conversation: an agent's public e-mail
// message goes to the case's contact, its watchers and the addresses the
// agent added, and every mail to a customer or watcher carries what a
// Notifier needs to send it as part of the case's thread.

// mailRecipients are those an agent's public e-mail message goes to: the
// contact and watchers (customer), then each address of the message's To
// that is not one of them, as a watcher of this one message ("to:" and
// the address as ID).
func (c *cmd) mailRecipients(ev Event, cs *Case, customer func() ([]Recipient, error)) ([]Recipient, error) {
	out, err := customer()
	if err != nil {
		return nil, err
	}
	m := c.posted[str(ev.Data["message_id"])]
	if m == nil {
		return out, nil
	}
	for _, to := range m.To {
		to = strings.ToLower(strings.TrimSpace(to))
		known := false
		for _, r := range out {
			known = known || strings.EqualFold(r.Email, to)
		}
		if !known && to != "" {
			out = append(out, Recipient{Kind: RecipientWatcher, ID: "to:" + to, Email: to})
		}
	}
	return out, nil
}

// mailData adds to a customer's or watcher's notification what its mail
// needs: the case's reply token (for the thread references) and reply
// address; for a message, its whole text, its sender and its
// attachments' references (the Notifier reads them from the kit's
// BlobStore at delivery, so the outbox holds no file); for an
// acknowledgement, the Message-ID of the mail it answers.
func (c *cmd) mailData(ev Event, cs *Case, ack bool, data map[string]any) error {
	s, err := c.mailSettings()
	if err != nil {
		return err
	}
	token, err := c.replyToken(cs.ID)
	if err != nil {
		return err
	}
	data["reply_token"] = token
	if addr := s.replyAddress(token); addr != "" {
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
