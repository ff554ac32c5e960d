//! Starting, addressing and stopping a sandbox.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use common_auth::CalloutAuth;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;

use crate::config::{CalloutTarget, Faults, SandboxConfig};
use crate::credentials::TestCredentials;
use crate::error::SandboxError;
use crate::state::AppState;
use crate::stats::SandboxStats;
use crate::{faults, housecanary, innovis, vendor_errors};

/// Large enough for an order of tens of thousands of items.
const BODY_LIMIT: usize = 64 * 1024 * 1024;
/// How long [`Sandbox::shutdown`] waits for open connections before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running sandbox serving both vendors on one loopback port. Dropping it stops the server and
/// its background work (status progression, callout delivery).
///
/// ```no_run
/// # async fn demo() -> Result<(), sandbox::SandboxError> {
/// use sandbox::{Sandbox, SandboxConfig};
/// let sandbox = Sandbox::start_with(SandboxConfig::default()).await?;
/// assert!(sandbox.base_url().as_str().starts_with("http://127.0.0.1:"));
/// sandbox.shutdown().await;
/// # Ok(()) }
/// ```
pub struct Sandbox {
    state: Arc<AppState>,
    local_addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.state.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a sandbox on `127.0.0.1` with a free port and the default configuration.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), sandbox::SandboxError> {
    /// let sandbox = sandbox::Sandbox::start().await?;
    /// # Ok(()) }
    /// ```
    pub async fn start() -> Result<Sandbox, SandboxError> {
        Self::start_with(SandboxConfig::default()).await
    }

    /// Starts a sandbox on `127.0.0.1` with a free port and `config`.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), sandbox::SandboxError> {
    /// let config = sandbox::SandboxConfig::default().with_max_delivery_attempts(3);
    /// let sandbox = sandbox::Sandbox::start_with(config).await?;
    /// # Ok(()) }
    /// ```
    pub async fn start_with(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        Self::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config).await
    }

    /// Starts a sandbox on `addr`, which must be a loopback address (port 0 picks a free port).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), sandbox::SandboxError> {
    /// let addr = "127.0.0.1:8080".parse().expect("a socket address");
    /// let sandbox = sandbox::Sandbox::bind(addr, sandbox::SandboxConfig::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn bind(addr: SocketAddr, config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        if !addr.ip().is_loopback() {
            return Err(SandboxError::NotLoopback { addr });
        }
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| SandboxError::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| SandboxError::Bind { addr, source })?;
        let base_url =
            Url::parse(&format!("http://{local_addr}/")).map_err(|e| SandboxError::Bind {
                addr,
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, e),
            })?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SandboxError::CalloutClient {
                message: e.to_string(),
            })?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let state = AppState::new(config, base_url, http, shutdown_rx.clone());
        let router = router(Arc::clone(&state));
        let server = tokio::spawn(async move {
            let mut stop = shutdown_rx;
            let signal = async move {
                while !*stop.borrow() {
                    if stop.changed().await.is_err() {
                        break;
                    }
                }
            };
            if let Err(e) = axum::serve(listener, router)
                .with_graceful_shutdown(signal)
                .await
            {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        tracing::info!(base_url = %state.base_url, "sandbox listening");
        Ok(Sandbox {
            state,
            local_addr,
            shutdown,
            server: Some(server),
        })
    }

    /// The address the sandbox listens on.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: sandbox::Sandbox) {
    /// println!("port {}", sandbox.local_addr().port());
    /// # }
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://127.0.0.1:PORT/`.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: sandbox::Sandbox) {
    /// println!("{}", sandbox.base_url());
    /// # }
    /// ```
    pub fn base_url(&self) -> Url {
        self.state.base_url.clone()
    }

    /// The Innovis token endpoint: `{base}oauth/token`.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: sandbox::Sandbox) {
    /// assert!(sandbox.innovis_token_url().path().ends_with("/oauth/token"));
    /// # }
    /// ```
    pub fn innovis_token_url(&self) -> Url {
        self.state.url(innovis::TOKEN_PATH)
    }

    /// The Innovis gateway endpoint: `{base}InnovisGateway/orest/grs_v001/request`.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: sandbox::Sandbox) {
    /// println!("{}", sandbox.innovis_gateway_url());
    /// # }
    /// ```
    pub fn innovis_gateway_url(&self) -> Url {
        self.state.url(innovis::GATEWAY_PATH)
    }

    /// The HouseCanary partner API base: `{base}partner-api/v1/`.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: sandbox::Sandbox) {
    /// let orders = sandbox.housecanary_base_url().join("orders/").expect("a URL");
    /// # }
    /// ```
    pub fn housecanary_base_url(&self) -> Url {
        self.state.url(housecanary::BASE_PATH)
    }

    /// The credentials this sandbox accepts.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: sandbox::Sandbox) {
    /// println!("token {}", sandbox.credentials().housecanary_token);
    /// # }
    /// ```
    pub fn credentials(&self) -> &TestCredentials {
        &self.state.config.credentials
    }

    /// Sends future callouts to `url` with `auth` (messages already being delivered keep their
    /// original target).
    ///
    /// ```no_run
    /// # async fn demo(sandbox: sandbox::Sandbox) {
    /// let url = url::Url::parse("http://127.0.0.1:9000/callouts").expect("a URL");
    /// sandbox.set_callout_target(url, sandbox.credentials().hmac_callout_auth());
    /// # }
    /// ```
    pub fn set_callout_target(&self, url: Url, auth: CalloutAuth) {
        *self
            .state
            .callout
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some(CalloutTarget { url, auth });
    }

    /// Replaces the fault knobs at runtime.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: sandbox::Sandbox) {
    /// sandbox.set_faults(sandbox::Faults { server_error_rate: 0.5, ..sandbox::Faults::default() });
    /// # }
    /// ```
    pub fn set_faults(&self, faults: Faults) {
        *self.state.faults.write().unwrap_or_else(|e| e.into_inner()) = faults;
    }

    /// Makes every Innovis access token issued so far expire now (to test the 401 path without
    /// waiting).
    ///
    /// ```no_run
    /// # async fn demo(sandbox: sandbox::Sandbox) {
    /// sandbox.expire_innovis_tokens();
    /// # }
    /// ```
    pub fn expire_innovis_tokens(&self) {
        let now = std::time::Instant::now();
        for token in self.state.innovis().tokens.values_mut() {
            token.expires_at = now;
        }
    }

    /// A snapshot of the counters.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: sandbox::Sandbox) {
    /// println!("{:?}", sandbox.stats());
    /// # }
    /// ```
    pub fn stats(&self) -> SandboxStats {
        self.state.counters.snapshot()
    }

    /// Stops accepting requests, stops background work and waits (briefly) for the server to end.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: sandbox::Sandbox) {
    /// sandbox.shutdown().await;
    /// # }
    /// ```
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(server) = self.server.take() {
            let abort = server.abort_handle();
            if tokio::time::timeout(SHUTDOWN_GRACE, server).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .merge(innovis::routes())
        .merge(housecanary::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            faults::inject,
        ))
        .layer(axum::middleware::from_fn(vendor_errors::rewrite))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Unknown paths answer like the vendors' servers (DRF's body), not with an empty page.
async fn not_found() -> (axum::http::StatusCode, axum::Json<serde_json::Value>) {
    (
        axum::http::StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({ "detail": "Not found." })),
    )
}
