//! OAuth 2.0 client-credentials grant (RFC 6749 §4.4) as a [`TokenSource`].

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};

use crate::header::sensitive_header;
use crate::jwt;
use crate::token::{AccessToken, TokenError, TokenSource};

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// Token responses are small; a larger body is not one.
const MAX_BODY_BYTES: usize = 64 * 1024;
/// How much of an error body an error may quote.
const EXCERPT_CHARS: usize = 200;

/// How the client authenticates and shapes the request body.
#[derive(Clone)]
enum Style {
    /// Auth0 / Innovis: JSON body with `audience` and the secret inside.
    JsonWithAudience { audience: String },
    /// RFC 6749: form body, `client_secret_basic`.
    FormBasic,
}

/// OAuth 2.0 client credentials: a token URL, a client id and its secret.
///
/// Every [`fetch_token`](TokenSource::fetch_token) asks the issuer for a new token; wrap it in a
/// [`TokenCache`](crate::TokenCache) to reuse tokens. The request follows no redirects (a 3xx is a
/// [`TokenError::Status`]) and times out after 30 s unless configured otherwise. The token's
/// lifetime comes from `expires_in`, else from the JWT `exp` claim (decoded, not verified), else
/// the default lifetime (1 h). `Debug` redacts the secret.
///
/// ```no_run
/// use common_auth::{ClientCredentials, SecretString, TokenCache};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let credentials = ClientCredentials::json_with_audience(
///     "https://gateway-uat.innovis.com/oauth/token".parse()?,
///     "my-client-id",
///     SecretString::from("my-client-secret"),
///     "innovisgateway",
/// );
/// let cache = TokenCache::new(credentials);
/// let token = cache.token().await?;
/// println!("got token {}", token.redacted_suffix());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ClientCredentials {
    token_url: url::Url,
    client_id: String,
    client_secret: SecretString,
    style: Style,
    scope: Option<String>,
    /// `None` when building the default client failed; retried (and reported) on fetch.
    http: Option<reqwest::Client>,
    timeout: Duration,
    default_lifetime: Duration,
}

impl ClientCredentials {
    /// Innovis (Auth0) style: `POST` a JSON body
    /// `{"audience","grant_type":"client_credentials","client_id","client_secret"}`.
    ///
    /// ```
    /// # use common_auth::{ClientCredentials, SecretString};
    /// let credentials = ClientCredentials::json_with_audience(
    ///     "https://gateway-uat.innovis.com/oauth/token".parse()?,
    ///     "my-client-id",
    ///     SecretString::from("my-client-secret"),
    ///     "innovisgateway",
    /// );
    /// # Ok::<(), url::ParseError>(())
    /// ```
    pub fn json_with_audience(
        token_url: url::Url,
        client_id: impl Into<String>,
        client_secret: SecretString,
        audience: impl Into<String>,
    ) -> Self {
        Self::with_style(
            token_url,
            client_id.into(),
            client_secret,
            Style::JsonWithAudience {
                audience: audience.into(),
            },
        )
    }

    /// RFC 6749 style: form body `grant_type=client_credentials[&scope=…]`, the client
    /// authenticated with `Authorization: Basic` (`client_secret_basic`, id and secret
    /// form-urlencoded first as RFC 6749 §2.3.1 requires).
    ///
    /// ```
    /// # use common_auth::{ClientCredentials, SecretString};
    /// let credentials = ClientCredentials::form_basic(
    ///     "https://auth.example/oauth2/token".parse()?,
    ///     "my-client-id",
    ///     SecretString::from("my-client-secret"),
    /// )
    /// .scope("reports:read");
    /// # Ok::<(), url::ParseError>(())
    /// ```
    pub fn form_basic(
        token_url: url::Url,
        client_id: impl Into<String>,
        client_secret: SecretString,
    ) -> Self {
        Self::with_style(token_url, client_id.into(), client_secret, Style::FormBasic)
    }

    fn with_style(
        token_url: url::Url,
        client_id: String,
        client_secret: SecretString,
        style: Style,
    ) -> Self {
        Self {
            token_url,
            client_id,
            client_secret,
            style,
            scope: None,
            http: default_client().ok(),
            timeout: DEFAULT_TIMEOUT,
            default_lifetime: DEFAULT_LIFETIME,
        }
    }

