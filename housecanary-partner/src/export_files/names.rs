//! The vendor's export file names for `valueReport` orders:
//!
//! ```text
//! HC_{slug(order name)}_{order_date}.{fmt}
//! |-- {item_id}_{item_date}_OrderItem.json   (unless exclude_json)
//! |-- {item_id}_{item_date}_ValueReport.pdf
//! ```
//!
//! - `order_date`: the order's completion date, else today in `America/Los_Angeles`.
//! - `item_id`: the item's `customer_item_id` when set, else `slug(address)`, followed by
//!   `-{unit}` when the item has a unit.
//! - `item_date`: the item's `completion_date`, else the order's `actual_delivery_date`, else
//!   today in `America/Los_Angeles`.
//!
//! Dates are written with [`EXPORT_DATE_FORMAT`](super::EXPORT_DATE_FORMAT).
//!
//! The unit is appended as given, not slugged: the vendor's text appends `-{unit}` to the
//! *slugged* address, i.e. the slug is taken of the address alone. A unit containing characters
//! that a slug would remove (`#4`, `4/B`) therefore appears verbatim in the name; the archive
//! reader matches items by the same rule, so such names still map back to their item.

use super::clock::{Clock, FixedClock, today};
use super::date::ExportDate;
use super::naming::{ItemNaming, OrderNaming};
use super::slug::slug;

/// Ends the name of an item's JSON entry.
pub const ORDER_ITEM_JSON_SUFFIX: &str = "_OrderItem.json";

/// Ends the name of an item's valuation report entry, as documented by the vendor. Real archives
/// have also been seen with other report suffixes (`_AgileInsights.pdf`); the reader accepts any.
pub const VALUE_REPORT_PDF_SUFFIX: &str = "_ValueReport.pdf";

/// The date in the archive's name: the order's completion date, else today in
/// `America/Los_Angeles`.
///
/// # Examples
///
/// ```
/// use housecanary_partner::export_files::{FixedClock, OrderNaming, order_date};
///
/// let clock = FixedClock::new("2024-03-11T00:30:00Z".parse().unwrap());
/// let pending = OrderNaming::new("Q1");
/// assert_eq!(order_date(&pending, &clock).to_string(), "2024-03-10");
/// let done = OrderNaming::new("Q1").with_completed_date(jiff::civil::date(2024, 3, 1));
/// assert_eq!(order_date(&done, &clock).to_string(), "2024-03-01");
/// ```
pub fn order_date(order: &OrderNaming, clock: &(impl Clock + ?Sized)) -> ExportDate {
    order
        .completed_date
        .unwrap_or_else(|| ExportDate::from_date(today(clock)))
}

/// The archive's file name: `HC_{slug(order name)}_{order_date}.{fmt}`.
///
/// `fmt` is the export format passed to the create-export call (`zip`), used as given.
///
/// # Examples
///
/// ```
/// use housecanary_partner::export_files::{FixedClock, OrderNaming, order_download_name};
///
/// let clock = FixedClock::new("2024-03-10T09:30:00Z".parse().unwrap());
/// let order = OrderNaming::new("Café Portfolio #3");
/// assert_eq!(
///     order_download_name(&order, "zip", &clock),
///     "HC_cafe-portfolio-3_2024-03-10.zip"
/// );
/// ```
pub fn order_download_name(
    order: &OrderNaming,
    fmt: &str,
    clock: &(impl Clock + ?Sized),
) -> String {
    format!(
        "HC_{}_{}.{}",
        slug(&order.name),
        order_date(order, clock),
        fmt
    )
}

