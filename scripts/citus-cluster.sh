#!/usr/bin/env bash
# citus-cluster.sh runs a local Citus cluster for casekit's tests and
# measurements: a coordinator and two workers, each a PostgreSQL instance on
# a free 127.0.0.1 port under one directory, with schema-based sharding on, so
# that every tenant schema casekit makes becomes a distributed schema placed
# whole on one worker. Citus must be installed first (scripts/citus-build.sh).
#
#   scripts/citus-cluster.sh start /tmp/citus    # make (first time) and start
#   scripts/citus-cluster.sh url /tmp/citus      # the coordinator's DSN
#   CASEKIT_TEST_CITUS_URL=$(scripts/citus-cluster.sh url /tmp/citus) \
#       go test -run TestConformanceOnCitus ./storage/postgres/
#   scripts/citus-cluster.sh stop /tmp/citus
#
# start is idempotent: a made cluster is started again on the ports it was
# given, a running one is left alone. Each node is initialised with trust
# authentication on loopback for the user postgres (a throwaway cluster, never
# reachable from another machine), autovacuum off like the PostgreSQL the
# benchmarks compare it with, and wal_level=logical, which moving a tenant
# between workers (citus_move_shard_placement) needs. The coordinator is
# registered in the metadata too (citus_set_coordinator_host), holding no
# tenants: casekit's control schema lives there as Citus local tables
# (docs/scale-out.md says why).
#
# Run as root, the nodes run as the user postgres; otherwise as the caller.
# Environment: PG_BINDIR [pg_config --bindir], BASE_PORT where the search
# for free ports starts [56432].
set -euo pipefail

log() { echo "citus-cluster: $*" >&2; }
die() { log "$*"; exit 1; }

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: $0 start|stop|url|status DIR"
dir=$(realpath -m "$dir")
PG_BINDIR=${PG_BINDIR:-$(pg_config --bindir)}
BASE_PORT=${BASE_PORT:-56432}
nodes=(coordinator worker1 worker2)

as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# port_of prints the port a node was given when it was made.
port_of() { cat "$dir/$1.port"; }

url_of() { echo "postgres://postgres@127.0.0.1:$(port_of "$1")/postgres?sslmode=disable"; }

# free_port prints a 127.0.0.1 port from BASE_PORT up that nothing listens
# on and no node of this cluster was given.
free_port() {
	local p
	for p in $(seq "$BASE_PORT" $((BASE_PORT + 500))); do
		if grep -qx "$p" "$dir"/*.port 2>/dev/null; then
			continue
		fi
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

running() { [ -f "$dir/$1/postmaster.pid" ] && as_pg "$PG_BINDIR/pg_ctl" -D "$dir/$1" status >/dev/null 2>&1; }

sql() {
	local node=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -At "$(url_of "$node")" "$@"
}

make_node() {
	local node=$1 port
	port=$(free_port) || die "no free port from $BASE_PORT"
	echo "$port" >"$dir/$node.port"
	log "initialising $node on port $port"
	as_pg "$PG_BINDIR/initdb" -D "$dir/$node" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/$node.initdb.log"
	cat >>"$dir/$node/postgresql.conf" <<-EOF

		# scripts/citus-cluster.sh
		listen_addresses = '127.0.0.1'
		port = $port
		unix_socket_directories = '$dir'
		shared_preload_libraries = 'citus'
		citus.enable_schema_based_sharding = on
		wal_level = logical
		max_connections = 200
		max_prepared_transactions = 200
		autovacuum = off
	EOF
}

start() {
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	[ -f "$PG_BINDIR/../lib/citus.so" ] || [ -f "$(pg_config --pkglibdir)/citus.so" ] ||
		die "Citus is not installed: run scripts/citus-build.sh first"
	local fresh=""
	for node in "${nodes[@]}"; do
		if [ ! -f "$dir/$node/PG_VERSION" ]; then
			make_node "$node"
			fresh=1
		fi
		if ! running "$node"; then
			log "starting $node on port $(port_of "$node")"
			as_pg "$PG_BINDIR/pg_ctl" -D "$dir/$node" -l "$dir/$node.log" -w -t 60 start >/dev/null
		fi
	done
	for node in "${nodes[@]}"; do
		sql "$node" -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS citus"
	done
	# Registering is idempotent: citus_set_coordinator_host updates the
	# coordinator's row, and a worker already in pg_dist_node is not added
	# again.
	sql coordinator -c "SELECT citus_set_coordinator_host('127.0.0.1', $(port_of coordinator))" >/dev/null
	for node in worker1 worker2; do
		sql coordinator -c "SELECT citus_add_node('127.0.0.1', $(port_of "$node"))
			WHERE NOT EXISTS (SELECT 1 FROM pg_dist_node WHERE nodename = '127.0.0.1' AND nodeport = $(port_of "$node"))" >/dev/null
	done
	[ -n "$fresh" ] && log "made a cluster in $dir"
	status
}

stop() {
	for node in "${nodes[@]}"; do
		if running "$node"; then
			log "stopping $node"
			as_pg "$PG_BINDIR/pg_ctl" -D "$dir/$node" -m fast -w stop >/dev/null
		fi
	done
}

status() {
	sql coordinator -c "SELECT nodename || ':' || nodeport || CASE WHEN groupid = 0 THEN ' coordinator' ELSE ' worker' END
		|| CASE WHEN isactive THEN '' ELSE ' (inactive)' END FROM pg_dist_node ORDER BY groupid" >&2
	log "coordinator: $(url_of coordinator)"
}

case "$cmd" in
start) start ;;
stop) stop ;;
status) status ;;
url)
	[ -f "$dir/coordinator.port" ] || die "no cluster in $dir: run $0 start $dir"
	url_of coordinator
	;;
*) die "usage: $0 start|stop|url|status DIR" ;;
esac
