//! The quickstart's `run` against the embedded sandbox: every step, the order's final statuses, the
//! export under its documented name with each file mapped to its item, no personal data or secret
//! in the output, and nothing left in the temporary directory after success.

#[allow(dead_code)]
#[path = "../../examples/quickstart.rs"]
pub mod quickstart_example;

use std::time::Duration;

use housecanary_partner::status::OrderItemStatus;

use crate::support::{self, ScratchDir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quickstart_runs_every_step_and_prints_no_pii_or_secret() {
    let targets = support::sandbox_targets().await;
    let scratch = ScratchDir::new("quickstart");
    let mut out = Vec::new();
    let summary = tokio::time::timeout(
        Duration::from_secs(30),
        quickstart_example::run(&targets, scratch.path(), false, &mut out),
    )
    .await
    .expect("the quickstart finishes in well under a minute")
    .unwrap();

    assert_eq!(summary.second_use_code, "Record");
    let statuses: Vec<_> = summary
        .items
        .iter()
        .map(|item| item.status.clone())
        .collect();
    assert_eq!(
        statuses,
        [
            Some(OrderItemStatus::Complete),
            Some(OrderItemStatus::Complete),
            Some(OrderItemStatus::Complete),
            Some(OrderItemStatus::Cancelled),
        ]
    );
    assert!(
        summary
            .export_file_name
            .starts_with("HC_quickstart-portfolio_")
    );
    assert!(summary.export_file_name.ends_with(".zip"));
    // Each completed item has its JSON and its report; the cancelled one has neither.
    let per_item: Vec<(usize, usize)> = summary
        .archive
        .items
        .iter()
        .map(|files| (files.order_item_json.len(), files.reports.len()))
        .collect();
    assert_eq!(per_item, [(1, 1), (1, 1), (1, 1), (0, 0)]);
    assert!(summary.archive.unmatched.is_empty() && summary.archive.ambiguous.is_empty());
    assert_eq!(summary.kept_dir, None);
    assert!(
        scratch.subdirectories().is_empty(),
        "a successful run removes its directory"
    );

    let text = support::text(out);
    assert!(
        !text.contains("note: the vendor's URL names it"),
        "sandbox and client agree on the name:\n{text}"
    );
    for step in [
        "report reference: ",
        "(1) ",
        "(2) ",
        "(3) ",
        "(4) ",
        "Done: every step succeeded.",
    ] {
        assert!(text.contains(step), "the output has {step:?}:\n{text}");
    }
    support::assert_no_pii_or_secret(&text, &targets);
    targets.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quickstart_keeps_its_files_when_asked() {
    let targets = support::sandbox_targets().await;
    let scratch = ScratchDir::new("quickstart-keep");
    let summary = quickstart_example::run(&targets, scratch.path(), true, &mut Vec::new())
        .await
        .unwrap();
    let kept = summary.kept_dir.expect("kept on request");
    assert_eq!(scratch.subdirectories(), std::slice::from_ref(&kept));
    assert!(kept.join("report-reference.json").is_file());
    assert!(kept.join(&summary.export_file_name).is_file());
    targets.shutdown().await;
}
