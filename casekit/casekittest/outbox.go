package casekittest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

// Recorder is a casekit.Notifier that keeps what it is given, failing
// while Fail returns an error. It is safe for concurrent use.
type Recorder struct {
	mu   sync.Mutex
	got  []casekit.Notification
	Fail func(n casekit.Notification) error
}

// Notify implements casekit.Notifier.
func (r *Recorder) Notify(_ context.Context, n casekit.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Fail != nil {
		if err := r.Fail(n); err != nil {
			return err
		}
	}
	r.got = append(r.got, n)
	return nil
}

// Got returns the notifications delivered so far, in order.
func (r *Recorder) Got() []casekit.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// Take returns the notifications delivered so far and forgets them.
func (r *Recorder) Take() []casekit.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

// who lists notifications as "event -> kind:id", sorted: a batch is
// delivered several at a time, in no fixed order.
func who(ns []casekit.Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = fmt.Sprintf("%s -> %s:%s", n.Event, n.Recipient.Kind, n.Recipient.ID)
	}
	slices.Sort(out)
	return out
}

// recorderTest is a test of what a kit with a Recorder for notifier is
// told to deliver.
type recorderTest struct {
	name string
	run  func(t *testing.T, e *Env, rec *Recorder)
}

// runRecorderTests runs each test alone, in a new tenant of a kit that
// delivers to a Recorder and knows testDirectory. Serial, like the
// timers: RunDue delivers every tenant's outbox.
func runRecorderTests(t *testing.T, newStore StoreFactory, tests []recorderTest) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &Recorder{}
			tc.run(t, NewEnv(t, newStore(t), casekit.WithNotifier(rec), casekit.WithDirectory(testDirectory)), rec)
		})
	}
}

