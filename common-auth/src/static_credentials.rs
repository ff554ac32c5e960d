//! Credentials that do not expire: a static API token and HTTP Basic.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};

use crate::header::sensitive_header;

/// A long-lived API token sent as `Authorization: Token <t>` (HouseCanary style).
///
/// `Debug` prints `StaticToken { token: "[REDACTED]" }`.
///
/// ```
/// use common_auth::{SecretString, StaticToken};
///
/// let token = StaticToken::new(SecretString::from("partner-t0ken"));
/// assert_eq!(token.authorization_header(), "Token partner-t0ken");
/// assert!(!format!("{token:?}").contains("partner-t0ken"));
/// ```
#[derive(Clone)]
pub struct StaticToken {
    token: SecretString,
}

impl StaticToken {
    /// Wrap a token.
    ///
    /// ```
    /// # use common_auth::{SecretString, StaticToken};
    /// let token = StaticToken::new(SecretString::from("partner-t0ken"));
    /// ```
    pub fn new(token: SecretString) -> Self {
        Self { token }
    }

    /// `Token <t>`, the value of an `Authorization` header, marked sensitive.
    ///
    /// ```
    /// # use common_auth::{SecretString, StaticToken};
    /// let value = StaticToken::new(SecretString::from("t")).authorization_header();
    /// assert_eq!(value, "Token t");
    /// assert!(value.is_sensitive());
    /// ```
    pub fn authorization_header(&self) -> http::HeaderValue {
        sensitive_header("Token ", self.token.expose_secret().as_bytes())
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticToken")
            .field("token", &"[REDACTED]")
            .finish()
    }
}

/// A username and password for HTTP Basic authentication (RFC 7617).
///
/// `Debug` shows the username and redacts the password.
///
/// ```
/// use common_auth::{BasicCredentials, SecretString};
///
/// let credentials = BasicCredentials::new("Aladdin", SecretString::from("open sesame"));
/// assert_eq!(credentials.authorization_header(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
/// assert!(!format!("{credentials:?}").contains("open sesame"));
/// ```
#[derive(Clone)]
pub struct BasicCredentials {
    username: String,
    password: SecretString,
}

impl BasicCredentials {
    /// A username and its password.
    ///
    /// ```
    /// # use common_auth::{BasicCredentials, SecretString};
    /// let credentials = BasicCredentials::new("user", SecretString::from("pass"));
    /// ```
    pub fn new(username: impl Into<String>, password: SecretString) -> Self {
        Self {
            username: username.into(),
            password,
        }
    }

    /// The username.
    ///
    /// ```
    /// # use common_auth::{BasicCredentials, SecretString};
    /// let credentials = BasicCredentials::new("user", SecretString::from("pass"));
    /// assert_eq!(credentials.username(), "user");
    /// ```
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password (crate-internal: callers use the header).
    pub(crate) fn password(&self) -> &SecretString {
        &self.password
    }

    /// `Basic base64(user:pass)`, the value of an `Authorization` header, marked sensitive.
    ///
    /// ```
    /// # use common_auth::{BasicCredentials, SecretString};
    /// let value = BasicCredentials::new("user", SecretString::from("pass")).authorization_header();
    /// assert_eq!(value, "Basic dXNlcjpwYXNz");
    /// assert!(value.is_sensitive());
    /// ```
    pub fn authorization_header(&self) -> http::HeaderValue {
        let mut plain =
            Vec::with_capacity(self.username.len() + 1 + self.password.expose_secret().len());
        plain.extend_from_slice(self.username.as_bytes());
        plain.push(b':');
        plain.extend_from_slice(self.password.expose_secret().as_bytes());
        let encoded = STANDARD.encode(&plain);
        sensitive_header("Basic ", encoded.as_bytes())
    }
}

impl fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicCredentials")
            .field("username", &self.username)
            .field("password", &"[REDACTED]")
            .finish()
    }
}
