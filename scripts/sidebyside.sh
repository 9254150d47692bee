#!/usr/bin/env bash
# sidebyside.sh measures examples/saas and libredesk with examples/apiload in
# one sitting, each system alone and in turn (casekit, libredesk, casekit,
# libredesk, ...), on a fresh database each time: first with 4,000 cases, then
# with 100,000. It appends every table to $OUT. BENCHMARKS.md, "HTTP API
# against libredesk", quotes its figures.
#
#   LIBREDESK_SRC=/tmp/libredesk scripts/sidebyside.sh
#
# How each store is filled:
#   4,000 cases: through each system's own API (apiload -preload 4000, 8
#     clients), then ANALYZE (autovacuum is off on these machines).
#   100,000 cases: casekit by examples/bigload (rows written in bulk, then
#     VACUUM ANALYZE); libredesk by 4,000 conversations through its API, then
#     cloned in SQL to 100,000 (scripts/libredesk.sh grow, then VACUUM ANALYZE).
#
# Environment (defaults in brackets): LIBREDESK_SRC (required), ROUNDS [2],
# DURATION per measurement [10s], SIZES ["4000 100000"],
# DSN [postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable],
# OUT [/tmp/sidebyside.md], BIN where the commands are built [/tmp/sidebyside-bin].
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10s}
SIZES=${SIZES:-4000 100000}
DSN=${DSN:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
OUT=${OUT:-/tmp/sidebyside.md}
BIN=${BIN:-/tmp/sidebyside-bin}
PREFIX=apiload_
export LIBREDESK_PASSWORD=${LIBREDESK_PASSWORD:-Bench-Passw0rd-2026}
LDSN="postgres://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:${PGPORT:-5432}/${LIBREDESK_DB:-libredesk_bench}?sslmode=disable"

log() { echo "sidebyside: $*" >&2; }

mkdir -p "$BIN"
go build -o "$BIN/saas" ./examples/saas
go build -o "$BIN/apiload" ./examples/apiload/cmd/apiload
go build -o "$BIN/bigload" ./examples/bigload
SAAS_PID=
cleanup() {
	[ -n "$SAAS_PID" ] && kill "$SAAS_PID" 2>/dev/null || true
	scripts/libredesk.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

{
	echo "## apiload side by side, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "casekit $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' (with local changes)'), libredesk $(git -C "$LIBREDESK_SRC" describe --tags) ($(git -C "$LIBREDESK_SRC" rev-parse --short HEAD)), $(nproc) cores, PostgreSQL $(psql -X -Atc 'show server_version' "$DSN"), $DURATION per measurement"
	echo
} >>"$OUT"

saas_run() {
	local size=$1 port key
	"$BIN/saas" -db "$DSN" -prefix "$PREFIX" -drop >/dev/null
	if [ "$size" -le 10000 ]; then
		"$BIN/saas" -db "$DSN" -prefix "$PREFIX" -provision 1 >/dev/null 2>&1
	else
		"$BIN/bigload" -store postgres -dsn "$DSN" -prefix "$PREFIX" -tenant tenant-0001 -cases "$size" -iters 0 2>&1 | tail -1 >&2
	fi
	key=$("$BIN/saas" -db "$DSN" -prefix "$PREFIX" -new-key tenant-0001:system 2>/dev/null)
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$BIN/saas" -db "$DSN" -prefix "$PREFIX" -addr "127.0.0.1:$port" 2>"$BIN/saas.log" &
	SAAS_PID=$!
	for _ in $(seq 50); do curl -fsS -o /dev/null "http://127.0.0.1:$port/api/v1/openapi.yaml" 2>/dev/null && break; sleep 0.1; done
	if [ "$size" -le 10000 ]; then
		"$BIN/apiload" -target saas -url "http://127.0.0.1:$port/api/v1" -key "$key" -preload "$size" -analyze-db "$DSN" \
			-cases "$size" -duration "$DURATION" -out "$OUT" >/dev/null
	else
		"$BIN/apiload" -target saas -url "http://127.0.0.1:$port/api/v1" -key "$key" \
			-cases "$size" -duration "$DURATION" -out "$OUT" >/dev/null
	fi
	kill "$SAAS_PID"
	wait "$SAAS_PID" 2>/dev/null || true
	SAAS_PID=
	"$BIN/saas" -db "$DSN" -prefix "$PREFIX" -drop >/dev/null
}

libredesk_run() {
	local size=$1 url
	url=$(scripts/libredesk.sh start)
	if [ "$size" -le 10000 ]; then
		"$BIN/apiload" -target libredesk -url "$url" -preload "$size" -analyze-db "$LDSN" \
			-cases "$size" -duration "$DURATION" -out "$OUT" >/dev/null
	else
		"$BIN/apiload" -target libredesk -url "$url" -preload 4000 -preload-only
		scripts/libredesk.sh grow "$size" >/dev/null
		"$BIN/apiload" -target libredesk -url "$url" -cases "$size" -duration "$DURATION" -out "$OUT" >/dev/null
	fi
	scripts/libredesk.sh stop >/dev/null
}

for size in $SIZES; do
	for round in $(seq "$ROUNDS"); do
		log "$size cases, round $round: casekit"
		saas_run "$size"
		echo >>"$OUT"
		log "$size cases, round $round: libredesk"
		libredesk_run "$size"
		echo >>"$OUT"
	done
done
log "done: $OUT"
