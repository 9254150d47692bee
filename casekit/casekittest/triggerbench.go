package casekittest

import (
	"casekit.dev/casekit/store"
	"fmt"
	"testing"

	"casekit.dev/casekit"
)

// benchmarkTriggers measures OpenCase and PostMessage on a tenant with n
// enabled triggers that the commands' events fire but whose conditions
// never hold, against n = 0 (no triggers at all, not even the defaults):
// the cost of reading them through the configuration cache and testing
// them on every event.
func benchmarkTriggers(b *testing.B, store store.Store, n int) {
	e := NewEnv(b, store)
	ctx, d := b.Context(), e.Agent()
	for _, t := range casekit.DefaultTriggers() {
		must(b, d.Config().DeleteTrigger(ctx, t.Key), "DeleteTrigger %s", t.Key)
	}
	for i := range n {
		must(b, d.Config().SaveTrigger(ctx, on(fmt.Sprintf("vip-%02d", i), []casekit.EventType{casekit.EventCaseOpened, casekit.EventMessagePosted},
			[]casekit.Condition{cond("customer", casekit.OpIs, fmt.Sprintf("vip-%02d", i)), cond("subject", casekit.OpContains, "urgent")},
			casekit.Action{Kind: casekit.ActionSetPriority, Value: "high"})), "SaveTrigger %d", i)
	}
	benchmarkOpenAndPost(b, e)
}

// benchmarkOpenAndPost measures OpenCase and PostMessage (an internal
// message) by e's agent: the two commands whose events the automation
// benchmarks (triggers, webhook subscriptions) weigh the cost of.
func benchmarkOpenAndPost(b *testing.B, e *Env) {
	ctx, d := b.Context(), e.Agent()
	b.Run("OpenCase", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := d.OpenCase(ctx, casekit.NewCase{Subject: "Printer jam", CustomerID: "cust-1"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	c := e.open(b, "Printer jam", "cust-1")
	b.Run("PostMessage", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := d.PostMessage(ctx, c.ID, casekit.NewMessage{Body: "Try turning it off and on", Internal: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
