#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for sgxra's tests, reachable only
# through a Unix socket inside its own folder (listen_addresses='').
#
#   scripts/pg-cluster.sh start DIR   initdb + pg_ctl start + createdb sgxra;
#                                     prints the URL, e.g.
#                                     postgresql:///sgxra?host=DIR/sock&user=postgres
#   scripts/pg-cluster.sh stop DIR    pg_ctl stop -m immediate (no-op when
#                                     not running); DIR is left for the caller
#   scripts/pg-cluster.sh url DIR     prints the URL again
#
# DIR must be new or empty; use one made with `mktemp -d`.  PostgreSQL
# refuses to run as root ("initdb: error: cannot be run as root"): as root
# the binaries run as the unprivileged `postgres` user the Debian package
# creates (runuser), DIR is chowned to it and made traversable (0755; its
# parents must be traversable by others, as /tmp is); as any other user they
# run as that user.  fsync stays on (the default), so the durability tests
# test real durability.  PGBIN overrides /usr/lib/postgresql/15/bin.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
usage() { echo "usage: $0 start|stop|url DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$(cd "$2" 2>/dev/null && pwd) || { echo "pg-cluster: $2: no such folder" >&2; exit 2; }
sock=$dir/sock
url="postgresql:///sgxra?host=$sock&user=postgres"

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $cmd in
start)
  if [ "$(id -u)" -eq 0 ]; then
    chmod 755 "$dir"
    chown postgres: "$dir"
  fi
  as_owner mkdir -p "$dir/data" "$sock"
  as_owner "$PGBIN/initdb" -D "$dir/data" -E UTF8 --locale=C -A trust \
    -U postgres >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$sock' -c max_connections=100" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  as_owner "$PGBIN/createdb" -h "$sock" -U postgres sgxra
  echo "$url"
  ;;
stop)
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
  fi
  ;;
url) echo "$url" ;;
*) usage ;;
esac
