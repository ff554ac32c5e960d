//! The PostgreSQL ledger: shared by every replica, surviving restarts (feature `postgres`).

use std::time::SystemTime;

use credit_valuation_postgres::deadpool_postgres::{Object, Pool};
use credit_valuation_postgres::tokio_postgres::Row;
use credit_valuation_postgres::tokio_postgres::types::ToSql;
use credit_valuation_postgres::{DatabaseError, Identifier, Migration, migrate, pool_from_url};
use jiff::Timestamp;

use super::entry::{InquiryOutcome, LedgerEntry};
use super::error::{LedgerError, RefusalReason, RepeatRefusal};
use super::inquiry_ledger::InquiryLedger;
use super::repeat_rules::{RepeatRules, check};
use crate::error::Error;
use crate::house_number::HouseNumber;
use crate::product_code::ProductCode;
use crate::report_reference::ReportReference;
use futures_util::future::BoxFuture;

/// The migrations of the ledger's tables, in order; `{entries}` and `{references}` are the
/// configured table names.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "inquiry ledger and report references",
        sql: "CREATE TABLE {schema}.{entries} (
              trace_number text PRIMARY KEY,
              product text NOT NULL,
              customer_id text NOT NULL,
              end_user_code text NOT NULL,
              end_user text,
              permissible_purpose text NOT NULL,
              consumer_fingerprint text,
              original_report_reference text,
              requested_at timestamptz NOT NULL,
              sdk_version text NOT NULL,
              state text NOT NULL,
              return_code text,
              report_reference_number text,
              consumer_id text,
              detail text,
              settled_at timestamptz
          );
          CREATE INDEX ON {schema}.{entries} (consumer_fingerprint, requested_at);
          CREATE INDEX ON {schema}.{entries} (requested_at);
          CREATE TABLE {schema}.{references} (
              report_reference_number text PRIMARY KEY,
              consumer_id text NOT NULL,
              inquired_at timestamptz NOT NULL,
              product text NOT NULL,
              customer_id text NOT NULL,
              end_user_code text NOT NULL
          );",
    },
    Migration {
        version: 2,
        name: "one fingerprint per consumer",
        // An entry written before holds one fingerprint: of its consumer, or of a joint request's
        // set of SSNs (which matches no consumer's own, so old joint entries guard nobody). No
        // pending list on the index: every send searches it, and a search reads the whole list.
        sql: "ALTER TABLE {schema}.{entries}
              ADD COLUMN consumer_fingerprints text[] NOT NULL DEFAULT ARRAY[]::text[];
          UPDATE {schema}.{entries} SET consumer_fingerprints = ARRAY[consumer_fingerprint]
              WHERE consumer_fingerprint IS NOT NULL;
          ALTER TABLE {schema}.{entries} DROP COLUMN consumer_fingerprint;
          CREATE INDEX ON {schema}.{entries} USING gin (consumer_fingerprints)
              WITH (fastupdate = off);",
    },
    Migration {
        version: 3,
        name: "the fingerprint key's id",
        sql: "CREATE TABLE {schema}.{key} (
              singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
              key_id text NOT NULL,
              adopted_at timestamptz NOT NULL DEFAULT now()
          );",
    },
    Migration {
        version: 4,
        name: "begin in two autocommit statements",
        // `fetch`: what the repeat rules decide from, unlocked. `record`: under the consumers'
        // locks (transaction-scoped, so held until this statement commits), checks that those
        // entries are as the fetch saw them — a VOLATILE function's queries each take a fresh
        // snapshot, so it sees every inquiry committed before the locks were granted — and writes
        // the pending entry. Both must search by the GIN index whatever the statistics say: a
        // ledger that grew since it was last analysed would otherwise be read whole per send.
        sql: "CREATE FUNCTION {schema}.{fetch}(p_fingerprints text[], p_trace text)
              RETURNS SETOF {schema}.{entries} LANGUAGE plpgsql STABLE SET enable_seqscan = off
          AS $$
          BEGIN
              RETURN QUERY SELECT * FROM {schema}.{entries}
                  WHERE trace_number = p_trace OR consumer_fingerprints && p_fingerprints;
          END $$;
          CREATE FUNCTION {schema}.{record}(p_trace text, p_product text, p_customer_id text,
              p_end_user_code text, p_end_user text, p_purpose text, p_fingerprints text[],
              p_original text, p_requested_at timestamptz, p_sdk_version text,
              p_seen_traces text[], p_seen_states text[],
              OUT outcome text, OUT earlier_at timestamptz)
              LANGUAGE plpgsql VOLATILE SET enable_seqscan = off
          AS $$
          DECLARE
              v_changed bigint;
              v_found bigint;
          BEGIN
              -- A snapshot per query is what makes the check below see the latest commits.
              IF current_setting('transaction_isolation') <> 'read committed' THEN
                  RAISE EXCEPTION 'the inquiry ledger needs READ COMMITTED, not %',
                      current_setting('transaction_isolation');
              END IF;
              -- One order for all, so that two joint requests cannot deadlock (a volatile
              -- function is evaluated after the sort); an entry without a consumer is locked by
              -- its trace number.
              PERFORM pg_advisory_xact_lock(hashtext('innovis.ledger'), hashtext(key))
                  FROM unnest(CASE WHEN cardinality(p_fingerprints) = 0
                      THEN ARRAY[p_trace] ELSE p_fingerprints END) AS key
                  ORDER BY key COLLATE \"C\";
              -- The same entries in the same states as the fetch saw: each is one of them (its
              -- trace number found there with its state), and there are as many. A plain
              -- aggregate: planned for the first row, an EXISTS would be cached as a walk of the
              -- primary key hoping for an early match.
              SELECT count(*) FILTER (WHERE state IS DISTINCT FROM
                      p_seen_states[array_position(p_seen_traces, trace_number)]),
                  count(*)
                  INTO v_changed, v_found
                  FROM {schema}.{entries}
                  WHERE trace_number = p_trace OR consumer_fingerprints && p_fingerprints;
              IF v_changed > 0 OR v_found <> cardinality(p_seen_traces) THEN
                  outcome := 'changed';
                  RETURN;
              END IF;
              INSERT INTO {schema}.{entries} AS existing (trace_number, product, customer_id,
                  end_user_code, end_user, permissible_purpose, consumer_fingerprints,
                  original_report_reference, requested_at, sdk_version, state)
              VALUES (p_trace, p_product, p_customer_id, p_end_user_code, p_end_user, p_purpose,
                  p_fingerprints, p_original, p_requested_at, p_sdk_version, 'pending')
              ON CONFLICT (trace_number) DO UPDATE SET product = EXCLUDED.product,
                  customer_id = EXCLUDED.customer_id, end_user_code = EXCLUDED.end_user_code,
                  end_user = EXCLUDED.end_user, permissible_purpose = EXCLUDED.permissible_purpose,
                  consumer_fingerprints = EXCLUDED.consumer_fingerprints,
                  original_report_reference = EXCLUDED.original_report_reference,
                  requested_at = EXCLUDED.requested_at, sdk_version = EXCLUDED.sdk_version,
                  state = 'pending', return_code = NULL, report_reference_number = NULL,
                  consumer_id = NULL, detail = NULL, settled_at = NULL
              WHERE existing.state = 'not_sent';
              IF FOUND THEN
                  outcome := 'recorded';
                  RETURN;
              END IF;
              -- Another replica began this trace number for another consumer (under another
              -- lock) since the check: its entry stays.
              outcome := 'trace_number_used';
              SELECT requested_at INTO earlier_at FROM {schema}.{entries}
                  WHERE trace_number = p_trace;
          END $$;
          COMMENT ON FUNCTION {schema}.{fetch}(text[], text) IS 'innovis-client inquiry ledger';
          COMMENT ON FUNCTION {schema}.{record}(text, text, text, text, text, text, text[], text,
              timestamptz, text, text[], text[]) IS 'innovis-client inquiry ledger';",
    },
];

