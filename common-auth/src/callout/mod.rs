//! Authenticating webhook callouts: the four schemes, verified over the raw request and signed
//! for tests and simulators.

mod error;
mod from_env;
pub(crate) mod hmac;
mod sign;
mod verify;

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::static_credentials::BasicCredentials;

pub use error::{CalloutAuthError, CalloutConfigError};
pub use hmac::HmacSha1Key;
pub use sign::SignedCallout;

/// How a callout (webhook) sender proves who it is. `Debug` redacts every secret.
///
/// Verify a received request with [`CalloutAuth::verify`] (over the raw URI, headers and body
/// bytes, before parsing anything); produce what a sender adds with [`CalloutAuth::sign`].
///
/// ```
/// use common_auth::{CalloutAuth, SecretString};
/// use http::{HeaderName, Request};
///
/// let auth = CalloutAuth::hmac_sha1(HeaderName::from_static("x-signature"), SecretString::from("s3cret-0123456789"))?;
/// let body = br#"{"message_type":"order_complete"}"#;
/// let signed = auth.sign(&"https://partner.example/callouts".parse()?, body)?;
///
/// let mut request = Request::post(signed.uri).body(body.to_vec())?;
/// request.headers_mut().extend(signed.headers);
/// assert_eq!(auth.verify_request(&request), Ok(()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum CalloutAuth {
    /// `Authorization: Basic base64(user:password)`.
    Basic(BasicCredentials),
    /// A token, compared exactly, in a named header.
    HeaderToken {
        /// The header carrying the token.
        header: http::HeaderName,
        /// The expected token.
        token: SecretString,
    },
    /// A token in a named query-string parameter (percent-decoded before comparing).
    QueryToken {
        /// The query parameter carrying the token.
        parameter: String,
        /// The expected token.
        token: SecretString,
    },
    /// `sha1=<40 hex>`: HMAC-SHA1 of the raw body keyed with the shared secret, in a named header.
    HmacSha1Signature {
        /// The header carrying the signature.
        header: http::HeaderName,
        /// The shared secret, keyed once ([`HmacSha1Key::new`] refuses an empty one).
        key: HmacSha1Key,
    },
}

impl CalloutAuth {
    /// HTTP Basic with this username and password.
    ///
    /// # Errors
    /// [`CalloutConfigError::Empty`] when the username or the password is empty (an unset
    /// environment variable must not turn into credentials anyone can send);
    /// [`CalloutConfigError::TooShort`] for a password shorter than [`MIN_SECRET_LEN`] bytes.
    ///
    /// ```
    /// # use common_auth::{CalloutAuth, CalloutConfigError, SecretString};
    /// let auth = CalloutAuth::basic("housecanary", SecretString::from("pa55word-0123456789"))?;
    /// assert!(CalloutAuth::basic("housecanary", SecretString::from("")).is_err());
    /// # Ok::<(), CalloutConfigError>(())
    /// ```
    pub fn basic(
        username: impl Into<String>,
        password: SecretString,
    ) -> Result<Self, CalloutConfigError> {
        let username = username.into();
        refuse_empty("Basic", "username", &username)?;
        refuse_weak("Basic", "password", password.expose_secret())?;
        Ok(Self::Basic(BasicCredentials::new(username, password)))
    }

    /// A token in the named header, e.g. `X-Callout-Token: <token>`.
    ///
    /// # Errors
    /// [`CalloutConfigError::Empty`] when the token is empty, [`CalloutConfigError::TooShort`]
    /// when it is shorter than [`MIN_SECRET_LEN`] bytes.
    ///
    /// ```
    /// # use common_auth::{CalloutAuth, CalloutConfigError, SecretString};
    /// let auth = CalloutAuth::header_token(
    ///     http::HeaderName::from_static("x-callout-token"),
    ///     SecretString::from("t0ken-0123456789"),
    /// )?;
    /// # Ok::<(), CalloutConfigError>(())
    /// ```
    pub fn header_token(
        header: http::HeaderName,
        token: SecretString,
    ) -> Result<Self, CalloutConfigError> {
        refuse_weak("header token", "token", token.expose_secret())?;
        Ok(Self::HeaderToken { header, token })
    }

    /// A token in the named query parameter, e.g. `https://partner.example/hook?token=<token>`.
    ///
    /// # Errors
    /// [`CalloutConfigError::Empty`] when the parameter name or the token is empty,
    /// [`CalloutConfigError::TooShort`] for a token shorter than [`MIN_SECRET_LEN`] bytes.
    ///
    /// ```
    /// # use common_auth::{CalloutAuth, CalloutConfigError, SecretString};
    /// let auth = CalloutAuth::query_token("token", SecretString::from("t0ken-0123456789"))?;
    /// # Ok::<(), CalloutConfigError>(())
    /// ```
    pub fn query_token(
        parameter: impl Into<String>,
        token: SecretString,
    ) -> Result<Self, CalloutConfigError> {
        let parameter = parameter.into();
        refuse_empty("query token", "parameter", &parameter)?;
        refuse_weak("query token", "token", token.expose_secret())?;
        Ok(Self::QueryToken { parameter, token })
    }

