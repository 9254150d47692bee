#!/usr/bin/env bash
# fulldisk.sh makes a small, empty file system the PostgreSQL server can
# write and that fills: the directory TestCreateTenantOnAFullDisk
# (storage/postgres) puts a tablespace in, so the server runs out of
# space part-way through a tenant's provisioning. It mounts a tmpfs,
# which needs root (or CAP_SYS_ADMIN), and must run on the server's
# machine.
#
#   scripts/fulldisk.sh start   # mount it (again, empty); prints its path
#   scripts/fulldisk.sh stop    # unmount it and remove the directory
#
#   CASEKIT_TEST_FULL_DIR=$(scripts/fulldisk.sh start) \
#     CASEKIT_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' \
#     go test -run TestCreateTenantOnAFullDisk ./storage/postgres/
#
# Environment (defaults in brackets):
#   FULLDISK_DIR    the mount point [/tmp/casekit-fulldisk]
#   FULLDISK_SIZE   the file system's size, smaller than a tenant's
#                   files (about 1.1 MB) [384k]
#   FULLDISK_OWNER  the user the PostgreSQL server runs as [postgres]
# No step reads standard input.
set -euo pipefail

DIR=${FULLDISK_DIR:-/tmp/casekit-fulldisk}
SIZE=${FULLDISK_SIZE:-384k}
OWNER=${FULLDISK_OWNER:-postgres}

die() { echo "fulldisk.sh: $*" >&2; exit 1; }

mounted() { mountpoint -q "$DIR" 2>/dev/null; }

stop() {
	if mounted; then
		umount "$DIR" || die "cannot unmount $DIR (is a tablespace still in it?)"
	fi
	if [ -d "$DIR" ]; then
		rmdir "$DIR" || die "$DIR is not empty after unmounting; left as it is"
	fi
}

start() {
	[ "$(id -u)" = 0 ] || die "mounting a tmpfs needs root"
	id "$OWNER" >/dev/null 2>&1 || die "no user $OWNER to own the directory (set FULLDISK_OWNER to the server's user)"
	stop
	mkdir -p "$DIR"
	if ! out=$(mount -t tmpfs -o "size=$SIZE,mode=0700" casekit-fulldisk "$DIR" 2>&1); then
		rmdir "$DIR" 2>/dev/null || true
		die "cannot mount a tmpfs on $DIR: $out"
	fi
	chown "$OWNER:" "$DIR"
	echo "$DIR"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*) die "usage: fulldisk.sh start|stop" ;;
esac
