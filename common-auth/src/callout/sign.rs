//! Producing what a callout sender adds (for tests and simulators).

use std::fmt;

use http::{HeaderMap, HeaderName, HeaderValue, Uri};
use secrecy::ExposeSecret;

use super::{CalloutAuth, CalloutAuthError};

/// What a sender must use: the URI to POST to (with the query token when the scheme needs it)
/// and the headers to add. Header values are marked sensitive.
///
/// `Debug` hides the query string (it may hold the token) and `http` prints sensitive header
/// values as `Sensitive`.
///
/// ```
/// use common_auth::{CalloutAuth, SecretString};
///
/// let auth = CalloutAuth::query_token("token", SecretString::from("t0ken-0123456789"))?;
/// let signed = auth.sign(&"https://partner.example/hook?a=1".parse()?, b"{}")?;
/// assert_eq!(signed.uri, "https://partner.example/hook?a=1&token=t0ken-0123456789");
/// assert!(signed.headers.is_empty());
/// assert!(!format!("{signed:?}").contains("t0ken-0123456789"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SignedCallout {
    /// The URI to send the callout to.
    pub uri: Uri,
    /// The headers to add to the request.
    pub headers: HeaderMap,
}

impl fmt::Debug for SignedCallout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = match self.uri.query() {
            Some(_) => format!(
                "{}{}?[REDACTED]",
                self.uri
                    .scheme_str()
                    .zip(self.uri.authority())
                    .map(|(scheme, authority)| format!("{scheme}://{authority}"))
                    .unwrap_or_default(),
                self.uri.path()
            ),
            None => self.uri.to_string(),
        };
        f.debug_struct("SignedCallout")
            .field("uri", &shown)
            .field("headers", &self.headers)
            .finish()
    }
}

impl CalloutAuth {
    /// What a sender adds to a callout of `body` bound for `uri`.
    ///
    /// ```
    /// use common_auth::{CalloutAuth, SecretString};
    ///
    /// let auth = CalloutAuth::basic("housecanary", SecretString::from("pa55word-0123456789"))?;
    /// let signed = auth.sign(&"https://partner.example/hook".parse()?, b"{}")?;
    /// assert_eq!(signed.headers["authorization"], "Basic aG91c2VjYW5hcnk6cGE1NXdvcmQtMDEyMzQ1Njc4OQ==");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sign(&self, uri: &Uri, body: &[u8]) -> Result<SignedCallout, CalloutAuthError> {
        let mut headers = HeaderMap::new();
        let mut target = uri.clone();
        match self {
            Self::Basic(credentials) => {
                headers.insert(
                    http::header::AUTHORIZATION,
                    credentials.authorization_header(),
                );
            }
            Self::HeaderToken { header, token } => {
                headers.insert(
                    header.clone(),
                    sensitive_value(header, token.expose_secret())?,
                );
            }
            Self::QueryToken { parameter, token } => {
                target = with_query_parameter(uri, parameter, token.expose_secret())?;
            }
            Self::HmacSha1Signature { header, key } => {
                let signature = key.tag_hex(body);
                headers.insert(
                    header.clone(),
                    sensitive_value(header, &format!("sha1={signature}"))?,
                );
            }
        }
        Ok(SignedCallout {
            uri: target,
            headers,
        })
    }
}

/// `text` as the value of `header`, marked sensitive so that `Debug` does not print it.
fn sensitive_value(header: &HeaderName, text: &str) -> Result<HeaderValue, CalloutAuthError> {
    let mut value =
        HeaderValue::from_str(text).map_err(|_| CalloutAuthError::InvalidHeaderValue {
            header: header.as_str().to_owned(),
        })?;
    value.set_sensitive(true);
    Ok(value)
}

/// `uri` with `name=value` (percent-encoded) appended to its query string.
fn with_query_parameter(uri: &Uri, name: &str, value: &str) -> Result<Uri, CalloutAuthError> {
    let pair = url::form_urlencoded::Serializer::new(String::new())
        .append_pair(name, value)
        .finish();
    let path = uri.path();
    let path_and_query = match uri.query() {
        Some(query) if !query.is_empty() => format!("{path}?{query}&{pair}"),
        _ => format!("{path}?{pair}"),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query =
        Some(
            path_and_query
                .parse()
                .map_err(|_| CalloutAuthError::InvalidUri {
                    message: "the path and query do not form a valid URI".into(),
                })?,
        );
    Uri::from_parts(parts).map_err(|_| CalloutAuthError::InvalidUri {
        message: "the URI cannot take a query string; give an absolute URI or a path".into(),
    })
}
