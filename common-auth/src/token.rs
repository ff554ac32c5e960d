//! Access tokens, the [`TokenSource`] trait and the errors of minting a token.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};

use crate::header::sensitive_header;

/// A bearer access token plus how long it lives (counted from when it was issued).
///
/// `Debug` prints `AccessToken { value: "[REDACTED]", .. }`: the token itself is only reachable
/// through [`AccessToken::secret`].
///
/// ```
/// use std::time::Duration;
/// use common_auth::{AccessToken, ExposeSecret, SecretString};
///
/// let token = AccessToken::new(SecretString::from("eyJhbGciOi.abc.x9Qa"), Duration::from_secs(3600));
/// assert_eq!(token.secret().expose_secret(), "eyJhbGciOi.abc.x9Qa");
/// assert_eq!(token.lifetime(), Duration::from_secs(3600));
/// assert!(!format!("{token:?}").contains("x9Qa"));
/// ```
#[derive(Clone)]
pub struct AccessToken {
    /// Shared: every request clones the cached token, which must not copy the secret each time.
    value: Arc<Value>,
    lifetime: Duration,
}

/// The token and its `Authorization` header, built once when the token arrives.
struct Value {
    secret: SecretString,
    bearer_header: http::HeaderValue,
}

impl AccessToken {
    /// A token worth `value` that stays valid for `lifetime` from now.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use common_auth::{AccessToken, SecretString};
    /// let token = AccessToken::new(SecretString::from("t0ken"), Duration::from_secs(60));
    /// ```
    pub fn new(value: SecretString, lifetime: Duration) -> Self {
        let bearer_header = sensitive_header("Bearer ", value.expose_secret().as_bytes());
        Self {
            value: Arc::new(Value {
                secret: value,
                bearer_header,
            }),
            lifetime,
        }
    }

    /// The token value; call [`ExposeSecret::expose_secret`] to read it.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use common_auth::{AccessToken, ExposeSecret, SecretString};
    /// let token = AccessToken::new(SecretString::from("t0ken"), Duration::from_secs(60));
    /// assert_eq!(token.secret().expose_secret(), "t0ken");
    /// ```
    pub fn secret(&self) -> &SecretString {
        &self.value.secret
    }

    /// How long the token lives, counted from when it was issued.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use common_auth::{AccessToken, SecretString};
    /// let token = AccessToken::new(SecretString::from("t0ken"), Duration::from_secs(60));
    /// assert_eq!(token.lifetime(), Duration::from_secs(60));
    /// ```
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// `Bearer <token>`, the value of an `Authorization` header, marked sensitive so that
    /// `http`'s `Debug` and most middleware never print it.
    ///
    /// Control characters (which no valid token contains) are dropped rather than panicking.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use common_auth::{AccessToken, SecretString};
    /// let token = AccessToken::new(SecretString::from("t0ken"), Duration::from_secs(60));
    /// let value = token.bearer_header();
    /// assert_eq!(value, "Bearer t0ken");
    /// assert!(value.is_sensitive());
    /// ```
    pub fn bearer_header(&self) -> http::HeaderValue {
        self.value.bearer_header.clone()
    }

    /// At most the last 4 characters of the token, prefixed with `…`, for logs (e.g. `"…x9Qa"`).
    ///
    /// Short tokens show fewer characters (a quarter of their length at most), so that the
    /// suffix never gives away a meaningful part of the secret.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use common_auth::{AccessToken, SecretString};
    /// let token = AccessToken::new(SecretString::from("eyJhbGciOiJSUzI1NiJ9.payload.x9Qa"), Duration::from_secs(60));
    /// assert_eq!(token.redacted_suffix(), "…x9Qa");
    /// let short = AccessToken::new(SecretString::from("abc"), Duration::from_secs(60));
    /// assert_eq!(short.redacted_suffix(), "…");
    /// ```
    pub fn redacted_suffix(&self) -> String {
        let value = self.value.secret.expose_secret();
        let count = value.chars().count();
        let shown = (count / 4).min(4);
        let mut suffix = String::from("…");
        suffix.extend(value.chars().skip(count - shown));
        suffix
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("value", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

/// Anything that can mint a fresh access token, such as
/// [`ClientCredentials`](crate::ClientCredentials). Object safe: the future is boxed.
///
/// Wrap a source in a [`TokenCache`](crate::TokenCache) to reuse tokens until they expire.
///
/// ```
/// use std::time::Duration;
/// use common_auth::{AccessToken, BoxFuture, SecretString, TokenError, TokenSource};
///
/// /// A source that always hands out the same token (useful in tests).
/// struct Fixed;
///
/// impl TokenSource for Fixed {
///     fn fetch_token(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>> {
///         Box::pin(async { Ok(AccessToken::new(SecretString::from("t0ken"), Duration::from_secs(60))) })
///     }
/// }
///
/// let source: Box<dyn TokenSource> = Box::new(Fixed);
/// ```
pub trait TokenSource: Send + Sync + 'static {
    /// Mint a new token (no caching: every call asks the issuer).
    fn fetch_token(&self) -> BoxFuture<'_, Result<AccessToken, TokenError>>;
}

/// Why a token could not be obtained.
///
/// `Clone` because one refresh result is handed to every caller waiting on it. No variant holds a
/// token or a client secret.
///
/// ```
/// use common_auth::TokenError;
///
/// let error = TokenError::Status { status: 503, body_excerpt: "try later".into() };
/// assert_eq!(error.to_string(), "token endpoint answered HTTP 503: try later");
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The issuer answered with an RFC 6749 §5.2 error body (`error`, `error_description`).
    #[error("token request rejected with HTTP {status}: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Rejected {
        /// HTTP status code.
        status: u16,
        /// The `error` code, e.g. `invalid_client`.
        error: String,
        /// The `error_description`, when given.
        description: Option<String>,
    },
    /// A non-success status without an RFC 6749 body (including 3xx: redirects are not followed).
    #[error("token endpoint answered HTTP {status}: {body_excerpt}")]
    Status {
        /// HTTP status code.
        status: u16,
        /// The start of the response body (secrets removed).
        body_excerpt: String,
    },
    /// The request could not be sent or the response not read, or it timed out.
    #[error("token request failed{}: {message}", if *timed_out { " (timed out)" } else { "" })]
    Transport {
        /// What went wrong.
        message: String,
        /// Whether the configured timeout elapsed.
        timed_out: bool,
    },
    /// A 2xx response whose body is not a usable token response.
    #[error("token response could not be decoded: {message}")]
    Decode {
        /// What was wrong with the body (never the body itself).
        message: String,
    },
}