/// Where the PostgreSQL ledger lives.
///
/// ```
/// use innovis_client::ledger::PostgresLedgerConfig;
/// fn ledger_config() -> Result<PostgresLedgerConfig, innovis_client::Error> {
///     Ok(PostgresLedgerConfig::new("postgres://app@127.0.0.1:5432/app")
///         .schema("credit")?
///         .tables("inquiries", "report_references")?
///         .pool_size(8))
/// }
/// assert!(ledger_config().is_ok());
/// ```
#[derive(Clone)]
pub struct PostgresLedgerConfig {
    database: Database,
    schema: Identifier,
    entries: Identifier,
    references: Identifier,
}

/// A URL to build a pool from, or the user's own pool.
#[derive(Clone)]
enum Database {
    Url { url: String, pool_size: usize },
    Pool(Pool),
}

impl std::fmt::Debug for PostgresLedgerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password.
        f.debug_struct("PostgresLedgerConfig")
            .field("schema", &self.schema.as_str())
            .field("entries", &self.entries.as_str())
            .field("references", &self.references.as_str())
            .finish_non_exhaustive()
    }
}

impl PostgresLedgerConfig {
    /// The database at `url` (TLS and timeouts as
    /// [`pool_from_url`](credit_valuation_postgres::pool_from_url) reads them); schema `innovis`,
    /// tables `inquiry_ledger` and `report_references`, a pool of 16 connections.
    pub fn new(url: impl Into<String>) -> Self {
        Self::on(Database::Url {
            url: url.into(),
            pool_size: 16,
        })
    }

