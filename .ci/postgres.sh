# Throwaway PostgreSQL clusters for the tests that need them, sourced by .ci/run: Debian's packages when
# missing (checked on a debootstrapped Debian without PostgreSQL: `. .ci/postgres.sh && start_postgres`),
# clusters of their own (data directory, socket directory, port) on loopback, run by an unprivileged user,
# stopped on exit. Tests read DATABASE_URL; with CI=true they fail without it.
#
# Two clusters: the one in DATABASE_URL has TLS on, with a certificate authority made for this run (its
# certificate in DATABASE_TLS_ROOT_CERT, the server's certificate naming `localhost` only), so every store
# test talks TLS (`sslmode=prefer`, the default); DATABASE_PLAIN_URL has no TLS, for the test that
# `sslmode=require` refuses it. DATABASE_OTHER_CA is a certificate authority the server does not use.
start_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql) >/dev/null
  fi
  PG_BIN=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
  PG_PORT=${PG_PORT:-55432}
  PG_ROOT=$(mktemp -d /tmp/ci-postgres.XXXXXX)
  # initdb refuses to run as root.
  PG_USER=postgres
  id -u "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home "$PG_USER"
  chown "$PG_USER" "$PG_ROOT"
  trap stop_postgres EXIT
  make_certificates "$PG_ROOT/tls"
  start_cluster "$PG_ROOT/tls-cluster" "$PG_PORT" \
    -c ssl=on -c ssl_cert_file="$PG_ROOT/tls/server.crt" -c ssl_key_file="$PG_ROOT/tls/server.key"
  start_cluster "$PG_ROOT/plain-cluster" "$((PG_PORT + 1))"
  export DATABASE_URL="postgres://ci@127.0.0.1:$PG_PORT/postgres"
  export DATABASE_TLS_ROOT_CERT="$PG_ROOT/tls/ca.crt"
  export DATABASE_OTHER_CA="$PG_ROOT/tls/other-ca.crt"
  export DATABASE_PLAIN_URL="postgres://ci@127.0.0.1:$((PG_PORT + 1))/postgres"
  echo "PostgreSQL with TLS on $DATABASE_URL (CA $DATABASE_TLS_ROOT_CERT), without on $DATABASE_PLAIN_URL"
}
# A certificate authority, a server certificate for `localhost` signed by it, and an unrelated authority.
make_certificates() {
  local dir=$1
  mkdir -p "$dir"
  local ca_ext="basicConstraints=critical,CA:TRUE"
  for ca in ca other-ca; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=SDK CI $ca" \
      -addext "$ca_ext" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout "$dir/$ca.key" -out "$dir/$ca.crt" 2>/dev/null
  done
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
  chown -R "$PG_USER" "$dir"
  chmod 600 "$dir/server.key"
  chmod 644 "$dir/ca.crt" "$dir/other-ca.crt"
}
# start_cluster DIR PORT [server options...]
start_cluster() {
  local dir=$1 port=$2
  shift 2
  mkdir -p "$dir" && chown "$PG_USER" "$dir"
  as_pg_user "$PG_BIN/initdb" -D "$dir/data" -U ci --auth=trust -E UTF8 >/dev/null
  as_pg_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 $*" start >/dev/null
  PG_CLUSTERS="${PG_CLUSTERS:-} $dir"
}
# From a directory the unprivileged user can enter (the clone may sit under /root).
as_pg_user() { if [ "$(id -u)" = 0 ]; then (cd "$PG_ROOT" && runuser -u "$PG_USER" -- "$@"); else "$@"; fi; }
stop_postgres() {
  for dir in ${PG_CLUSTERS:-}; do
    as_pg_user "$PG_BIN/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  done
  rm -rf "$PG_ROOT"
}
