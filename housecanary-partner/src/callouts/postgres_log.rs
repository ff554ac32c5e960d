//! The callout store in PostgreSQL, shared by every replica of the receiver (feature `postgres`).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use credit_valuation_postgres::{
    Announcer, DatabaseError, Identifier, Listener, Migration, migrate, pool_from_url,
};
use deadpool_postgres::{Object, Pool};
use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret as _, SecretString};
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Row, Statement, Transaction};

use super::config::{ConfigError, at_most_a_year};
use super::inbox::{InboxWorker, ProcessClaimed, ProcessFailure};
use super::message::CalloutMessage;
use super::message_log::{
    Begin, ClaimToken, DeadLetter, Enqueued, InboxStats, MessageLog, MessageLogError, StoredCallout,
};
use super::receiver::{self, HandlerError};

/// The shortest retention of processed ids accepted: the vendor redelivers up to 10 times, at
/// least 5 minutes apart (it states no upper bound).
pub const REDELIVERY_HORIZON: Duration = Duration::from_secs(10 * 5 * 60);

/// The store's schema, versioned. `{table}` and the index names are configured identifiers. In
/// `processed` and `dead` rows `processed_at` is when the row got there.
const MIGRATIONS: &[Migration] = &[
    Migration {
    version: 1,
    name: "callout messages: claims, inbox, dead letters",
    sql: "CREATE TABLE {schema}.{table} (
              message_id   text PRIMARY KEY,
              state        text NOT NULL CHECK (state IN ('pending', 'claimed', 'processed', 'dead')),
              body         bytea,
              claim_token  bigint,
              attempts     integer NOT NULL DEFAULT 0,
              available_at timestamptz NOT NULL DEFAULT now(),
              last_error   text,
              received_at  timestamptz NOT NULL DEFAULT now(),
              processed_at timestamptz
          );
          CREATE INDEX {due_index} ON {schema}.{table} (available_at)
              WHERE state IN ('pending', 'claimed') AND body IS NOT NULL;
          CREATE INDEX {processed_index} ON {schema}.{table} (processed_at)
              WHERE state = 'processed';",
    },
    Migration {
        version: 2,
        name: "dead letters: when they died, for paging and retention",
        sql: "UPDATE {schema}.{table} SET processed_at = received_at
                  WHERE state = 'dead' AND processed_at IS NULL;
              CREATE INDEX {dead_index} ON {schema}.{table} (processed_at, message_id)
                  WHERE state = 'dead';",
    },
];

/// The statements, written once for the configured table. In `claimed` rows `available_at` is the
/// end of the lease, so one index serves both "pending and due" and "claimed past its lease".
#[derive(Debug)]
struct Statements {
    try_begin: String,
    complete: String,
    abandon: String,
    enqueue: String,
    claim_due: String,
    inbox_stats: String,
    retry_later: String,
    dead_letter: String,
    store_dead_letter: String,
    dead_letters: String,
    redrive: String,
    delete_dead_letter: String,
    purge: String,
}