    /// The database behind a pool the application built (shared with its own queries, or set up
    /// with TLS and timeouts of its own); same default names as [`Self::new`].
    ///
    /// ```no_run
    /// use innovis_client::ledger::{InquiryLedger, PostgresLedger, PostgresLedgerConfig};
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let pool = credit_valuation_postgres::pool_from_url("postgres://app@db/app?sslmode=verify-full", 32)?;
    /// // The application keeps `pool` for its own queries.
    /// let ledger = PostgresLedger::connect(PostgresLedgerConfig::with_pool(pool.clone())).await?;
    /// ledger.health().await?;
    /// # Ok(()) }
    /// ```
    pub fn with_pool(pool: Pool) -> Self {
        Self::on(Database::Pool(pool))
    }

    fn on(database: Database) -> Self {
        let fixed = |name: &str| {
            Identifier::new(name).unwrap_or_else(|_| unreachable!("{name} is a valid identifier"))
        };
        PostgresLedgerConfig {
            database,
            schema: fixed("innovis"),
            entries: fixed("inquiry_ledger"),
            references: fixed("report_references"),
        }
    }

    /// The schema to keep the tables in (created when missing).
    pub fn schema(mut self, schema: &str) -> Result<Self, Error> {
        self.schema = identifier("schema", schema)?;
        Ok(self)
    }

    /// The names of the entries and references tables.
    pub fn tables(mut self, entries: &str, references: &str) -> Result<Self, Error> {
        self.entries = identifier("entries table", entries)?;
        self.references = identifier("references table", references)?;
        Ok(self)
    }

    /// The most connections the ledger opens from its URL (no effect on a pool given with
    /// [`Self::with_pool`]).
    pub fn pool_size(mut self, size: usize) -> Self {
        if let Database::Url { pool_size, .. } = &mut self.database {
            *pool_size = size;
        }
        self
    }
}

fn identifier(field: &'static str, name: &str) -> Result<Identifier, Error> {
    Identifier::new(name).map_err(|err| Error::validation(field, err.to_string()))
}

/// An [`InquiryLedger`] in PostgreSQL, shared by every replica and kept across restarts. Its
/// tables come from embedded, versioned migrations, applied when it connects (safe when several
/// replicas start at once).
///
/// ```no_run
/// use innovis_client::ledger::{InquiryLedger, PostgresLedger, PostgresLedgerConfig};
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let url = std::env::var("DATABASE_URL")?;
/// let ledger = PostgresLedger::connect(PostgresLedgerConfig::new(url)).await?;
/// ledger.health().await?; // a readiness probe
/// # Ok(()) }
/// ```
pub struct PostgresLedger {
    pool: Pool,
    entries: String,
    references: String,
    sql: Statements,
}

/// The ledger's statements for its configured tables, prepared once per connection
/// (`prepare_cached`): an inquiry then costs three statements, each one round trip and its own
/// transaction — the fetch of what the repeat rules need, the record under the consumers' locks
/// (both functions of migration 4), and the settle.
struct Statements {
    adopt_key: String,
    fetch: String,
    record: String,
    settle: String,
}

/// The columns `entry_from_row` reads, in its order.
const ENTRY_COLUMNS: &str = "trace_number, product, customer_id, end_user_code, end_user,
    permissible_purpose, consumer_fingerprints, original_report_reference, requested_at, sdk_version,
    state, return_code, report_reference_number, consumer_id, detail, settled_at";

/// The comment migration 4 puts on its functions: a function of the same name without it belongs
/// to something else.
const FUNCTION_OWNER: &str = "innovis-client inquiry ledger";

