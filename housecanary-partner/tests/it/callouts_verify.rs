//! Every callout authentication scheme, accepted and rejected, through `CalloutVerifier`.

use std::sync::Arc;

use common_auth::hmac_sha1_hex;
use housecanary_partner::callouts::{
    CalloutError, CalloutOutcome, CalloutReceiver, CalloutVerifier, InMemoryMessageLog,
};
use housecanary_partner::{CalloutAuth, CalloutAuthError, SecretString};
use http::{HeaderMap, HeaderName, HeaderValue, Uri};

const BODY: &[u8] = br#"{"message_type":"order_status_change","message_id":"m-1","order_id":"o-1","customer_order_id":null,"new_status":"complete","external_integration_ids":[]}"#;

fn uri(text: &str) -> Uri {
    text.parse().expect("test URI")
}

fn secret(text: &str) -> SecretString {
    SecretString::from(text)
}

fn header(name: &'static str) -> HeaderName {
    HeaderName::from_static(name)
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(value).expect("test header value"),
        );
    }
    map
}

/// Signs with `sender` and verifies with `receiver`.
fn roundtrip(
    sender: &CalloutAuth,
    receiver: &CalloutVerifier,
    body: &[u8],
) -> Result<(), CalloutAuthError> {
    let signed = sender.sign(&uri("/callouts"), body).expect("signing");
    receiver.verify(&signed.uri, &signed.headers, body)
}

// ---------- Basic ----------

fn basic(password: &str) -> CalloutAuth {
    CalloutAuth::basic("housecanary", secret(password)).expect("non-empty callout credentials")
}

#[test]
fn basic_accepts_the_right_credentials() {
    let verifier = CalloutVerifier::new(basic("open sesame-0123456789"));
    assert_eq!(
        roundtrip(&basic("open sesame-0123456789"), &verifier, BODY),
        Ok(())
    );
}

#[test]
fn basic_rejects_a_wrong_password_or_username() {
    let verifier = CalloutVerifier::new(basic("open sesame-0123456789"));
    assert_eq!(
        roundtrip(&basic("wrong-0123456789"), &verifier, BODY),
        Err(CalloutAuthError::Mismatch)
    );
    let other_user = CalloutAuth::basic("someone-else", secret("open sesame-0123456789"))
        .expect("non-empty callout credentials");
    assert_eq!(
        roundtrip(&other_user, &verifier, BODY),
        Err(CalloutAuthError::Mismatch)
    );
}

#[test]
fn basic_rejects_a_missing_header_a_wrong_prefix_and_garbage() {
    let verifier = CalloutVerifier::new(basic("open sesame-0123456789"));
    let err = verifier
        .verify(&uri("/callouts"), &HeaderMap::new(), BODY)
        .unwrap_err();
    assert!(
        matches!(err, CalloutAuthError::MissingHeader { .. }),
        "{err:?}"
    );

    // The right credentials under the wrong scheme word.
    let bearer = headers(&[("authorization", "Bearer aG91c2VjYW5hcnk6b3BlbiBzZXNhbWU=")]);
    let err = verifier
        .verify(&uri("/callouts"), &bearer, BODY)
        .unwrap_err();
    assert!(
        matches!(err, CalloutAuthError::WrongPrefix { .. }),
        "{err:?}"
    );

    let garbage = headers(&[("authorization", "Basic !!!not-base64!!!")]);
    let err = verifier
        .verify(&uri("/callouts"), &garbage, BODY)
        .unwrap_err();
    assert_eq!(err, CalloutAuthError::MalformedBasic);
}

// ---------- token in a header ----------

fn header_token(token: &str) -> CalloutAuth {
    CalloutAuth::header_token(header("x-callout-token"), secret(token))
        .expect("non-empty callout credentials")
}

#[test]
fn header_token_accepts_the_right_token() {
    let verifier = CalloutVerifier::new(header_token("t0k3n-0123456789"));
    assert_eq!(
        roundtrip(&header_token("t0k3n-0123456789"), &verifier, BODY),
        Ok(())
    );
}

