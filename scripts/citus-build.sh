#!/usr/bin/env bash
# citus-build.sh builds Citus from a source tree the operator gives and
# installs it into the machine's PostgreSQL (the one pg_config names), so that
# scripts/citus-cluster.sh can start a coordinator and workers with
# shared_preload_libraries=citus. Citus is not in Debian's archive; it builds
# against Debian's postgresql-server-dev-NN. docs/scale-out.md says why
# casekit wants it and BENCHMARKS.md keeps the build notes.
#
#   git clone --branch v13.2.2 https://github.com/citusdata/citus /tmp/citus-src
#   CITUS_SRC=/tmp/citus-src scripts/citus-build.sh
#
# Environment (defaults in brackets): CITUS_SRC (required), PG_CONFIG
# [pg_config on PATH], JOBS for make -j [2], INSTALL_DEPS=1 to install the
# Debian build dependencies first with apt-get (needs root) [0].
#
# It is idempotent: an installed citus.so of the same version as the source
# is left alone unless FORCE=1. With PostgreSQL 15.20 and later the server
# headers export have_createdb_privilege, which Citus 13.x's
# pg_version_compat.h also defines as a static function for PostgreSQL < 16;
# the two clash, so the script removes Citus's copy (only when the server
# header declares it) before configuring.
set -euo pipefail

log() { echo "citus-build: $*" >&2; }
die() { log "$*"; exit 1; }

[ -n "${CITUS_SRC:-}" ] || die "set CITUS_SRC to a Citus source tree (a 13.x release tag)"
[ -f "$CITUS_SRC/configure" ] || die "$CITUS_SRC has no configure: not a Citus source tree"
PG_CONFIG=${PG_CONFIG:-pg_config}
JOBS=${JOBS:-2}

if [ "${INSTALL_DEPS:-0}" = 1 ]; then
	pgmajor=$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
	log "installing build dependencies for PostgreSQL $pgmajor"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		build-essential "postgresql-server-dev-$pgmajor" \
		liblz4-dev libzstd-dev libkrb5-dev libssl-dev libselinux1-dev \
		libpam0g-dev libreadline-dev libxml2-dev libxslt1-dev libicu-dev >/dev/null
fi

command -v "$PG_CONFIG" >/dev/null || die "no $PG_CONFIG: install postgresql-server-dev-NN"
includedir=$("$PG_CONFIG" --includedir-server)
[ -f "$includedir/postgres.h" ] || die "no server headers under $includedir: install postgresql-server-dev-NN"
pkglibdir=$("$PG_CONFIG" --pkglibdir)
sharedir=$("$PG_CONFIG" --sharedir)

# The version the source builds: configure.ac's AC_INIT([Citus], [13.2.2]).
want=$(sed -nE 's/^AC_INIT\(\[Citus\], \[([^]]+)\].*/\1/p' "$CITUS_SRC/configure.ac")
[ -n "$want" ] || die "cannot read the Citus version from $CITUS_SRC/configure.ac"
# An installed citus.so carries its version in citus_version()'s text.
have=""
if [ -f "$pkglibdir/citus.so" ]; then
	have=$(grep -aoE 'Citus [0-9]+\.[0-9]+\.[0-9]+' "$pkglibdir/citus.so" | head -1 | cut -d' ' -f2 || true)
fi
if [ "$have" = "$want" ] && [ "${FORCE:-0}" != 1 ]; then
	log "Citus $want is already installed in $pkglibdir (FORCE=1 rebuilds)"
	exit 0
fi

# The have_createdb_privilege clash (see the header comment).
compat="$CITUS_SRC/src/include/pg_version_compat.h"
if grep -q 'extern bool have_createdb_privilege' "$includedir/commands/dbcommands.h" 2>/dev/null &&
	grep -q '^have_createdb_privilege(void)' "$compat"; then
	log "removing pg_version_compat.h's static have_createdb_privilege (the server headers export it)"
	awk '
		/^static inline bool$/ { held = $0; next }
		held != "" && /^have_createdb_privilege\(void\)$/ { skip = 1; held = ""; next }
		held != "" { print held; held = "" }
		skip && /^}$/ { skip = 0; next }
		!skip { print }
	' "$compat" >"$compat.new"
	mv "$compat.new" "$compat"
fi

cd "$CITUS_SRC"
# A git checkout stamps each file with the time it was written, so
# configure can come out a few milliseconds older than configure.ac, and
# make would then regenerate it with autoreconf (not installed, and not
# wanted: the release's configure is the one to use).
touch configure
log "configuring Citus $want against $("$PG_CONFIG" --version)"
./configure PG_CONFIG="$PG_CONFIG" --without-libcurl >/dev/null
# with_llvm=no: Debian's PostgreSQL is built for JIT, so PGXS would
# compile every file a second time into LLVM bitcode for JIT inlining,
# doubling the build for nothing a test or benchmark here uses.
log "building with make -j$JOBS"
make -s -j"$JOBS" with_llvm=no >/dev/null
log "installing into $pkglibdir"
make -s install with_llvm=no >/dev/null
log "Citus $want installed"