func testOutbox(t *testing.T, newStore StoreFactory) {
	runRecorderTests(t, newStore, []recorderTest{
		{"each event tells whom the products tell, never the actor", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent() // agent-1, of team-a
			e.places(t, []string{"team-a"}, casekit.Queue{ID: "qa", Name: "A", TeamID: "team-a"})
			e.slaSetup(t)
			cust := e.Desk(casekit.Customer("cust-1"))
			// step runs what is due (timers too) and wants exactly these
			// notifications delivered, which it returns.
			step := func(what string, want ...string) []casekit.Notification {
				t.Helper()
				_, err := e.Kit.RunDue(ctx)
				must(t, err, "RunDue (%s)", what)
				got := rec.Take()
				wantEqual(t, want, who(got), "%s", what)
				return got
			}
			c := openWith(t, e.Desk(casekit.System), casekit.NewCase{Subject: "From the web form", Origin: "web", QueueID: "qa",
				CustomerID: "cust-1", Contact: casekit.Contact{Name: "Ada", Email: "ada@example.com"}, SLAID: "round", Priority: "high"})
			step("opened from a web form", "case.opened -> agent:agent-1", "case.opened -> agent:agent-2", "case.opened -> customer:cust-1")
			try(cust.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Any news?"})).get(t)
			step("a customer comment on an unassigned case", "message.posted -> agent:agent-1", "message.posted -> agent:agent-2")
			try(d.Assign(ctx, c.ID, casekit.Assignment{Agent: "agent-2"})).get(t)
			step("assigned", "case.assigned -> agent:agent-2")
			try(d.SetStatus(ctx, c.ID, casekit.StatusInProgress)).get(t)
			got := step("processing starts", "case.status_changed -> customer:cust-1")
			if len(got) == 1 && (got[0].Data["resolution_due"] == nil || got[0].Recipient.Email != "ada@example.com") {
				t.Errorf("processing-started notice: %+v, want the resolution deadline and the contact's address", got[0])
			}
			try(d.SetStatus(ctx, c.ID, casekit.StatusWaiting)).get(t)
			step("waiting for response", "case.status_changed -> customer:cust-1")
			try(cust.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Here is the log"})).get(t)
			// The reply reopens the case and clears the assignee: the team hears.
			step("a customer reply on a waiting case", "message.posted -> agent:agent-1", "message.posted -> agent:agent-2")
			try(d.Assign(ctx, c.ID, casekit.Assignment{Agent: AgentID})).get(t)
			step("an agent assigning themself")
			try(d.Assign(ctx, c.ID, casekit.Assignment{Agent: "agent-2"})).get(t)
			step("reassigned", "case.assigned -> agent:agent-2")
			try(d.AddActivity(ctx, c.ID, casekit.NewActivity{Kind: casekit.ActivityCall, Subject: "Call back", NotifyContact: true})).get(t)
			step("an activity the contact is told of", "activity.added -> customer:cust-1")
			e.task(t, c.ID, "Internal work")
			step("an internal activity")
			try(d.Resolve(ctx, c.ID, casekit.Resolution{CancelOpenActivities: true})).get(t)
			got = step("resolved", "case.resolved -> customer:cust-1")
			if len(got) == 1 && !slices.Equal(intList(got[0].Data["rating_levels"]), []int{1, 2, 3, 4, 5}) {
				t.Errorf("resolution notice: rating levels %v, want 1-5", got[0].Data["rating_levels"])
			}
			try(cust.Close(ctx, c.ID, casekit.Closure{Reason: "fixed", Note: "Works now"})).get(t)
			step("the customer closes", "case.closed -> agent:agent-2")

			other := openWith(t, d, casekit.NewCase{Subject: "Mistake", CustomerID: "cust-2"})
			step("opened by an agent through the API")
			try(d.Cancel(ctx, other.ID, "opened by mistake")).get(t)
			step("canceled", "case.canceled -> customer:cust-2")

			openWith(t, d, casekit.NewCase{Subject: "Late", Priority: "critical", SLAID: "round", AssigneeID: "agent-2"})
			step("opened with an assignee", "case.opened -> agent:agent-2")
			e.Clock.Advance(2 * time.Hour)
			step("the response deadline passes", "sla.breached -> agent:agent-2")
		}},
		{"watchers hear what the customer hears, never anything internal", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent()
			c := openWith(t, d, casekit.NewCase{Subject: "Broken lift", CustomerID: "cust-1", AssigneeID: AgentID})
			before := e.state(t, c.ID)
			wantRule(t, errOf(d.AddWatcher(ctx, c.ID, casekit.Watcher{Email: "not an address"})), "AddWatcher with a bad address", "email", "email")
			wantRule(t, errOf(d.AddWatcher(ctx, c.ID, casekit.Watcher{})), "AddWatcher with no address", "email", "required")
			wantIs(t, errOf(d.AddWatcher(ctx, fakeFixture().CaseID, casekit.Watcher{Email: "a@example.com"})), casekit.ErrNotFound, "AddWatcher on an unknown case")
			wantUnchanged(t, before, e.state(t, c.ID), "after refused watchers")
			at := e.Tick()
			w := try(d.AddWatcher(ctx, c.ID, casekit.Watcher{Name: "Facility Manager", Email: " FM@Example.com "})).get(t)
			if w.Email != "fm@example.com" || w.CaseID != c.ID || w.AddedBy != casekit.Agent(AgentID) || !w.AddedAt.Equal(at) {
				t.Errorf("watcher: %+v", w)
			}
			wantIs(t, errOf(d.AddWatcher(ctx, c.ID, casekit.Watcher{Email: "fm@example.com"})), casekit.ErrConflict, "the same address twice")
			wantEqual(t, []casekit.Watcher{*w}, try(d.Watchers(ctx, c.ID)).get(t), "Watchers")
			wantEvent(t, eventOf(t, e.history(t, c.ID), casekit.EventWatcherAdded), casekit.EventWatcherAdded, casekit.Agent(AgentID), at)

			try(d.AddNote(ctx, c.ID, casekit.NewNote{Subject: "diagnosis", Body: "Internal"})).get(t)
			e.task(t, c.ID, "Internal work")
			try(d.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "FYI", Internal: true})).get(t)
			try(d.SetStatus(ctx, c.ID, casekit.StatusInProgress)).get(t)
			try(d.Resolve(ctx, c.ID, casekit.Resolution{CancelOpenActivities: true})).get(t)
			_, err := e.Kit.RunDue(ctx)
			must(t, err, "RunDue")
			got := rec.Take()
			wantEqual(t, []string{"case.resolved -> customer:cust-1", "case.resolved -> watcher:" + w.ID,
				"case.status_changed -> customer:cust-1", "case.status_changed -> watcher:" + w.ID}, who(got), "notifications")
			for _, n := range got {
				if n.Recipient.Kind == casekit.RecipientWatcher && (n.Recipient.Email != "fm@example.com" || n.Data["rating_levels"] != nil) {
					t.Errorf("watcher notification: %+v (want the address and no rating)", n)
				}
			}
			must(t, d.RemoveWatcher(ctx, c.ID, w.ID), "RemoveWatcher")
			wantIs(t, d.RemoveWatcher(ctx, c.ID, w.ID), casekit.ErrNotFound, "RemoveWatcher twice")
			try(d.Reopen(ctx, c.ID, casekit.Reopening{Reason: "not_fixed", Note: "again"})).get(t)
			try(d.Cancel(ctx, c.ID, "duplicate")).get(t)
			_, err = e.Kit.RunDue(ctx)
			must(t, err, "RunDue")
			wantEqual(t, []string{"case.canceled -> customer:cust-1"}, who(rec.Take()), "after the watcher left")
		}},
		{"a failing notifier is retried with backoff until the notification is a dead letter; retry sends it again", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent()
			var seen []string
			rec.Fail = func(n casekit.Notification) error {
				seen = append(seen, fmt.Sprintf("%s#%d", n.ID, n.Attempts))
				return errors.New("mail server says no")
			}
			c := e.open(t, "Printer", "cust-1")
			before := e.Now()
			try(d.Cancel(ctx, c.ID, "test")).get(t)
			for i := 1; i <= casekit.MaxDeliveryAttempts; i++ {
				n, err := e.Kit.RunDue(ctx)
				if n != 0 || err == nil || !strings.Contains(err.Error(), "mail server says no") {
					t.Fatalf("attempt %d: RunDue = %d, %v; want 0 and the failure", i, n, err)
				}
				e.runDue(t, 0, "before the retry is due")
				e.Clock.Advance(2 * time.Hour) // past any backoff
			}
			if len(seen) != casekit.MaxDeliveryAttempts {
				t.Fatalf("%d attempts, want %d", len(seen), casekit.MaxDeliveryAttempts)
			}
			id := strings.Split(seen[0], "#")[0]
			for i, s := range seen {
				if s != fmt.Sprintf("%s#%d", id, i+1) {
					t.Errorf("attempt %d was %s, want the same ID and attempt %d", i+1, s, i+1)
				}
			}
			dead := try(d.Config().DeadLetters(ctx)).get(t)
			if len(dead) != 1 || dead[0].ID != id || !dead[0].Dead || dead[0].LastError != "mail server says no" || dead[0].Attempts != casekit.MaxDeliveryAttempts {
				t.Fatalf("dead letters: %+v", dead)
			}
			if !dead[0].CreatedAt.Equal(before) {
				t.Errorf("dead letter created at %s, want %s", dead[0].CreatedAt, before)
			}
			e.runDue(t, 0, "a dead letter")
			rec.Fail = nil
			wantIs(t, d.Config().RetryDeadLetter(ctx, "no-such-id"), casekit.ErrNotFound, "RetryDeadLetter(unknown)")
			must(t, d.Config().RetryDeadLetter(ctx, id), "RetryDeadLetter")
			e.runDue(t, 1, "after the retry")
			if got := rec.Take(); len(got) != 1 || got[0].ID != id || got[0].Attempts != 1 {
				t.Errorf("retried delivery: %+v", got)
			}
			if dead := try(d.Config().DeadLetters(ctx)).get(t); len(dead) != 0 {
				t.Errorf("dead letters after the retry: %v", dead)
			}
		}},
		{"a notifier that panics is a failure, not a crash", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent()
			rec.Fail = func(casekit.Notification) error { panic("boom") }
			c := e.open(t, "Printer", "cust-1")
			try(d.Cancel(ctx, c.ID, "test")).get(t)
			if n, err := e.Kit.RunDue(ctx); n != 0 || err == nil || !strings.Contains(err.Error(), "panicked: boom") {
				t.Fatalf("RunDue with a panicking notifier = %d, %v", n, err)
			}
			if got := e.reload(t, c.ID); got.Status != casekit.StatusCanceled {
				t.Errorf("the command was undone: case is %s", got.Status)
			}
		}},
		{"a notifier that hangs is cut off by the delivery timeout and retried", func(t *testing.T, e *Env, _ *Recorder) {
			ctx := t.Context()
			hang := &Recorder{Fail: func(casekit.Notification) error { return nil }}
			var hung int
			slow := notifierFunc(func(ctx context.Context, n casekit.Notification) error {
				if hung++; hung == 1 {
					<-ctx.Done() // never answers; only the timeout ends it
					return ctx.Err()
				}
				return hang.Notify(ctx, n)
			})
			he := NewEnv(t, e.Store, casekit.WithNotifier(slow), casekit.WithDeliveryTimeout(50*time.Millisecond))
			c := he.open(t, "Printer", "cust-1")
			try(he.Agent().Cancel(ctx, c.ID, "test")).get(t)
			start := time.Now()
			n, err := he.Kit.RunDue(ctx)
			if n != 0 || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("RunDue with a hanging notifier = %d, %v; want 0 and a deadline error", n, err)
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("RunDue took %v with a 50ms delivery timeout", took)
			}
			he.Clock.Advance(2 * time.Hour)
			he.runDue(t, 1, "the retry")
			if got := hang.Got(); len(got) != 1 || got[0].Attempts != 2 {
				t.Errorf("retry: %+v", got)
			}
			if _, err := casekit.New(e.Store, casekit.WithDeliveryTimeout(time.Hour)); err == nil {
				t.Error("a delivery timeout longer than half the lease was accepted")
			}
		}},
		{"a runner stopped in the middle of a batch loses nothing; repeats carry the same ID", func(t *testing.T, e *Env, rec *Recorder) {
			ctx, d := t.Context(), e.Agent()
			const cases = 10
			var want []string
			for i := range cases {
				c := e.open(t, fmt.Sprintf("Case %d", i), fmt.Sprintf("cust-%d", i))
				try(d.Cancel(ctx, c.ID, "test")).get(t)
				want = append(want, fmt.Sprintf("case.canceled -> customer:cust-%d", i))
			}
			runCtx, stop := context.WithCancel(ctx)
			calls := 0
			rec.Fail = func(casekit.Notification) error {
				if calls++; calls == 4 { // Notify is called under the recorder's lock
					stop() // the process dies while delivering the fourth
					return runCtx.Err()
				}
				return nil
			}
			e.Kit.RunDue(runCtx) // returns once its context is gone
			first := rec.Take()
			if len(first) >= cases {
				t.Fatalf("%d delivered before the stop, want fewer than %d", len(first), cases)
			}
			rec.Fail = nil
			e.runDue(t, 0, "while the dead runner's claims are leased")
			e.Clock.Advance(10 * time.Minute) // past the lease
			if _, err := e.Kit.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			all := append(first, rec.Take()...)
			got := map[string]string{}
			for _, n := range all {
				if prev, ok := got[n.ID]; ok && prev != who([]casekit.Notification{n})[0] {
					t.Errorf("notification %s delivered as %s and as %s", n.ID, prev, who([]casekit.Notification{n})[0])
				}
				got[n.ID] = who([]casekit.Notification{n})[0]
			}
			var delivered []string
			for _, w := range got {
				delivered = append(delivered, w)
			}
			slices.Sort(delivered)
			slices.Sort(want)
			wantEqual(t, want, delivered, "distinct notifications delivered after the restart")
		}},
		{"without a notifier nothing is queued", func(t *testing.T, e *Env, _ *Recorder) {
			plain := NewEnv(t, e.Store)
			c := plain.open(t, "Printer", "cust-1")
			try(plain.Agent().Cancel(t.Context(), c.ID, "test")).get(t)
			plain.InTx(t, func(ctx context.Context, tx store.Tx) error {
				dead, err := tx.DeadLetters(ctx)
				if len(dead) != 0 {
					t.Errorf("dead letters without a notifier: %v", dead)
				}
				return err
			})
			plain.runDue(t, 0, "without a notifier")
		}},
	})
}

// intList reads a list of numbers from event or notification data.
func intList(v any) []int {
	switch l := v.(type) {
	case []int:
		return l
	case []any:
		out := make([]int, 0, len(l))
		for _, x := range l {
			if n, ok := number(x); ok {
				out = append(out, int(n))
			}
		}
		return out
	}
	return nil
}

// notifierFunc is a function as a casekit.Notifier.
type notifierFunc func(ctx context.Context, n casekit.Notification) error

func (f notifierFunc) Notify(ctx context.Context, n casekit.Notification) error { return f(ctx, n) }
