#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: its own cluster in a temp folder, a unix socket
# there and 127.0.0.1 on a free port, a test database, and nothing left behind.
#
#   scripts/postgres.sh run CMD...   start a server, run CMD with TIKTUNE_TEST_PG_URL set, stop it
#                                    (also when CMD fails or is interrupted); CMD's exit status.
#   scripts/postgres.sh start DIR    start a server with its cluster in DIR (made, must be new);
#                                    prints KEY=VALUE lines (URL, PASSWORD_URL, DATA, PORT).
#   scripts/postgres.sh stop DIR     stop the server of DIR and remove DIR.
#
# Without Debian's PostgreSQL binaries `run` runs CMD without a server (the PostgreSQL tests then
# skip, saying why) unless CI=true or TIKTUNE_REQUIRE_POSTGRES=1, where a missing server is an error.
# Root cannot run postgres: as root the cluster belongs to the `postgres` user.
set -euo pipefail

pg_bin="${TIKTUNE_PG_BIN:-}"
if [ -z "$pg_bin" ]; then
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && pg_bin="$d"; done
fi

required() { [ "${CI:-}" = true ] || [ "${TIKTUNE_REQUIRE_POSTGRES:-}" = 1 ]; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local dir="$1" port
  [ -n "$pg_bin" ] || { echo "postgres: no PostgreSQL server installed (apt-get install postgresql)" >&2; return 1; }
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  port="$(free_port)"
  as_owner "$pg_bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  # A role that must give a password (the tests of a wrong one), before the trusting default.
  as_owner sh -c "{ echo 'host all tiktune_pw 127.0.0.1/32 scram-sha-256'; cat '$dir/data/pg_hba.conf'; } >'$dir/hba' && mv '$dir/hba' '$dir/data/pg_hba.conf'"
  # fsync off: a test server's data need not survive a power cut, and it saves the 2 cores' disk.
  as_owner "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -s \
    -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/server.log" >&2; return 1; }
  as_owner "$pg_bin/psql" -h "$dir" -p "$port" -U postgres -q -v ON_ERROR_STOP=1 -d postgres \
    -c "CREATE ROLE tiktune LOGIN SUPERUSER" \
    -c "CREATE ROLE tiktune_pw LOGIN PASSWORD 'right-password'" \
    -c "CREATE DATABASE tiktune_test OWNER tiktune" >/dev/null
  echo "URL=postgresql://tiktune@127.0.0.1:$port/tiktune_test"
  echo "PASSWORD_URL=postgresql://tiktune_pw@127.0.0.1:$port/tiktune_test"
  echo "DATA=$dir/data"
  echo "PORT=$port"
  echo "BIN=$pg_bin"
}

stop() {
  local dir="$1"
  if [ -f "$dir/data/postmaster.pid" ] && [ -n "$pg_bin" ]; then
    as_owner "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w -s stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  run)
    shift
    if [ -z "$pg_bin" ]; then
      if required; then
        echo "postgres: CI needs the PostgreSQL server for its tests and none is installed (scripts/setup.sh installs it)" >&2
        exit 1
      fi
      exec "$@"
    fi
    # A short path of its own: a unix socket's path may not exceed ~100 bytes, whatever TMPDIR is.
    dir="$(mktemp -d /tmp/tiktune-pg.XXXXXX)"
    trap 'stop "$dir"' EXIT
    trap 'exit 130' INT TERM
    if ! env_lines="$(start "$dir")"; then
      echo "postgres: the test server did not start" >&2
      required && exit 1
      stop "$dir"
      trap - EXIT
      exec "$@"
    fi
    while IFS='=' read -r key value; do export "TIKTUNE_TEST_PG_$key=$value"; done <<<"$env_lines"
    status=0
    "$@" || status=$?
    exit "$status"
    ;;
  *)
    echo "usage: scripts/postgres.sh run CMD... | start DIR | stop DIR" >&2
    exit 2
    ;;
esac