/// How many times a send fetches again when the record finds the consumers' entries changed since
/// its fetch (another send or settle for them landed in between); then it gives up, not sent.
const RECORD_ATTEMPTS: u32 = 3;

/// The ledger's tables and functions in one schema, quoted.
struct Names {
    entries: String,
    references: String,
    key: String,
    fetch: String,
    record: String,
}

impl Statements {
    fn new(names: &Names) -> Self {
        let Names {
            entries,
            references,
            key,
            fetch,
            record,
        } = names;
        let columns = ENTRY_COLUMNS;
        Statements {
            // The recorded key id: ours when there was none (the `added` row), else the one
            // before this statement. Empty only when another replica recorded one concurrently.
            adopt_key: format!(
                "WITH added AS (
                     INSERT INTO {key} (key_id) VALUES ($1) ON CONFLICT (singleton) DO NOTHING
                     RETURNING key_id)
                 SELECT key_id FROM added UNION ALL SELECT key_id FROM {key}"
            ),
            // What `repeat_rules::check` decides from: the entry holding this trace number and
            // every entry naming one of the consumers (by the primary key and the GIN index; a
            // consumer's history is short, and purged past the retention).
            fetch: format!("SELECT {columns} FROM {fetch}($1, $2)"),
            record: format!(
                "SELECT outcome, earlier_at
                 FROM {record}($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
            ),
            // One statement: the entry and its references together, and, when nothing was
            // settled, the state that explains why (read from the statement's snapshot).
            settle: format!(
                "WITH settled AS (
                     UPDATE {entries} SET state = $2, return_code = $3, report_reference_number = $4,
                         consumer_id = $5, detail = $6, settled_at = $7
                     WHERE trace_number = $1 AND state IN ('pending', 'may_have_been_sent')
                     RETURNING 1),
                 kept AS (
                     INSERT INTO {references} (report_reference_number, consumer_id, inquired_at,
                         product, customer_id, end_user_code)
                     SELECT * FROM unnest($8::text[], $9::text[], $10::timestamptz[], $11::text[],
                         $12::text[], $13::text[])
                     WHERE EXISTS (SELECT 1 FROM settled)
                     ON CONFLICT (report_reference_number) DO NOTHING)
                 SELECT EXISTS (SELECT 1 FROM settled),
                     (SELECT state FROM {entries} WHERE trace_number = $1)"
            ),
        }
    }
}

/// A pooled connection whose statement may hold a consumer's lock. Dropped before
/// [`Self::release`] — a failed statement, or a caller that stopped waiting — the connection is
/// closed instead of going back to the pool, so that no later user queues behind a statement still
/// waiting for a lock.
struct Closing(Option<Object>);

impl Closing {
    fn client(&self) -> &Object {
        self.0
            .as_ref()
            .unwrap_or_else(|| unreachable!("held until released or dropped"))
    }

    /// No statement is running: the connection goes back to the pool.
    fn release(mut self) {
        self.0.take();
    }
}

impl Drop for Closing {
    fn drop(&mut self) {
        if let Some(client) = self.0.take() {
            drop(Object::take(client));
        }
    }
}

impl std::fmt::Debug for PostgresLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresLedger")
            .field("entries", &self.entries)
            .field("references", &self.references)
            .finish_non_exhaustive()
    }
}

impl PostgresLedger {
    /// Connects and brings the tables up to date.
    pub async fn connect(config: PostgresLedgerConfig) -> Result<Self, Error> {
        let pool = match config.database {
            Database::Url { url, pool_size } => pool_from_url(&url, pool_size).map_err(database)?,
            Database::Pool(pool) => pool,
        };
        let mut client = pool.get().await.map_err(|err| database(err.into()))?;
        let derived =
            |suffix: &str| identifier("entries table", &format!("{}_{suffix}", config.entries));
        let (key, fetch, record) = (derived("key")?, derived("fetch")?, derived("record")?);
        refuse_foreign_functions(&client, &config.schema, &[&fetch, &record]).await?;
        migrate(
            &mut client,
            &config.schema,
            // One record of migrations per set of tables: two ledgers in one schema are two.
            &format!(
                "innovis_inquiry_ledger({},{})",
                config.entries, config.references
            ),
            MIGRATIONS,
            &[
                ("entries", &config.entries),
                ("references", &config.references),
                ("key", &key),
                ("fetch", &fetch),
                ("record", &record),
            ],
        )
        .await
        .map_err(database)?;
        let schema = config.schema.quoted();
        let qualified = |name: &Identifier| format!("{schema}.{}", name.quoted());
        let names = Names {
            entries: qualified(&config.entries),
            references: qualified(&config.references),
            key: qualified(&key),
            fetch: qualified(&fetch),
            record: qualified(&record),
        };
        Ok(PostgresLedger {
            pool,
            sql: Statements::new(&names),
            entries: names.entries,
            references: names.references,
        })
    }

