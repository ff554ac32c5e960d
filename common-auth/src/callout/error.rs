//! Why a callout failed authentication (or could not be signed).

/// Why a received callout was not accepted, or why signing one failed.
///
/// Each failure is its own variant so that tests and logs can tell them apart; a receiver should
/// still answer every one of them with a bare 401. No variant holds a secret.
///
/// ```
/// use common_auth::CalloutAuthError;
///
/// let error = CalloutAuthError::MissingHeader { header: "x-signature".into() };
/// assert_eq!(error.to_string(), "callout has no `x-signature` header");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalloutAuthError {
    /// The header that should carry the credential or signature is absent.
    #[error("callout has no `{header}` header")]
    MissingHeader {
        /// The header's name.
        header: String,
    },
    /// The query parameter that should carry the token is absent.
    #[error("callout URI has no `{parameter}` query parameter")]
    MissingQueryParameter {
        /// The parameter's name.
        parameter: String,
    },
    /// The header is present but does not start with the expected prefix (`"Basic "`, `"sha1="`).
    #[error("callout `{header}` header does not start with `{expected_prefix}`")]
    WrongPrefix {
        /// The header's name.
        header: String,
        /// The prefix it should start with.
        expected_prefix: &'static str,
    },
    /// Basic credentials that are not base64 of `user:pass`.
    #[error("callout Basic credentials are not base64 `user:password`")]
    MalformedBasic,
    /// The signature contains characters that are not hexadecimal digits.
    #[error("callout `{header}` signature is not hexadecimal")]
    BadHex {
        /// The header's name.
        header: String,
    },
    /// The signature has the wrong number of hex digits.
    #[error("callout `{header}` signature has {actual} hex digits, expected {expected}")]
    WrongLength {
        /// The header's name.
        header: String,
        /// Expected number of hex digits.
        expected: usize,
        /// Number received.
        actual: usize,
    },
    /// Credentials or signature present and well-formed, but wrong.
    #[error("callout credentials or signature do not match")]
    Mismatch,
    /// Signing failed: the URI could not take the query parameter.
    #[error("cannot sign callout: {message}")]
    InvalidUri {
        /// What was wrong (never the token).
        message: String,
    },
    /// Signing failed: the secret cannot be carried in an HTTP header value.
    #[error("cannot sign callout: the credential for `{header}` is not a valid header value")]
    InvalidHeaderValue {
        /// The header's name.
        header: String,
    },
}

/// A [`CalloutAuth`](super::CalloutAuth) could not be built from this configuration.
///
/// Never holds the rejected value.
///
/// ```
/// use common_auth::{CalloutAuth, CalloutConfigError, SecretString};
///
/// let header = http::HeaderName::from_static("x-signature");
/// let error = CalloutAuth::hmac_sha1(header, SecretString::from("")).unwrap_err();
/// assert_eq!(error, CalloutConfigError::Empty { scheme: "HMAC-SHA1", field: "secret" });
/// assert_eq!(error.to_string(), "callout HMAC-SHA1 authentication needs a non-empty secret");
/// let short = CalloutAuth::hmac_sha1(
///     http::HeaderName::from_static("x-signature"),
///     SecretString::from("a"),
/// )
/// .unwrap_err();
/// assert_eq!(
///     short.to_string(),
///     "callout HMAC-SHA1 authentication needs a secret of at least 16 bytes"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalloutConfigError {
    /// A secret, token, username, password or parameter name is empty.
    #[error("callout {scheme} authentication needs a non-empty {field}")]
    Empty {
        /// The scheme being configured.
        scheme: &'static str,
        /// Which part is empty.
        field: &'static str,
    },
    /// A secret, token or password is shorter than `min` bytes: it could be guessed.
    #[error("callout {scheme} authentication needs a {field} of at least {min} bytes")]
    TooShort {
        /// The scheme being configured.
        scheme: &'static str,
        /// Which part is too short.
        field: &'static str,
        /// The fewest bytes accepted.
        min: usize,
    },
}
