//! The whole journey of the quickstart, as a function the example binary and the tests both run.

use housecanary_partner::export_files::EntryKind;
use housecanary_partner::orders::{OrderItem, ValueReportOrder};

use crate::credit;
use crate::error::Error;
use crate::export::{self, DownloadedExport};
use crate::orders::{self, PlacedOrder};
use crate::output::Output;
use crate::status_watch::StatusWatch;
use crate::targets::Targets;
use crate::work_dir::{KEEP_FILES_VAR, WorkDir};

/// What the quickstart did, for tests and callers.
#[derive(Debug)]
pub struct QuickstartSummary {
    /// The credit report's reference number.
    pub report_reference: String,
    /// The SECONDUSE return code (or `accepted`).
    pub second_use_code: String,
    /// The order, with its items as finished.
    pub order: PlacedOrder,
    /// The downloaded export. Its `path` exists only while the working directory is kept.
    pub export: DownloadedExport,
    /// The working directory (stored reference, downloaded export) when it was kept; `None` when it
    /// was removed after the successful run.
    pub kept_dir: Option<std::path::PathBuf>,
}

/// The order the quickstart places: three addresses the sandbox accepts (one with a unit, one with
/// a customer item id) and one it cancels as invalid.
///
/// ```
/// let order = examples::quickstart::demo_order(None);
/// assert_eq!(order.items().len(), 4);
/// ```
pub fn demo_order(owner: Option<housecanary_partner::OwnerPair>) -> ValueReportOrder {
    let builder = ValueReportOrder::builder()
        .name("Quickstart Portfolio")
        .customer_order_id("quickstart-1")
        .item(
            OrderItem::builder()
                .address("123 Main St")
                .city_state("San Francisco", "CA")
                .zipcode("94103")
                .build(),
        )
        .item(
            OrderItem::builder()
                .address("456 Oak Ave")
                .unit("4B")
                .zipcode("78701")
                .build(),
        )
        .item(
            OrderItem::builder()
                .address("789 Pine Rd")
                .city_state("Denver", "CO")
                .customer_item_id("loan-0042")
                .build(),
        )
        .item(
            OrderItem::builder()
                .address("1 Invalid Address Way")
                .zipcode("00000")
                .build(),
        );
    match owner {
        Some(owner) => builder.owner(owner).build(),
        None => builder.build(),
    }
}

/// Runs the four steps against `targets`, writing numbered output to `out`. Any failure ends the
/// run with an error naming the step.
///
/// The stored reference and the downloaded export go to a new directory under the system's
/// temporary directory. After a successful run it is removed, unless `EXAMPLES_KEEP_FILES` is set;
/// after a failure it is kept for inspection.
///
/// ```no_run
/// # async fn run() -> Result<(), examples::Error> {
/// let targets = examples::Targets::from_env().await?;
/// let summary = examples::quickstart::run(&targets, &examples::Output::stdout()).await?;
/// # let _ = summary; Ok(()) }
/// ```
pub async fn run(targets: &Targets, out: &Output) -> Result<QuickstartSummary, Error> {
    let keep_files = WorkDir::keep_requested(&crate::settings::process_env);
    run_with(targets, out, keep_files).await
}

