//! Exports: asking for an order's archive, waiting for it, downloading it under the vendor's
//! file name, and reading it back to the order's items.
//!
//! ```no_run
//! use housecanary_partner::exports::{CreateExport, ExportArchive, ExportFormat, WaitOptions};
//! # async fn run(client: housecanary_partner::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let order = client.get_order(42_u64).await?;
//! let items = client.list_order_items(42_u64).await?;
//! let export = client.create_export(&CreateExport::new(42_u64)).await?;
//! let done = client.wait_for_export(42_u64, &export.id, WaitOptions::default()).await?;
//! let path = ExportFormat::Zip.download_name(&order)?;
//! client.download_export_to_file(&done, &path).await?;
//! let matched = ExportArchive::open(&path)?.match_order(&order, &items)?;
//! for (item, files) in items.iter().zip(&matched.items) {
//!     println!("item {}: {} report(s)", item.id, files.reports.len());
//! }
//! # Ok(()) }
//! ```
//!
//! The file-name rules themselves are in [`naming`].

#[cfg(feature = "export-archive")]
mod archive;
#[cfg(feature = "export-archive")]
mod archive_items;
#[cfg(feature = "export-archive")]
mod central_directory;
mod create_export;
mod download_export;
mod export_request;
mod get_export_request;
mod list_export_requests;
pub mod naming;
#[cfg(feature = "export-archive")]
mod safe_entry_path;
mod wait_for_export;

#[cfg(feature = "export-archive")]
#[cfg_attr(docsrs, doc(cfg(feature = "export-archive")))]
pub use archive::{ArchiveEntry, ArchiveError, ExportArchive};
#[cfg(feature = "export-archive")]
#[cfg_attr(docsrs, doc(cfg(feature = "export-archive")))]
pub use archive_items::{ArchiveMatch, ItemFiles};
pub use create_export::CreateExport;
pub use export_request::{ExportFormat, ExportRequest};
pub use wait_for_export::WaitOptions;

/// The guide `docs/export-files.md`, compiled as doc tests so that its examples stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/export-files.md")]
mod guide {}
