//! Property tests: arbitrary requests never panic the verifier and are never accepted;
//! signed requests always are.

use common_auth::{CalloutAuth, SecretString};
use http::{HeaderMap, HeaderName, HeaderValue, Uri};
use proptest::prelude::*;

use crate::support::every_callout_scheme;

fn schemes() -> Vec<CalloutAuth> {
    vec![
        CalloutAuth::basic("housecanary", SecretString::from("pa55word-0123456789"))
            .expect("non-empty callout credentials"),
        CalloutAuth::header_token(
            HeaderName::from_static("x-callout-token"),
            SecretString::from("t0ken-0123456789-value-123"),
        )
        .expect("non-empty callout credentials"),
        CalloutAuth::query_token("token", SecretString::from("t0ken-0123456789-value-123"))
            .expect("non-empty callout credentials"),
        CalloutAuth::hmac_sha1(
            HeaderName::from_static("x-signature"),
            SecretString::from("shared-s3cret-0123456789"),
        )
        .expect("non-empty callout credentials"),
    ]
}

/// Header names the schemes look at, plus a few they do not.
fn header_name() -> impl Strategy<Value = HeaderName> {
    prop_oneof![
        Just(HeaderName::from_static("authorization")),
        Just(HeaderName::from_static("x-callout-token")),
        Just(HeaderName::from_static("x-signature")),
        Just(HeaderName::from_static("token")),
        "[a-z][a-z0-9-]{0,20}".prop_map(|name| HeaderName::from_bytes(name.as_bytes()).unwrap()),
    ]
}

/// Any bytes a header value may hold, often with a prefix a scheme expects.
fn header_value() -> impl Strategy<Value = HeaderValue> {
    let prefix = prop_oneof![
        Just(""),
        Just("Basic "),
        Just("basic "),
        Just("sha1="),
        Just("SHA1="),
    ];
    let rest = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..80),
        "[0-9a-fA-F]{0,44}".prop_map(String::into_bytes),
        "[A-Za-z0-9+/=:]{0,60}".prop_map(String::into_bytes),
    ];
    (prefix, rest).prop_filter_map("not a header value", |(prefix, rest)| {
        let mut bytes = prefix.as_bytes().to_vec();
        bytes.extend(rest);
        HeaderValue::from_bytes(&bytes).ok()
    })
}

fn headers() -> impl Strategy<Value = HeaderMap> {
    proptest::collection::vec((header_name(), header_value()), 0..6)
        .prop_map(|pairs| pairs.into_iter().collect())
}

fn uri() -> impl Strategy<Value = Uri> {
    let query = prop_oneof![
        Just(String::new()),
        "[ -~]{0,60}".prop_map(|q| format!("?{q}")),
        "[a-z%0-9A-F+&=]{0,60}".prop_map(|q| format!("?token={q}")),
    ];
    ("/[a-z/]{0,20}", query).prop_filter_map("not a URI", |(path, query)| {
        format!("{path}{query}").parse::<Uri>().ok()
    })
}

proptest! {
    #[test]
    fn arbitrary_requests_never_panic_and_are_never_accepted(
        uri in uri(),
        headers in headers(),
        body in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        for auth in schemes() {
            prop_assert!(auth.verify(&uri, &headers, &body).is_err(), "{auth:?} accepted {uri} {headers:?}");
        }
    }

    #[test]
    fn signed_requests_verify_and_any_body_change_is_caught(
        body in proptest::collection::vec(any::<u8>(), 0..512),
        flip in any::<prop::sample::Index>(),
        secret in "[ -~]{16,80}",
    ) {
        let hook = Uri::from_static("https://partner.example/callouts?order=1");
        let auths = every_callout_scheme("user", &secret);
        for auth in &auths {
            let signed = auth.sign(&hook, &body).unwrap();
            prop_assert_eq!(auth.verify(&signed.uri, &signed.headers, &body), Ok(()));
        }
        if !body.is_empty() {
            let mut tampered = body.clone();
            tampered[flip.index(body.len())] ^= 0x01;
            let hmac = &auths[3];
            let signed = hmac.sign(&hook, &body).unwrap();
            prop_assert!(hmac.verify(&signed.uri, &signed.headers, &tampered).is_err());
        }
    }
}
