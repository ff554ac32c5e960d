//! Export file names and the archive reader.
//!
//! The vendor names an order's export archive and the files inside it from the order's name,
//! each item's customer id or address, and a few dates:
//!
//! ```text
//! HC_{slug(order name)}_{order_date}.{fmt}
//! |-- {item_id}_{item_date}_OrderItem.json   (unless exclude_json)
//! |-- {item_id}_{item_date}_ValueReport.pdf
//! ```
//!
//! - [`slug`] is Django's `slugify` exactly.
//! - [`order_download_name`], [`order_item_file_prefix`], [`order_item_json_name`],
//!   [`value_report_pdf_name`] and [`expected_archive_entries`] compute the names from small
//!   plain-data inputs, [`OrderNaming`] and [`ItemNaming`], which can be read from the API's
//!   records with [`OrderNaming::from_order`] and [`ItemNaming::from_item`].
//! - "Today" (the fallback date) is today in `America/Los_Angeles`, from an injectable
//!   [`Clock`]; the time zone comes from jiff's bundled database, so no system zoneinfo is
//!   needed.
//! - Dates are written `YYYY-MM-DD` ([`EXPORT_DATE_FORMAT`], an assumption: the vendor does not
//!   document it). Vendor timestamps become their `America/Los_Angeles` calendar date
//!   ([`ExportDate::parse`]).
//! - With the `export-archive` feature (on by default), `ExportArchive` reads a downloaded
//!   archive, classifies each entry ([`EntryKind`]), maps it to its item ([`ItemMatcher`]) and
//!   streams its bytes.
//!
//! # Examples
//!
//! ```
//! use housecanary_partner::export_files::{
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
mod archive_match;
mod clock;
mod date;
mod entry_kind;
#[cfg(feature = "export-archive")]
mod entry_name;
mod from_orders;
mod matcher;
mod names;
mod naming;
mod slug;

#[cfg(feature = "export-archive")]
pub use archive::{ArchiveEntry, ArchiveError, EntryReader, ExportArchive};
#[cfg(feature = "export-archive")]
pub use archive_match::{AmbiguousEntry, ArchiveMatch, ItemFiles};
pub use clock::{
    Clock, EXPORT_TIME_ZONE, FixedClock, SystemClock, date_in_export_zone, export_time_zone, today,
};
pub use date::{EXPORT_DATE_FORMAT, ExportDate, ExportDateError};
pub use entry_kind::EntryKind;
pub use from_orders::NamingInputError;
pub use matcher::{ItemLookup, ItemMatcher};
pub use names::{
    ORDER_ITEM_JSON_SUFFIX, VALUE_REPORT_PDF_SUFFIX, expected_archive_entries, item_date,
    item_file_id, order_date, order_download_name, order_item_file_prefix, order_item_json_name,
    value_report_pdf_name,
};
pub use naming::{ItemNaming, OrderNaming};
pub use slug::slug;

/// The guide `docs/export-files.md`, compiled as doc tests so its examples stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/export-files.md")]
pub struct ExportFilesGuide;
