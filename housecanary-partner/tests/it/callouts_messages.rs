//! Every callout message type, an unknown one, malformed bodies, and the report blob.

use housecanary_partner::Id;
use housecanary_partner::callouts::{CalloutError, CalloutMessage, ReportDecodeError};
use housecanary_partner::status::{OrderItemStatus, OrderStatus};
use serde_json::json;

fn parse(value: serde_json::Value) -> CalloutMessage {
    let body = serde_json::to_vec(&value).expect("test JSON");
    CalloutMessage::from_slice(&body).expect("a valid callout")
}

#[test]
fn order_status_change_with_the_documented_fields() {
    let message = parse(json!({
        "message_type": "order_status_change",
        "message_id": "5d1e6c7a",
        "order_id": "1201",
        "customer_order_id": "batch-2024-06",
        "new_status": "complete",
        "external_integration_ids": ["id_0", "id_1"]
    }));
    assert_eq!(message.message_type(), "order_status_change");
    assert_eq!(message.message_id(), Some("5d1e6c7a"));
    assert_eq!(message.order_id().map(Id::as_str), Some("1201"));
    let CalloutMessage::OrderStatusChange(change) = message else {
        panic!("wrong variant");
    };
    assert_eq!(change.customer_order_id.as_deref(), Some("batch-2024-06"));
    assert_eq!(change.new_status, OrderStatus::Complete);
    assert_eq!(change.external_integration_ids, ["id_0", "id_1"]);
    assert!(change.extra.is_empty());
}

#[test]
fn order_item_status_change_with_numeric_ids_nulls_and_extra_fields() {
    let message = parse(json!({
        "message_type": "order_item_status_change",
        "message_id": 987654,
        "order_id": 1201,
        "customer_order_id": null,
        "order_item_id": 55,
        "customer_item_id": "loan-77",
        "new_status": "CANCELLED",
        "external_integration_id": null,
        "validation_errors": ["missing zip code or city/state"]
    }));
    assert_eq!(message.message_id(), Some("987654"));
    let CalloutMessage::OrderItemStatusChange(change) = message else {
        panic!("wrong variant");
    };
    assert_eq!(change.order_id, "1201");
    assert_eq!(change.order_item_id, "55");
    assert_eq!(change.customer_order_id, None);
    assert_eq!(change.customer_item_id.as_deref(), Some("loan-77"));
    assert_eq!(change.new_status, OrderItemStatus::Cancelled);
    assert_eq!(change.external_integration_id, None);
    assert_eq!(
        change.extra.get("validation_errors"),
        Some(&json!(["missing zip code or city/state"]))
    );
    assert!(!change.extra.contains_key("message_type"));
}

#[test]
fn unknown_statuses_are_kept_verbatim() {
    let CalloutMessage::OrderItemStatusChange(change) = parse(json!({
        "message_type": "order_item_status_change",
        "message_id": "m", "order_id": 1, "order_item_id": 2, "new_status": "onHold"
    })) else {
        panic!("wrong variant");
    };
    assert_eq!(change.new_status, OrderItemStatus::Other("onHold".into()));
}

#[test]
fn order_complete_with_url_and_report() {
    let message = parse(json!({
        "message_type": "order_complete",
        "message_id": "c-1",
        "order_id": "1201",
        "customer_order_id": "batch-2024-06",
        "order_item_id": "55",
        "customer_item_id": "loan-77",
        "download_url": "https://downloads.example.com/signed?sig=abc",
        "report": "JVBERi0xLjQKJcfs",
        "external_integration_ids": ["id_0"]
    }));
    assert_eq!(message.message_id(), Some("c-1"));
    let CalloutMessage::OrderComplete(complete) = message else {
        panic!("wrong variant");
    };
    assert_eq!(complete.order_item_id, Some(Id::from(55_u64)));
    assert_eq!(complete.customer_item_id.as_deref(), Some("loan-77"));
    assert_eq!(
        complete.download_url.as_deref(),
        Some("https://downloads.example.com/signed?sig=abc")
    );
    assert_eq!(complete.external_integration_ids, ["id_0"]);
    assert_eq!(complete.report.as_deref(), Some("JVBERi0xLjQKJcfs"));
    assert_eq!(
        complete.report_bytes().unwrap().unwrap(),
        b"%PDF-1.4\n%\xc7\xec"
    );
}

