#!/usr/bin/env bash
# pgbouncer.sh runs PgBouncer in transaction pooling mode in front of a
# PostgreSQL server, for the test that runs casekit's conformance suite
# through it (TestConformanceBehindPgBouncer in storage/postgres) and for
# trying docs/tenancy.md's set-up by hand. PgBouncer comes from Debian's
# packages (apt-get install pgbouncer).
#
#   scripts/pgbouncer.sh start   # start (or restart) it; prints the URL to test with
#   scripts/pgbouncer.sh url     # prints the URL if it runs
#   scripts/pgbouncer.sh stop    # stops it
#
#   CASEKIT_TEST_PGBOUNCER_URL=$(scripts/pgbouncer.sh start) \
#     go test -run TestConformanceBehindPgBouncer -timeout 60m ./storage/postgres/
#
# Environment (defaults in brackets):
#   PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE  the server behind it [127.0.0.1 5432 postgres "" postgres]
#   PGBOUNCER_DIR   where its config, log and pid go [/tmp/casekit-pgbouncer]
#   PGBOUNCER_PORT  the port it listens on, on 127.0.0.1 [6432]
#   PGBOUNCER_POOL  server connections per database and user [20]
# No step reads standard input.
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
PGPASSWORD=${PGPASSWORD:-}
PGDATABASE=${PGDATABASE:-postgres}
DIR=${PGBOUNCER_DIR:-/tmp/casekit-pgbouncer}
PORT=${PGBOUNCER_PORT:-6432}
POOL=${PGBOUNCER_POOL:-20}

die() { echo "pgbouncer.sh: $*" >&2; exit 1; }

# as_owner runs PgBouncer's commands as the directory's owner: PgBouncer
# refuses to run as root.
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

url() { echo "postgres://$PGUSER@127.0.0.1:$PORT/$PGDATABASE?sslmode=disable"; }

running() { [ -f "$DIR/pgbouncer.pid" ] && kill -0 "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null; }

stop() {
	if running; then
		kill "$(cat "$DIR/pgbouncer.pid")"
		for _ in $(seq 50); do running || break; sleep 0.1; done
	fi
	rm -f "$DIR/pgbouncer.pid"
}

start() {
	command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || die "PgBouncer is not installed (apt-get install pgbouncer)"
	stop
	mkdir -p "$DIR"
	local password=""
	[ -n "$PGPASSWORD" ] && password=" password=$PGPASSWORD"
	# Clients are trusted on loopback (the server checks the user again);
	# the startup parameters pgx sends that PgBouncer would refuse are
	# ignored; server_lifetime recycles backends as docs/tenancy.md says.
	cat >"$DIR/pgbouncer.ini" <<INI
[databases]
* = host=$PGHOST port=$PGPORT$password

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir = $DIR
auth_type = trust
auth_file = $DIR/users.txt
pool_mode = transaction
default_pool_size = $POOL
max_client_conn = 1000
server_lifetime = 600
server_idle_timeout = 60
ignore_startup_parameters = extra_float_digits,application_name
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
INI
	printf '"%s" ""\n' "$PGUSER" >"$DIR/users.txt"
	[ "$(id -u)" = 0 ] && chown -R postgres "$DIR"
	as_owner "$(command -v pgbouncer || echo /usr/sbin/pgbouncer)" -d "$DIR/pgbouncer.ini"
	for _ in $(seq 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && { url; return 0; }
		sleep 0.1
	done
	die "PgBouncer did not start; see $DIR/pgbouncer.log"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
url) running && url || die "not running" ;;
*) die "usage: pgbouncer.sh start|stop|url" ;;
esac
