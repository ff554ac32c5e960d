//! Every call records its duration by operation and outcome, its attempts and its resends, with
//! labels that never hold a URL, an id or a query.

use std::borrow::Cow;

use credit_valuation_core::metrics::{REQUEST_ATTEMPTS, REQUEST_DURATION, REQUEST_RESENDS};
use credit_valuation_core::{Idempotency, Operation};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{quick_retries, transport_with};

/// `GET things/{id}/?secret=…`
struct GetThing(u64);

impl Operation for GetThing {
    type Output = Vec<u8>;
    const METHOD: http::Method = http::Method::GET;
    const IDEMPOTENCY: Idempotency = Idempotency::Idempotent;
    fn path(&self) -> Vec<Cow<'_, str>> {
        vec!["things".into(), self.0.to_string().into(), "".into()]
    }
    fn query(&self) -> Vec<(&'static str, Cow<'_, str>)> {
        vec![("signature", "s3cr3t".into())]
    }
}

/// A recorded metric: name, labels, value.
type Row = (String, Vec<(String, String)>, DebugValue);

/// Runs `work` on this thread with a recorder of its own, and returns what was recorded as
/// `(name, labels, value)` rows.
fn recorded<F: std::future::Future>(work: F) -> Vec<Row> {
    let recorder = DebuggingRecorder::new();
    let snapshotter: Snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    metrics::with_local_recorder(&recorder, || runtime.block_on(work));
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| {
            let key = key.key();
            let labels = key
                .labels()
                .map(|label| (label.key().to_owned(), label.value().to_owned()))
                .collect();
            (key.name().to_owned(), labels, value)
        })
        .collect()
}

fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn a_retried_call_records_its_attempts_resends_and_duration_under_its_type_name() {
    let rows = recorded(async {
        let server = MockServer::start().await;
        Mock::given(path("/things/7/"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(2)
            .mount(&server)
            .await;
        Mock::given(path("/things/7/"))
            .respond_with(ResponseTemplate::new(200).set_body_string("[1]"))
            .mount(&server)
            .await;
        let transport = transport_with(&format!("{}/", server.uri()), |c| {
            c.retry_policy(quick_retries(4))
        });
        assert_eq!(transport.execute(&GetThing(7)).await.unwrap(), [1]);
    });
    let find = |name: &str, pairs: &[(&str, &str)]| {
        rows.iter()
            .find(|(n, l, _)| n == name && *l == labels(pairs))
            .map(|(_, _, value)| value)
            .unwrap_or_else(|| panic!("{name} {pairs:?} not recorded: {rows:?}"))
    };
    assert_eq!(
        find(REQUEST_ATTEMPTS, &[("operation", "GetThing")]),
        &DebugValue::Counter(3)
    );
    assert_eq!(
        find(
            REQUEST_RESENDS,
            &[("operation", "GetThing"), ("reason", "retry")]
        ),
        &DebugValue::Counter(2)
    );
    match find(
        REQUEST_DURATION,
        &[("operation", "GetThing"), ("outcome", "ok")],
    ) {
        DebugValue::Histogram(samples) => assert_eq!(samples.len(), 1),
        other => panic!("{other:?}"),
    }
    let text = format!("{rows:?}");
    for leak in ["s3cr3t", "things/7", "127.0.0.1"] {
        assert!(!text.contains(leak), "{leak} in {text}");
    }
}

#[test]
fn a_failed_call_records_its_outcome() {
    let rows = recorded(async {
        let server = MockServer::start().await;
        Mock::given(path("/things/8/"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        let transport = transport_with(&format!("{}/", server.uri()), |c| c);
        transport.execute(&GetThing(8)).await.unwrap_err();
    });
    assert!(
        rows.iter().any(|(name, l, _)| name == REQUEST_DURATION
            && *l == labels(&[("operation", "GetThing"), ("outcome", "status_4xx")])),
        "{rows:?}"
    );
}
