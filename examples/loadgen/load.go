package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"casekit.dev/casekit"
)

// phaseKind says what a phase runs.
type phaseKind int

const (
	mixPhase  phaseKind = iota // the realistic mix through casekit
	openPhase                  // opening cases through casekit
	bunPhase                   // opening cases with the baseline's plain Bun writes
)

// seedCases is how many cases each tenant gets before a mixed load
// starts, so that the first messages and status changes find some.
const seedCases = 10

// window is how many of a tenant's newest cases messages and status
// changes pick from: agents work on recent cases.
const window = 256

// tenant is one tenant under load and what the load knows of its cases.
type tenant struct {
	id    string
	mu    sync.Mutex
	cases []*caseRef
}

// caseRef is a case as the load last saw it. version 0 means unknown (a
// message may or may not have changed it).
type caseRef struct {
	id       string
	number   int64
	customer string
	status   string
	version  int64
}

// view is a copy of what the load knew of a case when it chose an
// operation on it.
type view struct {
	ref     *caseRef
	status  string
	version int64
}

func (t *tenant) add(c *casekit.Case) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cases = append(t.cases, &caseRef{id: c.ID, number: c.Number, customer: c.CustomerID, status: c.Status, version: c.Version})
}

// seen records a case as a command returned it, unless a newer version
// was seen already.
func (t *tenant) seen(ref *caseRef, c *casekit.Case) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ref.version == 0 || c.Version >= ref.version {
		ref.status, ref.version = c.Status, c.Version
	}
}

// moved records the status a message left a case in; its version is now
// unknown.
func (t *tenant) moved(ref *caseRef, status string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ref.status, ref.version = status, 0
}

// pick chooses one of the tenant's newest cases for which ok holds: a few
// random tries, then the newest such case. ok is nil for any case.
func (t *tenant) pick(r *rand.Rand, ok func(status string) bool) (view, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(t.cases)
	if n == 0 {
		return view{}, false
	}
	take := func(c *caseRef) bool { return ok == nil || ok(c.status) }
	for range 8 {
		if c := t.cases[n-1-r.IntN(min(n, window))]; take(c) {
			return view{c, c.status, c.version}, true
		}
	}
	for i := n - 1; i >= 0; i-- {
		if c := t.cases[i]; take(c) {
			return view{c, c.status, c.version}, true
		}
	}
	return view{}, false
}

// phase is one timed run of workers.
type phase struct {
	e       *env
	kind    phaseKind
	tenants []*tenant
	st      *statuses
	bun     *baseline
	seed    uint64
	count   uint64    // operations to run, or 0
	until   time.Time // with count 0: start no operation after this
	next    atomic.Uint64
	stats   stats
	journal *journal // with -crash: the commands seen to succeed; nil otherwise
}

