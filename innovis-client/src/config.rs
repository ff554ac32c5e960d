//! Where and how the client talks to Innovis.

use std::time::Duration;

use std::sync::Arc;

use credit_valuation_core::{Limits, RetryPolicy};

use crate::ledger::{DEFAULT_REPEAT_WINDOW, FingerprintKey, InMemoryLedger, InquiryLedger};
use common_auth::SecretString;
use jiff::tz::TimeZone;
use url::Url;

/// Most characters in `softwareProviderId`.
pub const MAX_SOFTWARE_PROVIDER_ID_LEN: usize = 4;
/// `audience` of the token request unless set otherwise.
pub const DEFAULT_AUDIENCE: &str = "innovisgateway";
/// Default time to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time for a whole request (the vendor recommends 30–60 s).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Default attempts in all for one request (retries happen only when nothing was processed).
pub const DEFAULT_ATTEMPTS: u32 = 3;
/// Default backoff ceiling before the first retry (doubled for each later one, with full jitter).
pub const DEFAULT_FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The `User-Agent` sent on gateway requests: `innovis-client/<version>`.
pub const USER_AGENT: &str = concat!("innovis-client/", env!("CARGO_PKG_VERSION"));

const UAT_TOKEN_URL: &str = "https://gateway-uat.innovis.com/oauth/token";
const UAT_GATEWAY_URL: &str =
    "https://staging.innovisweb.com/InnovisGateway/orest/grs_v001/request";
const PRODUCTION_TOKEN_URL: &str = "https://gateway-prod.innovis.com/oauth/token";
const PRODUCTION_GATEWAY_URL: &str =
    "https://gateway.innovisweb.com/InnovisGateway/orest/grs_v001/request";

/// Which Innovis installation to talk to. The token host and the gateway host differ.
///
/// ```
/// use innovis_client::Environment;
///
/// assert_eq!(Environment::Uat.token_url().as_str(), "https://gateway-uat.innovis.com/oauth/token");
/// let local = Environment::Custom {
///     token_url: "http://127.0.0.1:8080/oauth/token".parse().unwrap(),
///     gateway_url: "http://127.0.0.1:8080/request".parse().unwrap(),
/// };
/// assert_eq!(local.gateway_url().port(), Some(8080));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// User acceptance testing: `gateway-uat.innovis.com` and `staging.innovisweb.com`.
    Uat,
    /// Production: `gateway-prod.innovis.com` and `gateway.innovisweb.com`.
    Production,
    /// Any other URLs (a sandbox, a proxy, a test server).
    Custom {
        /// The OAuth token endpoint.
        token_url: Url,
        /// The gateway request endpoint (one for every product).
        gateway_url: Url,
    },
}

impl Environment {
    /// The OAuth token endpoint.
    ///
    /// ```
    /// assert_eq!(innovis_client::Environment::Production.token_url().host_str(), Some("gateway-prod.innovis.com"));
    /// ```
    pub fn token_url(&self) -> Url {
        match self {
            Environment::Uat => fixed_url(UAT_TOKEN_URL),
            Environment::Production => fixed_url(PRODUCTION_TOKEN_URL),
            Environment::Custom { token_url, .. } => token_url.clone(),
        }
    }

    /// The gateway request endpoint.
    ///
    /// ```
    /// assert_eq!(innovis_client::Environment::Uat.gateway_url().host_str(), Some("staging.innovisweb.com"));
    /// ```
    pub fn gateway_url(&self) -> Url {
        match self {
            Environment::Uat => fixed_url(UAT_GATEWAY_URL),
            Environment::Production => fixed_url(PRODUCTION_GATEWAY_URL),
            Environment::Custom { gateway_url, .. } => gateway_url.clone(),
        }
    }
}

/// Parses one of the constant URLs above (checked by a unit test, so this never fails at run time).
fn fixed_url(url: &'static str) -> Url {
    Url::parse(url).unwrap_or_else(|_| unreachable!("constant URL {url} is valid"))
}

/// Everything a [`crate::Client`] needs. The client secret is a [`SecretString`]: `Debug` redacts it.
///
/// ```
/// use std::time::Duration;
/// use innovis_client::{Config, Environment, SecretString};
///
/// let config = Config::new(
///     Environment::Uat,
///     "my-client-id",
///     SecretString::from("my-client-secret"),
///     "AB12", // softwareProviderId assigned by Innovis
/// )
/// .request_timeout(Duration::from_secs(45));
/// assert!(!format!("{config:?}").contains("my-client-secret"));
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) environment: Environment,
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
    pub(crate) audience: String,
    pub(crate) software_provider_id: String,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) limits: Limits,
    pub(crate) ledger: SharedLedger,
    pub(crate) repeat_window: Duration,
    pub(crate) http_client: Option<reqwest::Client>,
    pub(crate) inquiry_time_zone: TimeZone,
}

