//! The bulk flow on the committed 500-row CSV against an in-process sandbox on fast clocks: it
//! completes, reports exactly the bad lines, and every completed item's report is in an export.

use std::path::PathBuf;
use std::time::Duration;

use examples::bulk::{BulkOptions, read_csv, run_bulk};
use examples::{Output, Targets};
use housecanary_partner::export_files::EntryKind;
use indicatif::ProgressBar;

/// The lines of `data/addresses-500.csv` that are bad on purpose (the header is line 1).
const BAD_LINES: [u64; 20] = [
    14, 37, 58, 81, 103, 126, 149, 171, 199, 222, 250, 277, 301, 333, 358, 389, 412, 447, 470, 499,
];
/// The lines whose address the sandbox cancels (`INVALID` / `UNAVAILABLE` markers).
const CANCELLED_LINES: [u64; 6] = [66, 142, 233, 318, 405, 488];

fn csv_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/addresses-500.csv")
}

fn fast_sandbox() -> sandbox::SandboxConfig {
    sandbox::SandboxConfig::default()
        .with_step_interval(Duration::from_millis(20))
        .with_redelivery_interval(Duration::from_millis(50))
}

#[test]
fn the_csv_has_500_rows_and_says_why_each_bad_one_is_bad() {
    let parsed = read_csv(&csv_path()).unwrap();
    assert_eq!(parsed.rows.len() + parsed.bad.len(), 500);
    let lines: Vec<u64> = parsed.bad.iter().map(|bad| bad.line).collect();
    assert_eq!(lines, BAD_LINES);
    let problem = |line: u64| {
        parsed
            .bad
            .iter()
            .find(|bad| bad.line == line)
            .map(|bad| bad.problem.clone())
            .unwrap_or_default()
    };
    assert_eq!(problem(14), "missing address");
    assert_eq!(problem(37), "no zipcode and no city/state");
    assert_eq!(problem(58), "city without state");
    assert_eq!(problem(81), "state without city");
    assert_eq!(problem(103), "zipcode is not 5 digits or ZIP+4");
    assert_eq!(problem(126), "state is not a 2-letter code");
    assert_eq!(problem(149), "expected 6 fields, found 2");
    assert_eq!(problem(171), "missing address");
    assert_eq!(problem(199), "city without state");
    assert_eq!(problem(222), "customer_item_id repeats the one on line 27");
    assert_eq!(problem(358), "expected 6 fields, found 7");
    assert_eq!(
        problem(447),
        "missing address; no zipcode and no city/state"
    );
    // A quoted address with a comma is one field, and the line numbers after it stay right.
    let quoted = parsed.rows.iter().find(|row| row.line == 18).unwrap();
    assert_eq!(quoted.address, "219 Elm St, Rear");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_orders_on_500_rows_completes_and_reports_the_bad_lines() {
    let parsed = read_csv(&csv_path()).unwrap();
    let targets = Targets::embedded(fast_sandbox()).await.unwrap();
    let download_dir = examples::work_dir::unique_temp_dir("bulk-orders-test").unwrap();
    let options = BulkOptions {
        batch_size: 100,
        download_dir: Some(download_dir.clone()),
        ..BulkOptions::default()
    };
    let out = Output::quiet();
    let report = tokio::time::timeout(
        Duration::from_secs(60),
        run_bulk(&targets, parsed, &options, &ProgressBar::hidden(), &out),
    )
    .await
    .expect("the bulk flow finishes within a minute")
    .unwrap();

    assert_eq!(report.bad_lines(), BAD_LINES);
    assert_eq!(report.submitted, 480);
    assert_eq!(report.batches.len(), 5);
    assert_eq!(report.cancelled_lines(), CANCELLED_LINES);
    assert_eq!(report.completed(), 480 - CANCELLED_LINES.len());
    for batch in &report.batches {
        let reports = batch
            .export
            .entries
            .iter()
            .filter(|entry| matches!(entry.kind, EntryKind::Report { .. }) && entry.item.is_some())
            .count();
        assert_eq!(
            reports,
            batch.completed_lines.len(),
            "order {}",
            batch.placed.order.id
        );
        assert!(batch.export.path.starts_with(&download_dir));
        assert!(
            batch
                .export
                .file_name
                .starts_with("HC_bulk-addresses-batch-")
        );
        for (_, reason) in &batch.cancelled {
            assert!(
                reason.is_some(),
                "the sandbox says why an item was cancelled"
            );
        }
    }
    let lines = out.lines();
    for line in BAD_LINES {
        assert!(
            lines
                .iter()
                .any(|text| text.contains(&format!("line {line}: "))),
            "line {line} is reported"
        );
    }
    let stats = targets.sandbox().unwrap().stats();
    assert_eq!(stats.orders_created, 5);
    targets.shutdown().await;
    let _ = std::fs::remove_dir_all(download_dir);
}
