//! HMAC-SHA1 over raw callout bodies.

use std::fmt;
use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha1::{Digest, Sha1};

use super::{CalloutConfigError, refuse_weak};

/// Length of an HMAC-SHA1 tag in bytes.
pub(crate) const TAG_LEN: usize = 20;

/// A shared HMAC-SHA1 secret, keyed once: signing or verifying a body then starts from the
/// prepared state instead of hashing the key's two pads again (two of the seven SHA-1 blocks a
/// 224-byte callout costs).
///
/// The prepared state signs exactly like the secret, so it is treated like one: `Debug` redacts it
/// and it is zeroed when dropped (clones share one copy, zeroed when the last goes).
///
/// ```
/// use common_auth::{CalloutAuth, HmacSha1Key, SecretString};
///
/// let key = HmacSha1Key::new(&SecretString::from("s3cret-0123456789"))?;
/// assert_eq!(format!("{key:?}"), "HmacSha1Key([REDACTED])");
/// let auth = CalloutAuth::HmacSha1Signature {
///     header: http::HeaderName::from_static("x-signature"),
///     key,
/// };
/// assert!(HmacSha1Key::new(&SecretString::from("")).is_err());
/// # Ok::<(), common_auth::CalloutConfigError>(())
/// ```
#[derive(Clone)]
pub struct HmacSha1Key {
    // Shared: the state is a few hundred bytes, and every clone of a `CalloutAuth` would copy it.
    prepared: Arc<Hmac<Sha1>>,
}

impl HmacSha1Key {
    /// Keys HMAC-SHA1 with `secret`.
    ///
    /// # Errors
    /// [`CalloutConfigError::Empty`] when the secret is empty: anyone could sign with it;
    /// [`CalloutConfigError::TooShort`] when it is shorter than
    /// [`MIN_SECRET_LEN`](super::MIN_SECRET_LEN) bytes.
    pub fn new(secret: &SecretString) -> Result<Self, CalloutConfigError> {
        refuse_weak("HMAC-SHA1", "secret", secret.expose_secret())?;
        Ok(Self {
            prepared: Arc::new(keyed(secret.expose_secret().as_bytes())),
        })
    }

    /// The tag of `body`, as 40 lowercase hex characters.
    pub(crate) fn tag_hex(&self, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha1>::clone(&self.prepared);
        mac.update(body);
        to_hex(&mac.finalize().into_bytes())
    }

    /// Whether `tag` is the tag of `body` (constant-time comparison).
    pub(crate) fn verifies(&self, body: &[u8], tag: &[u8; TAG_LEN]) -> bool {
        let mut mac = Hmac::<Sha1>::clone(&self.prepared);
        mac.update(body);
        mac.verify_slice(tag).is_ok()
    }
}

impl fmt::Debug for HmacSha1Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HmacSha1Key([REDACTED])")
    }
}

/// A MAC keyed with `secret`, built without a fallible constructor.
///
/// HMAC (RFC 2104) zero-pads keys up to the 64-byte block and first hashes longer ones, so
/// doing that here gives the same MAC for every key length.
fn keyed(secret: &[u8]) -> Hmac<Sha1> {
    let mut block = [0u8; 64];
    if secret.len() > block.len() {
        let digest = Sha1::digest(secret);
        block[..digest.len()].copy_from_slice(&digest);
    } else {
        block[..secret.len()].copy_from_slice(secret);
    }
    let mac = <Hmac<Sha1> as KeyInit>::new(&block.into());
    block.fill(0);
    mac
}

/// HMAC-SHA1 of `body` keyed with `secret`, as 40 lowercase hex characters.
///
/// This is what a sender puts after `sha1=` in the signature header. An empty secret is allowed
/// here (it is a computation, not a scheme); [`HmacSha1Key`] refuses one.
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
    to_hex(&mac.finalize().into_bytes())
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

fn to_hex(tag: &[u8]) -> String {
    let mut hex = String::with_capacity(tag.len() * 2);
    for byte in tag {
        hex.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(HEX_DIGITS[usize::from(byte & 0x0f)]));
    }
    hex
}