    /// Ask for this scope (sent as `scope` in either body style).
    ///
    /// ```
    /// # use common_auth::{ClientCredentials, SecretString};
    /// let credentials = ClientCredentials::form_basic(
    ///     "https://auth.example/token".parse()?, "id", SecretString::from("secret"),
    /// )
    /// .scope("read write");
    /// # Ok::<(), url::ParseError>(())
    /// ```
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Send the token request with this client (its connection pool, proxy, TLS settings).
    ///
    /// Give it `reqwest::redirect::Policy::none()`: a client that follows redirects would send the
    /// credentials on to the redirect target before this crate sees the answer. A 3xx answer is
    /// still an error, and so is an answer that arrived through a redirect.
    ///
    /// ```
    /// # use common_auth::{ClientCredentials, SecretString};
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()?;
    /// let credentials = ClientCredentials::form_basic(
    ///     "https://auth.example/token".parse()?, "id", SecretString::from("secret"),
    /// )
    /// .http_client(http);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Give up on a token request after this long (default 30 s).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use common_auth::{ClientCredentials, SecretString};
    /// let credentials = ClientCredentials::form_basic(
    ///     "https://auth.example/token".parse()?, "id", SecretString::from("secret"),
    /// )
    /// .timeout(Duration::from_secs(5));
    /// # Ok::<(), url::ParseError>(())
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Lifetime assumed when the response has no `expires_in` and the token carries no JWT
    /// `exp` (default 1 h).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use common_auth::{ClientCredentials, SecretString};
    /// let credentials = ClientCredentials::form_basic(
    ///     "https://auth.example/token".parse()?, "id", SecretString::from("secret"),
    /// )
    /// .default_lifetime(Duration::from_secs(8 * 3600));
    /// # Ok::<(), url::ParseError>(())
    /// ```
    pub fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.default_lifetime = lifetime;
        self
    }

    /// The token endpoint.
    ///
    /// ```
    /// # use common_auth::{ClientCredentials, SecretString};
    /// let credentials = ClientCredentials::form_basic(
    ///     "https://auth.example/token".parse()?, "id", SecretString::from("secret"),
    /// );
    /// assert_eq!(credentials.token_url().as_str(), "https://auth.example/token");
    /// # Ok::<(), url::ParseError>(())
    /// ```
    pub fn token_url(&self) -> &url::Url {
        &self.token_url
    }

    /// One token request, start to finish.
    async fn request_token(&self) -> Result<AccessToken, TokenError> {
        let http = match &self.http {
            Some(client) => client.clone(),
            None => default_client().map_err(|error| transport(&error))?,
        };
        let request = http
            .post(self.token_url.clone())
            .timeout(self.timeout)
            .header(http::header::ACCEPT, "application/json");
        let request = match &self.style {
            Style::JsonWithAudience { audience } => {
                let mut body = serde_json::Map::new();
                body.insert("audience".into(), audience.as_str().into());
                body.insert("grant_type".into(), "client_credentials".into());
                body.insert("client_id".into(), self.client_id.as_str().into());
                body.insert(
                    "client_secret".into(),
                    self.client_secret.expose_secret().into(),
                );
                if let Some(scope) = &self.scope {
                    body.insert("scope".into(), scope.as_str().into());
                }
                request.json(&body)
            }
            Style::FormBasic => {
                let mut form = vec![("grant_type", "client_credentials")];
                if let Some(scope) = &self.scope {
                    form.push(("scope", scope.as_str()));
                }
                request
                    .header(http::header::AUTHORIZATION, self.basic_header())
                    .form(&form)
            }
        };
        let response = request.send().await.map_err(|error| transport(&error))?;
        // An injected client may follow redirects (ours does not): then the credentials have already gone to
        // wherever the redirect pointed, and its token must not be trusted.
        if response.url() != &self.token_url {
            return Err(TokenError::Transport {
                message: format!(
                    "the token request was redirected (to host {}); redirects are refused: give \
                     http_client a client built with reqwest::redirect::Policy::none()",
                    response.url().host_str().unwrap_or("?")
                ),
                timed_out: false,
            });
        }
        let status = response.status();
        let body = read_limited(response).await?;
        if status.is_success() {
            self.parse_success(&body)
        } else {
            Err(self.parse_failure(status.as_u16(), &body))
        }
    }

    /// `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
    fn basic_header(&self) -> http::HeaderValue {
        let id: String = url::form_urlencoded::byte_serialize(self.client_id.as_bytes()).collect();
        let secret: String =
            url::form_urlencoded::byte_serialize(self.client_secret.expose_secret().as_bytes())
                .collect();
        sensitive_header(
            "Basic ",
            STANDARD.encode(format!("{id}:{secret}")).as_bytes(),
        )
    }

    fn parse_success(&self, body: &[u8]) -> Result<AccessToken, TokenError> {
        // Parsed into a Value and read by hand so that no serde message can quote the token.
        let json: serde_json::Value = serde_json::from_slice(body).map_err(|error| {
            decode(format!(
                "body is not JSON (line {}, column {})",
                error.line(),
                error.column()
            ))
        })?;
        let object = json
            .as_object()
            .ok_or_else(|| decode("body is not a JSON object".into()))?;
        if !object.contains_key("access_token") {
            // Some issuers answer 200 with an RFC 6749 error body.
            if let Some(rejected) = self.rejection(200, &json) {
                return Err(rejected);
            }
        }
        let token = object
            .get("access_token")
            .and_then(serde_json::Value::as_str)
            .filter(|token| !token.is_empty())
            .ok_or_else(|| decode("`access_token` is missing, empty or not a string".into()))?;
        if token.bytes().any(|b| b.is_ascii_control()) {
            return Err(decode("`access_token` contains control characters".into()));
        }
        let lifetime = match object.get("expires_in") {
            Some(value) if !value.is_null() => expires_in(value)
                .ok_or_else(|| decode("`expires_in` is not a non-negative number".into()))?,
            _ => self.lifetime_without_expires_in(token)?,
        };
        Ok(AccessToken::new(SecretString::from(token), lifetime))
    }

    fn lifetime_without_expires_in(&self, token: &str) -> Result<Duration, TokenError> {
        let Some(exp) = jwt::expiry_unix_seconds(token) else {
            return Ok(self.default_lifetime);
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        match exp.checked_sub(now) {
            Some(remaining) if remaining > 0 => Ok(Duration::from_secs(remaining)),
            _ => Err(decode(
                "the token's JWT `exp` claim is already in the past (check the clock)".into(),
            )),
        }
    }

    fn parse_failure(&self, status: u16, body: &[u8]) -> TokenError {
        serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|json| self.rejection(status, &json))
            .unwrap_or_else(|| TokenError::Status {
                status,
                body_excerpt: excerpt(&self.scrub(&String::from_utf8_lossy(body))),
            })
    }

    /// An RFC 6749 §5.2 error body (`error` and optional `error_description`) as `Rejected`.
    fn rejection(&self, status: u16, json: &serde_json::Value) -> Option<TokenError> {
        let field = |name: &str| {
            json.get(name)
                .and_then(serde_json::Value::as_str)
                .map(|text| excerpt(&self.scrub(text)))
        };
        Some(TokenError::Rejected {
            status,
            error: field("error")?,
            description: field("error_description"),
        })
    }

    /// `text` with the client secret removed, should an issuer echo it back.
    fn scrub(&self, text: &str) -> String {
        let secret = self.client_secret.expose_secret();
        if secret.is_empty() {
            text.to_owned()
        } else {
            text.replace(secret, "[REDACTED]")
        }
    }
}

