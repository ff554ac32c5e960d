//! Verifying a received callout. Every secret comparison is constant-time.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use super::hmac::{TAG_LEN, TagError, decode_tag};
use super::{CalloutAuth, CalloutAuthError};

const BASIC_PREFIX: &str = "Basic ";
const SHA1_PREFIX: &str = "sha1=";

impl CalloutAuth {
    /// Verify a received callout over its raw parts: URI, headers and body bytes exactly as
    /// received (verify before parsing the body).
    ///
    /// Comparisons are constant-time. The distinct errors are for tests and logs; answer all of
    /// them with a bare 401. Uppercase hex in a signature is accepted.
    ///
    /// ```
    /// use common_auth::{CalloutAuth, CalloutAuthError, SecretString, hmac_sha1_hex};
    /// use http::{HeaderMap, HeaderName, HeaderValue, Uri};
    ///
    /// let auth = CalloutAuth::hmac_sha1(HeaderName::from_static("x-signature"), SecretString::from("s3cret-0123456789"))?;
    /// let body = b"{}";
    /// let uri = Uri::from_static("/hook");
    /// let mut headers = HeaderMap::new();
    /// assert_eq!(
    ///     auth.verify(&uri, &headers, body),
    ///     Err(CalloutAuthError::MissingHeader { header: "x-signature".into() }),
    /// );
    /// let signature = format!("sha1={}", hmac_sha1_hex(b"s3cret-0123456789", body));
    /// headers.insert("x-signature", HeaderValue::from_str(&signature)?);
    /// assert_eq!(auth.verify(&uri, &headers, body), Ok(()));
    /// assert_eq!(auth.verify(&uri, &headers, b"{ }"), Err(CalloutAuthError::Mismatch));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify(
        &self,
        uri: &http::Uri,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<(), CalloutAuthError> {
        if self.has_empty_credential() {
            // Only reachable by building a variant by hand: the constructors refuse empties.
            return Err(CalloutAuthError::Mismatch);
        }
        match self {
            Self::Basic(credentials) => verify_basic(
                headers,
                credentials.username().as_bytes(),
                credentials.password().expose_secret().as_bytes(),
            ),
            Self::HeaderToken { header, token } => {
                let received = header_bytes(headers, header)?;
                equal(received, token.expose_secret().as_bytes())
            }
            Self::QueryToken { parameter, token } => {
                let missing = || CalloutAuthError::MissingQueryParameter {
                    parameter: parameter.clone(),
                };
                let query = uri.query().ok_or_else(missing)?;
                let received = url::form_urlencoded::parse(query.as_bytes())
                    .find(|(name, _)| name == parameter.as_str())
                    .map(|(_, value)| value)
                    .ok_or_else(missing)?;
                equal(received.as_bytes(), token.expose_secret().as_bytes())
            }
            Self::HmacSha1Signature { header, key } => {
                let tag = received_tag(headers, header)?;
                if key.verifies(body, &tag) {
                    Ok(())
                } else {
                    Err(CalloutAuthError::Mismatch)
                }
            }
        }
    }

    /// Everything [`verify`](Self::verify) can decide without the body: the whole verification for
    /// Basic and the token schemes; for the HMAC signature, that its header is present and
    /// well-formed (`sha1=` and 40 hex digits). A receiver calls it before reading the body, so an
    /// unauthenticated sender never gets a body buffered.
    ///
    /// ```
    /// use common_auth::{CalloutAuth, CalloutAuthError, SecretString};
    /// use http::{HeaderMap, HeaderName, Uri};
    ///
    /// let auth = CalloutAuth::hmac_sha1(HeaderName::from_static("x-signature"), SecretString::from("s3cret-0123456789"))?;
    /// let uri = Uri::from_static("/hook");
    /// let mut headers = HeaderMap::new();
    /// assert!(matches!(auth.verify_headers(&uri, &headers), Err(CalloutAuthError::MissingHeader { .. })));
    /// headers.insert("x-signature", format!("sha1={}", "ab".repeat(20)).parse()?);
    /// assert_eq!(auth.verify_headers(&uri, &headers), Ok(())); // the MAC itself needs the body
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_headers(
        &self,
        uri: &http::Uri,
        headers: &http::HeaderMap,
    ) -> Result<(), CalloutAuthError> {
        match self {
            Self::HmacSha1Signature { header, .. } => received_tag(headers, header).map(|_| ()),
            _ => self.verify(uri, headers, b""),
        }
    }
}