// runPhase provisions the phase's tenants, runs the workers (and Kit.Run
// beside them), waits for the outbox to drain and drops the tenants
// unless -keep. tag goes into the tenant IDs.
func (e *env) runPhase(ctx context.Context, kind phaseKind, tag string) (*result, error) {
	c := e.cfg
	ids := tenantIDs(c.prefix, tag, c.tenants)
	if !c.keep {
		defer e.drop(ids)
	}
	if err := e.provision(ctx, ids); err != nil {
		return nil, err
	}
	desk := e.kit.Desk(ids[0]).As(casekit.System)
	list, err := desk.Config().Statuses(ctx)
	if err != nil {
		return nil, err
	}
	ts, err := desk.Config().Transitions(ctx)
	if err != nil {
		return nil, err
	}
	p := &phase{e: e, kind: kind, st: newStatuses(list, ts), seed: c.seed, count: uint64(c.count)}
	for _, id := range ids {
		p.tenants = append(p.tenants, &tenant{id: id})
	}
	res := &result{Name: "casekit", Mix: "realistic mix", Store: c.store, Tenants: c.tenants, Workers: c.workers, Seed: c.seed, Runner: c.runner}
	switch kind {
	case openPhase:
		res.Mix = "open case only"
	case bunPhase:
		res.Name, res.Mix = "baseline", "open case with plain Bun writes"
		if p.bun, err = openBaseline(ctx, e, ids, p.st); err != nil {
			return nil, err
		}
		defer p.bun.close()
	case mixPhase:
		if err := p.seedCases(ctx); err != nil {
			return nil, err
		}
	}

	// Only the load's own notifications count: the outbox is drained
	// before the workers start.
	if _, err := e.kit.RunDue(ctx); err != nil {
		return nil, fmt.Errorf("drain before the load: %w", err)
	}
	before := e.notes.start()
	mem := newGoMemory()
	runCtx, stopRunner := context.WithCancel(ctx)
	defer stopRunner()
	runnerDone := make(chan struct{})
	if c.runner {
		go func() { defer close(runnerDone); _ = e.kit.Run(runCtx) }()
	} else {
		close(runnerDone)
	}

	label := res.Name
	bar := startProgress(e.stderr, label, c.count, c.duration, p.stats.count, mem.poll)
	start := time.Now()
	p.until = start.Add(c.duration)
	var wg sync.WaitGroup
	for range c.workers {
		wg.Add(1)
		go func() { defer wg.Done(); p.work(ctx) }()
	}
	wg.Wait()
	end := time.Now()
	res.Elapsed = end.Sub(start)
	bar.finish()
	res.Interrupted = ctx.Err() != nil
	e.notes.setMark(end)
	delivered, _, _ := e.notes.state()
	res.Delivered = delivered - before

	if !res.Interrupted {
		if err := e.drain(ctx, stopRunner, runnerDone); err != nil {
			fmt.Fprintf(e.stderr, "loadgen: draining the outbox: %v\n", oneLine(err))
		}
		_, backlog, last := e.notes.state()
		res.DeliveredAfter, res.Drain = backlog, last.Sub(end)
	}
	res.Lag = e.notes.takeLag()
	stopRunner()
	<-runnerDone
	p.stats.mu.Lock()
	res.Ops = p.stats.ops
	p.stats.mu.Unlock()
	res.PeakGo, res.PeakRSS = mem.max(), peakRSS()
	return res, nil
}

// drain waits until the outbox holds nothing the load's commands queued.
// With the runner going, that is when none of their notifications has
// come for two poll intervals (notifications of timers that fall due
// meanwhile do not count); the runner is then stopped while idle, so it
// holds no claimed batch. Without it, RunDue delivers everything due.
func (e *env) drain(ctx context.Context, stopRunner func(), runnerDone <-chan struct{}) error {
	if !e.cfg.runner {
		_, err := e.kit.RunDue(ctx)
		return err
	}
	quiet := 2*e.cfg.poll + 100*time.Millisecond
	start := time.Now()
	for time.Since(start) < 5*time.Minute && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
		if _, _, last := e.notes.state(); time.Since(last) >= quiet {
			break
		}
	}
	stopRunner()
	<-runnerDone
	return nil
}

// seedCases opens a few cases in every tenant, not counted.
func (p *phase) seedCases(ctx context.Context) error {
	for i, t := range p.tenants {
		for k := range seedCases {
			r := rand.New(rand.NewPCG(p.seed^0x5eed5eed, uint64(i*seedCases+k)))
			s := newShape(r)
			c, err := p.e.kit.Desk(t.id).As(s.actor).OpenCase(ctx, s.in)
			if err != nil {
				return fmt.Errorf("seed cases: %w", err)
			}
			t.add(c)
			p.journal.opened(t.id, c)
		}
	}
	return nil
}

