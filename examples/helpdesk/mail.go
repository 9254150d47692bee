package main

import (
	"context"
	"net/http"
	"slices"
	"sync"

	"casekit.dev/casekit"
)

// mailbox is the helpdesk's Notifier: it hands each notification to the
// next notifier, if any (notify/smtp with -smtp), and records what was
// delivered for the mail view. A repeat (the same ID, after a retry) is
// recorded once.
type mailbox struct {
	next casekit.Notifier

	mu   sync.Mutex
	sent []casekit.Notification
	seen map[string]bool
}

// Notify implements casekit.Notifier.
func (m *mailbox) Notify(ctx context.Context, n casekit.Notification) error {
	if m.next != nil {
		if err := m.next.Notify(ctx, n); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen == nil {
		m.seen = map[string]bool{}
	}
	if !m.seen[n.ID] {
		m.seen[n.ID] = true
		m.sent = append(m.sent, n)
	}
	return nil
}

// Sent returns what was delivered, the newest first.
func (m *mailbox) Sent() []casekit.Notification {
	m.mu.Lock()
	out := slices.Clone(m.sent)
	m.mu.Unlock()
	slices.Reverse(out)
	return out
}

type mailPage struct {
	basePage
	Mails []casekit.Notification
}

func (a *app) mailView(w http.ResponseWriter, r *http.Request, req *request) {
	a.render(w, r, http.StatusOK, "mail", &mailPage{basePage: a.basePage(r, req.s, "Mail"), Mails: a.mail.Sent()})
}
