# Throwaway PostgreSQL clusters for the tests that need them, sourced by .ci/test: the local binaries
# (Debian's layout, or initdb on PATH), else Debian's packages when running as root with apt-get
# (checked on a debootstrapped Debian without PostgreSQL: `. .ci/postgres.sh && start_postgres`);
# clusters of their own (data directory, socket directory, port) on loopback, run by an unprivileged
# user, stopped on exit. Returns non-zero when no PostgreSQL can be had; exits when one is installed but
# will not start.
#
# Two clusters: the one in DATABASE_URL has TLS on, with a certificate authority made for this run (its
# certificate in DATABASE_TLS_ROOT_CERT, the server's certificate naming `localhost` only), so every store
# test talks TLS (`sslmode=prefer`, the default); DATABASE_PLAIN_URL has no TLS, for the test that
# `sslmode=require` refuses it. DATABASE_OTHER_CA is a certificate authority the server does not use.
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
  PG_DIR=$(mktemp -d /tmp/ci-postgres.XXXXXX)
  # initdb refuses to run as root.
  PG_USER=postgres
  if [ "$(id -u)" = 0 ]; then
    id -u "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home "$PG_USER"
    chown "$PG_USER" "$PG_DIR"
  else
    PG_USER=$(id -un)
  fi
  trap stop_postgres EXIT
  make_certificates "$PG_DIR/tls"
  local tls_port plain_port
  tls_port=$(free_port 55432)
  start_cluster "$PG_DIR/tls-cluster" "$tls_port" \
    -c ssl=on -c ssl_cert_file="$PG_DIR/tls/server.crt" -c ssl_key_file="$PG_DIR/tls/server.key"
  plain_port=$(free_port $((tls_port + 1)))
  start_cluster "$PG_DIR/plain-cluster" "$plain_port"
  export DATABASE_URL="postgres://ci@127.0.0.1:$tls_port/postgres"
  export DATABASE_TLS_ROOT_CERT="$PG_DIR/tls/ca.crt"
  export DATABASE_OTHER_CA="$PG_DIR/tls/other-ca.crt"
  export DATABASE_PLAIN_URL="postgres://ci@127.0.0.1:$plain_port/postgres"
  echo "PostgreSQL with TLS on $DATABASE_URL (CA $DATABASE_TLS_ROOT_CERT), without on $DATABASE_PLAIN_URL"
}
# The first free port from $1 (several checkouts may run their tests at once).
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
# A certificate authority, a server certificate for `localhost` signed by it, and an unrelated authority.
make_certificates() {
  local dir=$1
  mkdir -p "$dir"
  for ca in ca other-ca; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=SDK CI $ca" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout "$dir/$ca.key" -out "$dir/$ca.crt" 2>/dev/null
  done
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
  chown -R "$PG_USER" "$dir"
  chmod 600 "$dir/server.key"
}
# start_cluster DIR PORT [server options...]
start_cluster() {
  local dir=$1 port=$2
  shift 2
  mkdir -p "$dir"
  chown "$PG_USER" "$dir"
  as_pg_user "$PG_BIN/initdb" -D "$dir/data" -U ci --auth=trust -E UTF8 >/dev/null || { echo "initdb failed" >&2; exit 1; }
  PG_CLUSTERS="${PG_CLUSTERS:-} $dir"
  as_pg_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 $*" start >/dev/null \
    || { echo "PostgreSQL did not start:" >&2; cat "$dir/log" >&2; exit 1; }
}
# From a directory the unprivileged user can enter (the clone may sit under /root).
as_pg_user() { if [ "$(id -u)" = 0 ]; then (cd "$PG_DIR" && runuser -u "$PG_USER" -- "$@"); else "$@"; fi; }
stop_postgres() {
  for dir in ${PG_CLUSTERS:-}; do
    as_pg_user "$PG_BIN/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  done
  rm -rf "$PG_DIR"
}
