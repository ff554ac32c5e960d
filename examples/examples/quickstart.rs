//! The whole journey, end to end:
//!
//! 1. an Innovis credit report (CR) through a reseller's House Number;
//! 2. the report reference stored as JSON, reloaded, and used for a SECONDUSE by a second end user;
//! 3. a HouseCanary valueReport order of four addresses (one invalid, which gets cancelled), followed
//!    through HMAC-SHA1-signed callouts to a local receiver;
//! 4. an export of the order, downloaded under its documented file name and opened, each file mapped
//!    to its order item.
//!
//! ```text
//! cargo run -p examples --example quickstart
//! ```
//!
//! With no environment variables it runs against an embedded sandbox (no credentials, no network).
//! Set the `INNOVIS_*` and/or `HOUSECANARY_*` variables listed in `docs/getting-started.md` to run
//! the same steps against the Innovis UAT and/or the HouseCanary demo environment. The stored
//! reference and the export go to a new directory under the system's temporary directory, removed
//! after success unless `EXAMPLES_KEEP_FILES` is set, kept after a failure. Exits non-zero on any
//! failure, printing the error and its causes.

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
use housecanary_partner::orders::{Location, OrderItem, OrderItemDetails, ValueReportOrder};
use housecanary_partner::progress::{Follow, OrderProgress};
use innovis_client::{PermissiblePurpose, ProductCode, ReportReference, ResellerProfile};
use tokio_util::task::AbortOnDropHandle;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    examples::init_logs("warn");
    let targets = Targets::from_env().await?;
    let keep_files = process_env("EXAMPLES_KEEP_FILES").is_some();
    let work_parent = std::env::temp_dir();
    let result = run(&targets, &work_parent, keep_files, &mut std::io::stdout()).await;
    targets.shutdown().await;
    result?;
    Ok(())
}

/// What a quickstart run did, for the tests to check beyond its output.
#[derive(Debug)]
pub struct Summary {
    /// The SECONDUSE return code (or `accepted`).
    pub second_use_code: String,
    /// The order's items, read back after every item was final, in the order sent.
    pub items: Vec<OrderItemDetails>,
    /// The export's documented file name (`HC_{slug(order name)}_{date}.zip`).
    pub export_file_name: String,
    /// The archive's entries, grouped by the order item they belong to.
    pub archive: ArchiveMatch,
    /// The run's directory when it was kept; `None` when it was removed after success.
    pub kept_dir: Option<PathBuf>,
}