impl Statements {
    fn new(table: &str) -> Self {
        Self {
            // One statement: insert a claim, or take over one whose lease ended. The second SELECT
            // reads the snapshot from before the statement: the existing state when nothing was
            // claimed (NULL if another transaction inserted it concurrently: in progress).
            try_begin: format!(
                "WITH existing AS (SELECT state FROM {table} WHERE message_id = $1),
                 claimed AS (
                     INSERT INTO {table} AS m (message_id, state, claim_token, attempts, available_at)
                     VALUES ($1, 'claimed', $2, 1, now() + make_interval(secs => $3))
                     ON CONFLICT (message_id) DO UPDATE
                         SET claim_token = EXCLUDED.claim_token,
                             available_at = EXCLUDED.available_at,
                             attempts = m.attempts + 1
                         WHERE m.state = 'claimed' AND m.body IS NULL AND m.available_at <= now()
                     RETURNING 1)
                 SELECT EXISTS (SELECT 1 FROM claimed), (SELECT state FROM existing)"
            ),
            complete: format!(
                "UPDATE {table} SET state = 'processed', processed_at = now(), claim_token = NULL,
                     body = NULL, last_error = NULL
                 WHERE message_id = $1 AND claim_token = $2 AND state = 'claimed'"
            ),
            abandon: format!(
                "DELETE FROM {table}
                 WHERE message_id = $1 AND claim_token = $2 AND state = 'claimed' AND body IS NULL"
            ),
            enqueue: format!(
                "INSERT INTO {table} (message_id, state, body) VALUES ($1, 'pending', $2)
                 ON CONFLICT (message_id) DO NOTHING"
            ),
            claim_due: format!(
                "UPDATE {table} SET state = 'claimed', claim_token = $1, attempts = attempts + 1,
                     available_at = now() + make_interval(secs => $2)
                 WHERE message_id IN (
                     SELECT message_id FROM {table}
                     WHERE state IN ('pending', 'claimed') AND body IS NOT NULL AND available_at <= now()
                     ORDER BY available_at
                     LIMIT $3
                     FOR UPDATE SKIP LOCKED)
                 RETURNING message_id, body, attempts"
            ),
            inbox_stats: format!(
                "SELECT count(*) FILTER (WHERE state <> 'dead'),
                     COALESCE(EXTRACT(EPOCH FROM now() - min(received_at) FILTER (WHERE state <> 'dead')), 0)::float8,
                     count(*) FILTER (WHERE state = 'dead')
                 FROM {table}
                 WHERE (state IN ('pending', 'claimed') AND body IS NOT NULL) OR state = 'dead'"
            ),
            retry_later: format!(
                "UPDATE {table} SET state = 'pending', claim_token = NULL, last_error = $3,
                     available_at = now() + make_interval(secs => $4)
                 WHERE message_id = $1 AND claim_token = $2 AND state = 'claimed'"
            ),
            dead_letter: format!(
                "UPDATE {table} SET state = 'dead', claim_token = NULL, last_error = $3,
                     processed_at = now()
                 WHERE message_id = $1 AND claim_token = $2 AND state = 'claimed'"
            ),
            store_dead_letter: format!(
                "INSERT INTO {table} (message_id, state, body, last_error, attempts, processed_at)
                 VALUES ($1, 'dead', $2, $3, $4, now())
                 ON CONFLICT (message_id) DO NOTHING"
            ),
            // After `$1`: a page after an id that is no longer dead compares with NULL: empty.
            dead_letters: format!(
                "SELECT message_id, body, last_error, attempts FROM {table}
                 WHERE state = 'dead' AND ($1::text IS NULL OR (processed_at, message_id) >
                     (SELECT processed_at, message_id FROM {table} WHERE message_id = $1 AND state = 'dead'))
                 ORDER BY processed_at, message_id LIMIT $2"
            ),
            // One id, or every dead letter when `$1` is NULL.
            redrive: format!(
                "UPDATE {table} SET state = 'pending', attempts = 0, available_at = now(),
                     last_error = NULL, processed_at = NULL
                 WHERE state = 'dead' AND ($1::text IS NULL OR message_id = $1)"
            ),
            delete_dead_letter: format!(
                "DELETE FROM {table} WHERE message_id = $1 AND state = 'dead'"
            ),
            purge: format!(
                "DELETE FROM {table}
                 WHERE (state = 'processed' AND processed_at < now() - make_interval(secs => $1))
                    OR (state = 'dead' AND processed_at < now() - make_interval(secs => $2))"
            ),
        }
    }
}

/// Setting up a [`PostgresMessageLog`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreSetupError {
    /// A setting was refused.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database (URL, names, migrations) failed.
    #[error(transparent)]
    Database(#[from] DatabaseError),
}

/// Settings of a [`PostgresMessageLog`], checked by [`PostgresMessageLog::new`].
///
/// ```no_run
/// use std::time::Duration;
/// use housecanary_partner::callouts::{PostgresLogConfig, PostgresMessageLog};
///
/// # async fn run() -> Result<PostgresMessageLog, Box<dyn std::error::Error>> {
/// let url = std::env::var("DATABASE_URL")?;
/// let pool = credit_valuation_postgres::pool_from_url(&url, 32)?;
/// let config = PostgresLogConfig {
///     schema: "partner".into(),
///     claim_lease: Duration::from_secs(90),
///     listen_url: Some(url.into()),
///     ..PostgresLogConfig::default()
/// };
/// Ok(PostgresMessageLog::new(pool, config).await?)
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct PostgresLogConfig {
    /// The schema (default `housecanary`): lowercase letters, digits, `_`.
    pub schema: String,
    /// The table (default `callout_messages`): lowercase letters, digits, `_`.
    pub table: String,
    /// How long a claim holds before another replica may take it over (default 60 s, at most a
    /// year).
    pub claim_lease: Duration,
    /// How long processed ids are kept by [`PostgresMessageLog::purge`] (default 30 days; at least
    /// [`REDELIVERY_HORIZON`]).
    pub retention: Duration,
    /// How long dead letters are kept by [`PostgresMessageLog::purge`] (default 14 days).
    pub dead_letter_retention: Duration,
    /// The database URL for a connection of the store's own on which workers learn at once of a
    /// callout stored or redriven by any replica (`LISTEN/NOTIFY`). Without it (the default) they
    /// learn of another replica's by polling (`InboxConfig::idle_poll`), the fallback anyway. A
    /// secret: it may hold a password.
    pub listen_url: Option<SecretString>,
}