/// [`run`], with the choice to keep the working directory after success made by the caller.
///
/// ```no_run
/// # async fn run() -> Result<(), examples::Error> {
/// let targets = examples::Targets::from_env().await?;
/// let summary = examples::quickstart::run_with(&targets, &examples::Output::stdout(), true).await?;
/// println!("files in {:?}", summary.kept_dir);
/// # Ok(()) }
/// ```
pub async fn run_with(
    targets: &Targets,
    out: &Output,
    keep_files: bool,
) -> Result<QuickstartSummary, Error> {
    out.plain(
        "Quickstart: Innovis credit report + SECONDUSE, HouseCanary valueReport order + export",
    );
    out.plain(targets.describe());
    let work = WorkDir::create("innovis-housecanary-quickstart", keep_files)?;
    let work_dir = work.path().to_owned();

    out.step(1, "Innovis credit report (CR) through a House Number");
    let innovis = targets.innovis.client()?;
    let reference = credit::credit_report(&targets.innovis, &innovis, out).await?;

    out.step(
        2,
        "Store the report reference as JSON, reload it, SECONDUSE for a second end user",
    );
    let stored = work_dir.join("report-reference.json");
    credit::store_reference(&reference, &stored)?;
    out.line(format!("stored {}", stored.display()));
    let reloaded = credit::load_reference(&stored)?;
    if reloaded != reference {
        return Err(Error::StoredReference {
            path: stored,
            message: "reads back different from what was written".to_owned(),
        });
    }
    out.line(format!(
        "reloaded report reference {}",
        reloaded.report_reference_number()
    ));
    let second_use_code = credit::second_use(&targets.innovis, &innovis, reloaded, out).await?;

    out.step(
        3,
        "HouseCanary valueReport order, followed through signed callouts",
    );
    let housecanary = targets.housecanary.client()?;
    let watch = StatusWatch::start(&targets.housecanary, targets.sandbox()).await?;
    out.line(watch.describe());
    let order = demo_order(targets.housecanary.owner.clone());
    let placed =
        orders::order_and_wait(&targets.housecanary, &housecanary, &watch, &order, out).await?;

    out.step(
        4,
        "Export the order, download it, map each file to its order item",
    );
    let export = export::export_order(
        &housecanary,
        &placed,
        &work_dir,
        targets.housecanary.export_poll,
        targets.housecanary.deadline,
    )
    .await?;
    out.line(format!(
        "downloaded {} ({} bytes)",
        export.path.display(),
        export.bytes
    ));
    if let Some(server_name) = &export.server_file_name {
        out.line(format!(
            "note: the vendor's URL names it {server_name} (expected {})",
            export.file_name
        ));
    }
    for entry in &export.entries {
        out.line(describe_entry(entry, &placed));
    }
    let unmatched = export
        .entries
        .iter()
        .filter(|entry| entry.item.is_none() && !matches!(entry.kind, EntryKind::OrderJson))
        .count();
    if unmatched > 0 {
        return Err(Error::Unexpected {
            step: "export",
            problem: format!("{unmatched} archive entries match no order item"),
        });
    }
    let kept_dir = work.finish()?;
    match &kept_dir {
        Some(dir) => out.line(format!("files kept in {}", dir.display())),
        None => out.line(format!(
            "removed {} (set {KEEP_FILES_VAR}=1 to keep the files)",
            work_dir.display()
        )),
    }
    out.plain("");
    out.plain("Done: every step succeeded.");
    Ok(QuickstartSummary {
        report_reference: reference.report_reference_number().to_owned(),
        second_use_code,
        order: placed,
        export,
        kept_dir,
    })
}

fn describe_entry(entry: &export::MappedEntry, placed: &PlacedOrder) -> String {
    let kind = match &entry.kind {
        EntryKind::OrderItemJson { .. } => "item JSON".to_owned(),
        EntryKind::Report { suffix, .. } => format!("{suffix} report"),
        EntryKind::OrderJson => "order JSON".to_owned(),
        _ => "other file".to_owned(),
    };
    let owner = match entry.item.and_then(|index| placed.items.get(index)) {
        Some(item) => format!(
            "item {} ({}{})",
            item.id,
            item.address.as_deref().unwrap_or("no address"),
            item.unit
                .as_deref()
                .map(|unit| format!(" unit {unit}"))
                .unwrap_or_default()
        ),
        None if matches!(entry.kind, EntryKind::OrderJson) => {
            format!("order {}", placed.order.id)
        }
        None => "no order item".to_owned(),
    };
    format!("{} -> {kind} of {owner}", entry.path)
}
