//! RFC 2202 §3 test cases for HMAC-SHA1, through `hmac_sha1_hex` and through the verifier.

use common_auth::{CalloutAuth, CalloutAuthError, SecretString, hmac_sha1_hex};
use http::{HeaderName, Uri};

use crate::support::headers;

/// (key, data, digest) for test cases 1–7.
fn cases() -> Vec<(Vec<u8>, Vec<u8>, &'static str)> {
    vec![
        (
            vec![0x0b; 20],
            b"Hi There".to_vec(),
            "b617318655057264e28bc0b6fb378c8ef146be00",
        ),
        (
            b"Jefe".to_vec(),
            b"what do ya want for nothing?".to_vec(),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
        ),
        (
            vec![0xaa; 20],
            vec![0xdd; 50],
            "125d7342b9ac11cd91a39af48aa17b4f63f175d3",
        ),
        (
            (0x01..=0x19).collect(),
            vec![0xcd; 50],
            "4c9007f4026250c6bc8414f9bf50c86c2d7235da",
        ),
        (
            vec![0x0c; 20],
            b"Test With Truncation".to_vec(),
            "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04",
        ),
        (
            vec![0xaa; 80],
            b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112",
        ),
        (
            vec![0xaa; 80],
            b"Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data".to_vec(),
            "e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
        ),
    ]
}

#[test]
fn hmac_sha1_hex_matches_every_rfc2202_case() {
    for (number, (key, data, digest)) in cases().into_iter().enumerate() {
        assert_eq!(
            hmac_sha1_hex(&key, &data),
            digest,
            "RFC 2202 case {}",
            number + 1
        );
    }
}

#[test]
fn the_verifier_accepts_rfc2202_signatures_and_rejects_a_flipped_bit() {
    let header = HeaderName::from_static("x-signature");
    let uri = Uri::from_static("/callouts");
    for (number, (key, data, digest)) in cases().into_iter().enumerate() {
        // SecretString holds UTF-8 only, so use the cases whose keys are valid UTF-8; a callout
        // secret has at least 16 bytes ("Jefe" is refused).
        let Ok(key) = String::from_utf8(key) else {
            continue;
        };
        if key.len() < common_auth::MIN_SECRET_LEN {
            continue;
        }
        let auth = CalloutAuth::hmac_sha1(header.clone(), SecretString::from(key))
            .expect("non-empty callout credentials");
        let signed = headers(&[(header.as_str(), &format!("sha1={digest}"))]);
        assert_eq!(
            auth.verify(&uri, &signed, &data),
            Ok(()),
            "case {}",
            number + 1
        );

        let mut tampered = data.clone();
        tampered[0] ^= 1;
        assert_eq!(
            auth.verify(&uri, &signed, &tampered),
            Err(CalloutAuthError::Mismatch),
            "case {}",
            number + 1
        );
    }
}
