#!/usr/bin/env bash
# apicpu.sh measures what one request of each examples/apiload operation
# (list, get, search, create, status) costs casekit's side in CPU time: the
# examples/saas process and the PostgreSQL backends serving it, read from
# /proc before and after each measurement (apiload -cpu-pid, -cpu-db). It
# counts no waiting, but contention on a busy machine still inflates it:
# compare binaries in alternating rounds (ROUNDS) and take medians.
# BENCHMARKS.md, "CPU per request", quotes it.
#
#   scripts/apicpu.sh                                   # this tree
#   BINS="old=/tmp/old/saas new=/tmp/new/saas" scripts/apicpu.sh
#
# With BINS, each labelled saas binary is measured in turn, ROUNDS times
# (old, new, old, new, ...), each on a fresh store of PRELOAD cases made
# through its own API, then ANALYZE; apiload is built from this tree.
#
# Environment (defaults in brackets): BINS [this tree's saas], ROUNDS [2],
# REQUESTS per measurement [2000], CLIENTS [4], PRELOAD [4000],
# DSN [postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable], where
# the store's schemas (prefix apicpu_) are made and dropped again; only the
# backends of the server's application_name are metered, so others may use
# the database meanwhile. OUT [/tmp/apicpu.md], BIN where the commands are
# built [/tmp/apicpu-bin].
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-2}
REQUESTS=${REQUESTS:-2000}
CLIENTS=${CLIENTS:-4}
PRELOAD=${PRELOAD:-4000}
DSN=${DSN:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
OUT=${OUT:-/tmp/apicpu.md}
BIN=${BIN:-/tmp/apicpu-bin}
APP=apicpu_saas
PREFIX=apicpu_

log() { echo "apicpu: $*" >&2; }

mkdir -p "$BIN"
go build -o "$BIN/apiload" ./examples/apiload/cmd/apiload
if [ -z "${BINS:-}" ]; then
	go build -o "$BIN/saas" ./examples/saas
	BINS="$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+')=$BIN/saas"
fi
SAAS_PID=
cleanup() {
	[ -n "$SAAS_PID" ] && kill "$SAAS_PID" 2>/dev/null || true
}
trap cleanup EXIT

{
	echo "## apicpu, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "$(nproc) cores, PostgreSQL $(psql -X -Atc 'show server_version' "$DSN"), $REQUESTS requests per measurement at $CLIENTS clients, $PRELOAD cases preloaded; binaries: $BINS"
	echo
} >>"$OUT"

measure() {
	local label=$1 saas=$2 key port
	"$saas" -db "$DSN" -prefix "$PREFIX" -drop >/dev/null
	"$saas" -db "$DSN" -prefix "$PREFIX" -provision 1 >/dev/null 2>&1
	key=$("$saas" -db "$DSN" -prefix "$PREFIX" -new-key tenant-0001:system 2>/dev/null)
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$saas" -db "$DSN&application_name=$APP" -prefix "$PREFIX" -addr "127.0.0.1:$port" 2>"$BIN/saas.log" &
	SAAS_PID=$!
	for _ in $(seq 50); do curl -fsS -o /dev/null "http://127.0.0.1:$port/api/v1/openapi.yaml" 2>/dev/null && break; sleep 0.1; done
	log "$label: $(uptime)"
	echo "$label:" >>"$OUT"
	"$BIN/apiload" -target saas -url "http://127.0.0.1:$port/api/v1" -key "$key" -preload "$PRELOAD" -analyze-db "$DSN" \
		-cases "$PRELOAD" -clients "$CLIENTS" -requests "$REQUESTS" -duration 30m \
		-cpu-pid "$SAAS_PID" -cpu-db "$DSN" -cpu-app "$APP" -out "$OUT" >/dev/null
	kill "$SAAS_PID"
	wait "$SAAS_PID" 2>/dev/null || true
	SAAS_PID=
	"$saas" -db "$DSN" -prefix "$PREFIX" -drop >/dev/null
}

for round in $(seq "$ROUNDS"); do
	for spec in $BINS; do
		log "round $round, ${spec%%=*}"
		measure "${spec%%=*}" "${spec#*=}"
	done
done
log "tables appended to $OUT"
