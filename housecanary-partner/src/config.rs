//! Where the API is, how to authenticate, and how patient to be.

use std::fmt;
use std::time::Duration;

use common_auth::{SecretString, StaticToken};
use url::Url;

use credit_valuation_core::{Limits, RetryPolicy};

/// The vendor's demo environment, for integration development.
pub const DEMO_BASE_URL: &str = "https://order-manager-api-demo.housecanary.com/partner-api/v1/";

/// The production environment. INFERRED from the demo host and the client API's production
/// host; the vendor's partner page does not state it. Confirm it during onboarding, or use
/// [`Environment::Custom`].
pub const PRODUCTION_BASE_URL: &str = "https://order-manager-api.housecanary.com/partner-api/v1/";

/// Which Order Manager deployment to talk to.
///
/// ```
/// use housecanary_partner::Environment;
/// assert_eq!(
///     Environment::Demo.base_url().unwrap().as_str(),
///     "https://order-manager-api-demo.housecanary.com/partner-api/v1/"
/// );
/// let local = Environment::Custom("http://127.0.0.1:8080/partner-api/v1".parse().unwrap());
/// assert_eq!(local.base_url().unwrap().path(), "/partner-api/v1/");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// `https://order-manager-api-demo.housecanary.com/partner-api/v1/`.
    Demo,
    /// `https://order-manager-api.housecanary.com/partner-api/v1/` (INFERRED, see
    /// [`PRODUCTION_BASE_URL`]).
    Production,
    /// Any base URL, e.g. a sandbox; the paths `orders/...` are appended to it.
    Custom(Url),
}

impl Environment {
    /// The base URL, normalised to end with `/`. Fails for a URL that is not `http(s)` or
    /// cannot take paths.
    pub fn base_url(&self) -> Result<Url, crate::Error> {
        let mut url = match self {
            Self::Demo => parse_known(DEMO_BASE_URL)?,
            Self::Production => parse_known(PRODUCTION_BASE_URL)?,
            Self::Custom(url) => url.clone(),
        };
        if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
            return Err(crate::Error::Config {
                message: format!(
                    "base URL must be an http(s) URL that can take paths, got scheme `{}`",
                    url.scheme()
                ),
            });
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        url.set_query(None);
        url.set_fragment(None);
        Ok(url)
    }
}

fn parse_known(raw: &str) -> Result<Url, crate::Error> {
    Url::parse(raw).map_err(|err| crate::Error::Config {
        message: format!("built-in URL {raw} does not parse: {err}"),
    })
}

/// Everything a [`Client`](crate::Client) needs.
///
/// Defaults: connect timeout 10 s, request timeout 60 s, download timeout 30 min, the default
/// [`RetryPolicy`], a `User-Agent` of `housecanary-partner/<version>`. `Debug` never shows the
/// token.
///
/// ```no_run
/// use std::time::Duration;
/// use housecanary_partner::{Client, Config, Environment, SecretString};
/// # fn run() -> Result<(), housecanary_partner::Error> {
/// let token = SecretString::from("partner-token");
/// let config = Config::new(Environment::Demo, token)
///     .connect_timeout(Duration::from_secs(5))
///     .request_timeout(Duration::from_secs(30));
/// let client = Client::new(config)?;
/// println!("sending to {}", client.base_url());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Config {
    pub(crate) environment: Environment,
    pub(crate) token: StaticToken,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) request_timeout: Option<Duration>,
    pub(crate) download_timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) http_client: Option<reqwest::Client>,
    pub(crate) user_agent: String,
    pub(crate) limits: Limits,
    pub(crate) allow_private_downloads: bool,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("environment", &self.environment)
            .field("token", &"[REDACTED]")
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("download_timeout", &self.download_timeout)
            .field("retry", &self.retry)
            .field(
                "http_client",
                &self.http_client.as_ref().map(|_| "injected"),
            )
            .field("user_agent", &self.user_agent)
            .field("limits", &self.limits)
            .field("allow_private_downloads", &self.allow_private_downloads)
            .finish()
    }
}

impl Config {
    /// The default `User-Agent`: `housecanary-partner/<crate version>`.
    pub const DEFAULT_USER_AGENT: &'static str =
        concat!("housecanary-partner/", env!("CARGO_PKG_VERSION"));

    /// A configuration for `environment` authenticating with the partner `token`
    /// (sent as `Authorization: Token <token>`).
    pub fn new(environment: Environment, token: SecretString) -> Self {
        Self {
            environment,
            token: StaticToken::new(token),
            connect_timeout: Some(Duration::from_secs(10)),
            request_timeout: Some(Duration::from_secs(60)),
            download_timeout: Some(Duration::from_secs(30 * 60)),
            retry: RetryPolicy::default(),
            http_client: None,
            user_agent: Self::DEFAULT_USER_AGENT.to_owned(),
            limits: Limits::default(),
            allow_private_downloads: false,
        }
    }

    /// The connection timeout. Ignored for an injected client, which keeps its own.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The limit on one API request, response body included.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// The limit on one whole download (export archive or PDF).
    pub fn download_timeout(mut self, timeout: Duration) -> Self {
        self.download_timeout = Some(timeout);
        self
    }

    /// Removes every timeout. Meant for tests under tokio's paused clock, where a pending
    /// timeout would fire as soon as the runtime is idle waiting for the network.
    pub fn without_timeouts(mut self) -> Self {
        self.connect_timeout = None;
        self.request_timeout = None;
        self.download_timeout = None;
        self
    }

    /// The retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Uses this `reqwest::Client` (connection pool, proxy, TLS settings) instead of building one.
    /// Request and download timeouts still apply per request.
    ///
    /// Its redirect policy applies to every call. The clients this crate builds follow no redirects
    /// for API calls (a redirected `POST` could otherwise be sent twice) and up to 10 for downloads;
    /// build yours with `reqwest::redirect::Policy::none()` unless you need otherwise.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Replaces the `User-Agent` (e.g. to append your application's name).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Bounds on what is read from the network: JSON bodies, error bodies, downloads (bytes;
    /// their deadline is [`Config::download_timeout`]), pages per list.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Lets downloads reach loopback, private and link-local addresses although the base URL is
    /// not on one (it is allowed automatically when it is, as with the sandbox). Off by default:
    /// a signed URL from the network must not make this process fetch from its own network.
    pub fn allow_private_downloads(mut self, allow: bool) -> Self {
        self.allow_private_downloads = allow;
        self
    }

    /// The environment.
    pub fn environment(&self) -> &Environment {
        &self.environment
    }
}
