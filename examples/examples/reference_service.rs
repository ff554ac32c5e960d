//! A deployable reference service: the whole production shape of the SDK in one axum application.
//!
//! - its own routes and state (`GET /orders/{order_id}/events`, `POST /inquiries`);
//! - the HouseCanary callout endpoint nested in it (`POST /callouts/housecanary`), acknowledging
//!   into the durable inbox on PostgreSQL; inbox workers run the handler, which writes the
//!   application's own table keyed by `message_id`, so a callout's effect lands once even when a
//!   replica dies between the effect and the inbox's record of it;
//! - the Innovis client with its inquiry ledger on the same pool (when `INNOVIS_*` is set);
//! - configuration from the environment, `/healthz`, `/readyz`, `/metrics` (Prometheus text,
//!   exported here: the SDK only records through the `metrics` facade);
//! - graceful shutdown on SIGTERM or Ctrl-C: stop accepting, finish the requests in flight, stop
//!   the workers after their current callout.
//!
//! ```text
//! DATABASE_URL=postgres://app@db/app?sslmode=verify-full  (required)
//! REFERENCE_LISTEN=0.0.0.0:8080                            (default 127.0.0.1:8080)
//! REFERENCE_INBOX_WORKERS=4                                (default 4)
//! HOUSECANARY_CALLOUT_SECRET=… HOUSECANARY_CALLOUT_HEADER=x-hc-signature   (see CalloutAuth::from_env)
//! INNOVIS_CLIENT_ID=… INNOVIS_CLIENT_SECRET=… INNOVIS_SOFTWARE_PROVIDER_ID=…
//! INNOVIS_FINGERPRINT_KEY=<64 hex digits, the same on every replica>      (optional, together)
//! cargo run -p examples --example reference_service
//! ```
//!
//! `docs/deploying.md` covers the database roles, migrations, TLS and what to alert on.

use std::error::Error;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use common_auth::Env;
use credit_valuation_postgres::deadpool_postgres::Pool;
use credit_valuation_postgres::pool_from_url;
use examples::Failure;
use housecanary_partner::CalloutAuth;
use housecanary_partner::callouts::{
    CalloutMessage, CalloutReceiver, CalloutVerifier, InboxConfig, InboxWorker, PostgresLogConfig,
    PostgresMessageLog, ReceiverConfig,
};
use innovis_client::ledger::{FingerprintKey, PostgresLedger, PostgresLedgerConfig};
use innovis_client::pii::Ssn;
use innovis_client::{Applicant, Config, PermissiblePurpose, ProductCode, ReportRequest};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// Where the callout endpoint is mounted.
pub const CALLOUT_PATH: &str = "/callouts/housecanary";

/// The application's own table: one row per callout, keyed by `message_id`; `handled` counts the
/// handler's runs for it (more than one only after a replica died mid-callout). Under an advisory
/// lock: replicas starting together would otherwise race on `IF NOT EXISTS` and one would fail.
const APP_SCHEMA: &str = "BEGIN;
    SELECT pg_advisory_xact_lock(hashtext('reference_app.schema'));
    CREATE SCHEMA IF NOT EXISTS reference_app;
    CREATE TABLE IF NOT EXISTS reference_app.order_events (
        message_id text PRIMARY KEY,
        message_type text NOT NULL,
        order_id text,
        status text,
        handled integer NOT NULL DEFAULT 1,
        received_at timestamptz NOT NULL DEFAULT now()
    );
    COMMIT;";

#[tokio::main]
async fn main() -> Result<(), Failure> {
    examples::init_logs("info");
    let settings = ServiceSettings::from_vars(&Env::process())?;
    let metrics = PrometheusBuilder::new().install_recorder()?;
    let listener = tokio::net::TcpListener::bind(settings.listen).await?;
    run(settings, listener, metrics, shutdown_signal()).await?;
    Ok(())
}

