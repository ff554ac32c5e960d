//! `credit_report` against the sandbox: a report reference, and no personal data in the output.

#[allow(dead_code)]
#[path = "../../examples/credit_report.rs"]
mod credit_report_example;

use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credit_report_prints_the_reference_and_no_personal_data() {
    let targets = support::sandbox_targets().await;
    let mut out = Vec::new();
    let reference = credit_report_example::run(&targets, &mut out)
        .await
        .unwrap();
    let text = support::text(out);
    assert!(text.contains("(1) Innovis credit report"), "{text}");
    assert!(text.contains("return code: Record"), "{text}");
    assert!(text.contains(reference.report_reference_number()), "{text}");
    support::assert_no_pii_or_secret(&text, &targets);
    targets.shutdown().await;
}