/// The `sha1=<40 hex>` tag in `header`, decoded.
fn received_tag(
    headers: &http::HeaderMap,
    header: &http::HeaderName,
) -> Result<[u8; TAG_LEN], CalloutAuthError> {
    let received = header_bytes(headers, header)?;
    let hex = strip_prefix_ignore_case(received, SHA1_PREFIX).ok_or_else(|| {
        CalloutAuthError::WrongPrefix {
            header: header.as_str().to_owned(),
            expected_prefix: SHA1_PREFIX,
        }
    })?;
    decode_tag(hex).map_err(|error| match error {
        TagError::NotHex => CalloutAuthError::BadHex {
            header: header.as_str().to_owned(),
        },
        TagError::WrongLength => CalloutAuthError::WrongLength {
            header: header.as_str().to_owned(),
            expected: TAG_LEN * 2,
            actual: hex.len(),
        },
    })
}

impl CalloutAuth {
    /// Whether an expected credential is empty: such a scheme must accept nothing.
    fn has_empty_credential(&self) -> bool {
        match self {
            Self::Basic(credentials) => {
                credentials.username().is_empty()
                    || credentials.password().expose_secret().is_empty()
            }
            Self::HeaderToken { token, .. } | Self::QueryToken { token, .. } => {
                token.expose_secret().is_empty()
            }
            // `HmacSha1Key::new` refuses an empty secret.
            Self::HmacSha1Signature { .. } => false,
        }
    }
}

/// The first value of `name`, or `MissingHeader`.
fn header_bytes<'a>(
    headers: &'a http::HeaderMap,
    name: &http::HeaderName,
) -> Result<&'a [u8], CalloutAuthError> {
    headers
        .get(name)
        .map(http::HeaderValue::as_bytes)
        .ok_or_else(|| CalloutAuthError::MissingHeader {
            header: name.as_str().to_owned(),
        })
}

/// Constant-time equality (lengths are not secret).
fn equal(received: &[u8], expected: &[u8]) -> Result<(), CalloutAuthError> {
    if bool::from(received.ct_eq(expected)) {
        Ok(())
    } else {
        Err(CalloutAuthError::Mismatch)
    }
}

/// `value` without `prefix`, matched ASCII case-insensitively (auth schemes are case-insensitive).
fn strip_prefix_ignore_case<'a>(value: &'a [u8], prefix: &str) -> Option<&'a [u8]> {
    let head = value.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix.as_bytes()) {
        value.get(prefix.len()..)
    } else {
        None
    }
}

fn verify_basic(
    headers: &http::HeaderMap,
    username: &[u8],
    password: &[u8],
) -> Result<(), CalloutAuthError> {
    let header = http::header::AUTHORIZATION;
    let received = header_bytes(headers, &header)?;
    let encoded = strip_prefix_ignore_case(received, BASIC_PREFIX).ok_or_else(|| {
        CalloutAuthError::WrongPrefix {
            header: header.as_str().to_owned(),
            expected_prefix: BASIC_PREFIX,
        }
    })?;
    let decoded = STANDARD
        .decode(encoded.trim_ascii())
        .map_err(|_| CalloutAuthError::MalformedBasic)?;
    let colon = decoded
        .iter()
        .position(|&b| b == b':')
        .ok_or(CalloutAuthError::MalformedBasic)?;
    let (user, rest) = decoded.split_at(colon);
    let pass = rest.get(1..).unwrap_or_default();
    // `&` (not `&&`) so that a wrong username takes as long as a wrong password.
    let matches = user.ct_eq(username) & pass.ct_eq(password);
    if bool::from(matches) {
        Ok(())
    } else {
        Err(CalloutAuthError::Mismatch)
    }
}