impl TokenSource for ClientCredentials {
    fn fetch_token(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
        Box::pin(async move {
            let result = self.request_token().await;
            match &result {
                Ok(token) => tracing::debug!(
                    token_url = %self.token_url,
                    token = %token.redacted_suffix(),
                    lifetime_secs = token.lifetime().as_secs(),
                    "fetched access token"
                ),
                Err(error) => {
                    tracing::warn!(token_url = %self.token_url, %error, "token request failed")
                }
            }
            result
        })
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (style, audience) = match &self.style {
            Style::JsonWithAudience { audience } => ("json_with_audience", Some(audience)),
            Style::FormBasic => ("form_basic", None),
        };
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("style", &style)
            .field("audience", &audience)
            .field("scope", &self.scope)
            .field("timeout", &self.timeout)
            .field("default_lifetime", &self.default_lifetime)
            .finish_non_exhaustive()
    }
}

/// The default client: no redirects, so credentials are never replayed to another host, and no
/// proxy from the environment, so none receives the client secret (inject a client to use one).
fn default_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
}

/// `expires_in` as a number of seconds, or a string of digits (some issuers quote it).
fn expires_in(value: &serde_json::Value) -> Option<Duration> {
    if let Some(seconds) = value.as_u64() {
        return Some(Duration::from_secs(seconds));
    }
    if let Some(seconds) = value.as_f64() {
        return Duration::try_from_secs_f64(seconds).ok();
    }
    value
        .as_str()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// Read the body, refusing one larger than any token response.
async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, TokenError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|error| transport(&error))? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(decode(format!(
                "response body exceeds {MAX_BODY_BYTES} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The first `EXCERPT_CHARS` characters of `text`, marked when cut.
fn excerpt(text: &str) -> String {
    let mut excerpt: String = text.chars().take(EXCERPT_CHARS).collect();
    if excerpt.len() < text.len() {
        excerpt.push('…');
    }
    excerpt
}

fn transport(error: &reqwest::Error) -> TokenError {
    TokenError::Transport {
        message: error_chain(error),
        timed_out: error.is_timeout(),
    }
}

/// The error and its sources, so "error sending request" says why.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

fn decode(message: String) -> TokenError {
    TokenError::Decode { message }
}
