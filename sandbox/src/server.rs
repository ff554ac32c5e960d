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
use crate::connection::{AbortableListener, ConnectionAbort};
use crate::credentials::TestCredentials;
use crate::error::SandboxError;
use crate::innovis::store::RecordedInquiry;
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
/// # async fn demo() -> Result<(), credit_valuation_sandbox::SandboxError> {
/// use credit_valuation_sandbox::{Sandbox, SandboxConfig};
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
    /// # async fn demo() -> Result<(), credit_valuation_sandbox::SandboxError> {
    /// let sandbox = credit_valuation_sandbox::Sandbox::start().await?;
    /// # Ok(()) }
    /// ```
    pub async fn start() -> Result<Sandbox, SandboxError> {
        Self::start_with(SandboxConfig::default()).await
    }

    /// Starts a sandbox on `127.0.0.1` with a free port and `config`.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), credit_valuation_sandbox::SandboxError> {
    /// let config = credit_valuation_sandbox::SandboxConfig::default().max_delivery_attempts(3);
    /// let sandbox = credit_valuation_sandbox::Sandbox::start_with(config).await?;
    /// # Ok(()) }
    /// ```
    pub async fn start_with(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        Self::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config).await
    }

    /// Starts a sandbox on `addr`, which must be a loopback address (port 0 picks a free port).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), credit_valuation_sandbox::SandboxError> {
    /// let addr = "127.0.0.1:8080".parse().expect("a socket address");
    /// let sandbox = credit_valuation_sandbox::Sandbox::bind(addr, credit_valuation_sandbox::SandboxConfig::default()).await?;
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
            // Connect info hands each gateway request the means to cut its connection.
            let service = router.into_make_service_with_connect_info::<ConnectionAbort>();
            if let Err(e) = axum::serve(AbortableListener(listener), service)
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
    /// # async fn demo(sandbox: credit_valuation_sandbox::Sandbox) {
    /// println!("port {}", sandbox.local_addr().port());
    /// # }
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://127.0.0.1:PORT/`.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: credit_valuation_sandbox::Sandbox) {
    /// println!("{}", sandbox.base_url());
    /// # }
    /// ```
    pub fn base_url(&self) -> Url {
        self.state.base_url.clone()
    }

    /// The Innovis token endpoint: `{base}oauth/token`.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: credit_valuation_sandbox::Sandbox) {
    /// assert!(sandbox.innovis_token_url().path().ends_with("/oauth/token"));
    /// # }
    /// ```
    pub fn innovis_token_url(&self) -> Url {
        self.state.url(innovis::TOKEN_PATH)
    }

    /// The Innovis gateway endpoint: `{base}InnovisGateway/orest/grs_v001/request`.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: credit_valuation_sandbox::Sandbox) {
    /// println!("{}", sandbox.innovis_gateway_url());
    /// # }
    /// ```
    pub fn innovis_gateway_url(&self) -> Url {
        self.state.url(innovis::GATEWAY_PATH)
    }

    /// The HouseCanary partner API base: `{base}partner-api/v1/`.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: credit_valuation_sandbox::Sandbox) {
    /// let orders = sandbox.housecanary_base_url().join("orders/").expect("a URL");
    /// # }
    /// ```
    pub fn housecanary_base_url(&self) -> Url {
        self.state.url(housecanary::BASE_PATH)
    }

    /// The credentials this sandbox accepts.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: credit_valuation_sandbox::Sandbox) {
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
    /// # async fn demo(sandbox: credit_valuation_sandbox::Sandbox) {
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
    /// # async fn demo(sandbox: credit_valuation_sandbox::Sandbox) {
    /// sandbox.set_faults(credit_valuation_sandbox::Faults { server_error_rate: 0.5, ..credit_valuation_sandbox::Faults::default() });
    /// # }
    /// ```
    pub fn set_faults(&self, faults: Faults) {
        *self.state.faults.write().unwrap_or_else(|e| e.into_inner()) = faults;
    }

    /// Makes every Innovis access token issued so far expire now (to test the 401 path without
    /// waiting).
    ///
    /// ```no_run
    /// # async fn demo(sandbox: credit_valuation_sandbox::Sandbox) {
    /// sandbox.expire_innovis_tokens();
    /// # }
    /// ```
    pub fn expire_innovis_tokens(&self) {
        let now = std::time::Instant::now();
        for token in self.state.innovis().tokens.values_mut() {
            token.expires_at = now;
        }
    }

    /// Every inquiry the Innovis gateway processed so far, oldest first, with what the client was
    /// given for it ([`InquiryAnswer`](crate::InquiryAnswer)): also the ones whose answer a [`Faults`] knob replaced
    /// after recording, which is how a test proves that the vendor posted an inquiry the client
    /// never got an answer for.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: credit_valuation_sandbox::Sandbox) {
    /// let unanswered = sandbox
    ///     .innovis_inquiries()
    ///     .into_iter()
    ///     .filter(|inquiry| inquiry.answer != credit_valuation_sandbox::InquiryAnswer::Answered)
    ///     .count();
    /// println!("{unanswered} inquiries posted without an answer");
    /// # }
    /// ```
    pub fn innovis_inquiries(&self) -> Vec<RecordedInquiry> {
        self.state.innovis().inquiries.clone()
    }

    /// The inquiries the Innovis gateway processed with this `customerTraceNumber`, oldest first
    /// (empty when none was: rejected requests and requests stopped by a fault before processing
    /// are not inquiries). More than one means the same trace number was sent again.
    ///
    /// ```
    /// use credit_valuation_sandbox::{Faults, InquiryAnswer, Sandbox, SandboxConfig, fixtures};
    /// use serde_json::json;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// // Every inquiry is recorded, then answered 504.
    /// let faults = Faults { gateway_504_after_recording_rate: 1.0, ..Faults::default() };
    /// let sandbox = Sandbox::start_with(SandboxConfig::default().faults(faults)).await?;
    /// let credentials = sandbox.credentials();
    /// let http = reqwest::Client::new();
    /// let token: serde_json::Value = http
    ///     .post(sandbox.innovis_token_url())
    ///     .json(&json!({
    ///         "audience": credentials.innovis_audience,
    ///         "grant_type": "client_credentials",
    ///         "client_id": credentials.innovis_client_id,
    ///         "client_secret": credentials.innovis_client_secret,
    ///     }))
    ///     .send()
    ///     .await?
    ///     .json()
    ///     .await?;
    /// let response = http
    ///     .post(sandbox.innovis_gateway_url())
    ///     .bearer_auth(token["access_token"].as_str().unwrap_or_default())
    ///     .json(&json!({
    ///         "customerId": fixtures::CR_CUSTOMER_ID,
    ///         "endUserCode": fixtures::CR_END_USER_CODE,
    ///         "customerTraceNumber": "TRACE-504",
    ///         "productCode": "CR",
    ///         "permissiblePurposeCode": fixtures::PERMISSIBLE_PURPOSE,
    ///         "softwareProviderId": credentials.innovis_software_provider_id,
    ///         "applicants": [{
    ///             "applicantId": "1A",
    ///             "names": [{ "first": "PAT", "last": "RECORD" }],
    ///             "ssn": fixtures::RECORD_SSN,
    ///         }],
    ///     }))
    ///     .send()
    ///     .await?;
    /// assert_eq!(response.status(), 504);
    ///
    /// let recorded = sandbox.innovis_inquiries_for_trace("TRACE-504");
    /// assert_eq!(recorded.len(), 1, "the vendor posted the inquiry although the client got a 504");
    /// assert_eq!(recorded[0].answer, InquiryAnswer::GatewayTimeout);
    /// assert!(recorded[0].consumer_id.is_some(), "its report can be used for SECONDUSE");
    /// # Ok(()) }
    /// ```
    pub fn innovis_inquiries_for_trace(&self, customer_trace_number: &str) -> Vec<RecordedInquiry> {
        self.state
            .innovis()
            .inquiries
            .iter()
            .filter(|inquiry| {
                inquiry.customer_trace_number.as_deref() == Some(customer_trace_number)
            })
            .cloned()
            .collect()
    }

    /// A snapshot of the counters.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: credit_valuation_sandbox::Sandbox) {
    /// println!("{:?}", sandbox.stats());
    /// # }
    /// ```
    pub fn stats(&self) -> SandboxStats {
        self.state.counters.snapshot()
    }

    /// Stops accepting requests, stops background work and waits (briefly) for the server to end.
    ///
    /// ```no_run
    /// # async fn demo(sandbox: credit_valuation_sandbox::Sandbox) {
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
