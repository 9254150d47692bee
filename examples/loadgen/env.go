package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/postgres"
	"casekit.dev/storage/sqlite"
)

// env is the store and kit every phase of a run shares.
type env struct {
	cfg    config
	store  store.Store
	pg     *postgres.Store // nil on SQLite
	dir    string          // the SQLite directory; "" in memory
	tmpDir bool            // dir was made for this run
	kit    *casekit.Kit
	notes  *countingNotifier
	stderr io.Writer
}

func openEnv(ctx context.Context, c config, stderr io.Writer) (*env, error) {
	e := &env{cfg: c, notes: &countingNotifier{}, stderr: stderr}
	switch c.store {
	case "postgres":
		openCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		s, err := postgres.Open(openCtx, c.dsn, postgres.WithPrefix(c.prefix+"_"))
		cancel()
		if err != nil {
			return nil, fmt.Errorf("cannot open the store: %w", err)
		}
		e.store, e.pg = s, s
	default:
		dir := c.dir
		if dir == "" {
			tmp, err := os.MkdirTemp("", "loadgen-")
			if err != nil {
				return nil, err
			}
			dir, e.tmpDir = tmp, true
		}
		s, err := sqlite.Open(dir)
		if err != nil {
			if e.tmpDir {
				os.RemoveAll(dir)
			}
			return nil, fmt.Errorf("cannot open the store: %w", err)
		}
		e.store = s
		if dir != sqlite.Memory {
			e.dir = dir
		}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	kit, err := casekit.New(e.store, casekit.WithNotifier(e.notes), casekit.WithLogger(logger), casekit.WithPollInterval(c.poll))
	if err != nil {
		e.close()
		return nil, err
	}
	e.kit = kit
	return e, nil
}

func (e *env) close() {
	if e.pg != nil && !e.cfg.keep {
		// The control schema goes when no tenant is left in it.
		if ts, err := e.pg.Tenants(context.Background()); err == nil && len(ts) == 0 {
			_ = e.pg.DropControl(context.Background())
		}
	}
	e.store.Close()
	if e.tmpDir {
		if e.cfg.keep {
			fmt.Fprintf(e.stderr, "loadgen: kept the SQLite files in %s\n", e.dir)
		} else {
			os.RemoveAll(e.dir)
		}
	}
}

// countingNotifier is the kit's notifier: it counts what it is handed and
// how long after its command each notification arrived, and sends
// nothing. After mark it also counts the backlog: notifications created
// before the mark, and when the last of them arrived.
type countingNotifier struct {
	mu          sync.Mutex
	delivered   int64
	lag         histogram
	mark        time.Time
	backlog     int64
	lastBacklog time.Time
}

func (n *countingNotifier) Notify(_ context.Context, nt casekit.Notification) error {
	now := time.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.delivered++
	n.lag.record(now.Sub(nt.CreatedAt))
	if !n.mark.IsZero() && nt.CreatedAt.Before(n.mark) {
		n.backlog++
		n.lastBacklog = now
	}
	return nil
}

// start begins a phase: no mark, no lags, and returns the count so far.
func (n *countingNotifier) start() int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.lag, n.mark = histogram{}, time.Time{}
	return n.delivered
}

// setMark starts counting the backlog of notifications created before t.
func (n *countingNotifier) setMark(t time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.mark, n.backlog, n.lastBacklog = t, 0, t
}

// state returns the count so far, the backlog delivered since the mark
// and when its last one arrived.
func (n *countingNotifier) state() (delivered, backlog int64, last time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.delivered, n.backlog, n.lastBacklog
}

// takeLag returns the lags recorded since the phase started.
func (n *countingNotifier) takeLag() histogram {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.lag
}

func tenantIDs(prefix, tag string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		if tag == "" {
			ids[i] = fmt.Sprintf("%s-%02d", prefix, i+1)
		} else {
			ids[i] = fmt.Sprintf("%s-%s-%02d", prefix, tag, i+1)
		}
	}
	return ids
}

// provision creates the tenants, or takes them as they are when an
// earlier run kept them, and configures each: teams, the SLA, queues.
func (e *env) provision(ctx context.Context, ids []string) error {
	start := time.Now()
	reused := 0
	for _, id := range ids {
		err := e.kit.CreateTenant(ctx, casekit.TenantSpec{ID: id, Name: "Load " + id})
		switch {
		case errors.Is(err, casekit.ErrTenantExists):
			reused++
		case err != nil:
			return err
		}
		if err := configure(ctx, e.kit.Desk(id).As(casekit.System)); err != nil {
			return fmt.Errorf("configure tenant %q: %w", id, err)
		}
	}
	fmt.Fprintf(e.stderr, "loadgen: %d tenants ready in %v", len(ids), time.Since(start).Round(time.Millisecond))
	if reused > 0 {
		fmt.Fprintf(e.stderr, " (%d kept from an earlier run)", reused)
	}
	fmt.Fprintln(e.stderr)
	return nil
}

func configure(ctx context.Context, desk *casekit.Desk) error {
	for _, t := range teams {
		if err := desk.Config().SaveTeam(ctx, t); err != nil {
			return err
		}
	}
	if err := desk.Config().SaveSLA(ctx, standardSLA); err != nil {
		return err
	}
	for _, q := range queues {
		if err := desk.Config().SaveQueue(ctx, q); err != nil {
			return err
		}
	}
	// No acknowledgements of new cases: the baseline (baseline.go) does
	// not write their reply tokens and per-address counts.
	return desk.Config().SaveMailSettings(ctx, casekit.MailSettings{Acknowledge: []string{}})
}

// drop removes the tenants; ones already gone are fine.
func (e *env) drop(ids []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, id := range ids {
		if err := e.kit.DropTenant(ctx, id); err != nil && !errors.Is(err, casekit.ErrTenantNotFound) {
			fmt.Fprintf(e.stderr, "loadgen: %v\n", err)
		}
	}
}