/// SIGTERM (what an orchestrator sends before it kills) or Ctrl-C.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("a SIGTERM handler");
        tokio::select! {
            _ = terminate.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// The service's settings, read from the environment (never printing a value).
pub struct ServiceSettings {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The PostgreSQL URL shared by the inbox, the ledger and the application.
    pub database_url: String,
    /// How HouseCanary authenticates its callouts.
    pub callout_auth: CalloutAuth,
    /// Inbox workers in this replica.
    pub workers: usize,
    /// The Innovis client and the key of its ledger's fingerprints, when configured.
    pub innovis: Option<(Config, FingerprintKey)>,
}

impl ServiceSettings {
    /// Reads the settings through `env`.
    pub fn from_vars<F>(env: &Env<F>) -> Result<Self, Box<dyn Error + Send + Sync>>
    where
        F: Fn(&str) -> Result<String, std::env::VarError>,
    {
        let listen = match env.optional("REFERENCE_LISTEN")? {
            Some(raw) => raw
                .parse()
                .map_err(|_| "REFERENCE_LISTEN is not an address like 0.0.0.0:8080")?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let workers = match env.optional("REFERENCE_INBOX_WORKERS")? {
            Some(raw) => raw
                .parse()
                .ok()
                .filter(|workers| *workers > 0)
                .ok_or("REFERENCE_INBOX_WORKERS is not a positive whole number")?,
            None => 4,
        };
        let innovis = match env.optional("INNOVIS_CLIENT_ID")? {
            None => None,
            Some(_) => {
                let key = env.required("INNOVIS_FINGERPRINT_KEY")?;
                let bytes = hex_bytes(&key).ok_or("INNOVIS_FINGERPRINT_KEY is not hexadecimal")?;
                Some((Config::from_vars(env)?, FingerprintKey::new(bytes)?))
            }
        };
        Ok(ServiceSettings {
            listen,
            database_url: env.required("DATABASE_URL")?,
            callout_auth: CalloutAuth::from_vars("HOUSECANARY", env)?,
            workers,
            innovis,
        })
    }
}

fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(hex.get(at..at + 2)?, 16).ok())
        .collect()
}

/// What the routes share.
#[derive(Clone)]
struct AppState {
    pool: Pool,
    log: Arc<PostgresMessageLog>,
    innovis: Option<innovis_client::Client>,
    metrics: PrometheusHandle,
}

