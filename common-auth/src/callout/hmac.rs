//! HMAC-SHA1 over raw callout bodies.

use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest, Sha1};

/// Length of an HMAC-SHA1 tag in bytes.
pub(crate) const TAG_LEN: usize = 20;

/// A MAC keyed with `secret`, built without a fallible constructor.
///
/// HMAC (RFC 2104) zero-pads keys up to the 64-byte block and first hashes longer ones, so
/// doing that here gives the same MAC for every key length.
pub(crate) fn keyed(secret: &[u8]) -> Hmac<Sha1> {
    let mut block = [0u8; 64];
    if secret.len() > block.len() {
        let digest = Sha1::digest(secret);
        block[..digest.len()].copy_from_slice(&digest);
    } else {
        block[..secret.len()].copy_from_slice(secret);
    }
    <Hmac<Sha1> as KeyInit>::new(&block.into())
}

/// HMAC-SHA1 of `body` keyed with `secret`, as 40 lowercase hex characters.
///
/// This is what a sender puts after `sha1=` in the signature header.
///
/// ```
/// use common_auth::hmac_sha1_hex;
///
/// // RFC 2202, test case 2.
/// assert_eq!(
///     hmac_sha1_hex(b"Jefe", b"what do ya want for nothing?"),
///     "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
/// );
/// ```
pub fn hmac_sha1_hex(secret: &[u8], body: &[u8]) -> String {
    let mut mac = keyed(secret);
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    let mut hex = String::with_capacity(tag.len() * 2);
    for byte in tag.iter() {
        hex.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(HEX_DIGITS[usize::from(byte & 0x0f)]));
    }
    hex
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Decode exactly `2 * TAG_LEN` hex digits (either case) into a tag, without allocating; `None` if
/// the length is wrong or any character is not a hex digit.
pub(crate) fn decode_tag(hex: &[u8]) -> Option<[u8; TAG_LEN]> {
    if hex.len() != TAG_LEN * 2 {
        return None;
    }
    let mut tag = [0u8; TAG_LEN];
    for (byte, pair) in tag.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(tag)
}

fn nibble(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Whether `tag` is the HMAC-SHA1 of `body` under `secret` (constant-time comparison).
pub(crate) fn verify_tag(secret: &[u8], body: &[u8], tag: &[u8]) -> bool {
    let mut mac = keyed(secret);
    mac.update(body);
    mac.verify_slice(tag).is_ok()
}
