//! A failing quickstart ends in an error (which its `main` prints with its causes before exiting
//! non-zero), stops under the step that failed, and keeps its directory for inspection. The run's
//! directory goes to a scratch directory of this test's own, so the count cannot race other tests.

use std::time::Duration;

use examples::Targets;

use crate::quickstart::quickstart_example;
use crate::support::{self, ScratchDir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quickstart_fails_with_an_error_and_keeps_its_files() {
    // Every answer a 503: the first step cannot get a token.
    let faults = credit_valuation_sandbox::Faults {
        server_error_rate: 1.0,
        ..credit_valuation_sandbox::Faults::default()
    };
    let targets = Targets::embedded(support::fast_sandbox().faults(faults))
        .await
        .unwrap();
    let scratch = ScratchDir::new("quickstart-failure");
    let mut out = Vec::new();
    let result = tokio::time::timeout(
        Duration::from_secs(30),
        quickstart_example::run(&targets, scratch.path(), false, &mut out),
    )
    .await
    .expect("a failing quickstart ends promptly");
    targets.shutdown().await;

    let error = result.expect_err("the quickstart reports the failure");
    // The Innovis client's own error, as `main` prints it with its causes.
    assert!(
        error.downcast_ref::<innovis_client::Error>().is_some(),
        "{error}"
    );
    assert!(error.to_string().contains("Innovis"), "{error}");
    let text = support::text(out);
    assert!(text.contains("(1) "), "{text}");
    assert!(!text.contains("(2) ") && !text.contains("Done"), "{text}");
    assert_eq!(
        scratch.subdirectories().len(),
        1,
        "the failed run keeps its directory"
    );
}
