#!/usr/bin/env bash
# libredesk.sh builds and runs libredesk (github.com/abhinavxd/libredesk, v2.7.0)
# beside casekit, for the side-by-side figures in BENCHMARKS.md ("HTTP API
# against libredesk"). It holds none of libredesk's code: it builds from a
# checkout the operator names, into a directory outside this repository.
#
#   LIBREDESK_SRC=/tmp/libredesk scripts/libredesk.sh start   # build, fresh DB, run; prints the URL
#   scripts/libredesk.sh grow 100000   # clone conversations in SQL up to N, then ANALYZE
#   scripts/libredesk.sh analyze       # ANALYZE its database (autovacuum is off here)
#   scripts/libredesk.sh status        # prints the URL if it runs
#   scripts/libredesk.sh stop          # stops libredesk and its Redis, empties its database
#
# start is idempotent: it stops a running instance first and always starts on
# a fresh database, so every run measures the same thing. No step reads stdin.
#
# Environment (defaults in brackets):
#   LIBREDESK_SRC   the source checkout at v2.7.0 (required by start; e.g.
#                   git -C <mirror> worktree add /tmp/libredesk v2.7.0)
#   LIBREDESK_WORK  where the binary, config, logs and pids go [/tmp/libredesk-run]
#   LIBREDESK_PASSWORD  the system user's password [Bench-Passw0rd-2026]
#   PGHOST PGPORT PGUSER PGPASSWORD  the PostgreSQL server [127.0.0.1 5432 postgres ""]
#   LIBREDESK_PORT  the HTTP port [a free one]
#   LIBREDESK_DB    the database it gets, emptied by start and stop [libredesk_bench]
set -euo pipefail

WORK=${LIBREDESK_WORK:-/tmp/libredesk-run}
PASSWORD=${LIBREDESK_PASSWORD:-Bench-Passw0rd-2026}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
PGPASSWORD=${PGPASSWORD:-}
# libredesk refuses an empty db.password; with trust authentication any will do.
DBPASSWORD=${PGPASSWORD:-unused}
DB=${LIBREDESK_DB:-libredesk_bench}
export PGHOST PGPORT PGUSER PGPASSWORD

die() { echo "libredesk.sh: $*" >&2; exit 1; }
log() { echo "libredesk.sh: $*" >&2; }

# psql_db runs SQL on libredesk's database, quietly, failing on the first error.
psql_db() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

# free_port prints a TCP port nothing listens on.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# build compiles the backend and the stuffbin packer, then packs the files
# libredesk embeds (schema, i18n, static and a stub frontend: the API needs
# none). It rebuilds only when the checkout's commit changed.
build() {
	[ -n "${LIBREDESK_SRC:-}" ] || die "set LIBREDESK_SRC to a libredesk checkout at v2.7.0"
	[ -f "$LIBREDESK_SRC/cmd/main.go" ] || die "$LIBREDESK_SRC is not a libredesk checkout (no cmd/main.go)"
	local src rev ver
	src=$(cd "$LIBREDESK_SRC" && pwd)
	case "$src/" in "$(cd "$(dirname "$0")/.." && pwd)/"*) die "LIBREDESK_SRC must be outside this repository" ;; esac
	rev=$(git -C "$src" rev-parse HEAD 2>/dev/null) || die "$src is not a git checkout"
	ver=$(git -C "$src" describe --tags --always 2>/dev/null)
	mkdir -p "$WORK"
	if [ -x "$WORK/libredesk-bin" ] && [ "$(cat "$WORK/built-from" 2>/dev/null)" = "$rev" ]; then
		return
	fi
	log "building libredesk $ver ($rev) into $WORK"
	(cd "$src" && go build -ldflags="-X 'main.versionString=$ver' -X 'main.buildString=$ver ($rev)' -X 'github.com/abhinavxd/libredesk/internal/version.Version=$ver'" \
		-o "$WORK/libredesk-raw" ./cmd)
	(cd "$src" && go build -o "$WORK/stuffbin" github.com/knadh/stuffbin/stuffbin)
	local stage="$WORK/stage"
	rm -rf "$stage" && mkdir -p "$stage/frontend/dist/main" "$stage/frontend/dist/widget"
	echo '<!doctype html><title>libredesk API only</title>' >"$stage/frontend/dist/main/index.html"
	cp "$stage/frontend/dist/main/index.html" "$stage/frontend/dist/widget/index.html"
	cp -r "$src/i18n" "$src/static" "$src/schema.sql" "$stage/"
	(cd "$stage" && "$WORK/stuffbin" -a stuff -in "$WORK/libredesk-raw" -out "$WORK/libredesk-bin" frontend/dist i18n schema.sql static) >&2 # its report, not the URL start prints
	echo "$rev" >"$WORK/built-from"
	echo "$ver" >"$WORK/version"
}

