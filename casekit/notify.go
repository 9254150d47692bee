package casekit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"casekit.dev/casekit/casetype"
	"casekit.dev/casekit/store"
)

// These names live in package casetype, where the stores read them too;
// programs keep writing casekit.Name.
type (
	// RecipientKind says who a notification goes to.
	RecipientKind = casetype.RecipientKind
	// Watcher is a third party kept informed about a case: a colleague of the
	// customer, a supplier, a manager.
	Watcher = casetype.Watcher
	// Recipient is who a notification is for.
	Recipient = casetype.Recipient
	// Notification is one message to one recipient about one event, kept in
	// the tenant's outbox from the command's commit until a Notifier has taken
	// it.
	Notification = casetype.Notification
)

const (
	RecipientAgent    = casetype.RecipientAgent
	RecipientCustomer = casetype.RecipientCustomer
	// RecipientTeam is a whole team, used when the kit has no Directory to
	// name its members.
	RecipientTeam = casetype.RecipientTeam
	// RecipientWatcher is a third party watching a case: told what the
	// customer is told, never anything internal.
	RecipientWatcher = casetype.RecipientWatcher
)

// Notifier delivers notifications: by mail, webhook, log, or anything the
// host likes. Notify may be called more than once for one notification
// (at-least-once delivery); Notification.ID tells repeats apart. An error
// puts the notification back for a retry with backoff.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// WithNotifier makes the kit keep an outbox of notifications for n, which
// Kit.Run delivers. Without one, commands enqueue nothing.
func WithNotifier(n Notifier) Option { return func(k *Kit) { k.notifier = n } }

// MaxDeliveryAttempts is how many times a notification is tried before it
// becomes a dead letter.
const MaxDeliveryAttempts = 8

// deliveryLease is how long a claimed notification is held for its
// runner; if the runner dies, another delivers it after the lease.
const deliveryLease = 2 * time.Minute

// DefaultDeliveryTimeout bounds one Notify call unless WithDeliveryTimeout
// says otherwise.
const DefaultDeliveryTimeout = 30 * time.Second

// WithDeliveryTimeout bounds each Notify call: past it the call's context
// is canceled and the attempt counts as failed. Keep it well under the
// two-minute lease, after which another runner may deliver the same
// notification.
func WithDeliveryTimeout(d time.Duration) Option { return func(k *Kit) { k.deliveryTimeout = d } }

// notifications turns the command's events into notifications, the way
// the help desks casekit learns from notify (the tenant's triggers say who
// hears of which event; DefaultTriggers are the rules below): the customer and watchers hear of public replies and of
// what happens to their case, the assignee or the team of what customers
// do and of what is handed to them. The actor is never told of their own
// doing, so that nobody gets mail about what they just did, save the
// acknowledgement that the case they opened arrived.
func (c *cmd) notifications() ([]Notification, error) {
	var (
		out    []Notification
		levels []int
		told   = map[string]bool{} // case, recipient kind and ID
	)
	for i, ev := range c.events {
		cs := c.eventCases[i]
		if cs == nil || len(c.notices[i]) == 0 {
			continue
		}
		rs, tpls, err := c.recipients(ev, cs, c.notices[i])
		if err != nil {
			return nil, err
		}
		for j, r := range rs {
			// An acknowledgement is the one notice about the actor's own
			// doing: the case they opened arrived.
			ack := ev.Type == EventCaseOpened && r.Kind == RecipientCustomer
			if !ack && ((r.Kind == RecipientAgent && c.actor == Agent(r.ID)) || (r.Kind == RecipientCustomer && c.actor == Customer(r.ID))) {
				continue
			}
			// An auto-assignment is not told to whom the command told of
			// the case already: the triggers on a case's opening see it
			// as auto-assignment left it, assigned, and tell its agent.
			who := cs.ID + "\x00" + string(r.Kind) + "\x00" + r.ID
			if ev.Data["auto_assign"] != nil && told[who] {
				continue
			}
			told[who] = true
			data := map[string]any{"subject": cs.Subject, "status": cs.Status, "priority": cs.Priority}
			if st, _, err := c.status(cs); err == nil {
				flags := []string{}
				for _, f := range statusFlagNames {
					if statusHasFlag(st, f) {
						flags = append(flags, f)
					}
				}
				data["status_label"], data["status_flags"] = st.Label, flags
			}
			if cs.ResolutionDue != nil {
				data["resolution_due"] = timeOrNil(cs.ResolutionDue)
			}
			if ev.Type == EventResolved && r.Kind == RecipientCustomer { // watchers do not rate
				if levels == nil {
					ls, err := c.tx.Lookups(c.ctx, LookupSatisfaction)
					if err != nil {
						return nil, err
					}
					for _, l := range ls {
						if !l.Disabled {
							levels = append(levels, l.Rank)
						}
					}
				}
				data["rating_levels"] = levels // the ratings the customer may give
			}
			noun, _, _ := strings.Cut(string(ev.Type), ".")
			for k, v := range ev.Data {
				if _, taken := data[k]; taken { // e.g. an activity's subject
					k = noun + "_" + k
				}
				data[k] = v
			}
			if r.Kind == RecipientCustomer || r.Kind == RecipientWatcher {
				// What customers may read of the event, then what their mail
				// needs: the reply address and, for a public message, its text.
				data = customerNotice(ev.Type, data)
				if err := c.mailData(ev, cs, r, ack, data); err != nil {
					return nil, err
				}
			}
			out = append(out, Notification{ID: newID(), Tenant: c.tenant, EventID: ev.ID, Event: ev.Type,
				CaseID: cs.ID, CaseNumber: cs.Number, Recipient: r, Data: data, Template: tpls[j], CreatedAt: c.now})
		}
	}
	return out, nil
}