impl Default for PostgresLogConfig {
    fn default() -> Self {
        Self {
            schema: "housecanary".to_owned(),
            table: "callout_messages".to_owned(),
            // Longer than the receiver's 25 s and the workers' 30 s budgets.
            claim_lease: Duration::from_secs(60),
            retention: Duration::from_secs(30 * 24 * 60 * 60),
            dead_letter_retention: Duration::from_secs(14 * 24 * 60 * 60),
            listen_url: None,
        }
    }
}

/// The callout store in PostgreSQL, shared by receiver replicas and inbox workers and surviving
/// restarts: one row per `message_id` in a migrated table. Clones share the pool.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let url = std::env::var("DATABASE_URL")?;
/// let log = housecanary_partner::callouts::PostgresMessageLog::connect(&url).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PostgresMessageLog {
    pool: Pool,
    statements: Arc<Statements>,
    /// Wakes a waiting worker of this process when a callout is stored or redriven here, or, when
    /// listening, by any replica.
    work: Arc<Notify>,
    /// Kept for its connection, closed when the last clone is dropped.
    _listener: Option<Arc<Listener>>,
    /// Tells every replica's listening workers of a callout stored or redriven here.
    announcer: Announcer,
    config: Arc<PostgresLogConfig>,
}

impl PostgresMessageLog {
    /// A migrated store on the database at `url` with the default settings (16 connections),
    /// listening there for new callouts.
    ///
    /// # Errors
    /// As for [`new`](Self::new), and [`DatabaseError::InvalidUrl`].
    pub async fn connect(url: &str) -> Result<Self, StoreSetupError> {
        let pool = pool_from_url(url, 16)?;
        let listen_url = Some(url.into());
        let config = PostgresLogConfig {
            listen_url,
            ..PostgresLogConfig::default()
        };
        Self::new(pool, config).await
    }

    /// A store on `pool` with `config`; migrates the schema (safe when replicas start together).
    ///
    /// # Errors
    /// [`StoreSetupError::Config`] for a retention below [`REDELIVERY_HORIZON`], a zero duration or
    /// a lease past a year; [`StoreSetupError::Database`] for an invalid schema or table name, or a
    /// database failure.
    pub async fn new(pool: Pool, config: PostgresLogConfig) -> Result<Self, StoreSetupError> {
        if config.retention < REDELIVERY_HORIZON {
            return Err(ConfigError::RetentionBelowRedeliveryHorizon {
                retention: config.retention,
                horizon: REDELIVERY_HORIZON,
            }
            .into());
        }
        for (what, value) in [
            ("claim lease", config.claim_lease),
            ("dead letter retention", config.dead_letter_retention),
        ] {
            if value.is_zero() {
                return Err(ConfigError::Zero { what }.into());
            }
        }
        at_most_a_year("claim lease", config.claim_lease)?;
        let name = |name: &str| Identifier::new(name.to_owned()).map_err(DatabaseError::from);
        let (schema, table) = (name(&config.schema)?, name(&config.table)?);
        let index = |suffix: &str| name(&format!("{table}_{suffix}"));
        let mut client = pool.get().await.map_err(DatabaseError::from)?;
        migrate(
            &mut client,
            &schema,
            &format!("housecanary_partner.callouts.{table}"),
            MIGRATIONS,
            &[
                ("table", &table),
                ("due_index", &index("due")?),
                ("processed_index", &index("processed")?),
                ("dead_index", &index("dead")?),
            ],
        )
        .await?;
        // Identifiers are ASCII; PostgreSQL takes channel names of at most 63 bytes.
        let mut channel = format!("{}.{}", schema.as_str(), table.as_str());
        channel.truncate(63);
        let work = Arc::new(Notify::new());
        let listener = match &config.listen_url {
            Some(url) => {
                let listener = Listener::start(url.expose_secret(), &channel, work.clone())?;
                Some(Arc::new(listener))
            }
            None => None,
        };
        let qualified = format!("{}.{}", schema.quoted(), table.quoted());
        Ok(Self {
            announcer: Announcer::start(pool.clone(), &channel),
            pool,
            statements: Arc::new(Statements::new(&qualified)),
            work,
            _listener: listener,
            config: Arc::new(config),
        })
    }

