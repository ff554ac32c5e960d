# A throwaway PostgreSQL for the tests that need one, sourced by .ci/run: Debian's packages when missing
# (checked on a debootstrapped Debian without PostgreSQL: `. .ci/postgres.sh && start_postgres`), a cluster
# of its own (data directory, socket directory, port) on loopback, run by an unprivileged user, stopped on
# exit. Tests read DATABASE_URL; with CI=true they fail without it.
start_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql) >/dev/null
  fi
  PG_BIN=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
  PG_PORT=${PG_PORT:-55432}
  PG_DIR=$(mktemp -d /tmp/ci-postgres.XXXXXX)
  # initdb refuses to run as root.
  PG_USER=postgres
  id -u "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home "$PG_USER"
  chown "$PG_USER" "$PG_DIR"
  as_pg_user "$PG_BIN/initdb" -D "$PG_DIR/data" -U ci --auth=trust -E UTF8 >/dev/null
  trap stop_postgres EXIT
  as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  export DATABASE_URL="postgres://ci@127.0.0.1:$PG_PORT/postgres"
  echo "PostgreSQL on $DATABASE_URL"
}
# From a directory the unprivileged user can enter (the clone may sit under /root).
as_pg_user() { if [ "$(id -u)" = 0 ]; then (cd "$PG_DIR" && runuser -u "$PG_USER" -- "$@"); else "$@"; fi; }
stop_postgres() {
  as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}

