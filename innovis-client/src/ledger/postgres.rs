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
/// (`prepare_cached`): an inquiry then costs three round trips — the lock and the fetch of what the
/// repeat rules need, the insert with the commit, and the settle — each a pipeline of messages.
struct Statements {
    adopt_key: String,
    fetch: String,
    insert: String,
    settle: String,
}

/// The columns `entry_from_row` reads, in its order.
const ENTRY_COLUMNS: &str = "trace_number, product, customer_id, end_user_code, end_user,
    permissible_purpose, consumer_fingerprints, original_report_reference, requested_at, sdk_version,
    state, return_code, report_reference_number, consumer_id, detail, settled_at";

/// Opens the begin transaction. The fetch must find a consumer's entries by the GIN index however
/// the table's statistics look: a ledger that grew since it was last analysed (a new deployment,
/// a burst) would otherwise keep a prepared sequential scan, one that reads every entry per send.
const BEGIN: &str = "BEGIN; SET LOCAL enable_seqscan = off";

/// One consumer's inquiries are decided one at a time across replicas; a joint request takes each
/// consumer's lock, in one order for all, so two cannot deadlock.
const LOCK: &str = "SELECT pg_advisory_xact_lock(hashtext('innovis.ledger'), hashtext(key))
    FROM unnest($1::text[]) AS key";

impl Statements {
    fn new(entries: &str, references: &str, key: &str) -> Self {
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
            fetch: format!(
                "SELECT {columns} FROM {entries}
                 WHERE trace_number = $2 OR consumer_fingerprints && $1::text[]"
            ),
            insert: format!(
                "INSERT INTO {entries} (trace_number, product, customer_id, end_user_code, end_user,
                     permissible_purpose, consumer_fingerprints, original_report_reference,
                     requested_at, sdk_version, state)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending')
                 ON CONFLICT (trace_number) DO UPDATE SET product = $2, customer_id = $3,
                     end_user_code = $4, end_user = $5, permissible_purpose = $6,
                     consumer_fingerprints = $7, original_report_reference = $8, requested_at = $9,
                     sdk_version = $10, state = 'pending', return_code = NULL,
                     report_reference_number = NULL, consumer_id = NULL, detail = NULL,
                     settled_at = NULL
                 WHERE {entries}.state = 'not_sent'"
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

/// A pooled connection inside a transaction opened here. Dropped before [`Self::release`] — a
/// failed statement, or a caller that stopped waiting — the connection is closed instead of going
/// back to the pool, so its transaction and locks end with it and no later user inherits them.
struct InTransaction(Option<Object>);

impl InTransaction {
    fn client(&self) -> &Object {
        self.0
            .as_ref()
            .unwrap_or_else(|| unreachable!("held until released or dropped"))
    }

    /// The transaction ended: the connection goes back to the pool.
    fn release(mut self) {
        self.0.take();
    }
}

impl Drop for InTransaction {
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
        let key = identifier("entries table", &format!("{}_key", config.entries))?;
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
            ],
        )
        .await
        .map_err(database)?;
        let schema = config.schema.quoted();
        let entries = format!("{schema}.{}", config.entries.quoted());
        let references = format!("{schema}.{}", config.references.quoted());
        let key = format!("{schema}.{}", key.quoted());
        Ok(PostgresLedger {
            pool,
            sql: Statements::new(&entries, &references, &key),
            entries,
            references,
        })
    }

    async fn begin_entry(&self, entry: LedgerEntry, rules: RepeatRules) -> Result<(), LedgerError> {
        let client = self.pool.get().await.map_err(pool_error)?;
        let (lock, fetch, insert) = tokio::try_join!(
            client.prepare_cached(LOCK),
            client.prepare_cached(&self.sql.fetch),
            client.prepare_cached(&self.sql.insert),
        )
        .map_err(statement)?;
        let transaction = InTransaction(Some(client));
        let client = transaction.client();
        let mut lock_keys: Vec<&str> = entry
            .consumer_fingerprints
            .iter()
            .map(String::as_str)
            .collect();
        if lock_keys.is_empty() {
            lock_keys.push(&entry.trace_number);
        }
        lock_keys.sort_unstable();
        // Round trip 1: begin, lock, fetch (sent together; the fetch's snapshot is taken after
        // the lock is held, so it sees every inquiry decided before).
        let lock_params: [&(dyn ToSql + Sync); 1] = [&lock_keys];
        let fetch_params: [&(dyn ToSql + Sync); 2] =
            [&entry.consumer_fingerprints, &entry.trace_number];
        let (begun, locked, rows) = tokio::join!(
            client.batch_execute(BEGIN),
            client.execute(&lock, &lock_params),
            client.query(&fetch, &fetch_params),
        );
        begun.and(locked).map_err(statement)?;
        let earlier = rows
            .map_err(statement)?
            .iter()
            .map(entry_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        if let Err(refusal) = check(&entry, rules, &earlier.iter().collect::<Vec<_>>()) {
            client.batch_execute("ROLLBACK").await.map_err(statement)?;
            transaction.release();
            return Err(refusal.into());
        }
        // Round trip 2: record and commit.
        let requested_at = system_time(entry.requested_at);
        let insert_params: [&(dyn ToSql + Sync); 10] = [
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
        ];
        let (written, committed) = tokio::join!(
            client.execute(&insert, &insert_params),
            client.batch_execute("COMMIT"),
        );
        let written = written.map_err(statement)?;
        committed.map_err(statement)?;
        transaction.release();
        if written == 0 {
            // Another replica began this trace number (for another consumer, so under another
            // lock) between the fetch and the insert: the row it wrote stays.
            let earlier = self
                .query_entries("trace_number = $1", &[&entry.trace_number])
                .await?;
            let at = earlier
                .first()
                .map_or(entry.requested_at, |earlier| earlier.requested_at);
            return Err(RepeatRefusal {
                reason: RefusalReason::TraceNumberUsed,
                earlier_trace_number: entry.trace_number,
                earlier_at: at,
                consumer: None,
                applicant_id: None,
            }
            .into());
        }
        Ok(())
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