    /// The store's settings.
    pub fn config(&self) -> &PostgresLogConfig {
        &self.config
    }

    /// The pool, for the application's own queries.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Whether the store can take callouts now, for a readiness probe.
    ///
    /// # Errors
    /// [`MessageLogError`] when no connection can be had or the statement fails.
    pub async fn health(&self) -> Result<(), MessageLogError> {
        let checked = self.client().await?.batch_execute("SELECT 1").await;
        checked.map_err(MessageLogError::new)
    }

    /// Deletes processed ids and dead letters past their retentions (never pending callouts);
    /// returns how many. Run it periodically from any replica.
    ///
    /// # Errors
    /// The database's error.
    pub async fn purge(&self) -> Result<u64, MessageLogError> {
        let retention = self.config.retention.as_secs_f64();
        let dead_retention = self.config.dead_letter_retention.as_secs_f64();
        let sql = &self.statements.purge;
        self.execute(sql, &[&retention, &dead_retention]).await
    }

    async fn client(&self) -> Result<Object, MessageLogError> {
        self.pool.get().await.map_err(MessageLogError::new)
    }

    /// A connection with `sql` prepared on it (once per connection).
    async fn prepared(&self, sql: &str) -> Result<(Object, Statement), MessageLogError> {
        let client = self.client().await?;
        let statement = client.prepare_cached(sql).await;
        Ok((client, statement.map_err(MessageLogError::new)?))
    }

    /// Runs `sql` with `params`; returns how many rows it changed.
    async fn execute(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, MessageLogError> {
        let (client, statement) = self.prepared(sql).await?;
        let changed = client.execute(&statement, params).await;
        changed.map_err(MessageLogError::new)
    }

    /// Runs `sql` with `params`; returns its rows.
    async fn query(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, MessageLogError> {
        let (client, statement) = self.prepared(sql).await?;
        let rows = client.query(&statement, params).await;
        rows.map_err(MessageLogError::new)
    }

    /// Wakes a waiting worker of this process, and announces to every replica's listening ones.
    fn new_work(&self) {
        self.work.notify_one();
        self.announcer.announce();
    }

    /// Puts the dead letter `message_id` (every one for `None`) back in the inbox, and wakes a worker.
    async fn redrive_where(&self, message_id: Option<&str>) -> Result<u64, MessageLogError> {
        let sql = &self.statements.redrive;
        let redriven = self.execute(sql, &[&message_id]).await?;
        if redriven > 0 {
            self.new_work();
        }
        Ok(redriven)
    }

    /// Runs `sql` with `params`, expecting to change one row held by the claim on `message_id`.
    async fn resolve_claim(
        &self,
        sql: &str,
        message_id: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<(), MessageLogError> {
        match self.execute(sql, params).await? {
            1 => Ok(()),
            _ => Err(MessageLogError::claim_lost(message_id)),
        }
    }
}

impl fmt::Debug for PostgresMessageLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresMessageLog")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl MessageLog for PostgresMessageLog {
    fn claim_lease(&self) -> Duration {
        self.config.claim_lease
    }

    fn try_begin<'a>(
        &'a self,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<Begin, MessageLogError>> {
        Box::pin(async move {
            let token = ClaimToken::random();
            let lease = self.config.claim_lease.as_secs_f64();
            let sql = &self.statements.try_begin;
            let params: [&(dyn ToSql + Sync); 3] = [&message_id, &token.as_i64(), &lease];
            let rows = self.query(sql, &params).await?;
            let row = rows
                .first()
                .ok_or_else(|| MessageLogError::new("no row from try_begin"))?;
            let claimed: bool = row.get(0);
            let state: Option<String> = row.get(1);
            Ok(match (claimed, state.as_deref()) {
                (true, _) => Begin::New(token),
                (false, Some("processed" | "dead" | "pending")) => Begin::AlreadyProcessed,
                // Claimed, or inserted by a concurrent transaction after this statement's snapshot.
                (false, _) => Begin::InProgress,
            })
        })
    }

    fn complete<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        let sql = &self.statements.complete;
        Box::pin(async move {
            self.resolve_claim(sql, message_id, &[&message_id, &token.as_i64()])
                .await
        })
    }