// work runs operations until the phase's count or time is up. Operation
// i draws everything from its own random source, seeded with the seed and
// i, so a run with -count does the same operations whatever the workers.
func (p *phase) work(ctx context.Context) {
	for ctx.Err() == nil {
		i := p.next.Add(1) - 1
		if p.count > 0 && i >= p.count || p.count == 0 && !time.Now().Before(p.until) {
			return
		}
		r := rand.New(rand.NewPCG(p.seed, i))
		t := p.tenants[r.IntN(len(p.tenants))]
		var o op
		switch p.kind {
		case mixPhase:
			o = p.mixed(ctx, r, t)
		case openPhase:
			o = p.open(ctx, r, t)
		case bunPhase:
			o = p.openBun(ctx, r, t)
		}
		if o.outcome == interrupted {
			continue
		}
		p.stats.record(o.kind, o.took, o.outcome, o.err)
	}
}

// op is one operation done.
type op struct {
	kind    opKind
	took    time.Duration
	outcome outcome
	err     error
}

// timed runs f and returns how long it took.
func timed(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}

// plain judges an operation that touches no particular case: any error
// is a failure, unless the run was stopped.
func plain(ctx context.Context, kind opKind, took time.Duration, err error) op {
	switch {
	case err == nil:
		return op{kind, took, succeeded, nil}
	case ctx.Err() != nil:
		return op{kind, took, interrupted, err}
	}
	return op{kind, took, failed, err}
}

// onCase judges an operation on the case v: a refusal of the kinds a
// concurrent change causes (ErrInvalidTransition, ErrReadOnly,
// ErrConflict) is a conflict when the case, read again, is no longer in
// the status (or at the version) the operation was chosen for.
func (p *phase) onCase(ctx context.Context, t *tenant, v view, kind opKind, took time.Duration, err error) op {
	o := plain(ctx, kind, took, err)
	if o.outcome != failed || !(errors.Is(err, casekit.ErrInvalidTransition) || errors.Is(err, casekit.ErrReadOnly) || errors.Is(err, casekit.ErrConflict)) {
		return o
	}
	c, rerr := p.e.kit.Desk(t.id).As(casekit.System).Case(ctx, v.ref.id)
	if rerr != nil {
		return o
	}
	t.seen(v.ref, c)
	if c.Status != v.status || (v.version != 0 && c.Version != v.version) {
		o.outcome = conflicted
	}
	return o
}

// mixed runs one operation of the realistic mix.
func (p *phase) mixed(ctx context.Context, r *rand.Rand, t *tenant) op {
	switch x := r.Float64(); {
	case x < 0.30:
		return p.open(ctx, r, t)
	case x < 0.60:
		return p.message(ctx, r, t)
	case x < 0.80:
		return p.move(ctx, r, t)
	default:
		return p.look(ctx, r, t)
	}
}

func (p *phase) open(ctx context.Context, r *rand.Rand, t *tenant) op {
	s := newShape(r)
	var c *casekit.Case
	took, err := timed(func() (err error) {
		c, err = p.e.kit.Desk(t.id).As(s.actor).OpenCase(ctx, s.in)
		return err
	})
	if err == nil && p.kind == mixPhase {
		t.add(c)
		p.journal.opened(t.id, c)
	}
	return plain(ctx, opOpen, took, err)
}

func (p *phase) openBun(ctx context.Context, r *rand.Rand, t *tenant) op {
	s := newShape(r)
	took, err := timed(func() error {
		_, _, err := p.bun.open(ctx, t.id, s)
		return err
	})
	return plain(ctx, opOpenBun, took, err)
}

