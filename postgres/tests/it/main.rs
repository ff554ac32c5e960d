//! credit-valuation-postgres's integration tests, against the PostgreSQL clusters `bash .ci/test`
//! starts (`.ci/test` skips `database_tls` by name when the clusters are the user's own).

mod database_roles;
mod database_tls;
mod notifications;

/// `DATABASE_URL`.
///
/// # Panics
/// When it is unset: a PostgreSQL test asked to run never passes without its database.
fn database_url() -> String {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            panic!("DATABASE_URL is not set: `bash .ci/test` starts PostgreSQL and runs this test")
        }
    }
}
