//! The vendor's file-name rules, for those who compute names themselves: from plain inputs
//! ([`OrderNaming`], [`ItemNaming`]) and an injectable [`Clock`] rather than the API's records
//! and the system time, which is what [`ExportFormat::download_name`](super::ExportFormat::download_name)
//! and `ExportArchive::match_order` use.
//!
//! ```text
//! HC_{slug(order name)}_{order_date}.{fmt}
//! |-- {item_id}_{item_date}_OrderItem.json   (unless exclude_json)
//! |-- {item_id}_{item_date}_ValueReport.pdf
//! ```
//!
//! - [`slug`] is Django's `slugify` exactly.
//! - "Today" (the fallback date) is today in `America/Los_Angeles` ([`EXPORT_TIME_ZONE`]), from
//!   jiff's bundled time-zone database.
//! - Dates are written `YYYY-MM-DD` ([`EXPORT_DATE_FORMAT`], an assumption: the vendor does not
//!   document it); vendor timestamps become their `America/Los_Angeles` date ([`ExportDate`]).
//!
//! ```
//! use housecanary_partner::exports::naming::{
//!     FixedClock, ItemNaming, OrderNaming, order_download_name, value_report_pdf_name,
//! };
//!
//! let clock = FixedClock::new("2024-03-10T09:30:00Z".parse().unwrap());
//! let order = OrderNaming::new("Spring Portfolio");
//! let item = ItemNaming::new("123 Main St.").unit("4B");
//! assert_eq!(order_download_name(&order, "zip", &clock), "HC_spring-portfolio_2024-03-10.zip");
//! assert_eq!(
//!     value_report_pdf_name(&item, &order, &clock),
//!     "123-main-st-4B_2024-03-10_ValueReport.pdf"
//! );
//! ```

mod clock;
mod export_date;
mod file_names;
mod item_lookup;
mod naming_inputs;
mod slug;

pub use clock::{
    Clock, EXPORT_TIME_ZONE, FixedClock, SystemClock, date_in_export_zone, export_time_zone, today,
};
pub use export_date::{EXPORT_DATE_FORMAT, ExportDate, ExportDateError};
pub use file_names::{
    EntryKind, ORDER_ITEM_JSON_SUFFIX, VALUE_REPORT_PDF_SUFFIX, expected_archive_entries,
    item_date, item_file_id, order_date, order_download_name, order_item_file_prefix,
    order_item_json_name, value_report_pdf_name,
};
pub use item_lookup::{ItemLookup, ItemMatcher};
pub use naming_inputs::{ItemNaming, NamingInputError, OrderNaming};
pub use slug::slug;