# write_config writes config.toml: the checkout's config.sample.toml with the
# addresses, credentials and keys of this run, section by section (the same
# key, e.g. address, appears in several sections).
write_config() {
	local port=$1 redis_port=$2 key
	key=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
	mkdir -p "$WORK/uploads"
	awk -v port="$port" -v rport="$redis_port" -v key="$key" -v work="$WORK" \
		-v pghost="$PGHOST" -v pgport="$PGPORT" -v pguser="$PGUSER" -v pgpass="$DBPASSWORD" -v db="$DB" '
		/^\[/ { section = $0 }
		section == "[app]" && /^log_level *=/ { $0 = "log_level = \"error\"" }
		section == "[app]" && /^env *=/ { $0 = "env = \"prod\"" }
		section == "[app]" && /^check_updates *=/ { $0 = "check_updates = false" }
		section == "[app]" && /^encryption_key *=/ { $0 = "encryption_key = \"" key "\"" }
		section == "[app.server]" && /^address *=/ { $0 = "address = \"127.0.0.1:" port "\"" }
		section == "[app.server]" && /^disable_secure_cookies *=/ { $0 = "disable_secure_cookies = true" }
		section == "[upload]" && /^provider *=/ { $0 = "provider = \"fs\"" }
		section == "[upload.fs]" && /^upload_path *=/ { $0 = "upload_path = \"" work "/uploads\"" }
		section == "[db]" && /^host *=/ { $0 = "host = \"" pghost "\"" }
		section == "[db]" && /^port *=/ { $0 = "port = " pgport }
		section == "[db]" && /^user *=/ { $0 = "user = \"" pguser "\"" }
		section == "[db]" && /^password *=/ { $0 = "password = \"" pgpass "\"" }
		section == "[db]" && /^database *=/ { $0 = "database = \"" db "\"" }
		section == "[redis]" && /^address *=/ { $0 = "address = \"127.0.0.1:" rport "\"" }
		{ print }
	' "$LIBREDESK_SRC/config.sample.toml" >"$WORK/config.toml"
}

# alive reports whether the pid in file $1 runs.
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# reset_db leaves libredesk's database empty: it makes it when missing and
# otherwise drops and recreates its public schema. DROP DATABASE would wait
# for a checkpoint, minutes on a busy shared server.
reset_db() {
	if [ "$(psql -X -At -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$DB'")" = 0 ]; then
		psql -X -q -d postgres -c "CREATE DATABASE $DB"
		return
	fi
	psql -X -q -d "$DB" -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null
	psql_db -c "DROP SCHEMA public CASCADE" -c "CREATE SCHEMA public"
}

stop() {
	if alive "$WORK/libredesk.pid"; then
		kill "$(cat "$WORK/libredesk.pid")"
		for _ in $(seq 50); do alive "$WORK/libredesk.pid" || break; sleep 0.1; done
	fi
	rm -f "$WORK/libredesk.pid" "$WORK/url"
	if [ -f "$WORK/redis.port" ]; then
		redis-cli -p "$(cat "$WORK/redis.port")" shutdown nosave >/dev/null 2>&1 || true
		rm -f "$WORK/redis.port"
	fi
	reset_db
}

start() {
	build
	stop
	local port redis_port
	port=${LIBREDESK_PORT:-$(free_port)}
	redis_port=$(free_port)
	redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize yes \
		--dir "$WORK" --logfile "$WORK/redis.log" --pidfile "$WORK/redis.pid"
	echo "$redis_port" >"$WORK/redis.port"
	reset_db
	write_config "$port" "$redis_port"
	cd "$WORK"
	LIBREDESK_SYSTEM_USER_PASSWORD=$PASSWORD ./libredesk-bin --config config.toml --install --yes </dev/null >>"$WORK/install.log" 2>&1 ||
		die "install failed; see $WORK/install.log"
	# --install leaves migrations pending and the server then refuses to start.
	./libredesk-bin --config config.toml --upgrade --yes </dev/null >>"$WORK/install.log" 2>&1 ||
		die "upgrade failed; see $WORK/install.log"
	nohup ./libredesk-bin --config config.toml </dev/null >"$WORK/libredesk.log" 2>&1 &
	echo $! >"$WORK/libredesk.pid"
	local url="http://127.0.0.1:$port"
	for _ in $(seq 100); do
		if curl -fsS -o /dev/null "$url/health" 2>/dev/null; then
			echo "$url" >"$WORK/url"
			log "libredesk runs at $url (system user: System, password in LIBREDESK_PASSWORD; log $WORK/libredesk.log)"
			echo "$url"
			return
		fi
		alive "$WORK/libredesk.pid" || die "libredesk exited; see $WORK/libredesk.log"
		sleep 0.2
	done
	die "libredesk did not answer $url/health in 20 s; see $WORK/libredesk.log"
}

# grow clones conversations (and their messages) made through the API until
# there are N, each clone a new row with its own uuid and reference number,
# then VACUUM (ANALYZE)s them, as examples/bigload does casekit's tables. It
# saves loading 100,000 conversations one request at a time.
grow() {
	local n=$1
	[[ $n =~ ^[0-9]+$ ]] || die "grow needs a number of conversations, not '$n'"
	psql_db <<EOF
CREATE TEMP TABLE src AS SELECT *, row_number() OVER (ORDER BY id) AS rn FROM conversations;
CREATE TEMP TABLE want AS SELECT g, 1 + g % (SELECT count(*) FROM src) AS rn
	FROM generate_series(1, GREATEST(0, $n - (SELECT count(*) FROM src))) g;
CREATE TEMP TABLE made (id bigint, src_id bigint);
WITH ins AS (
	INSERT INTO conversations (created_at, updated_at, contact_id, inbox_id, status_id, priority_id, meta,
		subject, last_message_at, last_message, last_message_sender, last_message_sender_id,
		last_interaction, last_interaction_sender, last_interaction_sender_id, last_interaction_at, custom_attributes)
	SELECT s.created_at - (w.g || ' seconds')::interval, s.updated_at, s.contact_id, s.inbox_id, s.status_id, s.priority_id,
		s.meta || jsonb_build_object('clone_of', s.id),
		s.subject, s.last_message_at, s.last_message, s.last_message_sender, s.last_message_sender_id,
		s.last_interaction, s.last_interaction_sender, s.last_interaction_sender_id, s.last_interaction_at, s.custom_attributes
	FROM want w JOIN src s USING (rn)
	RETURNING id, (meta->>'clone_of')::bigint AS src_id)
INSERT INTO made SELECT id, src_id FROM ins;
INSERT INTO conversation_messages (created_at, updated_at, type, status, private, conversation_id,
	content_type, content, text_content, source_id, sender_id, sender_type, meta)
SELECT m.created_at, m.updated_at, m.type, m.status, m.private, made.id,
	m.content_type, m.content, m.text_content, m.source_id, m.sender_id, m.sender_type, m.meta
FROM made JOIN conversation_messages m ON m.conversation_id = made.src_id;
VACUUM (ANALYZE) conversations;
VACUUM (ANALYZE) conversation_messages;
ANALYZE;
SELECT count(*) AS conversations FROM conversations;
EOF
}

cmd=${1:-start}
case $cmd in
start) start ;;
stop) stop; log "stopped" ;;
status) alive "$WORK/libredesk.pid" && cat "$WORK/url" || die "not running" ;;
analyze) psql_db -c ANALYZE ;;
grow) grow "${2:?grow needs N}" ;;
*) die "unknown command '$cmd': start, stop, status, analyze or grow N" ;;
esac
