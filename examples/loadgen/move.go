package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"time"
)

// The move test (-move) is the crash test's mix and checks on the
// coordinator of a Citus cluster with schema-based sharding
// (docs/scale-out.md), where each tenant's schema lives whole on one
// worker: instead of killing the server it moves the tenants' schemas to
// other workers while the load runs (citus_schema_move, which copies a
// schema by logical replication and switches over), -kills rounds of one
// move per tenant, and then checks that nothing committed was lost or
// doubled.

// tenantMove is one move of a tenant's schema.
type tenantMove struct {
	tenant, from, to string
	at               time.Time
	took             time.Duration
}

// citusWorkers lists the cluster's workers that hold shards, host:port.
func (ct *crashTest) citusWorkers(ctx context.Context) ([]string, error) {
	rows, err := ct.db.QueryContext(ctx, `SELECT nodename, nodeport FROM pg_dist_node
		WHERE groupid <> 0 AND isactive AND shouldhaveshards AND noderole = 'primary' ORDER BY nodename, nodeport`)
	if err != nil {
		return nil, fmt.Errorf("the Citus workers (is -dsn a Citus coordinator?): %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var host string
		var port int
		if err := rows.Scan(&host, &port); err != nil {
			return nil, err
		}
		out = append(out, host+":"+strconv.Itoa(port))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("the Citus cluster has %d workers holding shards: a move needs two", len(out))
	}
	return out, nil
}

// nodeOf returns the worker, host:port, that holds the tenant's schema.
func (ct *crashTest) nodeOf(ctx context.Context, tenant string) (string, error) {
	var nodes []string
	rows, err := ct.db.QueryContext(ctx, `SELECT DISTINCT sh.nodename || ':' || sh.nodeport FROM citus_shards AS sh
		JOIN pg_class AS c ON c.oid = sh.table_name WHERE c.relnamespace = $1::regnamespace`, ct.store.Schema(tenant))
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return "", err
		}
		nodes = append(nodes, n)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if len(nodes) != 1 {
		return "", fmt.Errorf("tenant %s is on %d nodes %v, not one: is its schema a distributed schema?", tenant, len(nodes), nodes)
	}
	return nodes[0], nil
}

// mover moves every tenant's schema to another worker, -kills rounds of
// them, the rounds spread over -duration like the crash test's kills,
// the tenants of a round one after the other in random order. Each move
// is recorded as an outage too, so that the report counts the failures
// during a move apart from the others.
func (ct *crashTest) mover(ctx context.Context, start time.Time) error {
	r := rand.New(rand.NewPCG(ct.cfg.seed, 0x30fe))
	slot := ct.cfg.duration / time.Duration(ct.cfg.kills+1)
	last := start
	for range ct.cfg.kills {
		if !sleepUntil(ctx, last.Add(slot/2+time.Duration(r.Int64N(int64(slot))))) {
			return ctx.Err()
		}
		for _, i := range r.Perm(len(ct.ids)) {
			tenant := ct.ids[i]
			from, err := ct.nodeOf(ctx, tenant)
			if err != nil {
				return err
			}
			others := slices.DeleteFunc(slices.Clone(ct.workers), func(w string) bool { return w == from })
			to := others[r.IntN(len(others))]
			host, port, err := net.SplitHostPort(to)
			if err != nil {
				return err
			}
			m := tenantMove{tenant: tenant, from: from, to: to, at: time.Now()}
			if _, err := ct.db.ExecContext(ctx, `SELECT citus_schema_move($1::regnamespace, $2::text, $3::int)`, ct.store.Schema(tenant), host, port); err != nil {
				return fmt.Errorf("move tenant %s from %s to %s: %w", tenant, from, to, err)
			}
			m.took = time.Since(m.at)
			if now, err := ct.nodeOf(ctx, tenant); err != nil || now != to {
				return fmt.Errorf("tenant %s is on %s after its move to %s (%v)", tenant, now, to, err)
			}
			ct.moves = append(ct.moves, m)
			ct.outages = append(ct.outages, outage{at: m.at, restart: m.at.Add(m.took), ready: m.at.Add(m.took)})
			last = time.Now()
		}
	}
	return nil
}

// dropMoved drops the move test's tenants and control schema from the
// cluster, which is not the test's own to throw away.
func (ct *crashTest) dropMoved(ctx context.Context) {
	for _, id := range ct.ids {
		if err := ct.store.DropTenant(ctx, id); err != nil {
			fmt.Fprintf(ct.stderr, "loadgen: drop tenant %s: %v\n", id, err)
		}
	}
	if err := ct.store.DropControl(ctx); err != nil {
		fmt.Fprintf(ct.stderr, "loadgen: drop the control schema: %v\n", err)
	}
}
