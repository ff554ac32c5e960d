//! Exports, all in one place: asking for an order's archive, waiting for it, downloading it, the
//! file names the vendor gives it and its entries, and reading a downloaded archive back to
//! order items.
//!
//! ```no_run
//! use housecanary_partner::exports::{CreateExport, WaitOptions};
//! # async fn run(client: housecanary_partner::Client) -> Result<(), housecanary_partner::Error> {
//! let export = client.create_export(&CreateExport::new(42_u64)).await?;
//! let done = client.wait_for_export(42_u64, &export.id, WaitOptions::default()).await?;
//! client.download_export_to_file(&done, "order-42.zip").await?;
//! # Ok(()) }
//! ```
//!
//! One file per vendor operation: `create_export.rs` ([`CreateExport`],
//! [`Client::create_export`](crate::Client::create_export)), `get_export_request.rs`,
//! `list_export_requests.rs`, `wait_for_export.rs` ([`WaitOptions`]) and `download_export.rs`;
//! the records they return are in `export_request.rs` ([`ExportRequest`], [`ExportFormat`]).
//!
//! # File names
//!
//! The vendor names an order's export archive and the files inside it from the order's name,
//! each item's customer id or address, and a few dates (`file_names.rs`):
//!
//! ```text
//! HC_{slug(order name)}_{order_date}.{fmt}
//! |-- {item_id}_{item_date}_OrderItem.json   (unless exclude_json)
//! |-- {item_id}_{item_date}_ValueReport.pdf
//! ```
//!
//! - [`slug`] is Django's `slugify` exactly (`slug.rs`).
//! - [`order_download_name`], [`order_item_file_prefix`], [`order_item_json_name`],
//!   [`value_report_pdf_name`] and [`expected_archive_entries`] compute the names from small
//!   plain-data inputs, [`OrderNaming`] and [`ItemNaming`] (`naming_inputs.rs`), which can be read
//!   from the API's records with [`OrderNaming::from_order`] and [`ItemNaming::from_item`].
//! - "Today" (the fallback date) is today in `America/Los_Angeles`, from an injectable
//!   [`Clock`] (`clock.rs`); the time zone comes from jiff's bundled database, so no system
//!   zoneinfo is needed.
//! - Dates are written `YYYY-MM-DD` ([`EXPORT_DATE_FORMAT`], an assumption: the vendor does not
//!   document it). Vendor timestamps become their `America/Los_Angeles` calendar date
//!   ([`ExportDate::parse`], `export_date.rs`).
//!
//! # Reading an archive
//!
//! [`EntryKind::classify`] reads what an entry is from its name alone, and [`ItemMatcher`]
//! (`item_lookup.rs`) which item it belongs to. With the `export-archive` feature (on by default),
//! `ExportArchive` (`archive.rs`) reads a downloaded archive, refusing unsafe entry names
//! (`safe_entry_path.rs`), streams each entry's bytes, and `ExportArchive::match_items`
//! (`archive_items.rs`) groups the entries by item.
//!
//! ```
//! use housecanary_partner::exports::{
//!     FixedClock, ItemNaming, OrderNaming, order_download_name, value_report_pdf_name,
//! };
//!
//! let clock = FixedClock::new("2024-03-10T09:30:00Z".parse().unwrap());
//! let order = OrderNaming::new("Spring Portfolio");
//! let item = ItemNaming::new("123 Main St.").with_unit("4B");
//! assert_eq!(
//!     order_download_name(&order, "zip", &clock),
//!     "HC_spring-portfolio_2024-03-10.zip"
//! );
//! assert_eq!(
//!     value_report_pdf_name(&item, &order, &clock),
//!     "123-main-st-4B_2024-03-10_ValueReport.pdf"
//! );
//! ```

#[cfg(feature = "export-archive")]
mod archive;
#[cfg(feature = "export-archive")]
mod archive_items;
#[cfg(feature = "export-archive")]
mod central_directory;
mod clock;
mod create_export;
mod download_export;
mod export_date;
mod export_request;
mod file_names;
mod get_export_request;
mod item_lookup;
mod list_export_requests;
mod naming_inputs;
#[cfg(feature = "export-archive")]
mod safe_entry_path;
mod slug;
mod wait_for_export;

#[cfg(feature = "export-archive")]
#[cfg_attr(docsrs, doc(cfg(feature = "export-archive")))]
pub use archive::{ArchiveEntry, ArchiveError, EntryReader, ExportArchive};
#[cfg(feature = "export-archive")]
#[cfg_attr(docsrs, doc(cfg(feature = "export-archive")))]
pub use archive_items::{AmbiguousEntry, ArchiveMatch, ItemFiles};
pub use clock::{
    Clock, EXPORT_TIME_ZONE, FixedClock, SystemClock, date_in_export_zone, export_time_zone, today,
};
pub use create_export::CreateExport;
pub use export_date::{EXPORT_DATE_FORMAT, ExportDate, ExportDateError};
pub use export_request::{ExportFormat, ExportRequest};
pub use file_names::{
    EntryKind, ORDER_ITEM_JSON_SUFFIX, VALUE_REPORT_PDF_SUFFIX, expected_archive_entries,
    item_date, item_file_id, order_date, order_download_name, order_item_file_prefix,
    order_item_json_name, value_report_pdf_name,
};
pub use item_lookup::{ItemLookup, ItemMatcher};
pub use naming_inputs::{ItemNaming, NamingInputError, OrderNaming};
pub use slug::slug;
pub use wait_for_export::WaitOptions;

/// The guide `docs/export-files.md`, compiled as doc tests so its examples stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/export-files.md")]
pub struct ExportFilesGuide;
