package main

import (
	"sync"
	"time"
)

// Sign-in attempts: at most maxFailures wrong passwords per account and
// per remote address within failureWindow.
const (
	maxFailures   = 5
	failureWindow = 15 * time.Minute
	// maxLimiterKeys bounds the limiter's memory: when it tracks this many
	// accounts and addresses with recent failures, new ones are refused
	// until some age out, rather than forgotten (which would lift their
	// limit).
	maxLimiterKeys = 100_000
)

// limiter counts failed sign-ins per key (an account, a remote address).
// It is exact under concurrency: an attempt reserves its place before the
// password is checked, so of any number of wrong attempts at once no more
// than maxFailures are checked within the window.
type limiter struct {
	now  func() time.Time
	mu   sync.Mutex
	keys map[string]*attempts
}

type attempts struct {
	failures []time.Time // within the window, oldest first
	inFlight int
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, keys: map[string]*attempts{}}
}

// begin reserves an attempt for every key. When any key has no attempt
// left it reserves nothing and says how long to wait; otherwise done
// must be called with the attempt's outcome.
func (l *limiter) begin(keys ...string) (done func(ok bool), retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range keys {
		a := l.keys[k]
		if a == nil {
			continue
		}
		a.prune(now)
		if len(a.failures)+a.inFlight >= maxFailures {
			wait := time.Second // only attempts in flight: one of them may fail or not
			if len(a.failures) > 0 {
				wait = a.failures[0].Add(failureWindow).Sub(now)
			}
			return nil, max(wait, time.Second)
		}
	}
	if len(l.keys)+len(keys) > maxLimiterKeys {
		l.sweep(now)
		if len(l.keys)+len(keys) > maxLimiterKeys {
			return nil, time.Minute
		}
	}
	for _, k := range keys {
		if l.keys[k] == nil {
			l.keys[k] = &attempts{}
		}
		l.keys[k].inFlight++
	}
	return func(ok bool) {
		l.mu.Lock()
		defer l.mu.Unlock()
		at := l.now()
		for _, k := range keys {
			a := l.keys[k]
			a.inFlight--
			if !ok {
				a.failures = append(a.failures, at)
			}
			if a.inFlight == 0 && len(a.failures) == 0 {
				delete(l.keys, k)
			}
		}
	}, 0
}

// prune drops the failures older than the window.
func (a *attempts) prune(now time.Time) {
	i := 0
	for i < len(a.failures) && !now.Before(a.failures[i].Add(failureWindow)) {
		i++
	}
	a.failures = a.failures[i:]
}

// sweep forgets the keys with nothing in the window and nothing in flight.
func (l *limiter) sweep(now time.Time) {
	for k, a := range l.keys {
		if a.prune(now); len(a.failures) == 0 && a.inFlight == 0 {
			delete(l.keys, k)
		}
	}
}
