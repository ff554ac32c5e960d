//! Bulk valueReport orders from a CSV of addresses: reports bad rows with their line numbers,
//! submits the good ones in batched orders with a progress bar, waits for completion through
//! callouts, and downloads each order's export.
//!
//! ```text
//! cargo run -p examples --example bulk_orders [-- addresses.csv [batch-size]]
//! ```
//!
//! The CSV needs an `address` column and, per row, a `zipcode` or a `city` and `state` (optional:
//! `unit`, `customer_item_id`); `csv_rows.rs` reads it. Default file:
//! `examples/data/addresses-500.csv` (500 rows, some bad on purpose). The exports go to a new
//! directory under the system's temporary directory, removed after success unless
//! `EXAMPLES_KEEP_FILES` is set, kept after a failure. Embedded sandbox by default; HouseCanary
//! demo with `HOUSECANARY_TOKEN` (see `docs/getting-started.md`).

pub mod csv_rows;

use std::collections::HashMap;
use std::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use examples::settings::{CalloutMode, process_env};
use examples::{Failure, Targets};
use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
use housecanary_partner::exports::{
    ArchiveMatch, CreateExport, ExportArchive, ExportFormat, WaitOptions,
};
use housecanary_partner::orders::{Order, ValueReportOrder};
use housecanary_partner::progress::{Follow, OrderProgress};
use housecanary_partner::status::OrderItemStatus;
use indicatif::{ProgressBar, ProgressStyle};
use tokio_util::task::AbortOnDropHandle;

use csv_rows::{BadRow, ParsedRows};

#[tokio::main]
async fn main() -> Result<(), Failure> {
    examples::init_logs("warn");
    let mut args = std::env::args_os().skip(1);
    let csv_path = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/addresses-500.csv")
    });
    let batch_size = match args.next().map(|size| size.to_string_lossy().parse()) {
        None => 100,
        Some(Ok(size)) => size,
        Some(Err(_)) => return Err("the batch size is not a whole number".into()),
    };
    let parsed = csv_rows::read_csv(&csv_path).map_err(|error| format!("CSV {error}"))?;
    let targets = Targets::from_env().await?;
    let options = BulkOptions {
        name: "Bulk addresses".to_owned(),
        batch_size,
        work_parent: std::env::temp_dir(),
        keep_files: process_env("EXAMPLES_KEEP_FILES").is_some(),
    };
    let progress = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template("    {msg:>9} [{bar:40}] {pos}/{len} items ({elapsed})")
    {
        progress.set_style(style.progress_chars("=> "));
    }
    let mut out = std::io::stdout();
    let _ = writeln!(out, "Bulk orders from {}", csv_path.display());
    let result = run(&targets, parsed, &options, &progress, &mut out).await;
    targets.shutdown().await;
    result?;
    Ok(())
}

/// How to split and name the orders, and where their exports go.
#[derive(Debug, Clone)]
pub struct BulkOptions {
    /// Base name of the orders; `(batch n of m)` is added when there are several.
    pub name: String,
    /// Most items per order (0 counts as 1).
    pub batch_size: usize,
    /// Where the run's directory for the exports is made.
    pub work_parent: PathBuf,
    /// Whether that directory stays after a successful run.
    pub keep_files: bool,
}

/// One order and how it ended.
#[derive(Debug)]
pub struct OrderResult {
    /// The order, as read back after every item was final.
    pub order: Order,
    /// CSV lines of the items that completed.
    pub completed_lines: Vec<u64>,
    /// CSV lines of the items HouseCanary cancelled, with its reason when given.
    pub cancelled: Vec<(u64, Option<String>)>,
    /// The export's documented file name.
    pub export_file_name: String,
    /// The export's entries, grouped by the order's items (in the order the API lists them).
    pub archive: ArchiveMatch,
}

/// What the bulk run did.
#[derive(Debug)]
pub struct BulkReport {
    /// Rows left out before ordering, with their line numbers.
    pub bad_rows: Vec<BadRow>,
    /// Rows submitted as order items.
    pub submitted: usize,
    /// One entry per order, in the order placed.
    pub orders: Vec<OrderResult>,
    /// The exports' directory when it was kept; `None` when it was removed after success.
    pub kept_dir: Option<PathBuf>,
}