/// The item part of an item's file names: its `customer_item_id` when set (non-empty), else
/// `slug(address)` followed by `-{unit}` (the unit as given) when the item has a non-empty unit.
///
/// # Examples
///
/// ```
/// use housecanary_partner::export_files::{ItemNaming, item_file_id};
///
/// assert_eq!(item_file_id(&ItemNaming::new("123 Main St.").with_unit("4B")), "123-main-st-4B");
/// assert_eq!(
///     item_file_id(&ItemNaming::new("123 Main St.").with_customer_item_id("loan_42")),
///     "loan_42"
/// );
/// ```
pub fn item_file_id(item: &ItemNaming) -> String {
    if let Some(id) = item.customer_item_id.as_deref().filter(|id| !id.is_empty()) {
        return id.to_owned();
    }
    let address = slug(&item.address);
    match item.unit.as_deref().filter(|unit| !unit.is_empty()) {
        Some(unit) => format!("{address}-{unit}"),
        None => address,
    }
}

/// The date in an item's file names: its `completion_date`, else the order's
/// `actual_delivery_date`, else today in `America/Los_Angeles`.
///
/// # Examples
///
/// ```
/// use housecanary_partner::export_files::{FixedClock, ItemNaming, OrderNaming, item_date};
///
/// let clock = FixedClock::new("2024-03-10T10:30:00Z".parse().unwrap());
/// let order = OrderNaming::new("Q1").with_actual_delivery_date(jiff::civil::date(2024, 3, 9));
/// let item = ItemNaming::new("1 Main St");
/// assert_eq!(item_date(&item, &order, &clock).to_string(), "2024-03-09");
/// ```
pub fn item_date(
    item: &ItemNaming,
    order: &OrderNaming,
    clock: &(impl Clock + ?Sized),
) -> ExportDate {
    item.completion_date
        .or(order.actual_delivery_date)
        .unwrap_or_else(|| ExportDate::from_date(today(clock)))
}

/// The prefix of an item's file names: `{item_id}_{item_date}` (see [`item_file_id`] and
/// [`item_date`]).
///
/// # Examples
///
/// ```
/// use housecanary_partner::export_files::{
///     FixedClock, ItemNaming, OrderNaming, order_item_file_prefix,
/// };
///
/// let clock = FixedClock::new("2024-03-10T09:30:00Z".parse().unwrap());
/// let order = OrderNaming::new("Q1");
/// let item = ItemNaming::new("742 Evergreen Terrace");
/// assert_eq!(
///     order_item_file_prefix(&item, &order, &clock),
///     "742-evergreen-terrace_2024-03-10"
/// );
/// ```
pub fn order_item_file_prefix(
    item: &ItemNaming,
    order: &OrderNaming,
    clock: &(impl Clock + ?Sized),
) -> String {
    format!("{}_{}", item_file_id(item), item_date(item, order, clock))
}

/// The name of an item's JSON entry, `{prefix}_OrderItem.json`, or `None` when the export was
/// requested with `exclude_json`.
///
/// # Examples
///
/// ```
/// use housecanary_partner::export_files::{
///     FixedClock, ItemNaming, OrderNaming, order_item_json_name,
/// };
///
/// let clock = FixedClock::new("2024-03-10T09:30:00Z".parse().unwrap());
/// let order = OrderNaming::new("Q1");
/// let item = ItemNaming::new("1 Main St").with_customer_item_id("A-1");
/// assert_eq!(
///     order_item_json_name(&item, &order, false, &clock).as_deref(),
///     Some("A-1_2024-03-10_OrderItem.json")
/// );
/// assert_eq!(order_item_json_name(&item, &order, true, &clock), None);
/// ```
pub fn order_item_json_name(
    item: &ItemNaming,
    order: &OrderNaming,
    exclude_json: bool,
    clock: &(impl Clock + ?Sized),
) -> Option<String> {
    (!exclude_json).then(|| {
        format!(
            "{}{ORDER_ITEM_JSON_SUFFIX}",
            order_item_file_prefix(item, order, clock)
        )
    })
}

