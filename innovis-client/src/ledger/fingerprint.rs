//! The keyed consumer fingerprint: lets the ledger recognise the same consumer again without ever
//! holding an SSN.

use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

use crate::error::Error;
use crate::request::report_request::ReportRequest;

/// The secret key consumer fingerprints are computed with (HMAC-SHA-256).
///
/// Every replica that shares a ledger must use the same key, or it will not recognise the others'
/// consumers. Keep it with your other secrets; whoever holds it and the ledger can test whether a
/// given SSN is in it. `Debug` never shows it.
///
/// ```
/// use innovis_client::ledger::FingerprintKey;
/// let key = FingerprintKey::new(b"32 random bytes from your secret store".to_vec())?;
/// assert!(!format!("{key:?}").contains("random"));
/// # Ok::<(), innovis_client::Error>(())
/// ```
#[derive(Clone)]
pub struct FingerprintKey(SecretSlice<u8>);

/// The fewest key bytes accepted: HMAC-SHA-256 wants a key as long as its output.
const MIN_KEY_BYTES: usize = 32;

impl FingerprintKey {
    /// A key from at least 32 secret bytes.
    pub fn new(bytes: Vec<u8>) -> Result<Self, Error> {
        if bytes.len() < MIN_KEY_BYTES {
            return Err(Error::validation(
                "fingerprint_key",
                format!("at least {MIN_KEY_BYTES} bytes required"),
            ));
        }
        Ok(FingerprintKey(SecretSlice::from(bytes)))
    }

    /// A random key for this process only: right for a ledger no other process shares (the
    /// in-memory default).
    pub(crate) fn random() -> Self {
        let mut rng = fastrand::Rng::new();
        FingerprintKey(SecretSlice::from(
            std::iter::repeat_with(|| rng.u8(..))
                .take(MIN_KEY_BYTES)
                .collect::<Vec<u8>>(),
        ))
    }

    /// One fingerprint per consumer of a report request, each with the `applicantId` it was sent
    /// under, in the request's order: every applicant is guarded on its own, since a joint request
    /// posts an inquiry on each consumer's file. Applicants without an SSN have none; an SSN given
    /// twice counts once.
    pub(crate) fn of_request(&self, request: &ReportRequest) -> Vec<(&'static str, String)> {
        let mut consumers: Vec<(&'static str, String)> = Vec::new();
        for (applicant_id, applicant) in request.numbered_applicants() {
            let Some(ssn) = applicant.ssn_digits() else {
                continue;
            };
            let fingerprint = self.digest(&["ssn:", ssn]);
            if !consumers.iter().any(|(_, known)| *known == fingerprint) {
                consumers.push((applicant_id, fingerprint));
            }
        }
        consumers
    }

    /// The fingerprint of the consumer the vendor calls `consumer_id` (SECONDUSE names no SSN).
    pub(crate) fn of_consumer_id(&self, consumer_id: &str) -> String {
        self.digest(&["consumer-id:", consumer_id])
    }

    /// An identifier of this key, never the key itself: the ledger records the first it sees and
    /// refuses clients with another, whose fingerprints would never match its entries.
    ///
    /// ```
    /// use innovis_client::ledger::FingerprintKey;
    /// let key = FingerprintKey::new(vec![7; 32])?;
    /// assert_eq!(key.id(), FingerprintKey::new(vec![7; 32])?.id());
    /// assert_ne!(key.id(), FingerprintKey::new(vec![8; 32])?.id());
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn id(&self) -> String {
        let mut id = self.digest(&["ledger-key-id"]);
        id.truncate(16);
        id
    }

    fn digest(&self, parts: &[&str]) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.expose_secret())
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        for part in parts {
            mac.update(part.as_bytes());
        }
        let tag = mac.finalize().into_bytes();
        tag.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FingerprintKey(<redacted>)")
    }
}
