//! The bulk flow: report bad rows, submit the good ones in batched orders, wait for every item
//! through callouts, export and download every order.

use std::collections::HashMap;
use std::path::PathBuf;

use housecanary_partner::orders::ValueReportOrder;
use housecanary_partner::status::OrderItemStatus;
use indicatif::ProgressBar;

use super::batches::{batch_order_name, batches};
use super::rows::{BadRow, ParsedRows};
use crate::error::Error;
use crate::export::{self, DownloadedExport};
use crate::orders::{self, PlacedOrder};
use crate::output::Output;
use crate::status_watch::StatusWatch;
use crate::targets::Targets;
use crate::work_dir::unique_temp_dir;

/// How to split and name the orders.
#[derive(Debug, Clone)]
pub struct BulkOptions {
    /// Base name of the orders.
    pub name: String,
    /// Most items per order.
    pub batch_size: usize,
    /// Where exports are downloaded; a fresh temporary directory when `None`.
    pub download_dir: Option<PathBuf>,
}

impl Default for BulkOptions {
    fn default() -> Self {
        Self {
            name: "Bulk addresses".to_owned(),
            batch_size: 100,
            download_dir: None,
        }
    }
}

/// One submitted order and how it ended.
#[derive(Debug, Clone)]
pub struct BatchResult {
    /// The order and its items.
    pub placed: PlacedOrder,
    /// CSV lines of items that completed.
    pub completed_lines: Vec<u64>,
    /// CSV lines of items the vendor cancelled, with its reason when given.
    pub cancelled: Vec<(u64, Option<String>)>,
    /// The downloaded export.
    pub export: DownloadedExport,
}

/// What the bulk flow did.
#[derive(Debug, Clone)]
pub struct BulkReport {
    /// Rows rejected before ordering, with their line numbers.
    pub bad_rows: Vec<BadRow>,
    /// Rows submitted as order items.
    pub submitted: usize,
    /// One entry per order.
    pub batches: Vec<BatchResult>,
}

impl BulkReport {
    /// Lines of the bad rows, in file order.
    ///
    /// ```
    /// let report = examples::bulk::BulkReport { bad_rows: vec![], submitted: 0, batches: vec![] };
    /// assert!(report.bad_lines().is_empty());
    /// ```
    pub fn bad_lines(&self) -> Vec<u64> {
        self.bad_rows.iter().map(|bad| bad.line).collect()
    }

    /// Lines of the items the vendor cancelled, in file order.
    ///
    /// ```
    /// let report = examples::bulk::BulkReport { bad_rows: vec![], submitted: 0, batches: vec![] };
    /// assert!(report.cancelled_lines().is_empty());
    /// ```
    pub fn cancelled_lines(&self) -> Vec<u64> {
        let mut lines: Vec<u64> = self
            .batches
            .iter()
            .flat_map(|batch| batch.cancelled.iter().map(|(line, _)| *line))
            .collect();
        lines.sort_unstable();
        lines
    }

    /// How many items completed.
    ///
    /// ```
    /// let report = examples::bulk::BulkReport { bad_rows: vec![], submitted: 0, batches: vec![] };
    /// assert_eq!(report.completed(), 0);
    /// ```
    pub fn completed(&self) -> usize {
        self.batches
            .iter()
            .map(|batch| batch.completed_lines.len())
            .sum()
    }
}

