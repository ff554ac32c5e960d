//! Reading the `exp` claim of a JWT access token (decoded, NOT verified).
//!
//! Only used to learn a token's lifetime when the issuer sent no `expires_in`; the token's
//! authenticity is the resource server's business.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The `exp` claim (seconds since the Unix epoch) of a compact JWS, if it has one.
///
/// Returns `None` for anything that is not `header.payload.signature` with a base64url JSON
/// payload holding a numeric `exp`.
pub(crate) fn expiry_unix_seconds(token: &str) -> Option<u64> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    // Some issuers pad anyway; base64url per RFC 7515 has none.
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.get("exp")?;
    if let Some(seconds) = exp.as_u64() {
        return Some(seconds);
    }
    // Fractional NumericDate is allowed by RFC 7519; truncate toward the past.
    exp.as_f64()
        .filter(|s| s.is_finite() && *s >= 0.0 && *s < u64::MAX as f64)
        .map(|s| s as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!(
            "eyJhbGciOiJSUzI1NiJ9.{}.c2ln",
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn reads_integer_and_fractional_exp() {
        assert_eq!(
            expiry_unix_seconds(&jwt(r#"{"exp":1700000000}"#)),
            Some(1_700_000_000)
        );
        assert_eq!(
            expiry_unix_seconds(&jwt(r#"{"exp":1700000000.9}"#)),
            Some(1_700_000_000)
        );
    }

    #[test]
    fn rejects_what_is_not_a_jwt_with_exp() {
        assert_eq!(expiry_unix_seconds("opaque-token"), None);
        assert_eq!(expiry_unix_seconds(&jwt(r#"{"aud":"x"}"#)), None);
        assert_eq!(expiry_unix_seconds(&jwt(r#"{"exp":"soon"}"#)), None);
        assert_eq!(expiry_unix_seconds(&jwt(r#"{"exp":-5}"#)), None);
        assert_eq!(expiry_unix_seconds("a.!!!.c"), None);
        assert_eq!(
            expiry_unix_seconds(&format!("{}.d", jwt(r#"{"exp":1}"#))),
            None
        );
    }
}
