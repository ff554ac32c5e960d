//! Signed, expiring download URLs: an HMAC of path and expiry with the sandbox's key, in the query.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use url::Url;

use crate::state::AppState;

const EXPIRES: &str = "expires";
const SIGNATURE: &str = "signature";

/// Why a signed URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureProblem {
    Missing,
    Invalid,
    Expired,
}

impl SignatureProblem {
    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::Missing => "This download link is not signed.",
            Self::Invalid => "This download link's signature is invalid.",
            Self::Expired => "This download link has expired.",
        }
    }
}

/// `{base}{path}?expires=<unix seconds>&signature=<hex>`, valid for the configured TTL.
pub(crate) fn signed_url(state: &AppState, path: &str) -> Url {
    let expires = unix_now().saturating_add(state.config.download_url_ttl.as_secs());
    let signature = sign(state, path, expires);
    let mut url = state.url(path);
    url.query_pairs_mut()
        .append_pair(EXPIRES, &expires.to_string())
        .append_pair(SIGNATURE, &signature);
    url
}

/// Whether `query` carries any signature parameter at all.
pub(crate) fn is_signed(query: Option<&str>) -> bool {
    query_value(query, SIGNATURE).is_some()
}

/// Checks the signature and expiry in `query` for `path`.
pub(crate) fn verify(
    state: &AppState,
    path: &str,
    query: Option<&str>,
) -> Result<(), SignatureProblem> {
    let (Some(expires), Some(signature)) =
        (query_value(query, EXPIRES), query_value(query, SIGNATURE))
    else {
        return Err(SignatureProblem::Missing);
    };
    let expires: u64 = expires.parse().map_err(|_| SignatureProblem::Invalid)?;
    let expected = sign(state, path, expires);
    if !constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
        return Err(SignatureProblem::Invalid);
    }
    if unix_now() >= expires {
        return Err(SignatureProblem::Expired);
    }
    Ok(())
}

fn sign(state: &AppState, path: &str, expires: u64) -> String {
    common_auth::hmac_sha1_hex(&state.signing_key, format!("{path}\n{expires}").as_bytes())
}

fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}
