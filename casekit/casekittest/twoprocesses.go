package casekittest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

// testTwoProcesses checks what Harness.OpenAgain promises: two Kits on two
// stores sharing one deployment's data, as two replicas of a host would
// run them, fire each due timer once and deliver each notification once.
// Its tests run one at a time, because Kit.Run works on every tenant of a
// store.
func testTwoProcesses(t *testing.T, h Harness) {
	if h.OpenAgain == nil {
		t.Skip("Harness.OpenAgain is nil: the store's data is reachable from one process only")
	}
	t.Run("two runners fire each timer once", func(t *testing.T) {
		ctx := t.Context()
		clock := NewClock(ClockStart)
		base := h.New(t)
		a, b := replica(t, base, casekit.WithClock(clock), casekit.WithPollInterval(5*time.Millisecond)),
			replica(t, h.OpenAgain(t, base), casekit.WithClock(clock), casekit.WithPollInterval(5*time.Millisecond))
		const tenants, perTenant = 3, 10
		var desks []*casekit.Desk
		for range tenants {
			d := a.Desk(CreateTenant(t, a)).As(casekit.Agent(AgentID))
			must(t, d.Config().SaveSLA(ctx, casekit.SLA{ID: "fast", Name: "Fast", Targets: []casekit.SLATarget{
				{Priority: "medium", FirstResponse: time.Hour, Resolution: 2 * time.Hour}}}), "SaveSLA")
			for j := range perTenant {
				try(d.OpenCase(ctx, casekit.NewCase{Subject: fmt.Sprintf("case %d", j), SLAID: "fast"})).get(t)
			}
			desks = append(desks, d)
		}
		clock.Advance(3 * time.Hour) // every breach is due
		runCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for _, k := range []*casekit.Kit{a, b} {
			wg.Go(func() {
				if err := k.Run(runCtx); err != nil {
					t.Error(err)
				}
			})
		}
		deadline := time.Now().Add(time.Minute)
		for left := -1; left != 0; {
			if time.Now().After(deadline) {
				t.Fatalf("%d timers still pending after a minute", left)
			}
			time.Sleep(20 * time.Millisecond)
			left = 0
			for _, d := range desks {
				for _, c := range try(d.ListCases(ctx, casekit.CaseFilter{Limit: perTenant})).get(t).Cases {
					must(t, a.Store().InTx(ctx, d.Tenant(), func(ctx context.Context, tx store.Tx) error {
						ts, err := tx.CaseTimers(ctx, c.ID)
						left += len(ts)
						return err
					}), "CaseTimers")
				}
			}
		}
		stop()
		wg.Wait()
		for _, d := range desks {
			for _, c := range try(d.ListCases(ctx, casekit.CaseFilter{Limit: perTenant})).get(t).Cases {
				n := 0
				for _, ev := range try(d.History(ctx, c.ID)).get(t) {
					if ev.Type == casekit.EventSLABreached {
						n++
					}
				}
				wantEqual(t, 2, n, "breach events of case #%d in %s (response and resolution)", c.Number, d.Tenant())
			}
		}
	})
	t.Run("two runners deliver each notification once", func(t *testing.T) {
		ctx := t.Context()
		base := h.New(t)
		recA, recB := &Recorder{}, &Recorder{}
		a, b := replica(t, base, casekit.WithNotifier(recA)), replica(t, h.OpenAgain(t, base), casekit.WithNotifier(recB))
		const tenants, perTenant = 3, 20
		for range tenants {
			d := a.Desk(CreateTenant(t, a)).As(casekit.Agent(AgentID))
			for j := range perTenant {
				c := try(d.OpenCase(ctx, casekit.NewCase{Subject: fmt.Sprintf("case %d", j), CustomerID: fmt.Sprintf("cust-%d", j)})).get(t)
				try(d.Cancel(ctx, c.ID, "test")).get(t)
			}
		}
		var wg sync.WaitGroup
		for _, k := range []*casekit.Kit{a, b, a, b} {
			wg.Go(func() {
				if _, err := k.RunDue(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		seen := map[string]int{}
		for _, n := range append(recA.Got(), recB.Got()...) {
			seen[n.ID]++
		}
		wantEqual(t, tenants*perTenant, len(seen), "distinct notifications delivered")
		for id, n := range seen {
			if n != 1 {
				t.Errorf("notification %s delivered %d times", id, n)
			}
		}
	})
}

// replica is a kit on s with opts, as one replica of a host builds it.
func replica(t *testing.T, s store.Store, opts ...casekit.Option) *casekit.Kit {
	t.Helper()
	return try(casekit.New(s, append([]casekit.Option{casekit.WithLogger(discard)}, opts...)...)).get(t)
}