impl Config {
    /// A config with the defaults: audience `innovisgateway`, connect timeout 10 s, request timeout 60 s,
    /// 2 connect retries, `originalInquiryDate` written in UTC. `software_provider_id` (at most 4 characters)
    /// is checked by [`crate::Client::new`].
    ///
    /// ```
    /// # use innovis_client::{Config, Environment, SecretString};
    /// let config = Config::new(Environment::Production, "id", SecretString::from("secret"), "AB12");
    /// ```
    pub fn new(
        environment: Environment,
        client_id: impl Into<String>,
        client_secret: SecretString,
        software_provider_id: impl Into<String>,
    ) -> Self {
        Config {
            environment,
            client_id: client_id.into(),
            client_secret,
            audience: DEFAULT_AUDIENCE.to_owned(),
            software_provider_id: software_provider_id.into(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            retry: RetryPolicy::default()
                .max_attempts(DEFAULT_ATTEMPTS)
                .initial_backoff(DEFAULT_FIRST_BACKOFF),
            limits: Limits::default(),
            ledger: SharedLedger::in_memory(),
            repeat_window: DEFAULT_REPEAT_WINDOW,
            http_client: None,
            inquiry_time_zone: TimeZone::UTC,
        }
    }

    /// Sets the token request's `audience` (default `innovisgateway`).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = audience.into();
        self
    }

    /// Sets the connect timeout (default 10 s). Ignored when an HTTP client is injected.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the whole-request timeout (default 60 s), for gateway and token requests.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets how failed attempts are retried (default: 3 attempts, backoff from 250 ms). An inquiry is
    /// not idempotent: it is sent again only when it certainly was not processed (the connection was
    /// never established, or the gateway answered 429), plus one resend after a 401 with a fresh
    /// token. An inquiry that may have reached the vendor is never sent twice.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets the bounds on what is read from the gateway (default: 16 MiB per report body, 64 KiB
    /// of an error body).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Records every inquiry in `ledger` (instead of the in-memory default), fingerprinting consumers
    /// with `key`. Every replica sharing the ledger must use the same key.
    pub fn inquiry_ledger(mut self, ledger: Arc<dyn InquiryLedger>, key: FingerprintKey) -> Self {
        self.ledger = SharedLedger {
            ledger,
            key,
            key_adopted: Arc::default(),
        };
        self
    }

    /// How long an inquiry for the same consumer, House Number, product and permissible purpose is
    /// refused as a repeat (default 24 hours); `Client::send_allowing_repeat` overrides it.
    pub fn repeat_window(mut self, window: Duration) -> Self {
        self.repeat_window = window;
        self
    }

    /// Uses this `reqwest::Client` for token and gateway requests (connection reuse, proxies, custom TLS).
    /// Its own timeouts, redirect policy and default headers apply; the request timeout is still set per
    /// request. Give it `reqwest::redirect::Policy::none()`: an answer that arrives through a redirect is
    /// refused (a [`crate::Error::Token`] or an [`crate::Error::Transport`] that may have been sent), since
    /// the credentials or the inquiry went on to the redirect target.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The time zone `originalInquiryDate` is written in for SECONDUSE (default UTC). The vendor does not
    /// document it; set it to what Innovis tells you (e.g. `TimeZone::get("America/New_York")`).
    pub fn inquiry_time_zone(mut self, time_zone: TimeZone) -> Self {
        self.inquiry_time_zone = time_zone;
        self
    }

    /// Where the client sends its requests.
    ///
    /// ```
    /// # use innovis_client::{Config, Environment, SecretString};
    /// let config = Config::new(Environment::Uat, "id", SecretString::from("s"), "AB12");
    /// assert_eq!(config.environment(), &Environment::Uat);
    /// ```
    pub fn environment(&self) -> &Environment {
        &self.environment
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_urls_parse() {
        for env in [Environment::Uat, Environment::Production] {
            assert_eq!(env.token_url().scheme(), "https");
            assert!(env.gateway_url().path().ends_with("/grs_v001/request"));
        }
    }
}

/// The ledger a client records inquiries in, with the key of its consumer fingerprints.
#[derive(Clone)]
pub(crate) struct SharedLedger {
    pub(crate) ledger: Arc<dyn InquiryLedger>,
    pub(crate) key: FingerprintKey,
    /// Set once the ledger accepted the key ([`InquiryLedger::adopt_key`]).
    pub(crate) key_adopted: Arc<tokio::sync::OnceCell<()>>,
}

impl SharedLedger {
    /// A ledger of this process only, with a key of its own.
    fn in_memory() -> Self {
        SharedLedger {
            ledger: Arc::new(InMemoryLedger::default()),
            key: FingerprintKey::random(),
            key_adopted: Arc::default(),
        }
    }
}

impl std::fmt::Debug for SharedLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedLedger(<inquiry ledger>, <fingerprint key>)")
    }
}
