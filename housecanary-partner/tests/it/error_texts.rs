//! What an error quotes from a body: never a signed URL's query, a key id or a signature, and never
//! more than a few hundred bytes, whatever the body holds.

use housecanary_partner::Error;
use housecanary_partner::exports::ExportRequest;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::client_for;

/// The most bytes a quoted text may take (`credit_valuation_core::MAX_QUOTED_BYTES` plus the `…`).
const BOUND: usize = 300 + '…'.len_utf8();

const SECRETS: &[&str] = &["X-Amz-Signature=", "s3cr3t", "AKIAEXAMPLE", "Credential=AK"];

fn assert_clean(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} shows {secret:?}: {text}");
    }
}

async fn get_order_answering(template: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/partner-api/v1/orders/7/"))
        .respond_with(template)
        .mount(&server)
        .await;
    client_for(&server).get_order(7_u64).await.unwrap_err()
}

#[tokio::test]
async fn a_decode_error_quotes_no_query_and_is_bounded() {
    // The failure (a number where a string belongs) sits right after a signed URL, so the excerpt
    // window starts inside its query; the decoder's message quotes a 4 MiB string.
    let url = "https://bucket.example/r.pdf?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=s3cr3t";
    let body = format!(
        r#"{{"id": 7, "name": "n", "note": "{url}", "status": {{"x": "{}"}}}}"#,
        "y".repeat(4 << 20)
    );
    let err =
        get_order_answering(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .await;
    let Error::Decode {
        path,
        message,
        excerpt,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    for (what, text) in [("path", path), ("message", message), ("excerpt", excerpt)] {
        assert!(text.len() <= BOUND, "{what}: {} bytes", text.len());
        assert_clean(what, text);
    }
    assert_clean("the error", &format!("{err} {err:?}"));
}

#[tokio::test]
async fn details_and_field_errors_are_bounded_and_lose_their_queries() {
    // Within the 64 KiB read of an error body: a 20,000-byte detail and 40 fields whose names and
    // messages are each longer than the bound.
    let long = |bytes: usize| {
        format!(
            "see https://bucket.example/a?X-Amz-Signature=s3cr3t {}",
            "z".repeat(bytes)
        )
    };
    let fields: serde_json::Map<String, serde_json::Value> = (0..40)
        .map(|n| (format!("{n}{}", "f".repeat(400)), json!([long(400)])))
        .collect();
    let mut body = serde_json::Value::Object(fields);
    body["detail"] = json!(long(20_000));
    let err = get_order_answering(ResponseTemplate::new(400).set_body_json(body)).await;
    let Error::Api {
        detail,
        field_errors,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    let detail = detail.as_deref().unwrap();
    assert!(detail.len() <= BOUND, "{}", detail.len());
    assert_clean("detail", detail);
    assert!(field_errors.len() <= 21, "{}", field_errors.len());
    for (field, messages) in field_errors {
        assert!(field.len() <= BOUND, "{}", field.len());
        for message in messages {
            assert!(message.len() <= BOUND, "{}", message.len());
            assert_clean("a field error", message);
        }
    }
    assert_eq!(
        field_errors["(more)"],
        vec!["20 more field errors not shown".to_owned()]
    );
    assert!(err.to_string().len() < 20_000, "{}", err.to_string().len());
}

#[tokio::test]
async fn a_storage_error_body_is_summarised_never_quoted() {
    let server = MockServer::start().await;
    let xml = "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>\
        <AWSAccessKeyId>AKIAEXAMPLE</AWSAccessKeyId><StringToSign>GET s3cr3t</StringToSign>\
        <SignatureProvided>s3cr3t</SignatureProvided></Error>";
    Mock::given(method("GET"))
        .and(path("/signed/a.zip"))
        .respond_with(ResponseTemplate::new(403).set_body_string(xml))
        .mount(&server)
        .await;
    let export: ExportRequest = serde_json::from_value(json!({
        "id": 31, "status": "complete", "percent_complete": 100,
        "exported_data": format!("{}/signed/a.zip?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=s3cr3t", server.uri())
    }))
    .unwrap();
    let err = client_for(&server)
        .download_export(&export, &mut Vec::new())
        .await
        .unwrap_err();
    let Error::Api { detail, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        detail.as_deref(),
        Some(
            format!(
                "an XML error body, code SignatureDoesNotMatch ({} bytes, not quoted)",
                xml.len()
            )
            .as_str()
        )
    );
    assert_clean("the error", &format!("{err} {err:?}"));
}
