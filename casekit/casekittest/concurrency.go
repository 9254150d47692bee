package casekittest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"casekit.dev/casekit"
)

// together runs fn(i) for i in [0, n) on n goroutines released at once and
// returns their errors by i.
func together(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

func testConcurrency(t *testing.T, newStore StoreFactory) {
	runEnvTests(t, newStore, []envTest{
		{"32 concurrent OpenCase calls take numbers 1 to 32", func(t *testing.T, e *Env) {
			const n = 32
			cases := make([]*casekit.Case, n)
			errs := together(n, func(i int) (err error) {
				cases[i], err = e.Desk(casekit.Agent(fmt.Sprintf("agent-%d", i))).OpenCase(t.Context(), casekit.NewCase{Subject: fmt.Sprintf("Case %d", i)})
				return err
			})
			var got []int64
			seen := map[string]bool{}
			for i, err := range errs {
				if !wantOK(t, err, "OpenCase %d", i) {
					continue
				}
				got = append(got, cases[i].Number)
				if seen[cases[i].ID] {
					t.Errorf("two cases share the ID %s", cases[i].ID)
				}
				seen[cases[i].ID] = true
			}
			slices.Sort(got)
			want := make([]int64, n)
			for i := range want {
				want[i] = int64(i + 1)
			}
			if !slices.Equal(got, want) {
				t.Errorf("numbers of concurrent cases = %v, want 1..%d exactly", got, n)
			}
			all := pageAll(t, e.Agent(), casekit.CaseFilter{Limit: 10})
			if len(all) != n {
				t.Errorf("ListCases after concurrent OpenCase = %d cases, want %d", len(all), n)
			}
			for _, c := range all {
				if got := try(e.Agent().CaseByNumber(t.Context(), c.Number)).get(t); got.ID != c.ID {
					t.Errorf("CaseByNumber(%d) = %s, want %s", c.Number, got.ID, c.ID)
				}
			}
		}},
		{"tenants number their cases apart under concurrency", func(t *testing.T, e *Env) {
			tenants := []string{e.Tenant, CreateTenant(t, e.Kit), CreateTenant(t, e.Kit), CreateTenant(t, e.Kit)}
			const per = 8
			numbersBy := make([][]int64, len(tenants))
			var mu sync.Mutex
			errs := together(len(tenants)*per, func(i int) error {
				tn := i % len(tenants)
				c, err := e.Kit.Desk(tenants[tn]).As(casekit.Agent(AgentID)).OpenCase(t.Context(), casekit.NewCase{Subject: "Concurrent"})
				if err != nil {
					return err
				}
				mu.Lock()
				defer mu.Unlock()
				numbersBy[tn] = append(numbersBy[tn], c.Number)
				return nil
			})
			for i, err := range errs {
				wantOK(t, err, "OpenCase %d", i)
			}
			for tn, got := range numbersBy {
				slices.Sort(got)
				if !slices.Equal(got, []int64{1, 2, 3, 4, 5, 6, 7, 8}) {
					t.Errorf("tenant %d numbers = %v, want 1..8", tn, got)
				}
			}
		}},
		{"of 8 concurrent updates at one version exactly one wins", func(t *testing.T, e *Env) {
			c := e.open(t, "Contended", "cust-1")
			const n = 8
			errs := together(n, func(i int) error {
				return errOf(e.Agent().UpdateCase(t.Context(), c.ID, casekit.CaseUpdate{IfVersion: c.Version, Subject: ptr(fmt.Sprintf("Edit %d", i))}))
			})
			winner, conflicts := -1, 0
			for i, err := range errs {
				switch {
				case err == nil:
					if winner >= 0 {
						t.Errorf("updates %d and %d both won", winner, i)
					}
					winner = i
				case errors.Is(err, casekit.ErrConflict):
					conflicts++
				default:
					t.Errorf("update %d: %v, want success or ErrConflict", i, err)
				}
			}
			if winner < 0 || conflicts != n-1 {
				t.Fatalf("%d conflicts and winner %d, want one winner and %d conflicts", conflicts, winner, n-1)
			}
			got := e.reload(t, c.ID)
			if got.Version != 2 || got.Subject != fmt.Sprintf("Edit %d", winner) {
				t.Errorf("after the race: version %d, subject %q; want 2, the winner's %q", got.Version, got.Subject, fmt.Sprintf("Edit %d", winner))
			}
			if evs := e.history(t, c.ID); !slices.Equal(types(evs), []casekit.EventType{casekit.EventCaseOpened, casekit.EventCaseUpdated}) {
				t.Errorf("history after the race = %v, want one case.updated", types(evs))
			}
		}},
		{"of 8 concurrent completions of one activity exactly one wins", func(t *testing.T, e *Env) {
			c := e.open(t, "Contended", "cust-1")
			a := e.task(t, c.ID, "Once")
			const n = 8
			errs := together(n, func(i int) error {
				return errOf(e.Agent().CompleteActivity(t.Context(), a.ID, casekit.Completion{Result: fmt.Sprintf("by %d", i)}))
			})
			wins := 0
			for i, err := range errs {
				switch {
				case err == nil:
					wins++
				case errors.Is(err, casekit.ErrInvalidTransition):
				default:
					t.Errorf("completion %d: %v, want success or ErrInvalidTransition", i, err)
				}
			}
			if wins != 1 {
				t.Errorf("%d completions won, want 1", wins)
			}
			completed := 0
			for _, ev := range e.history(t, c.ID) {
				if ev.Type == casekit.EventActivityCompleted {
					completed++
				}
			}
			if completed != 1 || e.activity(t, c.ID, a.ID).Version != 2 {
				t.Errorf("%d activity.completed events, activity version %d; want 1 and 2", completed, e.activity(t, c.ID, a.ID).Version)
			}
		}},
		{"Resolve racing AddActivity never leaves a resolved case with open work", func(t *testing.T, e *Env) {
			const n = 8
			cases := make([]*casekit.Case, n)
			for i := range cases {
				cases[i] = e.open(t, "Race", "cust-1")
			}
			errs := together(2*n, func(i int) error {
				c := cases[i/2]
				if i%2 == 0 {
					return errOf(e.Agent().Resolve(t.Context(), c.ID, casekit.Resolution{}))
				}
				return errOf(e.Agent().AddActivity(t.Context(), c.ID, casekit.NewActivity{Kind: casekit.ActivityTask, Subject: "Late"}))
			})
			for i, c := range cases {
				resolveErr, addErr := errs[2*i], errs[2*i+1]
				got := e.reload(t, c.ID)
				acts := try(e.Agent().Activities(t.Context(), c.ID)).get(t)
				switch {
				case resolveErr == nil && errors.Is(addErr, casekit.ErrReadOnly):
					if got.Status != casekit.StatusResolved || len(acts) != 0 {
						t.Errorf("case %d: resolved first, yet status %q with %d activities", i, got.Status, len(acts))
					}
				case addErr == nil && errors.Is(resolveErr, casekit.ErrOpenActivities):
					if got.Status != casekit.StatusNew || len(acts) != 1 {
						t.Errorf("case %d: activity added first, yet status %q with %d activities", i, got.Status, len(acts))
					}
				default:
					t.Errorf("case %d: Resolve gave %v and AddActivity %v; want one to win and the other refused", i, resolveErr, addErr)
				}
			}
		}},
		{"concurrent customer replies reopen a waiting case once", func(t *testing.T, e *Env) {
			c := e.into(t, openWith(t, e.Agent(), casekit.NewCase{Subject: "Waiting", CustomerID: "cust-1", AssigneeID: "agent-9"}), casekit.StatusWaiting)
			const n = 8
			errs := together(n, func(i int) error {
				return errOf(e.Desk(casekit.Customer("cust-1")).PostMessage(t.Context(), c.ID, casekit.NewMessage{Body: fmt.Sprintf("Reply %d", i)}))
			})
			for i, err := range errs {
				wantOK(t, err, "reply %d", i)
			}
			reopened, posted := 0, 0
			for _, ev := range e.history(t, c.ID) {
				switch ev.Type {
				case casekit.EventReopened:
					reopened++
				case casekit.EventMessagePosted:
					posted++
				}
			}
			if reopened != 1 || posted != n {
				t.Errorf("%d case.reopened and %d message.posted events, want 1 and %d", reopened, posted, n)
			}
			if got := e.reload(t, c.ID); got.Status != casekit.StatusReopened || got.AssigneeID != "" {
				t.Errorf("after the replies: status %q, assignee %q; want reopened, none", got.Status, got.AssigneeID)
			}
		}},
	})
}
