#!/usr/bin/env bash
# Start a throw-away PostgreSQL cluster for the store tests and print its SQLAlchemy URL.
#
#   export WORKBENCH_TEST_PG_URL=$(scripts/postgres-for-tests.sh)
#
# Needs Debian's `postgresql` package (initdb and pg_ctl under /usr/lib/postgresql/<version>/bin).
# As root the cluster runs as the `postgres` user; as anyone else, as that user. The cluster
# lives in a fresh temporary folder, listens on 127.0.0.1 only (no Unix socket in a shared place)
# on a free port, trusts local connections (nobody else can reach it) and is never started again.
# `scripts/postgres-for-tests.sh stop URL` stops the cluster behind that URL and removes it
# (e.g. `trap "scripts/postgres-for-tests.sh stop $url" EXIT` in CI); other runs' clusters are left
# alone. `stop --all` stops every cluster this script started.
# Only the URL goes to stdout; everything else goes to stderr.
set -euo pipefail

pg_bin=""
for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then pg_bin=$dir; break; fi
done
if [ -z "$pg_bin" ]; then
  command -v initdb >/dev/null 2>&1 && pg_bin=$(dirname "$(command -v initdb)")
fi
if [ -z "$pg_bin" ]; then
  echo "postgres-for-tests: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi

if [ "${1:-}" = "stop" ]; then
  target=${2:-}
  [ -n "$target" ] || { echo "postgres-for-tests: stop needs the cluster's URL (or --all)" >&2; exit 2; }
  want_port=""
  [ "$target" = --all ] || want_port=$(printf '%s' "$target" | sed -n 's|.*@[^:/]*:\([0-9]*\)/.*|\1|p')
  [ "$target" = --all ] || [ -n "$want_port" ] || { echo "postgres-for-tests: no port in $target" >&2; exit 2; }
  for data in "${TMPDIR:-/tmp}"/workbench-pg.*/data; do
    [ -d "$data" ] || continue
    # postmaster.pid's fourth line is the port the cluster listens on.
    if [ -n "$want_port" ] && [ "$(sed -n 4p "$data/postmaster.pid" 2>/dev/null)" != "$want_port" ]; then continue; fi
    owner=$(stat -c %U "$data")
    if [ -f "$data/postmaster.pid" ]; then
      if [ "$(id -u)" -eq 0 ] && [ "$owner" != root ]; then
        runuser -u "$owner" -- "$pg_bin/pg_ctl" -D "$data" -m fast -w stop >&2 || true
      else
        "$pg_bin/pg_ctl" -D "$data" -m fast -w stop >&2 || true
      fi
    fi
    rm -rf "$(dirname "$data")"
  done
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "postgres-for-tests: no 'postgres' user to run the cluster as" >&2; exit 1; }
  as_owner() { runuser -u postgres -- "$@"; }
  owner=postgres
else
  as_owner() { "$@"; }
  owner=$(id -un)
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/workbench-pg.XXXXXX")
chmod 700 "$dir"
[ "$owner" = postgres ] && chown postgres: "$dir"

# A free port: bind port 0 and read what the kernel gave (a race with other starters is unlikely).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

as_owner "$pg_bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
# Enough connections for 20 writer processes plus the test process; fsync stays on (kill tests).
as_owner "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=100" start >&2 \
  || { cat "$dir/server.log" >&2; exit 1; }
as_owner "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres workbench_test >&2

echo "postgres-for-tests: cluster in $dir; stop with: runuser -u $owner -- $pg_bin/pg_ctl -D $dir/data stop" >&2
echo "postgresql+psycopg://postgres@127.0.0.1:$port/workbench_test"
