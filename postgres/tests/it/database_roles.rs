//! The least-privilege runtime role of `docs/deploying.md`: once a migration role has migrated, a
//! role with only `USAGE` on the schema and row privileges on its tables starts a store (its
//! migration run finds nothing to do and creates nothing) and reads and writes rows, but cannot
//! change the schema.

use crate::database_url;
use credit_valuation_postgres::{Identifier, Migration, migrate, pool_from_url};

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "rows",
    sql: "CREATE TABLE {schema}.{rows} (id text PRIMARY KEY)",
}];

#[tokio::test]
#[ignore = "needs PostgreSQL: `bash .ci/test` starts one, or set DATABASE_URL and pass --include-ignored"]
async fn a_runtime_role_with_row_privileges_starts_a_migrated_store() {
    let admin_url = database_url();
    let suffix = format!(
        "{:x}",
        std::process::id() as u64 * 1_000_003
            + u64::from(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .subsec_nanos()
            )
    );
    let (schema, role) = (format!("roles_{suffix}"), format!("runtime_{suffix}"));
    let schema_id = Identifier::new(schema.clone()).unwrap();
    let rows = Identifier::new("rows").unwrap();
    let admin = pool_from_url(&admin_url, 1).unwrap();
    let mut migrator = admin.get().await.unwrap();
    migrate(
        &mut migrator,
        &schema_id,
        "roles",
        MIGRATIONS,
        &[("rows", &rows)],
    )
    .await
    .expect("the migration role migrates");
    // The grants of docs/deploying.md.
    migrator
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN;
             GRANT USAGE ON SCHEMA {schema} TO {role};
             GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role};"
        ))
        .await
        .unwrap();

    let runtime_url = admin_url.replacen("://ci@", &format!("://{role}@"), 1);
    assert_ne!(runtime_url, admin_url, "DATABASE_URL names the user ci");
    let runtime = pool_from_url(&runtime_url, 1).unwrap();
    let mut client = runtime.get().await.expect("the runtime role connects");
    migrate(
        &mut client,
        &schema_id,
        "roles",
        MIGRATIONS,
        &[("rows", &rows)],
    )
    .await
    .expect("nothing to migrate: the runtime role starts the store");
    client
        .execute(&format!("INSERT INTO {schema}.rows VALUES ('a')"), &[])
        .await
        .expect("rows are written");
    let error = client
        .batch_execute(&format!("CREATE TABLE {schema}.other (id text)"))
        .await
        .expect_err("the schema is not the runtime role's to change");
    assert!(
        error.to_string().contains("permission denied") || format!("{error:?}").contains("42501"),
        "{error:?}"
    );
    drop(client);
    migrator
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE; DROP ROLE {role};"))
        .await
        .unwrap();
}
