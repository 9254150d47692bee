package casekittest

import (
	"fmt"
	"testing"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

// benchmarkWebhooks measures OpenCase and PostMessage on a tenant with n
// enabled webhook subscriptions to every event, against n = 0: the cost
// of matching the events against the subscriptions read through the
// configuration cache, and of writing each event's body (the case as the
// command left it) once per subscription into the outbox. Nothing is
// posted: the benchmark never runs the outbox.
func benchmarkWebhooks(b *testing.B, store store.Store, n int) {
	e := NewEnv(b, store)
	ctx, d := b.Context(), e.Agent()
	for i := range n {
		_, err := d.Config().SaveWebhook(ctx, casekit.Webhook{Key: fmt.Sprintf("hook-%d", i), URL: fmt.Sprintf("https://hooks.example.com/%d", i), Enabled: true})
		must(b, err, "SaveWebhook %d", i)
	}
	benchmarkOpenAndPost(b, e)
}
