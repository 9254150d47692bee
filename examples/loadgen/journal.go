package main

import (
	"context"
	"sync"
	"time"

	"casekit.dev/casekit"
)

// journal is the client's record, in memory, of every command it saw
// succeed during a crash test: the cases it opened (ID and number), the
// messages it posted (ID) and the highest version of each case a command
// returned. A command that failed is not in it: when the server died
// under it, its outcome is unknown. The crash checks look for each entry
// in the database afterwards. A nil journal records nothing, so the
// ordinary load runs without one. It is safe for concurrent use.
type journal struct {
	mu       sync.Mutex
	cases    map[string]map[string]int64     // tenant → case ID → number
	messages map[string]map[string]string    // tenant → message ID → case ID
	states   map[string]map[string]seenState // tenant → case ID → newest state seen
	changes  int                             // status changes seen to succeed
}

func newJournal() *journal {
	return &journal{cases: map[string]map[string]int64{}, messages: map[string]map[string]string{},
		states: map[string]map[string]seenState{}}
}

// opened records a case OpenCase returned.
func (j *journal) opened(tenant string, c *casekit.Case) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	inner(j.cases, tenant)[c.ID] = c.Number
	j.see(tenant, c)
}

// posted records a message PostMessage returned.
func (j *journal) posted(tenant string, m *casekit.Message) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	inner(j.messages, tenant)[m.ID] = m.CaseID
}

// changed records the case a status change returned.
func (j *journal) changed(tenant string, c *casekit.Case) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.changes++
	j.see(tenant, c)
}

// see keeps the case's state if it is the newest seen; j.mu is held.
func (j *journal) see(tenant string, c *casekit.Case) {
	m := inner(j.states, tenant)
	if old, ok := m[c.ID]; !ok || c.Version > old.version {
		m[c.ID] = seenState{status: c.Status, version: c.Version}
	}
}

// seenState is a case as a command returned it.
type seenState struct {
	status  string
	version int64
}

func inner[V any](m map[string]map[string]V, k string) map[string]V {
	if m[k] == nil {
		m[k] = map[string]V{}
	}
	return m[k]
}

// recorder is the crash test's notifier: it records the ID of every
// notification handed to it (and how often), and counts them as the
// ordinary load's notifier does. It never fails: a notification not
// delivered is one casekit did not hand over.
type recorder struct {
	countingNotifier
	mu  sync.Mutex
	ids map[string]int
	// late counts notifications first handed over on a later attempt:
	// an earlier claim of theirs was cut off before delivery.
	late int
	last time.Time // when the last notification came
}

func newRecorder() *recorder { return &recorder{ids: map[string]int{}} }

func (r *recorder) Notify(ctx context.Context, n casekit.Notification) error {
	r.mu.Lock()
	if r.ids[n.ID] == 0 && n.Attempts > 1 {
		r.late++
	}
	r.ids[n.ID]++
	r.last = time.Now()
	r.mu.Unlock()
	return r.countingNotifier.Notify(ctx, n)
}

// lastAt returns when the last notification came.
func (r *recorder) lastAt() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// lateOnes returns how many notifications were first delivered on a
// later attempt.
func (r *recorder) lateOnes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.late
}

// delivered returns a copy of the IDs delivered so far and how often.
func (r *recorder) delivered() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.ids))
	for id, n := range r.ids {
		out[id] = n
	}
	return out
}