    fn abandon<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        let sql = &self.statements.abandon;
        Box::pin(async move {
            self.execute(sql, &[&message_id, &token.as_i64()]).await?;
            Ok(())
        })
    }

    fn enqueue<'a>(
        &'a self,
        message_id: &'a str,
        body: Bytes,
    ) -> BoxFuture<'a, Result<Enqueued, MessageLogError>> {
        Box::pin(async move {
            let sql = &self.statements.enqueue;
            if self.execute(sql, &[&message_id, &&body[..]]).await? == 0 {
                return Ok(Enqueued::AlreadyKnown);
            }
            self.new_work();
            Ok(Enqueued::Stored)
        })
    }

    fn claim_due(
        &self,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<StoredCallout>, MessageLogError>> {
        Box::pin(async move {
            let token = ClaimToken::random();
            let lease = self.config.claim_lease.as_secs_f64();
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let sql = &self.statements.claim_due;
            let rows = self.query(sql, &[&token.as_i64(), &lease, &limit]).await?;
            Ok(rows
                .into_iter()
                .map(|row| {
                    let body: Vec<u8> = row.get(1);
                    StoredCallout::new(
                        row.get::<_, String>(0),
                        body.into(),
                        u32::try_from(row.get::<_, i32>(2)).unwrap_or(0),
                        token,
                    )
                })
                .collect())
        })
    }

    fn inbox_stats(&self) -> BoxFuture<'_, Result<InboxStats, MessageLogError>> {
        Box::pin(async move {
            let rows = self.query(&self.statements.inbox_stats, &[]).await?;
            let row = rows
                .first()
                .ok_or_else(|| MessageLogError::new("no inbox stats"))?;
            let count = |index| u64::try_from(row.get::<_, i64>(index)).unwrap_or(0);
            let oldest = Duration::try_from_secs_f64(row.get(1)).unwrap_or_default();
            Ok(InboxStats {
                pending: count(0),
                oldest_pending: oldest,
                dead_letters: count(2),
            })
        })
    }

    fn wait_for_work(&self, longest: Duration) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let _ = tokio::time::timeout(longest, self.work.notified()).await;
        })
    }

    fn retry_later<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
        reason: &'a str,
        delay: Duration,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        let (sql, delay) = (&self.statements.retry_later, delay.as_secs_f64());
        Box::pin(async move {
            let params: [&(dyn ToSql + Sync); 4] = [&message_id, &token.as_i64(), &reason, &delay];
            self.resolve_claim(sql, message_id, &params).await
        })
    }

    fn dead_letter<'a>(
        &'a self,
        message_id: &'a str,
        token: ClaimToken,
        reason: &'a str,
    ) -> BoxFuture<'a, Result<(), MessageLogError>> {
        let sql = &self.statements.dead_letter;
        Box::pin(async move {
            self.resolve_claim(sql, message_id, &[&message_id, &token.as_i64(), &reason])
                .await
        })
    }

    fn store_dead_letter(&self, dead: DeadLetter) -> BoxFuture<'_, Result<(), MessageLogError>> {
        Box::pin(async move {
            let attempts = i32::try_from(dead.attempts).unwrap_or(i32::MAX);
            let params: [&(dyn ToSql + Sync); 4] =
                [&dead.message_id, &&dead.body[..], &dead.reason, &attempts];
            self.execute(&self.statements.store_dead_letter, &params)
                .await?;
            Ok(())
        })
    }

    fn dead_letters<'a>(
        &'a self,
        after: Option<&'a str>,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<DeadLetter>, MessageLogError>> {
        Box::pin(async move {
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let rows = self
                .query(&self.statements.dead_letters, &[&after, &limit])
                .await?;
            Ok(rows
                .into_iter()
                .map(|row| {
                    let body: Option<Vec<u8>> = row.get(1);
                    let reason: Option<String> = row.get(2);
                    DeadLetter::new(
                        row.get::<_, String>(0),
                        Bytes::from(body.unwrap_or_default()),
                        reason.unwrap_or_default(),
                        u32::try_from(row.get::<_, i32>(3)).unwrap_or(0),
                    )
                })
                .collect())
        })
    }

    fn redrive<'a>(&'a self, message_id: &'a str) -> BoxFuture<'a, Result<bool, MessageLogError>> {
        Box::pin(async move { Ok(self.redrive_where(Some(message_id)).await? == 1) })
    }

    fn redrive_all(&self) -> BoxFuture<'_, Result<u64, MessageLogError>> {
        Box::pin(self.redrive_where(None))
    }

    fn delete_dead_letter<'a>(
        &'a self,
        message_id: &'a str,
    ) -> BoxFuture<'a, Result<bool, MessageLogError>> {
        let sql = &self.statements.delete_dead_letter;
        Box::pin(async move { Ok(self.execute(sql, &[&message_id]).await? == 1) })
    }
}

