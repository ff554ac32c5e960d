//! Bulk valueReport orders from a CSV of addresses: reports bad rows with their line numbers,
//! submits the good ones in batched orders with a progress bar, waits for completion through
//! callouts, and downloads each order's export.
//!
//! ```text
//! cargo run -p examples --example bulk_orders [-- addresses.csv [batch-size]]
//! ```
//!
//! The CSV needs an `address` column and, per row, a `zipcode` or a `city` and `state` (optional:
//! `unit`, `customer_item_id`). Default file: `examples/data/addresses-500.csv` (500 rows, some bad
//! on purpose). Embedded sandbox by default; HouseCanary demo with `HOUSECANARY_TOKEN` (see
//! `docs/getting-started.md`).

use std::path::PathBuf;

use examples::work_dir::{KEEP_FILES_VAR, WorkDir};
use indicatif::{ProgressBar, ProgressStyle};

#[tokio::main]
async fn main() -> Result<(), examples::ExitError> {
    examples::init_logging();
    let mut args = std::env::args_os().skip(1);
    let path = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/addresses-500.csv")
    });
    let mut options = examples::bulk::BulkOptions::default();
    if let Some(size) = args.next() {
        let size = size.to_string_lossy().into_owned();
        options.batch_size = size.parse().map_err(|_| examples::Error::Argument {
            argument: size.clone(),
            problem: "the batch size is not a whole number".to_owned(),
        })?;
    }
    // The downloads go to a temporary directory, removed after success unless EXAMPLES_KEEP_FILES
    // is set.
    let keep = WorkDir::keep_requested(&examples::settings::process_env);
    let work = WorkDir::create("housecanary-bulk-orders", keep)?;
    options.download_dir = Some(work.path().to_owned());
    let parsed = examples::bulk::read_csv(&path)?;
    let targets = examples::Targets::from_env().await?;
    let out = examples::Output::stdout();
    out.plain(format!("Bulk orders from {}", path.display()));
    out.plain(targets.describe());
    let progress = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template("    {msg:>9} [{bar:40}] {pos}/{len} items ({elapsed})")
    {
        progress.set_style(style.progress_chars("=> "));
    }
    let result = examples::bulk::run_bulk(&targets, parsed, &options, &progress, &out).await;
    targets.shutdown().await;
    let report = result?;
    out.plain("");
    out.plain(format!(
        "Done: {} rows submitted in {} orders, {} complete, {} cancelled by HouseCanary, {} bad rows (lines {:?})",
        report.submitted,
        report.batches.len(),
        report.completed(),
        report.cancelled_lines().len(),
        report.bad_rows.len(),
        report.bad_lines()
    ));
    match work.finish()? {
        Some(dir) => out.plain(format!("Exports kept in {}", dir.display())),
        None => out.plain(format!(
            "Removed the downloaded exports (set {KEEP_FILES_VAR}=1 to keep them)"
        )),
    }
    Ok(())
}