    /// An HMAC-SHA1 signature of the raw body in the named header, as `sha1=<40 hex>`.
    ///
    /// # Errors
    /// [`CalloutConfigError::Empty`] when the secret is empty: anyone could sign with it;
    /// [`CalloutConfigError::TooShort`] when it is shorter than [`MIN_SECRET_LEN`] bytes.
    ///
    /// ```
    /// # use common_auth::{CalloutAuth, CalloutConfigError, SecretString};
    /// let auth = CalloutAuth::hmac_sha1(
    ///     http::HeaderName::from_static("x-signature"),
    ///     SecretString::from("s3cret-0123456789"),
    /// )?;
    /// # Ok::<(), CalloutConfigError>(())
    /// ```
    pub fn hmac_sha1(
        header: http::HeaderName,
        secret: SecretString,
    ) -> Result<Self, CalloutConfigError> {
        let key = HmacSha1Key::new(&secret)?;
        Ok(Self::HmacSha1Signature { header, key })
    }

    /// Whether the scheme decides from the URI and headers alone (Basic, header token, query
    /// token), so a receiver can authenticate before reading a single body byte. Only the HMAC
    /// signature needs the body.
    ///
    /// ```
    /// # use common_auth::{CalloutAuth, SecretString};
    /// let token = CalloutAuth::query_token("t", SecretString::from("t0ken-0123456789"))?;
    /// assert!(token.is_header_only());
    /// let hmac = CalloutAuth::hmac_sha1(http::HeaderName::from_static("x-sig"), SecretString::from("s3cret-0123456789"))?;
    /// assert!(!hmac.is_header_only());
    /// # Ok::<(), common_auth::CalloutConfigError>(())
    /// ```
    pub fn is_header_only(&self) -> bool {
        !matches!(self, Self::HmacSha1Signature { .. })
    }

    /// Verify a whole received request (its URI, headers and body bytes).
    ///
    /// ```
    /// use common_auth::{CalloutAuth, CalloutAuthError, SecretString};
    ///
    /// let auth = CalloutAuth::query_token("token", SecretString::from("t0ken-0123456789"))?;
    /// let good = http::Request::post("/hook?token=t0ken-0123456789").body(Vec::new())?;
    /// let bad = http::Request::post("/hook?token=guess").body(Vec::new())?;
    /// assert_eq!(auth.verify_request(&good), Ok(()));
    /// assert_eq!(auth.verify_request(&bad), Err(CalloutAuthError::Mismatch));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_request<B: AsRef<[u8]>>(
        &self,
        request: &http::Request<B>,
    ) -> Result<(), CalloutAuthError> {
        self.verify(request.uri(), request.headers(), request.body().as_ref())
    }
}

impl fmt::Debug for CalloutAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Basic(credentials) => f.debug_tuple("Basic").field(credentials).finish(),
            Self::HeaderToken { header, .. } => f
                .debug_struct("HeaderToken")
                .field("header", header)
                .field("token", &"[REDACTED]")
                .finish(),
            Self::QueryToken { parameter, .. } => f
                .debug_struct("QueryToken")
                .field("parameter", parameter)
                .field("token", &"[REDACTED]")
                .finish(),
            Self::HmacSha1Signature { header, key } => f
                .debug_struct("HmacSha1Signature")
                .field("header", header)
                .field("key", key)
                .finish(),
        }
    }
}

/// The fewest bytes a callout secret, token or password may have: fewer can be guessed.
pub const MIN_SECRET_LEN: usize = 16;

/// Refuses an empty credential part (what an unset or empty environment variable gives).
fn refuse_empty(
    scheme: &'static str,
    field: &'static str,
    value: &str,
) -> Result<(), CalloutConfigError> {
    if value.is_empty() {
        Err(CalloutConfigError::Empty { scheme, field })
    } else {
        Ok(())
    }
}

/// Refuses an empty secret, and one shorter than [`MIN_SECRET_LEN`] bytes.
fn refuse_weak(
    scheme: &'static str,
    field: &'static str,
    value: &str,
) -> Result<(), CalloutConfigError> {
    refuse_empty(scheme, field, value)?;
    if value.len() < MIN_SECRET_LEN {
        return Err(CalloutConfigError::TooShort {
            scheme,
            field,
            min: MIN_SECRET_LEN,
        });
    }
    Ok(())
}