/// Runs the service on `listener` until `shutdown` completes, then drains it.
pub async fn run(
    settings: ServiceSettings,
    listener: tokio::net::TcpListener,
    metrics: PrometheusHandle,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), Box<dyn Error + Send + Sync>> {
    // One pool for the inbox, the ledger and the application, sized as docs/deploying.md says: a
    // connection for each callout the workers may have in progress, and 8 for the callout endpoint
    // and the inquiries.
    let in_progress = settings
        .workers
        .saturating_mul(InboxConfig::default().batch);
    let pool = pool_from_url(&settings.database_url, in_progress.saturating_add(8))?;
    pool.get().await?.batch_execute(APP_SCHEMA).await?;
    // Listening: workers learn at once of a callout another replica stored.
    let config = PostgresLogConfig {
        listen_url: Some(settings.database_url.as_str().into()),
        ..PostgresLogConfig::default()
    };
    let log = Arc::new(PostgresMessageLog::new(pool.clone(), config).await?);

    let innovis = match settings.innovis {
        Some((config, key)) => {
            let ledger =
                PostgresLedger::connect(PostgresLedgerConfig::with_pool(pool.clone())).await?;
            Some(innovis_client::Client::new(
                config.inquiry_ledger(Arc::new(ledger), key),
            )?)
        }
        None => None,
    };

    let config = ReceiverConfig::default();
    let receiver = CalloutReceiver::inbox(CalloutVerifier::new(settings.callout_auth), log.clone())
        .with_config(config.clone())?;
    let app = axum::Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route(
            "/metrics",
            get(|State(state): State<AppState>| async move { state.metrics.render() }),
        )
        .route("/orders/{order_id}/events", get(order_events))
        .route("/inquiries", post(inquiry))
        .with_state(AppState {
            pool: pool.clone(),
            log: log.clone(),
            innovis,
            metrics,
        })
        .merge(housecanary_partner::callouts::axum::router(
            receiver,
            CALLOUT_PATH,
        ));

    let (stop_workers, workers_stopped) = tokio::sync::watch::channel(false);
    let mut workers = Vec::with_capacity(settings.workers);
    for _ in 0..settings.workers {
        let pool = pool.clone();
        let worker = InboxWorker::new(log.clone(), move |message| record(pool.clone(), message))?;
        let mut stopped = workers_stopped.clone();
        workers.push(tokio::spawn(async move {
            // A worker stops between callouts, never in the middle of one.
            worker
                .run(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await;
        }));
    }
    tracing::info!(address = %listener.local_addr()?, "reference service listening");
    housecanary_partner::callouts::axum::serve(listener, app, config.head_timeout, shutdown).await;
    let _ = stop_workers.send(true);
    for worker in workers {
        worker.await?;
    }
    tracing::info!("reference service stopped");
    Ok(())
}

/// The inbox handler: the callout's effect on the application's table. Keyed by `message_id`, so a
/// callout handled again after a replica died mid-way changes nothing but the `handled` count.
async fn record(pool: Pool, message: CalloutMessage) -> Result<(), Box<dyn Error + Send + Sync>> {
    let (order_id, status) = match &message {
        CalloutMessage::OrderStatusChange(change) => (
            Some(change.order_id.to_string()),
            Some(change.new_status.to_string()),
        ),
        CalloutMessage::OrderItemStatusChange(change) => (
            Some(change.order_id.to_string()),
            Some(change.new_status.to_string()),
        ),
        CalloutMessage::OrderComplete(complete) => (Some(complete.order_id.to_string()), None),
        _ => (None, None),
    };
    let client = pool.get().await?;
    let statement = client
        .prepare_cached(
            "INSERT INTO reference_app.order_events (message_id, message_type, order_id, status)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (message_id) DO UPDATE SET handled = order_events.handled + 1",
        )
        .await?;
    client
        .execute(
            &statement,
            &[
                &message.message_id().unwrap_or_default(),
                &message.message_type(),
                &order_id,
                &status,
            ],
        )
        .await?;
    Ok(())
}

/// Ready when both stores answer (the inbox, the ledger and the application share one database).
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let inbox = state.log.health().await.is_ok();
    let ledger = match &state.innovis {
        Some(client) => client.ledger().health().await.is_ok(),
        None => true,
    };
    let ready = inbox && ledger;
    if ready {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

/// The application's own read of what the callouts did.
async fn order_events(
    State(state): State<AppState>,
    Path(order_id): Path<String>,
) -> Result<Json<Vec<serde_json::Value>>, StatusCode> {
    let client = state
        .pool
        .get()
        .await
        .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    let rows = client
        .query(
            "SELECT message_id, message_type, status FROM reference_app.order_events
             WHERE order_id = $1 ORDER BY received_at",
            &[&order_id],
        )
        .await
        .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    Ok(Json(
        rows.iter()
            .map(|row| {
                serde_json::json!({
                    "message_id": row.get::<_, String>(0),
                    "message_type": row.get::<_, String>(1),
                    "status": row.get::<_, Option<String>>(2),
                })
            })
            .collect(),
    ))
}

/// An inquiry from the application's own request (a real service authenticates this route).
#[derive(serde::Deserialize)]
struct InquiryRequest {
    customer_id: String,
    end_user_code: String,
    trace_number: String,
    first_name: String,
    last_name: String,
    ssn: String,
}

async fn inquiry(
    State(state): State<AppState>,
    Json(request): Json<InquiryRequest>,
) -> Result<Json<serde_json::Value>, (StatusCode, String)> {
    let client = state.innovis.ok_or((
        StatusCode::NOT_FOUND,
        "INNOVIS_* is not configured".to_owned(),
    ))?;
    let invalid = |error: innovis_client::Error| (StatusCode::BAD_REQUEST, error.to_string());
    let report = ReportRequest::builder(ProductCode::CR)
        .house_number(request.customer_id, request.end_user_code)
        .permissible_purpose(PermissiblePurpose::new("17").map_err(invalid)?)
        .applicant(
            Applicant::new()
                .name(request.first_name, request.last_name)
                .ssn(Ssn::new(request.ssn).map_err(invalid)?),
        )
        .customer_trace_number(request.trace_number)
        .build()
        .map_err(invalid)?;
    match client.send(&report).await {
        Ok(response) => Ok(Json(serde_json::json!({
            "references": response
                .references()
                .iter()
                .map(|reference| reference.report_reference_number())
                .collect::<Vec<_>>(),
        }))),
        // The error says whether the inquiry may have reached Innovis; its text holds no PII.
        Err(error) => Err((StatusCode::BAD_GATEWAY, error.to_string())),
    }
}
