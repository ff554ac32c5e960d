//! Step 4: exporting an order, downloading the archive under its documented name, and mapping each
//! entry back to its order item.

use std::path::{Path, PathBuf};
use std::time::Duration;

use housecanary_partner::export_files::{
    EntryKind, ExportArchive, ItemLookup, ItemMatcher, ItemNaming, OrderNaming, SystemClock,
    order_download_name,
};
use housecanary_partner::exports::{ExportFormat, WaitOptions};

use crate::error::Error;
use crate::orders::PlacedOrder;

/// One archive entry and the order item it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedEntry {
    /// The entry's path in the archive.
    pub path: String,
    /// What it is (item JSON, report, order JSON, other).
    pub kind: EntryKind,
    /// Index into the order's items, when exactly one item matches.
    pub item: Option<usize>,
}

/// A downloaded and opened export.
#[derive(Debug, Clone)]
pub struct DownloadedExport {
    /// Where it was saved.
    pub path: PathBuf,
    /// The documented name (`order_download_name`).
    pub file_name: String,
    /// The last segment of the vendor's download URL, when it differs from `file_name`.
    pub server_file_name: Option<String>,
    /// Its size in bytes.
    pub bytes: u64,
    /// Every entry, in archive order, mapped to its item.
    pub entries: Vec<MappedEntry>,
}

/// Exports `placed` as a zip, waits for it (polling from `poll`, up to `deadline`), downloads it into
/// `dir` under the documented file name and maps its entries to the order's items.
///
/// ```no_run
/// # async fn run(client: housecanary_partner::Client, placed: examples::orders::PlacedOrder) -> Result<(), examples::Error> {
/// let dir = examples::work_dir::unique_temp_dir("export")?;
/// let export = examples::export::export_order(
///     &client, &placed, &dir,
///     std::time::Duration::from_secs(2), std::time::Duration::from_secs(600),
/// ).await?;
/// println!("{}", export.path.display());
/// # Ok(()) }
/// ```
pub async fn export_order(
    client: &housecanary_partner::Client,
    placed: &PlacedOrder,
    dir: &Path,
    poll: Duration,
    deadline: Duration,
) -> Result<DownloadedExport, Error> {
    let order_id = &placed.order.id;
    let export = client
        .create_export(order_id, ExportFormat::Zip, false)
        .await?;
    let options = WaitOptions::default()
        .initial_interval(poll)
        .max_interval(poll.saturating_mul(8))
        .timeout(deadline);
    let done = client
        .wait_for_export(order_id, &export.id, options)
        .await?;
    // The naming inputs come from the records as the vendor returned them (the crate's own rules).
    let order_naming = OrderNaming::from_order(&placed.order).map_err(naming_error)?;
    let file_name = order_download_name(&order_naming, ExportFormat::Zip.as_str(), &SystemClock);
    let server_file_name = done
        .exported_data
        .as_deref()
        .and_then(|url| url::Url::parse(url).ok())
        .and_then(|url| {
            url.path_segments()
                .and_then(|mut segments| segments.next_back().map(str::to_owned))
        })
        .filter(|name| !name.is_empty() && *name != file_name);
    let path = dir.join(&file_name);
    let bytes = client.download_export_to_file(&done, &path).await?;
    let archive = ExportArchive::open(&path)?;
    let items = placed
        .items
        .iter()
        .map(ItemNaming::from_item)
        .collect::<Result<Vec<_>, _>>()
        .map_err(naming_error)?;
    let matcher = ItemMatcher::new(&order_naming, &items, &SystemClock);
    let entries = archive
        .entries()
        .iter()
        .map(|entry| MappedEntry {
            path: entry.path().to_owned(),
            kind: entry.kind().clone(),
            item: match matcher.lookup(entry.kind()) {
                ItemLookup::Item(index) => Some(index),
                _ => None,
            },
        })
        .collect();
    Ok(DownloadedExport {
        path,
        file_name,
        server_file_name,
        bytes,
        entries,
    })
}

fn naming_error(err: housecanary_partner::export_files::NamingInputError) -> Error {
    Error::Unexpected {
        step: "export file names",
        problem: err.to_string(),
    }
}