#[test]
fn a_report_blob_with_line_breaks_and_without_padding_decodes() {
    let payload: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let encoded = base64_standard(&payload);
    // MIME-style: 76-character lines with CRLF, and the padding dropped.
    let wrapped: String = encoded
        .trim_end_matches('=')
        .as_bytes()
        .chunks(76)
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n");
    let CalloutMessage::OrderComplete(complete) = parse(json!({
        "message_type": "order_complete", "message_id": "c-2", "order_id": 1, "report": wrapped
    })) else {
        panic!("wrong variant");
    };
    assert_eq!(complete.report_bytes().unwrap(), Some(payload));
}

#[test]
fn a_bad_report_blob_is_an_error_and_the_raw_string_stays_available() {
    for bad in ["%%%not base64%%%", "YWJj-_", "YQ=x"] {
        let CalloutMessage::OrderComplete(complete) = parse(json!({
            "message_type": "order_complete", "message_id": "c-3", "order_id": 1, "report": bad
        })) else {
            panic!("wrong variant");
        };
        let err = complete.report_bytes().unwrap_err();
        assert!(
            matches!(err, ReportDecodeError::InvalidBase64 { .. }),
            "{bad}: {err:?}"
        );
        assert!(
            !err.to_string().contains(bad),
            "the blob is not echoed: {err}"
        );
        assert_eq!(complete.report.as_deref(), Some(bad));
    }
}

#[test]
fn order_complete_without_a_report_has_none() {
    let CalloutMessage::OrderComplete(complete) = parse(json!({
        "message_type": "order_complete", "message_id": "c-4", "order_id": 1,
        "download_url": "https://downloads.example.com/x", "report": null
    })) else {
        panic!("wrong variant");
    };
    assert_eq!(complete.report_bytes(), Ok(None));
    assert_eq!(complete.report.as_deref(), None);
}

#[test]
fn the_report_never_appears_in_debug() {
    let blob = "UkVQT1JUQkxPQlJFUE9SVEJMT0I=".repeat(10);
    let message = parse(json!({
        "message_type": "order_complete", "message_id": "c-5", "order_id": 1, "report": blob
    }));
    let text = format!("{message:?}");
    assert!(!text.contains("UkVQT1JUQkxPQ"), "{text}");
    assert!(
        text.contains(&format!("<{} encoded bytes>", blob.len())),
        "{text}"
    );
}

