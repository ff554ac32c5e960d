//! Authentication of a received callout, over the raw request, before any parsing.

use common_auth::{CalloutAuth, CalloutAuthError};

use super::message::{CalloutError, CalloutMessage};

/// Checks that a request comes from HouseCanary with the scheme chosen at onboarding, over the raw
/// URI, headers and body, before any parsing; during a secret rotation it accepts more than one
/// configuration. `Debug` redacts.
///
/// ```
/// use housecanary_partner::{CalloutAuth, SecretString};
/// use housecanary_partner::callouts::CalloutVerifier;
///
/// let header = http::HeaderName::from_static("x-hc-signature");
/// let auth = CalloutAuth::hmac_sha1(header, SecretString::from("s3cret-0123456789"))?;
/// let verifier = CalloutVerifier::new(auth.clone());
///
/// let body = br#"{"message_type":"order_status_change","message_id":"m1","order_id":1,"new_status":"new"}"#;
/// let uri: http::Uri = "/callouts".parse()?;
/// let signed = auth.sign(&uri, body)?; // what the vendor sends
/// let message = verifier.verify_and_parse(&signed.uri, &signed.headers, body)?;
/// assert_eq!(message.message_id(), Some("m1"));
///
/// // One changed byte and it is rejected.
/// assert!(verifier.verify(&signed.uri, &signed.headers, b"{}").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct CalloutVerifier {
    primary: CalloutAuth,
    /// Also accepted, typically the previous secret during a rotation.
    additional: Vec<CalloutAuth>,
}

impl CalloutVerifier {
    /// A verifier accepting requests that pass `auth`.
    pub fn new(auth: CalloutAuth) -> Self {
        Self {
            primary: auth,
            additional: Vec::new(),
        }
    }

    /// Also accept requests that pass `auth` (the old secret during a rotation; see
    /// `docs/callouts.md`).
    pub fn with_additional(mut self, auth: CalloutAuth) -> Self {
        self.additional.push(auth);
        self
    }

    /// Checks the raw request. Returns `Ok` when any configured scheme accepts it.
    ///
    /// # Errors
    /// The primary scheme's [`CalloutAuthError`] when none accepts it. It says which part failed:
    /// log it, but never send it back to the caller.
    pub fn verify(
        &self,
        uri: &http::Uri,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<(), CalloutAuthError> {
        self.any(|auth| auth.verify(uri, headers, body))
    }

    /// What the URI and headers alone decide, before any body byte is read: the whole answer for
    /// header-only schemes; for HMAC, that the signature header is well-formed. `Ok` means "read
    /// the body and [`verify`](Self::verify)".
    ///
    /// # Errors
    /// The primary scheme's [`CalloutAuthError`] when no configured scheme can accept the request.
    pub fn check_headers(
        &self,
        uri: &http::Uri,
        headers: &http::HeaderMap,
    ) -> Result<(), CalloutAuthError> {
        self.any(|auth| auth.verify_headers(uri, headers))
    }

    /// `Ok` when `check` accepts any configuration, else the primary's error.
    fn any(
        &self,
        check: impl Fn(&CalloutAuth) -> Result<(), CalloutAuthError>,
    ) -> Result<(), CalloutAuthError> {
        let primary = check(&self.primary);
        if primary.is_err() && self.additional.iter().any(|auth| check(auth).is_ok()) {
            return Ok(());
        }
        primary
    }

    /// Verifies the raw request, then (only then) decodes the body.
    ///
    /// # Errors
    /// [`CalloutError::Unauthorized`] when verification fails (the body is not looked at), otherwise
    /// the decoding errors of [`CalloutMessage::from_slice`].
    pub fn verify_and_parse(
        &self,
        uri: &http::Uri,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<CalloutMessage, CalloutError> {
        self.verify(uri, headers, body)
            .map_err(CalloutError::Unauthorized)?;
        CalloutMessage::from_slice(body)
    }
}
