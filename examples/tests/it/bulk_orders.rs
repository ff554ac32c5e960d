//! `bulk_orders` on the committed 500-row CSV against the sandbox on fast clocks: it completes,
//! reports exactly the bad lines, every completed item's report is in its order's export, and the
//! run's directory is gone afterwards. Also each rule of `csv_rows.rs` on small inputs.

#[allow(dead_code)]
#[path = "../../examples/bulk_orders/main.rs"]
mod bulk_orders_example;

use std::path::PathBuf;
use std::time::Duration;

use bulk_orders_example::csv_rows::{parse_csv, read_csv};
use bulk_orders_example::{BulkOptions, run};
use indicatif::ProgressBar;

use crate::support::{self, ScratchDir};

/// The lines of `data/addresses-500.csv` that are bad on purpose (the header is line 1).
const BAD_LINES: [u64; 20] = [
    14, 37, 58, 81, 103, 126, 149, 171, 199, 222, 250, 277, 301, 333, 358, 389, 412, 447, 470, 499,
];
/// The lines whose address the sandbox cancels (`INVALID` / `UNAVAILABLE` markers).
const CANCELLED_LINES: [u64; 6] = [66, 142, 233, 318, 405, 488];

fn csv_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/addresses-500.csv")
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

#[test]
fn rows_without_an_id_are_tagged_with_their_line_and_headers_match_in_any_case() {
    let csv = "Zip,ADDRESS\n94103,1 Main St\n";
    let parsed = parse_csv(csv.as_bytes()).unwrap();
    assert!(parsed.bad.is_empty(), "{:?}", parsed.bad);
    let item = parsed.rows[0].to_item();
    assert_eq!(item.address(), "1 Main St");
    assert_eq!(item.customer_item_id(), Some("line-2"));

    let without_address = parse_csv("city,zipcode\nAustin,78701\n".as_bytes()).unwrap_err();
    assert!(without_address.contains("`address`"), "{without_address}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_orders_on_500_rows_completes_and_reports_the_bad_lines() {
    let parsed = read_csv(&csv_path()).unwrap();
    let targets = support::sandbox_targets().await;
    let scratch = ScratchDir::new("bulk-orders");
    let options = BulkOptions {
        name: "Bulk addresses".to_owned(),
        batch_size: 100,
        work_parent: scratch.path().to_owned(),
        keep_files: false,
    };
    let mut out = Vec::new();
    let report = tokio::time::timeout(
        Duration::from_secs(60),
        run(&targets, parsed, &options, &ProgressBar::hidden(), &mut out),
    )
    .await
    .expect("the bulk run finishes within a minute")
    .unwrap();

    let bad_lines: Vec<u64> = report.bad_rows.iter().map(|bad| bad.line).collect();
    assert_eq!(bad_lines, BAD_LINES);
    assert_eq!(report.submitted, 480);
    assert_eq!(report.orders.len(), 5);
    let mut cancelled: Vec<u64> = report
        .orders
        .iter()
        .flat_map(|order| order.cancelled.iter().map(|(line, _)| *line))
        .collect();
    cancelled.sort_unstable();
    assert_eq!(cancelled, CANCELLED_LINES);
    let completed: usize = report
        .orders
        .iter()
        .map(|order| order.completed_lines.len())
        .sum();
    assert_eq!(completed, 480 - CANCELLED_LINES.len());
    for order in &report.orders {
        let reports: usize = order
            .archive
            .items
            .iter()
            .map(|files| files.reports.len())
            .sum();
        assert_eq!(
            reports,
            order.completed_lines.len(),
            "order {}",
            order.order.id
        );
        assert!(
            order.archive.unmatched.is_empty(),
            "order {}",
            order.order.id
        );
        assert!(
            order
                .export_file_name
                .starts_with("HC_bulk-addresses-batch-")
        );
        for (line, reason) in &order.cancelled {
            assert!(
                reason.is_some(),
                "the sandbox says why line {line} was cancelled"
            );
        }
    }
    assert_eq!(report.kept_dir, None);
    assert!(
        scratch.subdirectories().is_empty(),
        "a successful run removes its directory"
    );
    let text = support::text(out);
    for line in BAD_LINES {
        assert!(
            text.contains(&format!("line {line}: ")),
            "line {line} is reported"
        );
    }
    assert!(
        text.contains("Done: 480 rows submitted in 5 orders"),
        "{text}"
    );
    assert_eq!(targets.sandbox().unwrap().stats().orders_created, 5);
    targets.shutdown().await;
}