/// Runs the bulk flow on `parsed` against `targets`, showing progress on `progress` (its length is
/// set to the number of rows submitted) and writing a summary to `out`.
///
/// ```no_run
/// # async fn run() -> Result<(), examples::Error> {
/// let targets = examples::Targets::from_env().await?;
/// let parsed = examples::bulk::read_csv(std::path::Path::new("addresses.csv"))?;
/// let report = examples::bulk::run_bulk(
///     &targets, parsed, &examples::bulk::BulkOptions::default(),
///     &indicatif::ProgressBar::hidden(), &examples::Output::stdout(),
/// ).await?;
/// println!("bad lines: {:?}", report.bad_lines());
/// # Ok(()) }
/// ```
pub async fn run_bulk(
    targets: &Targets,
    parsed: ParsedRows,
    options: &BulkOptions,
    progress: &ProgressBar,
    out: &Output,
) -> Result<BulkReport, Error> {
    let ParsedRows { rows, bad } = parsed;
    out.step(1, "Read the CSV");
    out.line(format!(
        "{} usable rows, {} bad rows",
        rows.len(),
        bad.len()
    ));
    for row in &bad {
        out.line(format!("line {}: {}", row.line, row.problem));
    }
    if rows.is_empty() {
        return Err(Error::Unexpected {
            step: "bulk orders",
            problem: "the CSV has no usable row".to_owned(),
        });
    }
    let lines_by_id: HashMap<String, u64> = rows
        .iter()
        .map(|row| (row.customer_item_id.clone(), row.line))
        .collect();
    let submitted = rows.len();

    let client = targets.housecanary.client()?;
    let watch = StatusWatch::start(&targets.housecanary, targets.sandbox()).await?;
    let planned = batches(rows, options.batch_size);
    out.step(2, "Submit the orders");
    out.line(watch.describe());
    progress.set_length(submitted as u64);
    progress.set_position(0);
    progress.set_message("submitting");
    let mut placed_orders = Vec::with_capacity(planned.len());
    let count = planned.len();
    for (index, batch) in planned.into_iter().enumerate() {
        let mut items = batch.iter().map(|row| row.to_item());
        let Some(first) = items.next() else {
            continue;
        };
        let builder = ValueReportOrder::builder()
            .name(batch_order_name(&options.name, index, count))
            .item(first)
            .extend_items(items);
        let order = match targets.housecanary.owner.clone() {
            Some(owner) => builder.owner(owner).build(),
            None => builder.build(),
        };
        let placed = orders::place_order(&client, &order).await?;
        progress.inc(batch.len() as u64);
        placed_orders.push(placed);
    }
    for placed in &placed_orders {
        out.line(format!(
            "order {} \"{}\": {} items",
            placed.order.id,
            placed.order.name.as_deref().unwrap_or(""),
            placed.items.len()
        ));
    }

    out.step(3, "Wait until every item is complete or cancelled");
    let all_ids: Vec<String> = placed_orders
        .iter()
        .flat_map(|placed| placed.item_ids())
        .collect();
    progress.set_position(0);
    progress.set_message("finished");
    for placed in &placed_orders {
        watch
            .wait_for_items(
                &client,
                &placed.order.id,
                &placed.item_ids(),
                targets.housecanary.deadline,
                |_, _| progress.set_position(watch.tracker().finished(&all_ids) as u64),
            )
            .await?;
    }
    progress.finish_with_message("all items finished");

    out.step(4, "Export and download every order");
    let dir = match &options.download_dir {
        Some(dir) => dir.clone(),
        None => unique_temp_dir("housecanary-bulk-orders")?,
    };
    let mut results = Vec::with_capacity(placed_orders.len());
    for placed in placed_orders {
        let mut completed_lines = Vec::new();
        let mut cancelled = Vec::new();
        for item in &placed.items {
            let line = item
                .customer_item_id
                .as_deref()
                .and_then(|id| lines_by_id.get(id).copied())
                .unwrap_or(0);
            match watch.tracker().item(&item.id.to_string()) {
                Some(state) if state.status == OrderItemStatus::Complete => {
                    completed_lines.push(line);
                }
                Some(state) => cancelled.push((line, state.reason)),
                None => cancelled.push((line, None)),
            }
        }
        let export = export::export_order(
            &client,
            &placed,
            &dir,
            targets.housecanary.export_poll,
            targets.housecanary.deadline,
        )
        .await?;
        let mapped = export
            .entries
            .iter()
            .filter(|entry| entry.item.is_some())
            .count();
        out.line(format!(
            "order {}: {} complete, {} cancelled; {} ({} of {} entries mapped to items)",
            placed.order.id,
            completed_lines.len(),
            cancelled.len(),
            export.path.display(),
            mapped,
            export.entries.len()
        ));
        for (line, reason) in &cancelled {
            out.line(format!(
                "  line {line} cancelled by HouseCanary: {}",
                reason.as_deref().unwrap_or("no reason given")
            ));
        }
        results.push(BatchResult {
            placed,
            completed_lines,
            cancelled,
            export,
        });
    }
    Ok(BulkReport {
        bad_rows: bad,
        submitted,
        batches: results,
    })
}