#[test]
fn an_unknown_message_type_keeps_the_whole_body() {
    let body = json!({
        "message_type": "order_review_required",
        "message_id": "r-1",
        "order_id": 9,
        "warnings": ["low-confidence AVM"]
    });
    let message = parse(body.clone());
    assert_eq!(message.message_type(), "order_review_required");
    assert_eq!(message.message_id(), Some("r-1"));
    assert_eq!(message.order_id(), None);
    match message {
        CalloutMessage::Unknown {
            message_type, raw, ..
        } => {
            assert_eq!(message_type, "order_review_required");
            assert_eq!(raw, body);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn an_unknown_message_without_an_id_has_none() {
    let message = parse(json!({"message_type": "ping"}));
    assert_eq!(message.message_id(), None);
}

#[test]
fn bodies_that_are_not_callouts_are_errors() {
    type Check = fn(&CalloutError) -> bool;
    let cases: [(&[u8], Check); 6] = [
        (b"", |e| matches!(e, CalloutError::NotJson { .. })),
        (b"{\"message_type\":", |e| {
            matches!(e, CalloutError::NotJson { .. })
        }),
        (b"[]", |e| matches!(e, CalloutError::NotAnObject)),
        (b"\"order_complete\"", |e| {
            matches!(e, CalloutError::NotAnObject)
        }),
        (b"{\"message_id\":\"m\"}", |e| {
            matches!(e, CalloutError::MissingMessageType)
        }),
        (b"{\"message_type\":7}", |e| {
            matches!(e, CalloutError::MissingMessageType)
        }),
    ];
    for (body, expected) in cases {
        let err = CalloutMessage::from_slice(body).unwrap_err();
        assert!(expected(&err), "{}: {err:?}", String::from_utf8_lossy(body));
    }
}

#[test]
fn a_known_type_with_a_missing_or_mistyped_field_names_the_field() {
    let err = CalloutMessage::from_slice(
        br#"{"message_type":"order_item_status_change","message_id":"m","order_id":1,"new_status":"new"}"#,
    )
    .unwrap_err();
    match &err {
        CalloutError::Malformed {
            message_type,
            message,
            ..
        } => {
            assert_eq!(message_type, "order_item_status_change");
            assert!(message.contains("order_item_id"), "{err}");
        }
        other => panic!("unexpected {other:?}"),
    }

    let err = CalloutMessage::from_slice(
        br#"{"message_type":"order_status_change","message_id":"m","order_id":true,"new_status":"new"}"#,
    )
    .unwrap_err();
    match &err {
        CalloutError::Malformed { path, .. } => assert_eq!(path, "order_id", "{err}"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_huge_string_in_the_wrong_place_is_not_echoed_in_full() {
    let huge = "A".repeat(100_000);
    let body = serde_json::to_vec(&json!({
        "message_type": "order_status_change", "message_id": "m", "order_id": 1,
        "new_status": "new", "external_integration_ids": huge
    }))
    .unwrap();
    let err = CalloutMessage::from_slice(&body).unwrap_err();
    assert!(
        err.to_string().len() < 1_000,
        "{} chars",
        err.to_string().len()
    );
}

/// Standard base64 with padding, written out here so the test does not share the decoder's crate.
fn base64_standard(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `body` with its top-level keys written in reverse order.
fn keys_reversed(body: &[u8]) -> Vec<u8> {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap();
    let serde_json::Value::Object(object) = value else {
        panic!("an object")
    };
    let fields: Vec<String> = object
        .iter()
        .rev()
        .map(|(key, value)| format!("{}:{value}", serde_json::Value::from(key.as_str())))
        .collect();
    format!("{{{}}}", fields.join(",")).into_bytes()
}

#[test]
fn every_key_order_decodes_to_the_same_message() {
    let bodies: &[&[u8]] = &[
        br#"{"message_type":"order_item_status_change","message_id":"m1","order_id":1,"customer_order_id":null,"order_item_id":2,"customer_item_id":"c\"2","new_status":"reportPending","external_integration_id":7,"new":{"a":[1,null]}}"#,
        br#"{"message_type":"ORDER_STATUS_CHANGE","message_id":-3,"order_id":"o","new_status":"weird","external_integration_ids":["a",null,3],"report":"x"}"#,
        br#"{"message_type":"order_complete","message_id":"m3","order_id":1,"order_item_id":null,"download_url":"https://e/r.pdf","report":"QUJD","external_integration_ids":null,"new_status":"new"}"#,
        br#"{"message_type":"something_new","message_id":5,"order_id":{"nested":true}}"#,
    ];
    for body in bodies {
        let reversed = keys_reversed(body);
        assert!(!reversed.starts_with(br#"{"message_type""#));
        let (first, last) = (
            CalloutMessage::from_slice(body).unwrap(),
            CalloutMessage::from_slice(&reversed).unwrap(),
        );
        assert_eq!(first, last, "{}", String::from_utf8_lossy(body));
    }
}

#[test]
fn ids_are_strings_or_numbers_and_null_lists_are_empty() {
    let message = parse(json!({
        "message_type": "order_status_change", "message_id": 42, "order_id": 1,
        "customer_order_id": -3, "new_status": "new", "external_integration_ids": ["a", 7, null]
    }));
    let CalloutMessage::OrderStatusChange(change) = message else {
        panic!("an order status change");
    };
    assert_eq!(change.message_id, "42");
    assert_eq!(change.customer_order_id.as_deref(), Some("-3"));
    assert_eq!(change.external_integration_ids, ["a", "7"]);
    let message = parse(json!({
        "message_type": "order_status_change", "message_id": "m", "order_id": 1,
        "new_status": "new", "external_integration_ids": null
    }));
    let CalloutMessage::OrderStatusChange(change) = message else {
        panic!("an order status change");
    };
    assert!(change.external_integration_ids.is_empty());
    for id in [json!(null), json!(true), json!({"a": 1})] {
        let body = json!({"message_type": "order_status_change", "message_id": id, "order_id": 1, "new_status": "new"});
        let error = CalloutMessage::from_slice(body.to_string().as_bytes()).unwrap_err();
        assert!(matches!(error, CalloutError::Malformed { .. }), "{error:?}");
    }
}

#[test]
fn an_unknown_message_shows_its_keys_not_its_values_in_debug() {
    let message =
        parse(json!({"message_type": "new_kind", "message_id": "m", "blob": "SECRETBLOB"}));
    let text = format!("{message:?}");
    assert!(
        text.contains("blob") && !text.contains("SECRETBLOB"),
        "{text}"
    );
}