// message posts an agent's reply or a customer's comment on a case that
// takes it; with none, it opens a case instead.
func (p *phase) message(ctx context.Context, r *rand.Rand, t *tenant) op {
	fromCustomer := r.IntN(2) == 0
	v, ok := t.pick(r, func(status string) bool {
		st := p.st.get(status)
		if fromCustomer {
			return !st.Final
		}
		return !st.ReadOnly()
	})
	if !ok {
		return p.open(ctx, r, t)
	}
	desk := p.e.kit.Desk(t.id)
	in := casekit.NewMessage{Body: messageBody(r, fromCustomer)}
	kind := opComment
	if fromCustomer {
		desk = desk.As(casekit.Customer(v.ref.customer))
	} else {
		kind = opReply
		desk = desk.As(casekit.Agent(agentID(r.IntN(agentCount))))
		if in.Internal = r.IntN(10) == 0; !in.Internal { // an internal message goes to nobody
			in.To = []string{v.ref.customer + "@example.com"}
		}
	}
	var m *casekit.Message
	took, err := timed(func() (err error) {
		m, err = desk.PostMessage(ctx, v.ref.id, in)
		return err
	})
	if err == nil {
		t.moved(v.ref, p.st.afterMessage(v.status, fromCustomer && !in.Internal))
		p.journal.posted(t.id, m)
	}
	return p.onCase(ctx, t, v, kind, took, err)
}

// move changes a case's status along a transition its status allows.
func (p *phase) move(ctx context.Context, r *rand.Rand, t *tenant) op {
	v, ok := t.pick(r, func(status string) bool { return len(p.st.moves(status)) > 0 })
	if !ok {
		return p.open(ctx, r, t)
	}
	m, _ := choose(r, p.st.moves(v.status))
	desk := p.e.kit.Desk(t.id).As(casekit.Agent(agentID(r.IntN(agentCount))))
	var c *casekit.Case
	took, err := timed(func() (err error) {
		switch m.op {
		case opResolve:
			c, err = desk.Resolve(ctx, v.ref.id, casekit.Resolution{Summary: "Solved: " + messageBody(r, false)})
		case opClose:
			c, err = desk.Close(ctx, v.ref.id, casekit.Closure{Reason: pick(r, closureReasons), Note: "Closing: " + messageBody(r, false)})
		case opReopen:
			c, err = desk.Reopen(ctx, v.ref.id, casekit.Reopening{Reason: pick(r, reopenReasons), Note: "Reopening: " + messageBody(r, true)})
		case opCancel:
			c, err = desk.Cancel(ctx, v.ref.id, "opened by mistake")
		default:
			c, err = desk.SetStatus(ctx, v.ref.id, m.to)
		}
		return err
	})
	if err == nil {
		t.seen(v.ref, c)
		p.journal.changed(t.id, c)
	}
	return p.onCase(ctx, t, v, m.op, took, err)
}

// look lists or searches cases, as an agent or in a customer's portal.
func (p *phase) look(ctx context.Context, r *rand.Rand, t *tenant) op {
	agent := agentID(r.IntN(agentCount))
	desk := p.e.kit.Desk(t.id).As(casekit.Agent(agent))
	cust, number := customerID(r.IntN(customerCount)), int64(1+r.IntN(100))
	if v, ok := t.pick(r, nil); ok {
		cust, number = v.ref.customer, v.ref.number
	}
	active := []string{"active"}
	kind := opList
	var f casekit.CaseFilter
	if r.Float64() < 0.6 {
		switch r.IntN(6) {
		case 0: // the team's open cases
			f.StatusFlags = active
		case 1: // a queue's waiting cases
			f.QueueID, f.StatusFlags = pick(r, queueIDs), []string{"initial", "reopen"}
		case 2: // my cases
			f.AssigneeID, f.StatusFlags = agent, active
		case 3: // a customer's cases
			f.CustomerID = cust
		case 4: // the portal's "my cases"
			desk = desk.As(casekit.Customer(cust))
		default: // the urgent ones
			f.Priority, f.StatusFlags = []string{"high", "critical"}, active
		}
	} else {
		kind = opSearch
		f.Text = searchText(r, number)
		if r.IntN(4) == 0 {
			desk = desk.As(casekit.Customer(cust))
		}
	}
	took, err := timed(func() error {
		_, err := desk.ListCases(ctx, f)
		return err
	})
	return plain(ctx, kind, took, err)
}
