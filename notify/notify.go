// Package notify holds casekit.Notifier implementations: Log writes each
// notification to a slog.Logger, FanOut hands it to several notifiers.
// Give one to casekit.WithNotifier; Kit.Run delivers the outbox through it.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"casekit.dev/casekit"
)

// Log returns a notifier that logs every notification at level Info to l,
// with its ID, tenant, event, case and recipient. It never fails.
func Log(l *slog.Logger) casekit.Notifier { return logNotifier{l} }

type logNotifier struct{ l *slog.Logger }

func (n logNotifier) Notify(ctx context.Context, x casekit.Notification) error {
	n.l.LogAttrs(ctx, slog.LevelInfo, "casekit notification",
		slog.String("id", x.ID), slog.String("tenant", x.Tenant), slog.String("event", string(x.Event)),
		slog.String("case_id", x.CaseID), slog.Int64("case_number", x.CaseNumber),
		slog.String("recipient_kind", string(x.Recipient.Kind)), slog.String("recipient_id", x.Recipient.ID),
		slog.String("recipient_email", x.Recipient.Email), slog.Int("attempt", x.Attempts))
	return nil
}

// FanOut returns a notifier that hands every notification to each of ns
// in turn. All are tried even when one fails; the failures come back
// joined, each naming its notifier's position, and the outbox then retries
// the notification with every notifier, so one that succeeded before sees
// it again with the same ID. A notifier that panics fails like one that
// returns an error.
func FanOut(ns ...casekit.Notifier) casekit.Notifier { return fanOut(ns) }

type fanOut []casekit.Notifier

func (f fanOut) Notify(ctx context.Context, n casekit.Notification) error {
	var errs []error
	for i, x := range f {
		if err := notifySafely(ctx, x, n); err != nil {
			errs = append(errs, fmt.Errorf("notifier %d: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

func notifySafely(ctx context.Context, x casekit.Notifier, n casekit.Notification) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panicked: %v", r)
		}
	}()
	return x.Notify(ctx, n)
}