#[test]
fn header_token_rejects_a_wrong_or_missing_token() {
    let verifier = CalloutVerifier::new(header_token("t0k3n-0123456789"));
    assert_eq!(
        roundtrip(&header_token("t0k3m-0123456789"), &verifier, BODY),
        Err(CalloutAuthError::Mismatch)
    );
    let wrong_header = CalloutAuth::header_token(header("x-other"), secret("t0k3n-0123456789"))
        .expect("non-empty callout credentials");
    let err = roundtrip(&wrong_header, &verifier, BODY).unwrap_err();
    assert!(
        matches!(err, CalloutAuthError::MissingHeader { .. }),
        "{err:?}"
    );
}

#[test]
fn header_token_sent_as_a_query_parameter_is_rejected() {
    let verifier = CalloutVerifier::new(header_token("t0k3n-0123456789"));
    let err = verifier
        .verify(
            &uri("/callouts?x-callout-token=t0k3n"),
            &HeaderMap::new(),
            BODY,
        )
        .unwrap_err();
    assert!(
        matches!(err, CalloutAuthError::MissingHeader { .. }),
        "{err:?}"
    );
}

// ---------- token in the query string ----------

fn query_token(token: &str) -> CalloutAuth {
    CalloutAuth::query_token("hc_token", secret(token)).expect("non-empty callout credentials")
}

#[test]
fn query_token_accepts_the_right_token_among_other_parameters() {
    let verifier = CalloutVerifier::new(query_token("q/t+k=n-0123456789"));
    assert_eq!(
        roundtrip(&query_token("q/t+k=n-0123456789"), &verifier, BODY),
        Ok(())
    );
    let signed = query_token("q/t+k=n-0123456789")
        .sign(&uri("/callouts?tenant=7"), BODY)
        .unwrap();
    assert_eq!(verifier.verify(&signed.uri, &signed.headers, BODY), Ok(()));
}

#[test]
fn query_token_rejects_a_wrong_or_missing_token() {
    let verifier = CalloutVerifier::new(query_token("qtoken-0123456789"));
    assert_eq!(
        roundtrip(&query_token("qtokem-0123456789"), &verifier, BODY),
        Err(CalloutAuthError::Mismatch)
    );
    let err = verifier
        .verify(&uri("/callouts"), &HeaderMap::new(), BODY)
        .unwrap_err();
    assert!(
        matches!(err, CalloutAuthError::MissingQueryParameter { .. }),
        "{err:?}"
    );
    let err = verifier
        .verify(&uri("/callouts?other=qtoken"), &HeaderMap::new(), BODY)
        .unwrap_err();
    assert!(
        matches!(err, CalloutAuthError::MissingQueryParameter { .. }),
        "{err:?}"
    );
}

#[test]
fn query_token_sent_as_a_header_is_rejected() {
    let verifier = CalloutVerifier::new(query_token("qtoken-0123456789"));
    let err = verifier
        .verify(
            &uri("/callouts"),
            &headers(&[("hc_token", "qtoken-0123456789")]),
            BODY,
        )
        .unwrap_err();
    assert!(
        matches!(err, CalloutAuthError::MissingQueryParameter { .. }),
        "{err:?}"
    );
}

// ---------- HMAC-SHA1 signature ----------

fn hmac(secret_text: &str) -> CalloutAuth {
    CalloutAuth::hmac_sha1(header("x-hc-signature"), secret(secret_text))
        .expect("non-empty callout credentials")
}

#[test]
fn signature_accepts_the_vendor_format() {
    let verifier = CalloutVerifier::new(hmac("shared secret-0123456789"));
    assert_eq!(
        roundtrip(&hmac("shared secret-0123456789"), &verifier, BODY),
        Ok(())
    );
    // Built by hand, as the vendor documents it: `sha1=<hex of HMAC-SHA1(body)>`.
    let value = format!("sha1={}", hmac_sha1_hex(b"shared secret-0123456789", BODY));
    let by_hand = headers(&[("x-hc-signature", &value)]);
    assert_eq!(verifier.verify(&uri("/callouts"), &by_hand, BODY), Ok(()));
}

