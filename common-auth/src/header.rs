//! Building sensitive header values without panicking.

use http::HeaderValue;

/// `prefix` followed by `secret`, marked sensitive.
///
/// Bytes a header value cannot carry (control characters) are dropped instead of panicking: no
/// valid credential contains them, and the server will then reject the credential.
pub(crate) fn sensitive_header(prefix: &str, secret: &[u8]) -> HeaderValue {
    let mut bytes = Vec::with_capacity(prefix.len() + secret.len());
    bytes.extend_from_slice(prefix.as_bytes());
    bytes.extend(secret.iter().copied().filter(|&b| is_header_byte(b)));
    let mut value =
        HeaderValue::from_bytes(&bytes).unwrap_or_else(|_| HeaderValue::from_static(""));
    value.set_sensitive(true);
    value
}

/// The bytes `HeaderValue::from_bytes` accepts.
fn is_header_byte(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b != 0x7f)
}