    async fn begin_entry(&self, entry: LedgerEntry, rules: RepeatRules) -> Result<(), LedgerError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let (fetch, record) = tokio::try_join!(
            client.prepare_cached(&self.sql.fetch),
            client.prepare_cached(&self.sql.record),
        )
        .map_err(statement)?;
        let connection = Closing(Some(client));
        let client = connection.client();
        let requested_at = system_time(entry.requested_at);
        for _ in 0..RECORD_ATTEMPTS {
            let rows = client
                .query(&fetch, &[&entry.consumer_fingerprints, &entry.trace_number])
                .await
                .map_err(statement)?;
            let earlier = rows
                .iter()
                .map(entry_from_row)
                .collect::<Result<Vec<_>, _>>()?;
            if let Err(refusal) = check(&entry, rules, &earlier.iter().collect::<Vec<_>>()) {
                connection.release();
                return Err(refusal.into());
            }
            // The record writes the entry only if these are still what the check decided from.
            let (seen_traces, seen_states): (Vec<&str>, Vec<&str>) = earlier
                .iter()
                .map(|earlier| (earlier.trace_number.as_str(), earlier.outcome.state()))
                .unzip();
            let row = client
                .query_one(
                    &record,
                    &[
                        &entry.trace_number,
                        &entry.product,
                        &entry.customer_id,
                        &entry.end_user_code,
                        &entry.end_user,
                        &entry.permissible_purpose,
                        &entry.consumer_fingerprints,
                        &entry.original_report_reference,
                        &requested_at,
                        &entry.sdk_version,
                        &seen_traces,
                        &seen_states,
                    ],
                )
                .await
                .map_err(statement)?;
            match row.get::<_, &str>(0) {
                "recorded" => {
                    connection.release();
                    return Ok(());
                }
                "trace_number_used" => {
                    connection.release();
                    let at = row
                        .get::<_, Option<SystemTime>>(1)
                        .map(timestamp)
                        .transpose()?;
                    return Err(RepeatRefusal {
                        reason: RefusalReason::TraceNumberUsed,
                        earlier_at: at.unwrap_or(entry.requested_at),
                        earlier_trace_number: entry.trace_number,
                        consumer: None,
                        applicant_id: None,
                    }
                    .into());
                }
                "changed" => {}
                other => {
                    return Err(LedgerError::Corrupt(format!(
                        "the ledger's record function answered `{other}`"
                    )));
                }
            }
        }
        connection.release();
        Err(LedgerError::KeptChanging(RECORD_ATTEMPTS))
    }

    async fn settle_entry(
        &self,
        trace_number: &str,
        outcome: InquiryOutcome,
        references: Vec<ReportReference>,
    ) -> Result<(), LedgerError> {
        let [return_code, reference, consumer_id, detail] = outcome.columns();
        let mut numbers = Vec::with_capacity(references.len());
        let mut consumers = Vec::with_capacity(references.len());
        let mut inquired = Vec::with_capacity(references.len());
        let mut products = Vec::with_capacity(references.len());
        let mut customers = Vec::with_capacity(references.len());
        let mut end_users = Vec::with_capacity(references.len());
        for reference in &references {
            numbers.push(reference.report_reference_number());
            consumers.push(reference.consumer_id());
            inquired.push(system_time(reference.inquired_at()));
            products.push(reference.product().as_str());
            customers.push(reference.house_number().customer_id());
            end_users.push(reference.house_number().end_user_code());
        }
        let client = self.pool.get().await.map_err(pool_error)?;
        let settle = client
            .prepare_cached(&self.sql.settle)
            .await
            .map_err(statement)?;
        // Round trip 3.
        let row = client
            .query_one(
                &settle,
                &[
                    &trace_number,
                    &outcome.state(),
                    &return_code,
                    &reference,
                    &consumer_id,
                    &detail,
                    &SystemTime::now(),
                    &numbers,
                    &consumers,
                    &inquired,
                    &products,
                    &customers,
                    &end_users,
                ],
            )
            .await
            .map_err(statement)?;
        if row.get::<_, bool>(0) {
            return Ok(());
        }
        Err(match row.get::<_, Option<String>>(1) {
            None => LedgerError::UnknownTraceNumber(trace_number.to_owned()),
            Some(state) => LedgerError::AlreadySettled {
                trace_number: trace_number.to_owned(),
                state: static_state(&state),
            },
        })
    }

    async fn query_entries(
        &self,
        filter: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<LedgerEntry>, LedgerError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let rows = client
            .query(
                &format!(
                    "SELECT {ENTRY_COLUMNS} FROM {} WHERE {filter} ORDER BY requested_at, trace_number",
                    self.entries
                ),
                params,
            )
            .await
            .map_err(statement)?;
        rows.iter().map(entry_from_row).collect()
    }
}