/// Why a signature's hex part did not decode.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TagError {
    /// A character that is not a hex digit.
    NotHex,
    /// Hex digits, but not `2 * TAG_LEN` of them.
    WrongLength,
}

/// Each byte's value as a hex digit (either case), or `INVALID`: one table lookup per character
/// instead of a chain of range tests (this runs on every callout).
const INVALID: u8 = 0xff;
const NIBBLES: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut digit = 0;
    while digit < 10 {
        table[b'0' as usize + digit] = digit as u8;
        digit += 1;
    }
    let mut letter = 0;
    while letter < 6 {
        table[b'a' as usize + letter] = 10 + letter as u8;
        table[b'A' as usize + letter] = 10 + letter as u8;
        letter += 1;
    }
    table
};

/// Decodes exactly `2 * TAG_LEN` hex digits (either case) into a tag, without allocating. A
/// character that is not a hex digit is reported before a wrong length.
pub(crate) fn decode_tag(hex: &[u8]) -> Result<[u8; TAG_LEN], TagError> {
    // Folding every nibble into one mask checks the whole input without a branch per character.
    let mut invalid = 0u8;
    let mut tag = [0u8; TAG_LEN];
    if hex.len() == TAG_LEN * 2 {
        for (byte, pair) in tag.iter_mut().zip(hex.chunks_exact(2)) {
            let high = NIBBLES[usize::from(pair[0])];
            let low = NIBBLES[usize::from(pair[1])];
            invalid |= high | low;
            *byte = (high << 4) | (low & 0x0f);
        }
        return if invalid & 0xf0 == 0 {
            Ok(tag)
        } else {
            Err(TagError::NotHex)
        };
    }
    for &character in hex {
        invalid |= NIBBLES[usize::from(character)];
    }
    if invalid & 0xf0 == 0 {
        Err(TagError::WrongLength)
    } else {
        Err(TagError::NotHex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_either_case_and_tells_bad_digits_from_a_wrong_length() {
        let lower = "0123456789abcdef0123456789abcdef01234567";
        let tag = decode_tag(lower.as_bytes()).expect("valid");
        assert_eq!(tag[..3], [0x01, 0x23, 0x45]);
        assert_eq!(decode_tag(lower.to_uppercase().as_bytes()), Ok(tag));
        assert_eq!(decode_tag(b"abcd"), Err(TagError::WrongLength));
        assert_eq!(decode_tag(b""), Err(TagError::WrongLength));
        assert_eq!(decode_tag(b"zz"), Err(TagError::NotHex));
        let mut bad = lower.as_bytes().to_vec();
        for position in [0, 1, 39] {
            for character in [b'g', b'G', b' ', b'/', b':', b'@', b'`', 0xff] {
                let saved = bad[position];
                bad[position] = character;
                assert_eq!(
                    decode_tag(&bad),
                    Err(TagError::NotHex),
                    "{character} at {position}"
                );
                bad[position] = saved;
            }
        }
    }

    #[test]
    fn the_prepared_key_signs_like_the_secret() {
        for secret in ["sixteen-byte-key", &"long".repeat(40)] {
            let key = HmacSha1Key::new(&SecretString::from(secret)).expect("non-empty");
            for body in [&b""[..], b"{}", &[7u8; 300]] {
                let hex = hmac_sha1_hex(secret.as_bytes(), body);
                assert_eq!(key.tag_hex(body), hex);
                let tag = decode_tag(hex.as_bytes()).expect("hex");
                assert!(key.verifies(body, &tag));
                let mut wrong = tag;
                wrong[19] ^= 1;
                assert!(!key.verifies(body, &wrong));
            }
        }
    }

    #[test]
    fn the_prepared_key_is_zeroed_when_dropped_and_keeps_callout_auth_small() {
        assert!(std::mem::size_of::<crate::CalloutAuth>() <= 64);
        // A keyed `Hmac<Sha1>` is two SHA-1 states (the key's inner and outer pads); with `sha1`'s
        // `zeroize` feature each is zeroed when dropped. This stops compiling if the feature goes.
        fn zeroed_on_drop<T: hmac::digest::zeroize::ZeroizeOnDrop>() {}
        zeroed_on_drop::<sha1::block_api::Sha1Core>();
    }
}
