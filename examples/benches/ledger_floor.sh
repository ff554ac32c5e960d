#!/usr/bin/env bash
# The server's side of `ledger_send`: how fast PostgreSQL alone runs the statements of one guarded send,
# against the hand-written baseline's prepared INSERT and UPDATE. Each variant's statements go through
# `pgbench -M prepared` over tables shaped like the ledger's own (copied from the schema the
# `ledger_send` bench leaves behind), runs alternated; prints sends per second and the ratio to the
# baseline of the same round. Figures and what they mean: docs/benchmarks.md ("The floor of any
# guarded record").
#
#   cargo bench -p examples --all-features --bench ledger_send   # makes a ledger schema
#   bash examples/benches/ledger_floor.sh [CLIENTS] [SECONDS] [ROUNDS]
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must name the database ledger_send ran against}"
clients=${1:-16} seconds=${2:-4} rounds=${3:-3}
pgbench=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | sort -V | tail -n 1)
psql=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)
source=$("$psql" "$DATABASE_URL" -Atc "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'ledger_bench_%'
    ORDER BY nspname DESC LIMIT 1")
[ -n "$source" ] || { echo "no ledger_bench_ schema: run the ledger_send bench first" >&2; exit 1; }
"$psql" "$DATABASE_URL" -q <<SQL
DROP SCHEMA IF EXISTS ledger_floor CASCADE;
CREATE SCHEMA ledger_floor;
CREATE TABLE ledger_floor.e (LIKE $source.inquiry_ledger INCLUDING ALL);
CREATE TABLE ledger_floor.r (LIKE $source.report_references INCLUDING ALL);
CREATE TABLE ledger_floor.raw (trace_number text PRIMARY KEY, consumer text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now(), state text NOT NULL, report_reference_number text);
SQL
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
columns="trace_number, product, customer_id, end_user_code, end_user, permissible_purpose,
    consumer_fingerprints, original_report_reference, requested_at, sdk_version, state, return_code,
    report_reference_number, consumer_id, detail, settled_at"
insert="INSERT INTO ledger_floor.e (trace_number, product, customer_id, end_user_code, end_user,
    permissible_purpose, consumer_fingerprints, original_report_reference, requested_at, sdk_version,
    state) VALUES ('s' || :client_id || '.' || :n, 'CR', 'C1', 'EU1', NULL, '17', ARRAY['f' || :client_id || '.' || :n], NULL, now(), 'v', 'pending')"
fetch="SELECT $columns FROM ledger_floor.e WHERE trace_number = 's' || :client_id || '.' || :n
    OR consumer_fingerprints && ARRAY['f' || :client_id || '.' || :n]"
settle="WITH settled AS (UPDATE ledger_floor.e SET state = 'completed', return_code = '00',
        report_reference_number = 'R' || :client_id || '.' || :n, consumer_id = 'K' || :client_id || '.' || :n, settled_at = now()
        WHERE trace_number = 's' || :client_id || '.' || :n AND state IN ('pending', 'may_have_been_sent') RETURNING 1),
    kept AS (INSERT INTO ledger_floor.r SELECT 'R' || :client_id || '.' || :n, 'K' || :client_id || '.' || :n, now(), 'CR', 'C1', 'EU1'
        WHERE EXISTS (SELECT 1 FROM settled))
    SELECT EXISTS (SELECT 1 FROM settled)"
update="UPDATE ledger_floor.e SET state = 'completed', return_code = '00', report_reference_number = 'R' || :client_id || '.' || :n,
    consumer_id = 'K' || :client_id || '.' || :n, settled_at = now() WHERE trace_number = 's' || :client_id || '.' || :n"
# Every client draws its own keys (pgbench's clients can draw the same numbers), from a range wide
# enough that one client never draws a number twice.
keys='\set n random(1, 9000000000000000000)'
one_line() { tr '\n' ' ' | sed 's/  */ /g'; echo; }
{
  echo "$keys"
  echo "INSERT INTO ledger_floor.raw (trace_number, consumer, state) VALUES ('r' || :client_id || '.' || :n, 'c' || :client_id || '.' || :n, 'pending');"
  echo "UPDATE ledger_floor.raw SET state = 'completed', report_reference_number = 'R' || :client_id || '.' || :n WHERE trace_number = 'r' || :client_id || '.' || :n;"
} > "$dir/baseline.sql"
{
  echo "$keys"; echo '\startpipeline'; echo 'BEGIN;'; echo 'SET LOCAL enable_seqscan = off;'
  echo "SELECT pg_advisory_xact_lock(hashtext('innovis.ledger'), hashtext('f' || :client_id || '.' || :n));"
  echo "$fetch;" | one_line; echo '\endpipeline'; echo '\startpipeline'; echo "$insert;" | one_line
  echo 'COMMIT;'; echo '\endpipeline'; echo "$settle;" | one_line
} > "$dir/ledger.sql"
{
  echo "$keys"; echo '\startpipeline'; echo "$insert;" | one_line
  echo "$fetch;" | one_line; echo '\endpipeline'; echo "$settle;" | one_line
} > "$dir/insert_then_fetch.sql"
{
  echo "$keys"; echo '\startpipeline'; echo "$insert;" | one_line
  echo "$fetch;" | one_line; echo '\endpipeline'; echo "$update;" | one_line
} > "$dir/least_guard.sql"
{ echo "$keys"; echo "$insert;" | one_line; echo "$update;" | one_line; } > "$dir/entries_table.sql"
rate() {
  local out
  # A client's error fails the run: its figure would be of fewer clients.
  if ! out=$("$pgbench" -n -M prepared -c "$clients" -j 2 -T "$seconds" -f "$dir/$1.sql" "$DATABASE_URL" 2>&1); then
    echo "$1: pgbench failed: $(grep -m 1 -i error <<<"$out")" >&2
    return 1
  fi
  sed -n 's/^tps = \([0-9]*\).*/\1/p' <<<"$out"
}
echo "ledger_floor: sends/s of each variant's statements (pgbench -M prepared -c $clients), and / baseline"
for round in $(seq "$rounds"); do
  baseline=$(rate baseline)
  line="round $round: baseline $baseline"
  for variant in ledger insert_then_fetch least_guard entries_table; do
    sends=$(rate "$variant")
    line="$line; $variant $sends ($(awk -v a="$sends" -v b="$baseline" 'BEGIN { printf "%.2f", a / b }'))"
  done
  echo "$line"
done
"$psql" "$DATABASE_URL" -q -c "DROP SCHEMA ledger_floor CASCADE"