impl InquiryLedger for PostgresLedger {
    fn begin<'a>(
        &'a self,
        entry: LedgerEntry,
        rules: RepeatRules,
    ) -> BoxFuture<'a, Result<(), LedgerError>> {
        Box::pin(self.begin_entry(entry, rules))
    }

    fn health(&self) -> BoxFuture<'_, Result<(), LedgerError>> {
        Box::pin(async move {
            let client = self.pool.get().await.map_err(pool_error)?;
            client.batch_execute("SELECT 1").await.map_err(statement)
        })
    }

    fn adopt_key<'a>(&'a self, key_id: &'a str) -> BoxFuture<'a, Result<(), LedgerError>> {
        Box::pin(async move {
            let client = self.pool.get().await.map_err(pool_error)?;
            // A second try sees the row another replica added during the first.
            for _ in 0..2 {
                let rows = client
                    .query(&self.sql.adopt_key, &[&key_id])
                    .await
                    .map_err(statement)?;
                if let Some(row) = rows.first() {
                    let recorded: String = row.get(0);
                    return if recorded == key_id {
                        Ok(())
                    } else {
                        Err(LedgerError::KeyMismatch {
                            recorded,
                            offered: key_id.to_owned(),
                        })
                    };
                }
            }
            Err(LedgerError::Corrupt(
                "the fingerprint key's id could not be recorded nor read".to_owned(),
            ))
        })
    }

    fn settle<'a>(
        &'a self,
        trace_number: &'a str,
        outcome: InquiryOutcome,
        references: Vec<ReportReference>,
    ) -> BoxFuture<'a, Result<(), LedgerError>> {
        Box::pin(self.settle_entry(trace_number, outcome, references))
    }

    fn entry<'a>(
        &'a self,
        trace_number: &'a str,
    ) -> BoxFuture<'a, Result<Option<LedgerEntry>, LedgerError>> {
        Box::pin(async move {
            Ok(self
                .query_entries("trace_number = $1", &[&trace_number])
                .await?
                .pop())
        })
    }

    fn reference<'a>(
        &'a self,
        report_reference_number: &'a str,
    ) -> BoxFuture<'a, Result<Option<ReportReference>, LedgerError>> {
        Box::pin(async move {
            let client = self.pool.get().await.map_err(pool_error)?;
            let row = client
                .query_opt(
                    &format!(
                        "SELECT report_reference_number, consumer_id, inquired_at, product, customer_id,
                             end_user_code FROM {} WHERE report_reference_number = $1",
                        self.references
                    ),
                    &[&report_reference_number],
                )
                .await
                .map_err(statement)?;
            row.map(|row| reference_from_row(&row)).transpose()
        })
    }

    fn entries<'a>(
        &'a self,
        from: Timestamp,
        to: Timestamp,
    ) -> BoxFuture<'a, Result<Vec<LedgerEntry>, LedgerError>> {
        Box::pin(async move {
            let (from, to) = (system_time(from), system_time(to));
            self.query_entries("requested_at >= $1 AND requested_at < $2", &[&from, &to])
                .await
        })
    }

    fn purge_before<'a>(&'a self, cutoff: Timestamp) -> BoxFuture<'a, Result<u64, LedgerError>> {
        Box::pin(async move {
            let cutoff = system_time(cutoff);
            let client = self.pool.get().await.map_err(pool_error)?;
            let purged = client
                .execute(
                    &format!("DELETE FROM {} WHERE requested_at < $1", self.entries),
                    &[&cutoff],
                )
                .await
                .map_err(statement)?;
            client
                .execute(
                    &format!("DELETE FROM {} WHERE inquired_at < $1", self.references),
                    &[&cutoff],
                )
                .await
                .map_err(statement)?;
            Ok(purged)
        })
    }
}

