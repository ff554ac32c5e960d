//! The quickstart flow, run as a library function against an in-process sandbox on fast clocks.

use std::time::Duration;

use examples::{Output, Targets};
use housecanary_partner::export_files::EntryKind;
use housecanary_partner::status::OrderItemStatus;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quickstart_runs_every_step_and_prints_no_pii_or_secret() {
    let config = sandbox::SandboxConfig::default()
        .with_step_interval(Duration::from_millis(20))
        .with_redelivery_interval(Duration::from_millis(50));
    let targets = Targets::embedded(config).await.unwrap();
    let out = Output::quiet();
    let summary = tokio::time::timeout(
        Duration::from_secs(30),
        examples::quickstart::run_with(&targets, &out, false),
    )
    .await
    .expect("the quickstart finishes in well under a minute")
    .unwrap();

    assert!(!summary.report_reference.is_empty());
    assert_eq!(summary.second_use_code, "Record");
    let statuses: Vec<Option<OrderItemStatus>> = summary
        .order
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
    let export = &summary.export;
    assert!(export.file_name.starts_with("HC_quickstart-portfolio_"));
    assert!(export.file_name.ends_with(".zip"));
    assert_eq!(
        export.server_file_name, None,
        "sandbox and client agree on the name"
    );
    assert_eq!(export.entries.len(), 6);
    for entry in &export.entries {
        assert!(entry.item.is_some(), "{} maps to an item", entry.path);
    }
    let reports: Vec<Option<usize>> = export
        .entries
        .iter()
        .filter(|entry| matches!(entry.kind, EntryKind::Report { .. }))
        .map(|entry| entry.item)
        .collect();
    assert_eq!(reports, [Some(0), Some(1), Some(2)]);
    assert_eq!(summary.kept_dir, None);
    let work_dir = export.path.parent().unwrap();
    assert!(
        !work_dir.exists(),
        "a successful run removes its temporary directory {}",
        work_dir.display()
    );

    let text = out.lines().join("\n");
    for step in [
        "(1) ",
        "(2) ",
        "(3) ",
        "(4) ",
        "Done: every step succeeded.",
    ] {
        assert!(text.contains(step), "output has {step:?}");
    }
    let consumer = sandbox::fixtures::consumer_for_ssn(sandbox::fixtures::RECORD_SSN);
    let credentials = targets.sandbox().unwrap().credentials().clone();
    for secret in [
        consumer.ssn,
        consumer.dob,
        credentials.innovis_client_secret.as_str(),
        credentials.housecanary_token.as_str(),
        credentials.callout_secret.as_str(),
    ] {
        assert!(!text.contains(secret), "output must not contain {secret:?}");
    }
    targets.shutdown().await;
}
