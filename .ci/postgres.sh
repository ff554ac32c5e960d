# A throwaway PostgreSQL for the tests that need one, sourced by .ci/test: the local binaries
# (Debian's layout, or initdb on PATH), else Debian's packages when running as root with apt-get
# (checked on a debootstrapped Debian without PostgreSQL: `. .ci/postgres.sh && start_postgres`); a
# cluster of its own (data directory, socket directory, port) on loopback, run by an unprivileged user,
# stopped on exit. Exports DATABASE_URL. Returns non-zero when no PostgreSQL can be had; exits when
# one is installed but will not start.
find_postgres_bin() {
  local initdb
  initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
  [ -n "$initdb" ] || initdb=$(command -v initdb 2>/dev/null) || true
  [ -n "$initdb" ] || return 1
  PG_BIN=$(dirname "$initdb")
}
start_postgres() {
  if ! find_postgres_bin; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing Debian's postgresql package"
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql) >/dev/null || return 1
    fi
    find_postgres_bin || return 1
  fi
  # The first free port from 55432 (several checkouts may run their tests at once).
  PG_PORT=${PG_PORT:-55432}
  while (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; do PG_PORT=$((PG_PORT + 1)); done
  PG_DIR=$(mktemp -d /tmp/ci-postgres.XXXXXX)
  # initdb refuses to run as root.
  PG_USER=postgres
  if [ "$(id -u)" = 0 ]; then
    id -u "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home "$PG_USER"
    chown "$PG_USER" "$PG_DIR"
  fi
  as_pg_user "$PG_BIN/initdb" -D "$PG_DIR/data" -U ci --auth=trust -E UTF8 >/dev/null || { echo "initdb failed" >&2; exit 1; }
  trap stop_postgres EXIT
  as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
    || { echo "PostgreSQL did not start:" >&2; cat "$PG_DIR/log" >&2; exit 1; }
  export DATABASE_URL="postgres://ci@127.0.0.1:$PG_PORT/postgres"
  echo "PostgreSQL on $DATABASE_URL"
}
# From a directory the unprivileged user can enter (the clone may sit under /root).
as_pg_user() { if [ "$(id -u)" = 0 ]; then (cd "$PG_DIR" && runuser -u "$PG_USER" -- "$@"); else "$@"; fi; }
stop_postgres() {
  as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