/// Runs the four steps against `targets`, writing numbered steps to `out`. The stored reference
/// and the export go to a new directory in `work_parent`, removed after success unless
/// `keep_files`; an error leaves it in place.
pub async fn run(
    targets: &Targets,
    work_parent: &Path,
    keep_files: bool,
    out: &mut impl Write,
) -> Result<Summary, Box<dyn Error + Send + Sync>> {
    writeln!(
        out,
        "Quickstart: Innovis credit report + SECONDUSE, HouseCanary valueReport order + export"
    )?;
    writeln!(out, "{}", targets.describe())?;
    let work_dir = new_work_dir(work_parent, "innovis-housecanary-quickstart")?;

    writeln!(
        out,
        "\n(1) Innovis credit report (CR) through a House Number"
    )?;
    let settings = &targets.innovis;
    let innovis = settings.client()?;
    let purpose = PermissiblePurpose::new(settings.permissible_purpose.clone())?;
    // A reseller registers each House Number once, by (permissible purpose, product); the profile
    // puts the right customerId on every request. SECONDUSE goes out on the CR House Number.
    let profile = ResellerProfile::new()
        .register(
            purpose.clone(),
            ProductCode::CR,
            settings.customer_id.clone(),
        )?
        .allow_second_use_on(ProductCode::CR);
    let request = profile
        .report_request(
            purpose.clone(),
            ProductCode::CR,
            settings.end_user_code.clone(),
        )?
        .applicant(settings.consumer.clone())
        .build()?;
    writeln!(
        out,
        "    House Number: customerId {} / endUserCode {}, permissible purpose {}",
        request.house_number().customer_id(),
        request.house_number().end_user_code(),
        purpose.as_str()
    )?;
    let response = innovis.send(&request).await?;
    // A 200 can still carry a consumer-level error code: `check` turns it into an error.
    response.check()?;
    let consumer = response
        .consumers()
        .first()
        .ok_or("the response holds no consumer report")?;
    let code = consumer
        .return_code
        .as_ref()
        .map_or("(none)", |code| code.as_str());
    let reason = consumer
        .return_reason_code
        .as_deref()
        .map(|reason| format!(" (reason {reason})"))
        .unwrap_or_default();
    writeln!(out, "    return code: {code}{reason}")?;
    writeln!(
        out,
        "    customerTraceNumber: {}",
        request.customer_trace_number()
    )?;
    let reference = response
        .references()
        .first()
        .cloned()
        .ok_or_else(|| format!("return code {code} came without a report reference"))?;
    writeln!(
        out,
        "    report reference: {}",
        reference.report_reference_number()
    )?;

    writeln!(
        out,
        "\n(2) Store the report reference as JSON, reload it, SECONDUSE for a second end user"
    )?;
    // The reference holds no SSN and no date of birth: it is made to be stored as it is.
    let stored = work_dir.join("report-reference.json");
    std::fs::write(&stored, serde_json::to_vec_pretty(&reference)?)
        .map_err(|error| format!("writing {}: {error}", stored.display()))?;
    writeln!(out, "    stored {}", stored.display())?;
    let json =
        std::fs::read(&stored).map_err(|error| format!("reading {}: {error}", stored.display()))?;
    let reloaded: ReportReference = serde_json::from_slice(&json)?;
    if reloaded != reference {
        return Err(format!(
            "{} reads back different from what was written",
            stored.display()
        )
        .into());
    }
    writeln!(
        out,
        "    reloaded report reference {}",
        reloaded.report_reference_number()
    )?;
    let second_use = profile
        .second_use_request(reloaded, purpose, settings.second_end_user_code.clone())?
        .build()?;
    writeln!(
        out,
        "    second end user: endUserCode {} (customerId {})",
        second_use.house_number().end_user_code(),
        second_use.house_number().customer_id()
    )?;
    let confirmation = innovis.send_second_use(&second_use).await?;
    confirmation.check()?;
    // The vendor does not document SECONDUSE's answer; when it has a consumer, it has a code.
    let second_use_code = confirmation
        .consumers()
        .first()
        .and_then(|consumer| consumer.return_code.as_ref())
        .map_or_else(|| "accepted".to_owned(), |code| code.as_str().to_owned());
    writeln!(out, "    SECONDUSE return code: {second_use_code}")?;
    writeln!(
        out,
        "    customerTraceNumber: {}",
        second_use.customer_trace_number()
    )?;

    writeln!(
        out,
        "\n(3) HouseCanary valueReport order, followed through signed callouts"
    )?;
    let settings = &targets.housecanary;
    let housecanary = settings.client()?;
    // What callouts (or polls) say about each item; the receiver's handler feeds a clone of it.
    let progress = OrderProgress::new();
    // The receiver serves until `_receiver` is dropped: at the end of this run, or on an error.
    let (follow, _receiver) = match &settings.callouts {
        CalloutMode::Receive {
            listen,
            public_url,
            path,
            auth,
        } => {
            // Verifies each request, skips a message_id already processed (the vendor redelivers),
            // hands the message to `progress`, and only then acknowledges it.
            let receiver = CalloutReceiver::new(
                CalloutVerifier::new(auth.clone()),
                Arc::new(InMemoryMessageLog::default()),
                progress.handler(),
            )?;
            let app = housecanary_partner::callouts::axum::router(receiver, path);
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|error| format!("callout receiver: listening on {listen}: {error}"))?;
            let local = listener.local_addr()?;
            let url = match public_url {
                Some(url) => url.clone(),
                None => format!("http://{local}{path}").parse()?,
            };
            // The vendor's callout URL is set at onboarding; the sandbox's is set here.
            if let Some(sandbox) = targets.housecanary_sandbox() {
                sandbox.set_callout_target(url.clone(), auth.clone());
            }
            let server = tokio::spawn(async move { axum::serve(listener, app).await });
            writeln!(
                out,
                "    callout receiver listening on {local} for {url} (HMAC-SHA1 signed)"
            )?;
            (Follow::Callouts, Some(AbortOnDropHandle::new(server)))
        }
        CalloutMode::Poll { interval } => {
            writeln!(
                out,
                "    no HOUSECANARY_CALLOUT_URL: polling item statuses every {} s",
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

    // Three addresses the sandbox accepts (one with a unit, one with a customer item id) and one
    // it cancels as invalid. An item cannot be built without an address and a location.
    let mut order = ValueReportOrder::builder(
        "Quickstart Portfolio",
        OrderItem::builder(
            "123 Main St",
            Location::full("San Francisco", "CA", "94103"),
        )
        .build(),
    )
    .customer_order_id("quickstart-1")
    .item(
        OrderItem::builder("456 Oak Ave", Location::zipcode("78701"))
            .unit("4B")
            .build(),
    )
    .item(
        OrderItem::builder("789 Pine Rd", Location::city_state("Denver", "CO"))
            .customer_item_id("loan-0042")
            .build(),
    )
    .item(OrderItem::builder("1 Invalid Address Way", Location::zipcode("00000")).build());
    if let Some(owner) = settings.owner.clone() {
        order = order.owner(owner);
    }
    let created = housecanary.create_order(&order.build()).await?;
    let items = housecanary.list_order_items(created.id.clone()).await?;
    writeln!(
        out,
        "    order {} created ({} items, status {})",
        created.id,
        items.len(),
        created
            .status
            .as_ref()
            .map_or("unknown", |status| status.as_str())
    )?;
    let item_ids: Vec<_> = items.iter().map(|item| item.id.clone()).collect();
    progress
        .wait_until_final(
            &housecanary,
            &created.id,
            &item_ids,
            follow,
            settings.deadline,
            |now| {
                // A progress line that cannot be written is no reason to stop waiting.
                let _ = writeln!(out, "    {}/{} items finished", now.finished, now.total);
            },
        )
        .await?;
    for item in &items {
        let state = progress.item(&item.id);
        let status = state
            .as_ref()
            .map_or("unknown", |state| state.status.as_str());
        let reason = state
            .as_ref()
            .and_then(|state| state.reason.as_deref())
            .map(|reason| format!(" ({reason})"))
            .unwrap_or_default();
        writeln!(
            out,
            "    item {} {}: {status}{reason}",
            item.id,
            item.address.as_deref().unwrap_or("(no address)")
        )?;
    }
    if follow == Follow::Callouts {
        writeln!(
            out,
            "    {} callouts received and verified",
            progress.callouts_received()
        )?;
    }

    writeln!(
        out,
        "\n(4) Export the order, download it, map each file to its order item"
    )?;
    // Read back now that every item is final: the file names use the dates they completed on.
    let order = housecanary.get_order(created.id.clone()).await?;
    let items = housecanary.list_order_items(created.id.clone()).await?;
    let export = housecanary
        .create_export(&CreateExport::new(order.id.clone()).format(ExportFormat::Zip))
        .await?;
    let wait = WaitOptions::default()
        .initial_interval(settings.export_poll)
        .max_interval(settings.export_poll * 8)
        .timeout(settings.deadline);
    let done = housecanary
        .wait_for_export(order.id.clone(), &export.id, wait)
        .await?;
    // The vendor names the archive from the order's name and dates; the SDK computes that name.
    let export_file_name = ExportFormat::Zip.download_name(&order)?;
    // The vendor's download URL ends in the name it gave the archive: say so if the two differ.
    let server_file_name = done
        .exported_data
        .as_deref()
        .and_then(|url| url::Url::parse(url).ok())
        .and_then(|url| url.path_segments()?.next_back().map(str::to_owned))
        .filter(|name| !name.is_empty() && *name != export_file_name);
    if let Some(name) = &server_file_name {
        writeln!(
            out,
            "    note: the vendor's URL names it {name} (expected {export_file_name})"
        )?;
    }
    let path = work_dir.join(&export_file_name);
    let bytes = housecanary.download_export_to_file(&done, &path).await?;
    writeln!(out, "    downloaded {} ({bytes} bytes)", path.display())?;
    let archive = ExportArchive::open(&path)?.match_order(&order, &items)?;
    for (item, files) in items.iter().zip(&archive.items) {
        let unit = item
            .unit
            .as_deref()
            .map(|unit| format!(" unit {unit}"))
            .unwrap_or_default();
        for entry in files.order_item_json.iter().chain(&files.reports) {
            writeln!(
                out,
                "    {} -> item {} ({}{unit})",
                entry.path(),
                item.id,
                item.address.as_deref().unwrap_or("no address")
            )?;
        }
    }
    for entry in &archive.order_json {
        writeln!(out, "    {} -> order {}", entry.path(), order.id)?;
    }
    let strays = archive.unmatched.len() + archive.ambiguous.len();
    if strays > 0 {
        return Err(format!("{strays} archive entries match no single order item").into());
    }

    let kept_dir = if keep_files {
        writeln!(out, "    files kept in {}", work_dir.display())?;
        Some(work_dir)
    } else {
        std::fs::remove_dir_all(&work_dir)
            .map_err(|error| format!("removing {}: {error}", work_dir.display()))?;
        writeln!(
            out,
            "    removed {} (set EXAMPLES_KEEP_FILES=1 to keep the files)",
            work_dir.display()
        )?;
        None
    };
    writeln!(out, "\nDone: every step succeeded.")?;
    Ok(Summary {
        second_use_code,
        items,
        export_file_name,
        archive,
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
