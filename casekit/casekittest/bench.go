package casekittest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
)

// RunStoreBenchmarks runs casekit's benchmarks against the stores newStore
// returns, so every store is measured the same way. Each benchmark works in
// tenants of its own.
//
//	Pick/pickers=N: N agents pick from one queue holding b.N cases until it
//	is empty; reports picks/s.
//	Deliver: Kit.RunDue hands b.N queued notifications to a notifier that
//	does nothing; reports notifications/s.
//	Webhooks/subscriptions=N: OpenCase and PostMessage on a tenant with N
//	webhook subscriptions to every event, against none.
//	DeliveryLag: b.N commands at up to 500 a second over four tenants,
//	each queuing one notification, while Kit.Run delivers; reports the
//	pace reached and the lag from the command to the delivery at p50 and
//	p99 (run with -benchtime 2500x for 5 seconds).
//	Inbound: b.N realistic 20 KB mails through Desk.Inbound, half of
//	them replies; reports mails/s, p50 and p95 (run with -benchtime 1000x).
//	InboundLargest: the largest mail allowed, with three attachments;
//	reports the heap's peak (run with -benchtime 3x).
func RunStoreBenchmarks(b *testing.B, newStore func(testing.TB) store.Store) {
	b.Run("Inbound", func(b *testing.B) { benchmarkInbound(b, newStore(b)) })
	b.Run("InboundLargest", func(b *testing.B) { benchmarkInboundLargest(b, newStore(b)) })
	b.Run("Deliver", func(b *testing.B) { benchmarkDeliver(b, newStore(b)) })
	for _, n := range []int{0, 50} {
		b.Run(fmt.Sprintf("Triggers/triggers=%d", n), func(b *testing.B) { benchmarkTriggers(b, newStore(b), n) })
	}
	for _, n := range []int{0, 3} {
		b.Run(fmt.Sprintf("Webhooks/subscriptions=%d", n), func(b *testing.B) { benchmarkWebhooks(b, newStore(b), n) })
	}
	b.Run("DeliveryLag", func(b *testing.B) { benchmarkDeliveryLag(b, newStore(b), 500) })
	b.Run("Pick", func(b *testing.B) {
		for _, pickers := range []int{1, 4, 16} {
			b.Run(fmt.Sprintf("pickers=%d", pickers), func(b *testing.B) {
				benchmarkPick(b, newStore(b), pickers)
			})
		}
	})
}

func benchmarkPick(b *testing.B, store store.Store, pickers int) {
	e := NewEnv(b, store)
	e.places(b, []string{"support"}, casekit.Queue{ID: "inbox", Name: "Inbox", TeamID: "support"})
	FillQueue(b, e, "inbox", b.N)
	ctx := b.Context()
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		picked int
		failed error
	)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for p := range pickers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := e.Desk(casekit.Agent(fmt.Sprintf("picker-%02d", p)))
			for {
				_, err := d.Pick(ctx, "inbox")
				mu.Lock()
				switch {
				case err == nil:
					picked++
				case !errors.Is(err, casekit.ErrNotFound) && failed == nil:
					failed = err
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if failed != nil {
		b.Fatal(failed)
	}
	if picked != b.N {
		b.Fatalf("picked %d cases of %d", picked, b.N)
	}
	b.ReportMetric(float64(picked)/elapsed.Seconds(), "picks/s")
}

// noop is a notifier that takes everything and does nothing.
type noop struct{}

func (noop) Notify(context.Context, casekit.Notification) error { return nil }

func benchmarkDeliver(b *testing.B, st store.Store) {
	e := NewEnv(b, st, casekit.WithNotifier(noop{}))
	now := e.Now()
	e.InTx(b, func(ctx context.Context, tx store.Tx) error {
		ns := make([]casekit.Notification, b.N)
		for i := range ns {
			ns[i] = casekit.Notification{ID: newCaseID(), Tenant: e.Tenant, EventID: newCaseID(), Event: casekit.EventResolved,
				CaseID: newCaseID(), CaseNumber: int64(i + 1), Recipient: casekit.Recipient{Kind: casekit.RecipientCustomer, ID: "cust-1"},
				Data: map[string]any{"subject": "Benchmark"}, CreatedAt: now}
		}
		for len(ns) > 0 { // in chunks: SQLite bounds the variables of a statement
			k := min(len(ns), 500)
			if err := tx.Enqueue(ctx, ns[:k]); err != nil {
				return err
			}
			ns = ns[k:]
		}
		return nil
	})
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	n, err := e.Kit.RunDue(b.Context())
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if n != b.N {
		b.Fatalf("delivered %d of %d", n, b.N)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "notifications/s")
}

// lagRecorder notes how long after its creation each notification arrives.
type lagRecorder struct {
	mu   sync.Mutex
	lags []time.Duration
}

func (r *lagRecorder) Notify(_ context.Context, n casekit.Notification) error {
	r.mu.Lock()
	r.lags = append(r.lags, time.Since(n.CreatedAt))
	r.mu.Unlock()
	return nil
}

func (r *lagRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.lags)
}

func benchmarkDeliveryLag(b *testing.B, store store.Store, perSecond int) {
	rec := &lagRecorder{}
	kit, tenant := NewKit(b, store, casekit.WithNotifier(rec), casekit.WithPollInterval(10*time.Millisecond))
	ctx := b.Context()
	// Four tenants, as a host has many: one tenant's case numbers are
	// taken one at a time, which would bound the pace by one commit.
	var desks []*casekit.Desk
	for i := range 4 {
		id := tenant
		if i > 0 {
			id = CreateTenant(b, kit)
		}
		desk := kit.Desk(id).As(casekit.System)
		if err := desk.Config().SaveTeam(ctx, casekit.Team{ID: "support", Name: "Support"}); err != nil {
			b.Fatal(err)
		}
		if err := desk.Config().SaveQueue(ctx, casekit.Queue{ID: "web", Name: "Web", TeamID: "support"}); err != nil {
			b.Fatal(err)
		}
		desks = append(desks, desk)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = kit.Run(runCtx) }()
	b.ResetTimer()
	start := time.Now()
	// One command every 1/perSecond, each on a goroutine of its own (at
	// most 16 at once), so a slow commit does not slow the pace.
	tick := time.NewTicker(time.Second / time.Duration(perSecond))
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	var failed error
	var mu sync.Mutex
	for i := 0; i < b.N; i++ {
		<-tick.C
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// A web-form case tells the queue's team: one notification.
			_, err := desks[i%len(desks)].OpenCase(ctx, casekit.NewCase{Subject: fmt.Sprintf("Load %d", i), Origin: "web", QueueID: "web"})
			if err != nil {
				mu.Lock()
				failed = err
				mu.Unlock()
			}
		}()
	}
	tick.Stop()
	wg.Wait()
	pace := float64(b.N) / time.Since(start).Seconds()
	deadline := time.Now().Add(time.Minute)
	for rec.count() < b.N && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	stop()
	<-done
	if failed != nil {
		b.Fatal(failed)
	}
	rec.mu.Lock()
	lags := slices.Clone(rec.lags)
	rec.mu.Unlock()
	if len(lags) != b.N {
		b.Fatalf("delivered %d of %d notifications within a minute", len(lags), b.N)
	}
	slices.Sort(lags)
	at := func(p float64) float64 { return float64(lags[int(p*float64(len(lags)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(pace, "commands/s")
	b.ReportMetric(at(0.50), "p50-lag-ms")
	b.ReportMetric(at(0.99), "p99-lag-ms")
}