/// Refuses function names of this ledger that another object already has (tables and indexes are
/// checked by `migrate`; functions live in another catalog).
async fn refuse_foreign_functions(
    client: &Object,
    schema: &Identifier,
    functions: &[&Identifier],
) -> Result<(), Error> {
    let names: Vec<&str> = functions.iter().map(|name| name.as_str()).collect();
    let clash = client
        .query_opt(
            "SELECT p.proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = $1 AND p.proname = ANY($2)
                 AND obj_description(p.oid, 'pg_proc') IS DISTINCT FROM $3
             LIMIT 1",
            &[&schema.as_str(), &names, &FUNCTION_OWNER],
        )
        .await
        .map_err(|err| database(err.into()))?;
    match clash {
        Some(row) => Err(database(DatabaseError::NameClash {
            schema: schema.as_str().to_owned(),
            name: row.get(0),
            reason: "a function of that name exists and was not created by this ledger",
        })),
        None => Ok(()),
    }
}

fn entry_from_row(row: &Row) -> Result<LedgerEntry, LedgerError> {
    let detail: Option<String> = row.get(14);
    let reason = || detail.clone().unwrap_or_default();
    let outcome = match row.get::<_, &str>(10) {
        "pending" => InquiryOutcome::Pending,
        "completed" => InquiryOutcome::Completed {
            return_code: row.get(11),
            report_reference_number: row.get(12),
            consumer_id: row.get(13),
            note: detail.clone(),
        },
        "not_sent" => InquiryOutcome::NotSent { reason: reason() },
        "may_have_been_sent" => InquiryOutcome::MayHaveBeenSent { reason: reason() },
        other => return Err(LedgerError::Corrupt(format!("unknown state `{other}`"))),
    };
    Ok(LedgerEntry {
        trace_number: row.get(0),
        product: row.get(1),
        customer_id: row.get(2),
        end_user_code: row.get(3),
        end_user: row.get(4),
        permissible_purpose: row.get(5),
        consumer_fingerprints: row.get(6),
        original_report_reference: row.get(7),
        requested_at: timestamp(row.get(8))?,
        sdk_version: row.get(9),
        outcome,
        settled_at: row
            .get::<_, Option<SystemTime>>(15)
            .map(timestamp)
            .transpose()?,
    })
}

fn reference_from_row(row: &Row) -> Result<ReportReference, LedgerError> {
    let corrupt = |err: Error| LedgerError::Corrupt(err.to_string());
    ReportReference::new(
        row.get::<_, String>(0),
        row.get::<_, String>(1),
        timestamp(row.get(2))?,
        ProductCode::new(row.get::<_, String>(3)).map_err(corrupt)?,
        HouseNumber::new(row.get::<_, String>(4), row.get::<_, String>(5)).map_err(corrupt)?,
    )
    .map_err(corrupt)
}

/// Every jiff `Timestamp` (years -9999..=9999) is a `SystemTime` on the platforms PostgreSQL
/// runs on; the fallback only keeps this free of a panic path.
fn system_time(at: Timestamp) -> SystemTime {
    SystemTime::try_from(at).unwrap_or(SystemTime::UNIX_EPOCH)
}

fn timestamp(at: SystemTime) -> Result<Timestamp, LedgerError> {
    Timestamp::try_from(at).map_err(|err| LedgerError::Corrupt(err.to_string()))
}

fn static_state(state: &str) -> &'static str {
    match state {
        "pending" => "pending",
        "completed" => "completed",
        "not_sent" => "not_sent",
        "may_have_been_sent" => "may_have_been_sent",
        _ => "unknown",
    }
}

fn database(err: DatabaseError) -> Error {
    Error::Ledger(LedgerError::Database(err))
}

fn pool_error(err: credit_valuation_postgres::deadpool_postgres::PoolError) -> LedgerError {
    LedgerError::Database(err.into())
}

fn statement(err: credit_valuation_postgres::tokio_postgres::Error) -> LedgerError {
    LedgerError::Database(err.into())
}