#[test]
fn signature_rejects_a_wrong_secret_and_a_tampered_body() {
    let verifier = CalloutVerifier::new(hmac("shared secret-0123456789"));
    assert_eq!(
        roundtrip(&hmac("other secret-0123456789"), &verifier, BODY),
        Err(CalloutAuthError::Mismatch)
    );

    let signed = hmac("shared secret-0123456789")
        .sign(&uri("/callouts"), BODY)
        .unwrap();
    let mut tampered = BODY.to_vec();
    if let Some(byte) = tampered.iter_mut().find(|b| **b == b'1') {
        *byte = b'2';
    }
    assert_ne!(tampered, BODY);
    assert_eq!(
        verifier.verify(&signed.uri, &signed.headers, &tampered),
        Err(CalloutAuthError::Mismatch)
    );
}

#[test]
fn signature_rejects_missing_header_wrong_prefix_bad_hex_and_wrong_length() {
    let verifier = CalloutVerifier::new(hmac("shared secret-0123456789"));
    let digest = hmac_sha1_hex(b"shared secret-0123456789", BODY);
    let at = uri("/callouts");

    let err = verifier.verify(&at, &HeaderMap::new(), BODY).unwrap_err();
    assert!(
        matches!(err, CalloutAuthError::MissingHeader { .. }),
        "{err:?}"
    );

    for prefix in ["", "sha256=", "md5=", "sha1:"] {
        let value = format!("{prefix}{digest}");
        let err = verifier
            .verify(&at, &headers(&[("x-hc-signature", &value)]), BODY)
            .unwrap_err();
        assert!(
            matches!(err, CalloutAuthError::WrongPrefix { .. }),
            "{prefix:?}: {err:?}"
        );
    }

    let bad_hex = format!("sha1={}zz", &digest[..38]);
    let err = verifier
        .verify(&at, &headers(&[("x-hc-signature", &bad_hex)]), BODY)
        .unwrap_err();
    assert!(matches!(err, CalloutAuthError::BadHex { .. }), "{err:?}");

    let short = format!("sha1={}", &digest[..38]);
    let err = verifier
        .verify(&at, &headers(&[("x-hc-signature", &short)]), BODY)
        .unwrap_err();
    assert!(
        matches!(
            err,
            CalloutAuthError::WrongLength {
                expected: 40,
                actual: 38,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn signature_sent_as_a_query_parameter_is_rejected() {
    let verifier = CalloutVerifier::new(hmac("shared secret-0123456789"));
    let digest = hmac_sha1_hex(b"shared secret-0123456789", BODY);
    let at = uri(&format!("/callouts?x-hc-signature=sha1%3D{digest}"));
    let err = verifier.verify(&at, &HeaderMap::new(), BODY).unwrap_err();
    assert!(
        matches!(err, CalloutAuthError::MissingHeader { .. }),
        "{err:?}"
    );
}

// ---------- rotation, ordering, redaction ----------

#[test]
fn during_a_rotation_both_secrets_pass_and_others_fail_with_the_primary_error() {
    let verifier =
        CalloutVerifier::new(hmac("new-0123456789ab")).with_additional(hmac("old-0123456789ab"));
    assert_eq!(
        roundtrip(&hmac("new-0123456789ab"), &verifier, BODY),
        Ok(())
    );
    assert_eq!(
        roundtrip(&hmac("old-0123456789ab"), &verifier, BODY),
        Ok(())
    );
    assert_eq!(
        roundtrip(&hmac("older-0123456789"), &verifier, BODY),
        Err(CalloutAuthError::Mismatch)
    );

    // Rotating to another scheme altogether works the same way.
    let switching = CalloutVerifier::new(header_token("tok-0123456789ab"))
        .with_additional(hmac("old-0123456789ab"));
    assert_eq!(
        roundtrip(&hmac("old-0123456789ab"), &switching, BODY),
        Ok(())
    );
    let err = roundtrip(&hmac("older-0123456789"), &switching, BODY).unwrap_err();
    assert!(
        matches!(err, CalloutAuthError::MissingHeader { .. }),
        "primary's error: {err:?}"
    );
}

#[test]
fn an_unauthenticated_body_is_never_parsed() {
    let verifier = CalloutVerifier::new(hmac("shared secret-0123456789"));
    let signed = hmac("wrong-0123456789")
        .sign(&uri("/callouts"), b"not json")
        .unwrap();
    let err = verifier
        .verify_and_parse(&signed.uri, &signed.headers, b"not json")
        .unwrap_err();
    assert!(
        matches!(err, CalloutError::Unauthorized(CalloutAuthError::Mismatch)),
        "{err:?}"
    );

    let signed = hmac("shared secret-0123456789")
        .sign(&uri("/callouts"), b"not json")
        .unwrap();
    let err = verifier
        .verify_and_parse(&signed.uri, &signed.headers, b"not json")
        .unwrap_err();
    assert!(matches!(err, CalloutError::NotJson { .. }), "{err:?}");
}

#[tokio::test]
async fn no_secret_appears_in_debug_errors_or_outcomes() {
    let secrets = [
        "basic-pw-1234567890",
        "header-tok-4567890123",
        "query-tok-7890123456",
        "hmac-key-0001234567",
    ];
    let schemes = [
        basic(secrets[0]),
        header_token(secrets[1]),
        query_token(secrets[2]),
        hmac(secrets[3]),
    ];
    let verifier = CalloutVerifier::new(schemes[0].clone())
        .with_additional(schemes[1].clone())
        .with_additional(schemes[2].clone())
        .with_additional(schemes[3].clone());
    let receiver = CalloutReceiver::new(
        verifier.clone(),
        Arc::new(InMemoryMessageLog::default()),
        |_| async { Ok::<(), String>(()) },
    )
    .unwrap();
    let mut texts = vec![format!("{verifier:?}"), format!("{receiver:?}")];
    for scheme in &schemes {
        // A request carrying a near miss of each secret: the errors and outcomes must not echo
        // either the configured secret or what was received.
        let single = CalloutVerifier::new(scheme.clone());
        let near_miss = match scheme {
            CalloutAuth::Basic(_) => basic("basic-pw-124-0123456789"),
            CalloutAuth::HeaderToken { .. } => header_token("header-tok-457-0123456789"),
            CalloutAuth::QueryToken { .. } => query_token("query-tok-780-0123456789"),
            _ => hmac("hmac-key-001-0123456789"),
        };
        let signed = near_miss.sign(&uri("/callouts"), BODY).unwrap();
        let err = single
            .verify(&signed.uri, &signed.headers, BODY)
            .unwrap_err();
        texts.push(format!("{err:?} {err}"));
        let err = single
            .verify_and_parse(&signed.uri, &signed.headers, BODY)
            .unwrap_err();
        texts.push(format!("{err:?} {err}"));
        let receiver =
            CalloutReceiver::new(single, Arc::new(InMemoryMessageLog::default()), |_| async {
                Ok::<(), String>(())
            })
            .unwrap();
        let outcome = receiver
            .handle(
                &crate::support::request_parts(&signed.uri, &signed.headers),
                bytes::Bytes::copy_from_slice(BODY),
            )
            .await;
        assert!(
            matches!(outcome, CalloutOutcome::Unauthorized),
            "{outcome:?}"
        );
        texts.push(format!("{outcome:?} {}", outcome.body()));
    }
    for text in &texts {
        for secret in secrets {
            let stem = &secret[..secret.len() - 1];
            assert!(!text.contains(stem), "{stem} leaked in {text}");
        }
    }
}

#[tokio::test]
async fn the_receiver_answers_401_without_detail() {
    let receiver = CalloutReceiver::new(
        CalloutVerifier::new(hmac("shared secret-0123456789")),
        Arc::new(InMemoryMessageLog::default()),
        |_| async { Ok::<(), String>(()) },
    )
    .unwrap();
    let signed = hmac("wrong-0123456789")
        .sign(&uri("/callouts"), BODY)
        .unwrap();
    let outcome = receiver
        .handle(
            &crate::support::request_parts(&signed.uri, &signed.headers),
            bytes::Bytes::copy_from_slice(BODY),
        )
        .await;
    assert!(matches!(outcome, CalloutOutcome::Unauthorized));
    assert_eq!(outcome.status(), http::StatusCode::UNAUTHORIZED);
    assert_eq!(outcome.body(), "unauthorized");
}