/// A handler that receives the store's database transaction: its writes commit together with the
/// processed mark, or not at all.
type DynTransactionalHandler = dyn for<'t> Fn(&'t Transaction<'t>, CalloutMessage) -> BoxFuture<'t, Result<(), HandlerError>>
    + Send
    + Sync;

/// Runs a transactional handler inside the transaction that holds the claim's row lock and marks
/// the callout processed.
struct TransactionalHandler {
    log: PostgresMessageLog,
    handler: Box<DynTransactionalHandler>,
}

impl ProcessClaimed for TransactionalHandler {
    fn process<'a>(
        &'a self,
        stored: &'a StoredCallout,
        message: CalloutMessage,
        deadline: Instant,
    ) -> BoxFuture<'a, Result<(), ProcessFailure>> {
        Box::pin(async move {
            let store = |error| ProcessFailure::Store(MessageLogError::new(error));
            let mut client = self.log.client().await.map_err(ProcessFailure::Store)?;
            let transaction = client.transaction().await.map_err(store)?;
            // Marking it processed first takes the row lock, so no worker whose lease check passes
            // can take the callout over while the handler runs; a failure rolls both back.
            let params: [&(dyn ToSql + Sync); 2] = [&stored.message_id, &stored.token.as_i64()];
            let complete = &self.log.statements.complete;
            if transaction
                .execute(complete, &params)
                .await
                .map_err(store)?
                != 1
            {
                let lost = MessageLogError::claim_lost(stored.message_id.clone());
                return Err(ProcessFailure::Store(lost));
            }
            let outcome = {
                let transaction: &Transaction<'_> = &transaction;
                receiver::run_guarded(|| (self.handler)(transaction, message), deadline).await
            };
            outcome.map_err(ProcessFailure::Handler)?;
            transaction.commit().await.map_err(store)
        })
    }
}

impl InboxWorker {
    /// A worker whose handler receives the store's database transaction: its writes and the
    /// processed mark commit together, **exactly once** even when a worker dies mid-handler.
    ///
    /// # Errors
    /// As for [`InboxWorker::new`].
    ///
    /// ```no_run
    /// use housecanary_partner::callouts::{InboxWorker, PostgresMessageLog};
    ///
    /// # async fn run(log: PostgresMessageLog) -> Result<InboxWorker, Box<dyn std::error::Error>> {
    /// let worker = InboxWorker::transactional(log, |transaction, message| {
    ///     Box::pin(async move {
    ///         transaction
    ///             .execute(
    ///                 "INSERT INTO app.order_events (message_id) VALUES ($1)",
    ///                 &[&message.message_id()],
    ///             )
    ///             .await?;
    ///         Ok(())
    ///     })
    /// })?;
    /// Ok(worker)
    /// # }
    /// ```
    pub fn transactional<F>(log: PostgresMessageLog, handler: F) -> Result<Self, ConfigError>
    where
        F: for<'t> Fn(
                &'t Transaction<'t>,
                CalloutMessage,
            ) -> BoxFuture<'t, Result<(), HandlerError>>
            + Send
            + Sync
            + 'static,
    {
        let processor = Arc::new(TransactionalHandler {
            log: log.clone(),
            handler: Box::new(handler),
        });
        Self::with_processor(Arc::new(log), processor)
    }
}
