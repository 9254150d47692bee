package casekit

import (
	"errors"
	"fmt"
	"time"
)

// IntakeRateLimit is how many cases one address may open through
// Desk.Intake in a clock hour unless WithIntakeRateLimit says otherwise.
const IntakeRateLimit = 20

// WithIntakeRateLimit sets how many cases one address may open through
// Desk.Intake in a clock hour: IntakeRateLimit by default, 0 for no
// limit (for a host that limits its form itself).
func WithIntakeRateLimit(n int) Option { return func(k *Kit) { k.intakeLimit = n } }

// ErrRateLimited is what Desk.Intake returns, as a *RateLimitError, for a
// submission past its address's limit.
var ErrRateLimited = errors.New("casekit: too many submissions from this address")

// RateLimitError says a submission was refused for its address's rate
// limit, and when the address may send again. errors.Is(err,
// ErrRateLimited) holds for it.
type RateLimitError struct {
	// Until is when the address's next hour starts, by the kit's clock.
	Until time.Time
	// RetryAfter is how long that is from the submission.
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%v; try again after %s", ErrRateLimited, e.Until.Format(time.RFC3339))
}

// Unwrap makes errors.Is(err, ErrRateLimited) hold.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// countOpened counts one more case opened from addr in the current clock
// hour, or returns a *RateLimitError when the address has opened its
// limit already. The store's counter row makes concurrent submissions
// from one address wait for each other, so the limit is exact; a refused
// command rolls its count back, so only opened cases count.
func (c *cmd) countOpened(limit int, addr string) error {
	if limit == 0 || addr == "" {
		return nil
	}
	hour := c.now.Truncate(time.Hour)
	n, err := c.tx.CountIntakeOpened(c.ctx, addr, hour)
	if err != nil {
		return err
	}
	if n > limit {
		next := hour.Add(time.Hour)
		return &RateLimitError{Until: next, RetryAfter: next.Sub(c.now)}
	}
	return nil
}