/// The name of an item's report entry, `{prefix}_ValueReport.pdf`.
///
/// # Examples
///
/// ```
/// use housecanary_partner::export_files::{
///     FixedClock, ItemNaming, OrderNaming, value_report_pdf_name,
/// };
///
/// let clock = FixedClock::new("2024-03-10T09:30:00Z".parse().unwrap());
/// let order = OrderNaming::new("Q1");
/// let item = ItemNaming::new("1 Main St").with_unit("2");
/// assert_eq!(
///     value_report_pdf_name(&item, &order, &clock),
///     "1-main-st-2_2024-03-10_ValueReport.pdf"
/// );
/// ```
pub fn value_report_pdf_name(
    item: &ItemNaming,
    order: &OrderNaming,
    clock: &(impl Clock + ?Sized),
) -> String {
    format!(
        "{}{VALUE_REPORT_PDF_SUFFIX}",
        order_item_file_prefix(item, order, clock)
    )
}

/// The entries a `valueReport` export of `order` should contain, item by item: the JSON (unless
/// `exclude_json`) then the report PDF. Names are relative to the archive's root; the vendor's
/// layout puts them under a folder named [`order_download_name`], which the reader accepts with
/// or without.
///
/// Items that share an id and date (same address and unit, no customer id) produce the same
/// names; the list keeps every one, so a caller can detect such collisions.
///
/// # Examples
///
/// ```
/// use housecanary_partner::export_files::{
///     FixedClock, ItemNaming, OrderNaming, expected_archive_entries,
/// };
///
/// let clock = FixedClock::new("2024-03-10T09:30:00Z".parse().unwrap());
/// let order = OrderNaming::new("Q1").with_actual_delivery_date(jiff::civil::date(2024, 3, 9));
/// let items = [ItemNaming::new("1 Main St"), ItemNaming::new("2 Oak Ave").with_unit("B")];
/// assert_eq!(
///     expected_archive_entries(&order, &items, false, &clock),
///     [
///         "1-main-st_2024-03-09_OrderItem.json",
///         "1-main-st_2024-03-09_ValueReport.pdf",
///         "2-oak-ave-B_2024-03-09_OrderItem.json",
///         "2-oak-ave-B_2024-03-09_ValueReport.pdf",
///     ]
/// );
/// ```
pub fn expected_archive_entries(
    order: &OrderNaming,
    items: &[ItemNaming],
    exclude_json: bool,
    clock: &(impl Clock + ?Sized),
) -> Vec<String> {
    // One reading of "today" for the whole archive: items without dates must not get different days
    // when the loop runs across midnight in Los Angeles.
    let clock = FixedClock::new(clock.now());
    let mut names = Vec::with_capacity(items.len() * 2);
    for item in items {
        let prefix = order_item_file_prefix(item, order, &clock);
        if !exclude_json {
            names.push(format!("{prefix}{ORDER_ITEM_JSON_SUFFIX}"));
        }
        names.push(format!("{prefix}{VALUE_REPORT_PDF_SUFFIX}"));
    }
    names
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicI64, Ordering};

    use jiff::Timestamp;

    use super::*;

    /// A clock that moves one hour forward every time it is read.
    struct Ticking(AtomicI64);

    impl Clock for Ticking {
        fn now(&self) -> Timestamp {
            let seconds = self.0.fetch_add(3600, Ordering::SeqCst);
            Timestamp::from_second(seconds).unwrap()
        }
    }

    #[test]
    fn one_archive_reads_the_clock_once() {
        // 2024-03-11 06:30 UTC is 23:30 on March 10th in Los Angeles; an hour later it is March 11th.
        let start: Timestamp = "2024-03-11T06:30:00Z".parse().unwrap();
        let clock = Ticking(AtomicI64::new(start.as_second()));
        let items = [ItemNaming::new("1 A St"), ItemNaming::new("2 B St")];
        let names = expected_archive_entries(&OrderNaming::new("O"), &items, true, &clock);
        assert_eq!(
            names,
            [
                "1-a-st_2024-03-10_ValueReport.pdf",
                "2-b-st_2024-03-10_ValueReport.pdf"
            ]
        );
    }
}
