//! What a request carries in its `Authorization` header.

use common_auth::{AccessToken, TokenCache};
use http::HeaderValue;

/// How requests are authorized.
///
/// ```
/// use credit_valuation_core::Authorization;
/// use common_auth::{SecretString, StaticToken};
/// let static_token = Authorization::header(
///     StaticToken::new(SecretString::from("t0ken")).authorization_header(),
/// );
/// assert!(!format!("{static_token:?}").contains("t0ken"));
/// ```
#[derive(Clone, Default)]
pub enum Authorization {
    /// No `Authorization` header.
    #[default]
    None,
    /// A fixed header value, such as `Token <t>` (marked sensitive so HTTP/2 never indexes it).
    Header(HeaderValue),
    /// `Bearer <t>` from a token cache. A 401 drops the rejected token (only if it is still the
    /// current one) and the request is sent once more with a fresh token.
    Bearer(TokenCache),
}

impl Authorization {
    /// A fixed header value, marked sensitive.
    pub fn header(mut value: HeaderValue) -> Self {
        value.set_sensitive(true);
        Authorization::Header(value)
    }
}

impl std::fmt::Debug for Authorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Authorization::None => "Authorization::None",
            Authorization::Header(_) => "Authorization::Header(<redacted>)",
            Authorization::Bearer(_) => "Authorization::Bearer(<token cache>)",
        })
    }
}

/// The credential one attempt was sent with, so a 401 can drop exactly that token.
pub(crate) enum Credential {
    None,
    Header(HeaderValue),
    Bearer(AccessToken),
}

impl Credential {
    pub(crate) fn header_value(&self) -> Option<HeaderValue> {
        match self {
            Credential::None => None,
            Credential::Header(value) => Some(value.clone()),
            // Built once per token, marked sensitive.
            Credential::Bearer(token) => Some(token.bearer_header()),
        }
    }
}
