//! TLS to PostgreSQL by `sslmode`, against the clusters `.ci/run` starts: one with TLS on and a
//! certificate authority made for the run (`DATABASE_URL`, `DATABASE_TLS_ROOT_CERT`, the server's
//! certificate naming `localhost` only), one without TLS (`DATABASE_PLAIN_URL`), and an authority the
//! server does not use (`DATABASE_OTHER_CA`).

use credit_valuation_postgres::{DatabaseError, pool_from_url};

/// The four settings. These tests are ignored by default (a run without PostgreSQL lists them as
/// ignored, never as passed); `bash .ci/test` starts the clusters and runs them.
///
/// # Panics
/// When one is unset: a PostgreSQL test asked to run never passes without its database.
fn clusters() -> [String; 4] {
    let names = [
        "DATABASE_URL",
        "DATABASE_TLS_ROOT_CERT",
        "DATABASE_OTHER_CA",
        "DATABASE_PLAIN_URL",
    ];
    let values: Vec<String> = names
        .iter()
        .filter_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
        .collect();
    values.try_into().unwrap_or_else(|_| {
        panic!(
            "{names:?} must all be set: `bash .ci/test` starts the clusters and runs these tests"
        )
    })
}

/// The TLS cluster's URL with `host` and TLS settings replaced.
fn tls_url(base: &str, host: &str, settings: &str) -> String {
    let port = base
        .rsplit_once(':')
        .and_then(|(_, rest)| rest.split('/').next())
        .expect("DATABASE_URL has a port");
    format!("postgres://ci:not-the-password-42@{host}:{port}/postgres?{settings}")
}

/// Whether a pooled connection to `url` talks TLS, or why it could not connect.
async fn session_uses_tls(url: &str) -> Result<bool, DatabaseError> {
    let pool = pool_from_url(url, 1)?;
    let client = pool.get().await?;
    let row = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await?;
    Ok(row.get(0))
}

#[tokio::test]
#[ignore = "needs PostgreSQL with TLS: `bash .ci/test` starts it"]
async fn verify_full_with_the_run_s_authority_connects_over_tls() {
    let [base, ca, _, _] = clusters();
    let url = tls_url(
        &base,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    assert!(session_uses_tls(&url).await.expect("verify-full connects"));
}

#[tokio::test]
#[ignore = "needs PostgreSQL with TLS: `bash .ci/test` starts it"]
async fn the_default_prefer_negotiates_tls_when_the_server_offers_it() {
    let [base, ..] = clusters();
    assert!(session_uses_tls(&base).await.expect("connects"));
}

#[tokio::test]
#[ignore = "needs PostgreSQL with TLS: `bash .ci/test` starts it"]
async fn verify_full_refuses_a_certificate_for_another_host_name() {
    let [base, ca, _, _] = clusters();
    // The certificate names `localhost`, not `127.0.0.1`.
    let url = tls_url(
        &base,
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    let error = session_uses_tls(&url)
        .await
        .expect_err("wrong host name refused");
    assert!(
        !error.to_string().contains("not-the-password-42"),
        "{error}"
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL with TLS: `bash .ci/test` starts it"]
async fn verify_ca_checks_the_chain_but_not_the_host_name() {
    let [base, ca, _, _] = clusters();
    let url = tls_url(
        &base,
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={ca}"),
    );
    assert!(session_uses_tls(&url).await.expect("verify-ca connects"));
}

#[tokio::test]
#[ignore = "needs PostgreSQL with TLS: `bash .ci/test` starts it"]
async fn an_unknown_authority_is_refused() {
    let [base, _, other_ca, _] = clusters();
    for mode in ["verify-full", "verify-ca", "require"] {
        let url = tls_url(
            &base,
            "localhost",
            &format!("sslmode={mode}&sslrootcert={other_ca}"),
        );
        let error = session_uses_tls(&url)
            .await
            .expect_err("a certificate from another authority is refused");
        let text = format!("{error} {error:?}");
        assert!(!text.contains("not-the-password-42"), "{mode}: {text}");
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL with TLS: `bash .ci/test` starts it"]
async fn verify_full_without_a_root_certificate_uses_the_platform_s_roots() {
    let [base, ..] = clusters();
    // The run's authority is not among the platform's roots.
    let url = tls_url(&base, "localhost", "sslmode=verify-full");
    session_uses_tls(&url)
        .await
        .expect_err("not trusted by the platform");
}

#[tokio::test]
#[ignore = "needs PostgreSQL with TLS: `bash .ci/test` starts it"]
async fn require_refuses_a_server_without_tls() {
    let [_, _, _, plain] = clusters();
    let url = tls_url(&plain, "127.0.0.1", "sslmode=require");
    let error = session_uses_tls(&url)
        .await
        .expect_err("require refuses a plain server");
    assert!(!format!("{error} {error:?}").contains("not-the-password-42"));
    let url = tls_url(&plain, "127.0.0.1", "sslmode=disable");
    assert!(
        !session_uses_tls(&url)
            .await
            .expect("disable connects in plain")
    );
}

#[tokio::test]
async fn an_unreadable_root_certificate_is_named_when_the_pool_is_built() {
    let error = pool_from_url(
        "postgres://ci:not-the-password-42@localhost/postgres?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
        1,
    )
    .expect_err("missing file");
    let text = error.to_string();
    assert!(matches!(error, DatabaseError::Tls { .. }), "{error:?}");
    assert!(text.contains("/nonexistent/ca.pem"), "{text}");
    assert!(!text.contains("not-the-password-42"), "{text}");
}

#[tokio::test]
#[ignore = "needs PostgreSQL with TLS: `bash .ci/test` starts it"]
async fn a_store_statement_waiting_on_a_lock_gives_up_after_the_lock_timeout() {
    let [base, ..] = clusters();
    let pool = pool_from_url(&base, 2).expect("pool");
    let holder = pool.get().await.expect("first connection");
    holder
        .execute("SELECT pg_advisory_lock(4242, 4242)", &[])
        .await
        .expect("lock taken");
    let waiter = pool.get().await.expect("second connection");
    let started = std::time::Instant::now();
    let error = waiter
        .execute("SELECT pg_advisory_lock(4242, 4242)", &[])
        .await
        .expect_err("lock_timeout ends the wait");
    assert!(
        started.elapsed() < credit_valuation_postgres::LOCK_TIMEOUT * 2,
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(
        error.code(),
        Some(&credit_valuation_postgres::tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE),
        "{error}"
    );
}