// recipients says who hears of ev on case cs: those the notify actions
// of the triggers that fired on it name (acts), each once, with the
// template of the first action that names them ("" for the event's).
func (c *cmd) recipients(ev Event, cs *Case, acts []Action) ([]Recipient, []string, error) {
	var (
		out  []Recipient
		tpls []string
	)
	for _, a := range acts {
		if a.Kind != ActionNotify { // a webhook's: webhookDeliveries
			continue
		}
		rs, err := c.target(ev, cs, a)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range rs {
			if !slices.Contains(out, r) {
				out = append(out, r)
				tpls = append(tpls, a.Template)
			}
		}
	}
	return out, tpls, nil
}

// target is who a notify action names for ev on case cs.
func (c *cmd) target(ev Event, cs *Case, a Action) ([]Recipient, error) {
	contact := Recipient{Kind: RecipientCustomer, ID: cs.CustomerID, Name: cs.Contact.Name, Email: cs.Contact.Email}
	watchers := func() ([]Recipient, error) {
		ws, ok := c.watchers[cs.ID] // read once per command and case
		if !ok {
			var err error
			if ws, err = c.tx.Watchers(c.ctx, cs.ID); err != nil {
				return nil, err
			}
			if c.watchers == nil {
				c.watchers = map[string][]Watcher{}
			}
			c.watchers[cs.ID] = ws
		}
		var out []Recipient
		for _, w := range ws {
			out = append(out, Recipient{Kind: RecipientWatcher, ID: w.ID, Name: w.Name, Email: w.Email})
		}
		return out, nil
	}
	customer := func() ([]Recipient, error) { // and the watchers
		var out []Recipient
		if cs.CustomerID != "" || cs.Contact.Email != "" {
			out = append(out, contact)
		}
		ws, err := watchers()
		return append(out, ws...), err
	}
	switch a.To {
	case NotifyAssignee:
		if cs.AssigneeID != "" {
			return []Recipient{{Kind: RecipientAgent, ID: cs.AssigneeID}}, nil
		}
	case NotifyTeam:
		return c.team(cs.TeamID)
	case NotifyOwners:
		if cs.AssigneeID != "" {
			return []Recipient{{Kind: RecipientAgent, ID: cs.AssigneeID}}, nil
		}
		return c.team(cs.TeamID)
	case NotifyCustomer:
		return customer()
	case NotifyContact:
		return []Recipient{contact}, nil
	case NotifyWatchers:
		return watchers()
	case NotifyAcknowledgement:
		if ev.Type != EventCaseOpened {
			return nil, nil
		}
		ack, err := c.acknowledge(cs)
		if ack {
			return []Recipient{contact}, err
		}
		return nil, err
	case NotifyMail:
		return c.mailRecipients(ev, cs, customer)
	case NotifyAddress:
		return []Recipient{{Kind: RecipientWatcher, ID: "address:" + strings.ToLower(a.Value), Email: strings.ToLower(a.Value)}}, nil
	}
	return nil, nil
}

// team returns a team's members from the Directory, or the team itself
// when the kit has none; nobody for no team.
func (c *cmd) team(id string) ([]Recipient, error) {
	if id == "" {
		return nil, nil
	}
	if c.dir == nil {
		return []Recipient{{Kind: RecipientTeam, ID: id}}, nil
	}
	ids, err := c.dir.TeamMembers(c.ctx, c.tenant, id)
	if err != nil {
		return nil, fmt.Errorf("directory: members of team %q: %w", id, err)
	}
	out := make([]Recipient, 0, len(ids))
	for _, a := range slices.Sorted(slices.Values(ids)) {
		out = append(out, Recipient{Kind: RecipientAgent, ID: a})
	}
	return out, nil
}

// deliveryBatch is how many notifications one claim takes, and
// deliveryConcurrency how many of them are handed to the notifier at once.
const (
	deliveryBatch       = 64
	deliveryConcurrency = 8
)