/// Reports the bad rows of `parsed`, orders the good ones in batches, waits until every item is
/// final (advancing `progress`), and exports and downloads every order, writing a summary to `out`.
pub async fn run(
    targets: &Targets,
    parsed: ParsedRows,
    options: &BulkOptions,
    progress: &ProgressBar,
    out: &mut impl Write,
) -> Result<BulkReport, Box<dyn Error + Send + Sync>> {
    writeln!(out, "{}", targets.describe())?;
    let ParsedRows { rows, bad } = parsed;
    writeln!(out, "\n(1) Read the CSV")?;
    writeln!(
        out,
        "    {} usable rows, {} bad rows",
        rows.len(),
        bad.len()
    )?;
    for row in &bad {
        writeln!(out, "    line {}: {}", row.line, row.problem)?;
    }
    if rows.is_empty() {
        return Err("the CSV has no usable row".into());
    }
    // Every item carries its row's customer_item_id (`line-{n}` when the row has none): the way
    // back from what HouseCanary returns to the CSV line.
    let line_of: HashMap<String, u64> = rows
        .iter()
        .map(|row| (row.customer_item_id.clone(), row.line))
        .collect();
    let work_dir = new_work_dir(&options.work_parent, "housecanary-bulk-orders")?;

    writeln!(out, "\n(2) Submit the orders")?;
    let settings = &targets.housecanary;
    let housecanary = settings.client()?;
    let item_progress = OrderProgress::new();
    // The receiver serves until `_receiver` is dropped: at the end of this run, or on an error.
    let (follow, _receiver) = match &settings.callouts {
        CalloutMode::Receive {
            listen,
            public_url,
            path,
            auth,
        } => {
            // One receiver for every order: the callouts say which order and item they are about.
            let receiver = CalloutReceiver::new(
                CalloutVerifier::new(auth.clone()),
                Arc::new(InMemoryMessageLog::default()),
                item_progress.handler(),
            )?;
            let app = housecanary_partner::callouts::axum::router(receiver, path);
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|error| format!("callout receiver: listening on {listen}: {error}"))?;
            let local = listener.local_addr()?;
            let url = public_url
                .clone()
                .map_or_else(|| format!("http://{local}{path}").parse(), Ok)?;
            if let Some(sandbox) = targets.housecanary_sandbox() {
                sandbox.set_callout_target(url.clone(), auth.clone());
            }
            let server = tokio::spawn(async move { axum::serve(listener, app).await });
            writeln!(out, "    callouts to {url}, received on {local}")?;
            (Follow::Callouts, Some(AbortOnDropHandle::new(server)))
        }
        CalloutMode::Poll { interval } => {
            writeln!(
                out,
                "    polling every order's items every {} s",
                interval.as_secs_f64()
            )?;
            (
                Follow::Polling {
                    interval: *interval,
                },
                None,
            )
        }
    };
    let submitted = rows.len();
    progress.set_length(submitted as u64);
    progress.set_message("submitting");
    let batches: Vec<_> = rows.chunks(options.batch_size.max(1)).collect();
    let mut created = Vec::with_capacity(batches.len());
    for (index, batch) in batches.iter().enumerate() {
        let name = match batches.len() {
            1 => options.name.clone(),
            count => format!("{} (batch {} of {count})", options.name, index + 1),
        };
        let Some((first, others)) = batch.split_first() else {
            continue;
        };
        // The builder needs one item before it builds; the others follow in a batch.
        let mut order = ValueReportOrder::builder(&name, first.to_item())
            .items(others.iter().map(|row| row.to_item()));
        if let Some(owner) = settings.owner.clone() {
            order = order.owner(owner);
        }
        let order = housecanary.create_order(&order.build()).await?;
        let items = housecanary.list_order_items(order.id.clone()).await?;
        writeln!(
            out,
            "    order {} \"{}\": {} items",
            order.id,
            order.name.as_deref().unwrap_or(""),
            items.len()
        )?;
        progress.inc(batch.len() as u64);
        created.push((order, items));
    }

    writeln!(out, "\n(3) Wait until every item is complete or cancelled")?;
    progress.set_position(0);
    progress.set_message("finished");
    let all_items: Vec<_> = created
        .iter()
        .flat_map(|(_, items)| items.iter().map(|item| item.id.clone()))
        .collect();
    for (order, items) in &created {
        let item_ids: Vec<_> = items.iter().map(|item| item.id.clone()).collect();
        item_progress
            .wait_until_final(
                &housecanary,
                &order.id,
                &item_ids,
                follow,
                settings.deadline,
                // Callouts for later orders arrive meanwhile: the bar counts every order's items.
                |_| progress.set_position(item_progress.finished(&all_items) as u64),
            )
            .await?;
    }
    progress.finish_with_message("all items finished");

    writeln!(out, "\n(4) Export and download every order")?;
    let wait = || {
        WaitOptions::default()
            .initial_interval(settings.export_poll)
            .max_interval(settings.export_poll * 8)
            .timeout(settings.deadline)
    };
    let mut orders = Vec::with_capacity(created.len());
    for (order, _) in created {
        // Read back now that every item is final: the file names use the dates they completed on.
        let order = housecanary.get_order(order.id.clone()).await?;
        let items = housecanary.list_order_items(order.id.clone()).await?;
        let mut completed_lines = Vec::new();
        let mut cancelled = Vec::new();
        for item in &items {
            let line = item
                .customer_item_id
                .as_ref()
                .and_then(|id| line_of.get(id).copied())
                .unwrap_or(0);
            match item_progress.item(&item.id) {
                Some(state) if state.status == OrderItemStatus::Complete => {
                    completed_lines.push(line);
                }
                Some(state) => cancelled.push((line, state.reason)),
                None => cancelled.push((line, None)),
            }
        }
        let export = housecanary
            .create_export(&CreateExport::new(order.id.clone()).format(ExportFormat::Zip))
            .await?;
        let done = housecanary
            .wait_for_export(order.id.clone(), &export.id, wait())
            .await?;
        let export_file_name = ExportFormat::Zip.download_name(&order)?;
        let path = work_dir.join(&export_file_name);
        housecanary.download_export_to_file(&done, &path).await?;
        let archive = ExportArchive::open(&path)?.match_order(&order, &items)?;
        let reports: usize = archive.items.iter().map(|files| files.reports.len()).sum();
        writeln!(
            out,
            "    order {}: {} complete, {} cancelled; {export_file_name} holds {reports} reports",
            order.id,
            completed_lines.len(),
            cancelled.len(),
        )?;
        for (line, reason) in &cancelled {
            writeln!(
                out,
                "      line {line} cancelled by HouseCanary: {}",
                reason.as_deref().unwrap_or("no reason given")
            )?;
        }
        orders.push(OrderResult {
            order,
            completed_lines,
            cancelled,
            export_file_name,
            archive,
        });
    }

    let completed: usize = orders.iter().map(|order| order.completed_lines.len()).sum();
    let cancelled: usize = orders.iter().map(|order| order.cancelled.len()).sum();
    let bad_lines: Vec<u64> = bad.iter().map(|row| row.line).collect();
    writeln!(
        out,
        "\nDone: {submitted} rows submitted in {} orders, {completed} complete, {cancelled} \
         cancelled by HouseCanary, {} bad rows (lines {bad_lines:?})",
        orders.len(),
        bad.len(),
    )?;
    let kept_dir = if options.keep_files {
        writeln!(out, "Exports kept in {}", work_dir.display())?;
        Some(work_dir)
    } else {
        std::fs::remove_dir_all(&work_dir)
            .map_err(|error| format!("removing {}: {error}", work_dir.display()))?;
        writeln!(
            out,
            "Removed the downloaded exports (set EXAMPLES_KEEP_FILES=1 to keep them)"
        )?;
        None
    };
    Ok(BulkReport {
        bad_rows: bad,
        submitted,
        orders,
        kept_dir,
    })
}

/// A new directory `{prefix}-{process id}-{nanoseconds}` in `parent`.
fn new_work_dir(parent: &Path, prefix: &str) -> Result<PathBuf, Box<dyn Error + Send + Sync>> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos();
    let dir = parent.join(format!("{prefix}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|error| format!("creating {}: {error}", dir.display()))?;
    Ok(dir)
}
