//! Property tests: arbitrary requests never panic the receiver and never reach the handler unverified.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use housecanary_partner::callouts::{
    CalloutMessage, CalloutOutcome, CalloutReceiver, CalloutVerifier, InMemoryMessageLog,
};
use housecanary_partner::{CalloutAuth, SecretString};
use http::{HeaderMap, HeaderName, HeaderValue, Uri};
use proptest::prelude::*;

const SECRET: &str = "prop-secret-0123456789";

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("test runtime")
    })
}

/// The four schemes, all with the same secret, so a generated request can aim at any of them.
fn scheme(index: usize) -> CalloutAuth {
    let secret = SecretString::from(SECRET);
    match index % 4 {
        0 => CalloutAuth::basic("hc", secret).expect("non-empty callout credentials"),
        1 => CalloutAuth::header_token(HeaderName::from_static("x-token"), secret)
            .expect("non-empty callout credentials"),
        2 => CalloutAuth::query_token("token", secret).expect("non-empty callout credentials"),
        _ => CalloutAuth::hmac_sha1(HeaderName::from_static("x-hc-signature"), secret)
            .expect("non-empty callout credentials"),
    }
}

fn counting_receiver(index: usize, calls: &Arc<AtomicUsize>) -> CalloutReceiver {
    let calls = Arc::clone(calls);
    CalloutReceiver::new(
        CalloutVerifier::new(scheme(index)),
        Arc::new(InMemoryMessageLog::new(64)),
        move |_message: CalloutMessage| {
            let calls = Arc::clone(&calls);
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok::<(), String>(())
            }
        },
    )
    .unwrap()
}

/// Header names the schemes look at, plus noise.
fn header_name() -> impl Strategy<Value = HeaderName> {
    prop_oneof![
        Just(http::header::AUTHORIZATION),
        Just(HeaderName::from_static("x-token")),
        Just(HeaderName::from_static("x-hc-signature")),
        Just(HeaderName::from_static("token")),
        "[a-z][a-z0-9-]{0,12}".prop_map(|name| HeaderName::try_from(name).expect("valid name")),
    ]
}

/// Header values that look like credentials or signatures, and arbitrary visible bytes.
fn header_value() -> impl Strategy<Value = HeaderValue> {
    prop_oneof![
        "Basic [A-Za-z0-9+/=]{0,40}",
        "sha1=[0-9a-fA-Fxz]{0,44}",
        "prop-secre[a-z]",
        "[ -~]{0,60}",
    ]
    .prop_map(|text| HeaderValue::from_str(&text).expect("visible ASCII"))
}

fn headers() -> impl Strategy<Value = HeaderMap> {
    proptest::collection::vec((header_name(), header_value()), 0..5).prop_map(|pairs| {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name, value);
        }
        map
    })
}

fn uri() -> impl Strategy<Value = Uri> {
    "(token=[a-z%0-9-]{0,16}&?){0,3}".prop_map(|query| {
        format!("/callouts?{query}")
            .parse::<Uri>()
            .expect("valid URI")
    })
}

/// Bodies: arbitrary bytes, and JSON shaped like callouts.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256),
        (
            prop_oneof![
                Just("order_status_change"),
                Just("order_item_status_change"),
                Just("order_complete"),
                Just("something_new"),
            ],
            "[a-z0-9]{0,8}",
            any::<i64>(),
            "[A-Za-z0-9+/=\\n]{0,24}",
        )
            .prop_map(|(kind, id, order, report)| {
                serde_json::to_vec(&serde_json::json!({
                    "message_type": kind, "message_id": id, "order_id": order,
                    "order_item_id": order, "new_status": id, "report": report,
                }))
                .expect("JSON")
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever arrives without the secret is refused and the handler never runs.
    #[test]
    fn unverified_requests_never_reach_the_handler(
        index in 0usize..4,
        uri in uri(),
        headers in headers(),
        body in body(),
    ) {
        let calls = Arc::new(AtomicUsize::new(0));
        let receiver = counting_receiver(index, &calls);
        let verified = receiver.verifier().verify(&uri, &headers, &body).is_ok();
        let outcome = runtime().block_on(receiver.handle(&crate::support::request_parts(&uri, &headers), bytes::Bytes::copy_from_slice(&body)));
        if !verified {
            prop_assert!(matches!(outcome, CalloutOutcome::Unauthorized), "{:?}", outcome);
        }
        prop_assert!(calls.load(Ordering::SeqCst) <= usize::from(verified));
    }

    /// A signed request whose body was changed afterwards is refused (signature scheme).
    #[test]
    fn a_tampered_signed_body_never_reaches_the_handler(
        body in body(),
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        prop_assume!(!body.is_empty());
        let calls = Arc::new(AtomicUsize::new(0));
        let receiver = counting_receiver(3, &calls);
        let signed = scheme(3).sign(&"/callouts".parse().expect("URI"), &body).expect("sign");
        let mut tampered = body.clone();
        let at = flip.index(tampered.len());
        if let Some(byte) = tampered.get_mut(at) {
            *byte ^= 1 << bit;
        }
        let outcome = runtime().block_on(receiver.handle(&crate::support::request_parts(&signed.uri, &signed.headers), bytes::Bytes::copy_from_slice(&tampered)));
        prop_assert!(matches!(outcome, CalloutOutcome::Unauthorized), "{:?}", outcome);
        prop_assert_eq!(calls.load(Ordering::SeqCst), 0);
    }

    /// Correctly authenticated arbitrary bodies never panic and are always acknowledged; the handler
    /// runs exactly when the body is a callout, and anything else is kept as a dead letter.
    #[test]
    fn verified_arbitrary_bodies_never_panic(index in 0usize..4, body in body()) {
        let calls = Arc::new(AtomicUsize::new(0));
        let receiver = counting_receiver(index, &calls);
        let signed = scheme(index).sign(&"/callouts".parse().expect("URI"), &body).expect("sign");
        let parts = {
            let mut request = http::Request::post(signed.uri).body(()).expect("request");
            *request.headers_mut() = signed.headers;
            request.into_parts().0
        };
        let outcome = runtime().block_on(receiver.handle(&parts, Bytes::from(body.clone())));
        let is_callout = CalloutMessage::from_slice(&body).is_ok();
        prop_assert!(outcome.is_acknowledged(), "{:?}", outcome);
        prop_assert_eq!(calls.load(Ordering::SeqCst), usize::from(is_callout));
        if !is_callout {
            prop_assert!(matches!(outcome, CalloutOutcome::DeadLettered { .. }), "{:?}", outcome);
        }
    }
}
