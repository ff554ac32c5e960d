//! Embedded, versioned migrations, applied once even when several replicas start together.

use tokio_postgres::Client;

use crate::error::DatabaseError;
use crate::identifier::Identifier;

/// One schema change, embedded in the binary. `sql` may hold several statements; `{schema}` is
/// replaced by the quoted schema name and each `{name}` given to [`migrate`] by its quoted
/// identifier.
///
/// ```
/// use credit_valuation_postgres::Migration;
/// const FIRST: Migration = Migration {
///     version: 1,
///     name: "create the ledger",
///     sql: "CREATE TABLE {schema}.{ledger} (id text PRIMARY KEY)",
/// };
/// assert_eq!(FIRST.version, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// Position in the sequence, from 1, without gaps.
    pub version: i32,
    /// What it does, recorded with it.
    pub name: &'static str,
    /// The statements, with `{schema}` and `{name}` placeholders.
    pub sql: &'static str,
}

/// Brings `component`'s tables in `schema` up to the last of `migrations`.
///
/// Everything runs in one transaction holding a transaction-scoped advisory lock derived from the
/// schema and component, so replicas starting at once apply each migration exactly once: the others
/// wait, then find it recorded and skip it. Running it again is a no-op. A database that already
/// holds a newer migration than this build knows is refused ([`DatabaseError::SchemaTooNew`]).
///
/// `names` maps placeholders in the SQL (`{table}`) to configured, validated identifiers: every
/// table and index the migrations create, so that a clash is refused before anything is created
/// ([`DatabaseError::NameClash`]: a system schema such as `pg_catalog` or `information_schema`, one
/// name given twice, or, before the first migration, a name some other object already has).
///
/// # Errors
/// [`DatabaseError::Statement`] when a statement fails (the transaction is rolled back);
/// [`DatabaseError::SchemaTooNew`] as above.
///
/// ```no_run
/// # use credit_valuation_postgres::{Identifier, Migration, migrate};
/// # async fn run(client: &mut tokio_postgres::Client) -> Result<(), credit_valuation_postgres::DatabaseError> {
/// const MIGRATIONS: &[Migration] = &[Migration {
///     version: 1,
///     name: "ledger",
///     sql: "CREATE TABLE {schema}.{ledger} (id text PRIMARY KEY)",
/// }];
/// let schema = Identifier::new("sdk")?;
/// let table = Identifier::new("inquiry_ledger")?;
/// migrate(client, &schema, "ledger", MIGRATIONS, &[("ledger", &table)]).await?;
/// # Ok(()) }
/// ```
pub async fn migrate(
    client: &mut Client,
    schema: &Identifier,
    component: &str,
    migrations: &[Migration],
    names: &[(&str, &Identifier)],
) -> Result<(), DatabaseError> {
    let schema_name = schema.as_str();
    if schema_name == "information_schema" || schema_name.starts_with("pg_") {
        return Err(DatabaseError::NameClash {
            schema: schema_name.to_owned(),
            name: schema_name.to_owned(),
            reason: "a system schema",
        });
    }
    for (index, (_, identifier)) in names.iter().enumerate() {
        if names[..index]
            .iter()
            .any(|(_, earlier)| earlier == identifier)
        {
            return Err(DatabaseError::NameClash {
                schema: schema_name.to_owned(),
                name: identifier.as_str().to_owned(),
                reason: "configured for two of the store's tables or indexes",
            });
        }
    }
    let known = migrations.iter().map(|m| m.version).max().unwrap_or(0);
    // Up to date already (every start after the first): read-only, no lock, no DDL, so a runtime
    // role with only row privileges can start the stores.
    if applied_version(client, schema, component).await? == Some(known) {
        return Ok(());
    }
    // Waiting on an advisory lock does not refresh PostgreSQL's catalog cache, so a replica that
    // waited for another's first migration may not see the schema it created and fail on
    // `CREATE ... IF NOT EXISTS` with a unique violation: a second transaction sees it.
    match migrate_locked(client, schema, component, migrations, names, known).await {
        Err(DatabaseError::Statement(error))
            if error.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) =>
        {
            migrate_locked(client, schema, component, migrations, names, known).await
        }
        other => other,
    }
}