// deliverDue claims due notifications in batches and hands them to the
// notifier, several at a time, and posts the deliveries to webhook
// subscriptions itself, settling each batch in one go, until none is
// due. A kit without a notifier claims only the webhook deliveries. It
// returns how many were delivered and the first failure.
func (k *Kit) deliverDue(ctx context.Context) (int, error) {
	delivered := 0
	var first error
	for {
		// A claim that failed part way still hands over what it claimed
		// before the failure: deliver those now rather than let them wait
		// out their lease.
		batch, claimErr := k.store.ClaimNotifications(ctx, k.now(), deliveryLease, deliveryBatch, k.notifier == nil)
		if len(batch) == 0 {
			if claimErr != nil {
				return delivered, claimErr
			}
			return delivered, first
		}
		results := make([]store.Settlement, len(batch))
		fails := k.renderAll(ctx, batch)
		hooks, hookFails := k.webhooksOf(ctx, batch)
		var wg sync.WaitGroup
		sem := make(chan struct{}, deliveryConcurrency)
		for i, n := range batch {
			webhook := n.Recipient.Kind == RecipientWebhook
			if err, failed := fails[i]; failed {
				results[i] = store.Settlement{Notification: n, Failure: err}
				continue
			}
			if err, failed := hookFails[n.Tenant]; failed && webhook {
				results[i] = store.Settlement{Notification: n, Failure: err}
				continue
			}
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				if webhook {
					results[i] = k.postWebhook(ctx, n, hooks[n.Tenant][n.Recipient.ID])
					return
				}
				results[i] = store.Settlement{Notification: n, Failure: k.deliver(ctx, n)}
			}()
		}
		wg.Wait()
		for i := range results {
			r := &results[i]
			if r.Failure == nil {
				// A webhook delivery dropped unsent is settled, not delivered.
				if r.Notification.Recipient.Kind != RecipientWebhook || (r.Attempt != nil && r.Attempt.Delivered) {
					delivered++
				}
				continue
			}
			r.Retry = backoff(k.now(), r.Notification.Attempts)
			n := r.Notification
			k.logger.LogAttrs(ctx, slog.LevelWarn, "casekit: notification failed",
				slog.String("tenant", n.Tenant), slog.String("id", n.ID), slog.String("event", string(n.Event)),
				slog.Int("attempts", n.Attempts), slog.Bool("dead", r.Retry.IsZero()), slog.Any("err", r.Failure))
			if first == nil {
				first = fmt.Errorf("casekit: notification %s of tenant %q: %w", n.ID, n.Tenant, r.Failure)
			}
		}
		// Settle even when ctx ended meanwhile: what was delivered must
		// leave the outbox, or it goes out again after the lease.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
		err := k.store.SettleNotifications(sctx, results)
		cancel()
		if err != nil {
			return delivered, err
		}
		if claimErr != nil {
			return delivered, claimErr
		}
		if ctx.Err() != nil {
			return delivered, ctx.Err()
		}
	}
}

// settleTimeout bounds the settlement of a delivered batch, which runs on
// after the caller's context ends.
const settleTimeout = 30 * time.Second

// deliver fills in an agent's name and address from the Directory and
// calls the notifier, turning a panic into an error and bounding the call.
func (k *Kit) deliver(ctx context.Context, n Notification) (err error) {
	if n.Recipient.Kind == RecipientAgent && k.dir != nil {
		p, perr := k.dir.Person(ctx, n.Tenant, n.Recipient.ID)
		if perr != nil && !errors.Is(perr, ErrNotFound) {
			return fmt.Errorf("directory: %w", perr)
		}
		n.Recipient.Name, n.Recipient.Email = p.Name, p.Email
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("notifier panicked: %v", r)
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, k.deliveryTimeout)
	defer cancel()
	return k.notifier.Notify(ctx, n)
}

// backoff returns when a notification that failed its n-th attempt is
// tried again: 30 s doubling per attempt up to an hour, with up to a fifth
// added at random so that failures do not retry in step; the zero time
// after MaxDeliveryAttempts, which makes it a dead letter.
func backoff(now time.Time, attempts int) time.Time {
	if attempts >= MaxDeliveryAttempts {
		return time.Time{}
	}
	d := min(30*time.Second<<min(attempts-1, 10), time.Hour)
	return now.Add(d + time.Duration(rand.Int64N(int64(d/5)+1)))
}

// DeadLetters lists the tenant's notifications that failed
// MaxDeliveryAttempts times, oldest first.
func (cf *Config) DeadLetters(ctx context.Context) ([]Notification, error) {
	return runValue(cf.d, ctx, "dead letters", staffRead, func(c *cmd) ([]Notification, error) {
		return c.tx.DeadLetters(c.ctx)
	})
}

// RetryDeadLetter puts a dead notification back in the outbox, due now,
// with its attempts counted from zero and the same ID.
func (cf *Config) RetryDeadLetter(ctx context.Context, id string) error {
	return cf.d.run(ctx, "retry dead letter", adminOnly, func(c *cmd) error {
		if err := c.tx.RetryDeadLetter(c.ctx, id, c.now); err != nil {
			return fmt.Errorf("notification %s: %w", id, err)
		}
		return nil
	})
}