/// The migration itself, in one transaction under the schema's advisory lock.
async fn migrate_locked(
    client: &mut Client,
    schema: &Identifier,
    component: &str,
    migrations: &[Migration],
    names: &[(&str, &Identifier)],
    known: i32,
) -> Result<(), DatabaseError> {
    let schema_name = schema.as_str();
    let transaction = client.transaction().await?;
    // A migration may wait for another replica's and may rewrite a large table: the pool's lock and
    // statement timeouts are for the stores' short statements, not for this transaction.
    transaction
        .batch_execute("SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0")
        .await?;
    // hashtext gives a stable 32-bit key; one lock per schema, because components sharing a schema
    // also share its bookkeeping table.
    transaction
        .execute(
            "SELECT pg_advisory_xact_lock(hashtext('credit_valuation_core.migrate'), hashtext($1))",
            &[&schema.as_str()],
        )
        .await?;
    let quoted_schema = schema.quoted();
    transaction
        .batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {quoted_schema};
             CREATE TABLE IF NOT EXISTS {quoted_schema}.schema_migrations (
                 component text NOT NULL,
                 version integer NOT NULL,
                 name text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now(),
                 PRIMARY KEY (component, version)
             );"
        ))
        .await?;
    let applied: i32 = transaction
        .query_one(
            &format!(
                "SELECT COALESCE(MAX(version), 0) FROM {quoted_schema}.schema_migrations WHERE component = $1"
            ),
            &[&component],
        )
        .await?
        .get(0);
    if applied > known {
        return Err(DatabaseError::SchemaTooNew {
            schema: schema.as_str().to_owned(),
            component: component.to_owned(),
            found: applied,
            known,
        });
    }
    if applied == 0 {
        // A first migration creates every name: one that exists already belongs to something
        // else (another store, or the application), and the migration would fail or share it.
        let taken: Vec<&str> = names
            .iter()
            .map(|(_, identifier)| identifier.as_str())
            .collect();
        if let Some(row) = transaction
            .query_opt(
                "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = $1 AND c.relname = ANY($2) LIMIT 1",
                &[&schema_name, &taken],
            )
            .await?
        {
            return Err(DatabaseError::NameClash {
                schema: schema_name.to_owned(),
                name: row.get(0),
                reason: "already exists and was not created by this store",
            });
        }
    }
    for migration in migrations.iter().filter(|m| m.version > applied) {
        let mut sql = migration.sql.replace("{schema}", &quoted_schema);
        for (placeholder, identifier) in names {
            sql = sql.replace(&format!("{{{placeholder}}}"), &identifier.quoted());
        }
        transaction.batch_execute(&sql).await?;
        transaction
            .execute(
                &format!(
                    "INSERT INTO {quoted_schema}.schema_migrations (component, version, name) VALUES ($1, $2, $3)"
                ),
                &[&component, &migration.version, &migration.name],
            )
            .await?;
        tracing::info!(
            schema = schema.as_str(),
            component,
            version = migration.version,
            name = migration.name,
            "database migration applied"
        );
    }
    transaction.commit().await?;
    Ok(())
}

/// The version `component` is at, or `None` when the bookkeeping table does not exist yet.
async fn applied_version(
    client: &Client,
    schema: &Identifier,
    component: &str,
) -> Result<Option<i32>, DatabaseError> {
    let exists: bool = client
        .query_one(
            "SELECT to_regclass(format('%I.schema_migrations', $1::text)) IS NOT NULL",
            &[&schema.as_str()],
        )
        .await?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let row = client
        .query_one(
            &format!(
                "SELECT COALESCE(MAX(version), 0) FROM {}.schema_migrations WHERE component = $1",
                schema.quoted()
            ),
            &[&component],
        )
        .await?;
    Ok(Some(row.get(0)))
}
