//! The vendor's export file names for `valueReport` orders, both ways: computed from an order
//! and its items, and read back from an archive entry's name ([`EntryKind::classify`]).
//!
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

use jiff::civil::Date;

use super::clock::{Clock, FixedClock, today};
use super::export_date::{EXPORT_DATE_FORMAT, ExportDate};
use super::naming_inputs::{ItemNaming, OrderNaming};
use super::slug::slug;

/// Ends the name of an item's JSON entry.
pub const ORDER_ITEM_JSON_SUFFIX: &str = "_OrderItem.json";

/// Ends the name of an item's valuation report entry, as documented by the vendor. Real archives
/// have also been seen with other report suffixes (`_AgileInsights.pdf`); the reader accepts any.
pub const VALUE_REPORT_PDF_SUFFIX: &str = "_ValueReport.pdf";

/// The date in the archive's name: the order's completion date, else today in
/// `America/Los_Angeles`.
pub fn order_date(order: &OrderNaming, clock: &(impl Clock + ?Sized)) -> ExportDate {
    order
        .completed_date
        .unwrap_or_else(|| ExportDate::from_date(today(clock)))
}

/// The archive's file name: `HC_{slug(order name)}_{order_date}.{fmt}`.
///
/// `fmt` is the export format passed to the create-export call (`zip`), used as given.
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
pub fn order_item_file_prefix(
    item: &ItemNaming,
    order: &OrderNaming,
    clock: &(impl Clock + ?Sized),
) -> String {
    format!("{}_{}", item_file_id(item), item_date(item, order, clock))
}

/// The name of an item's JSON entry, `{prefix}_OrderItem.json`, or `None` when the export was
/// requested with `exclude_json`.
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

// Reading names back: what an archive entry is, from its file name alone.

/// The JSON entry's marker (compared ignoring ASCII case), without the leading `_`.
const ORDER_ITEM_JSON: &str = "OrderItem.json";
/// The order-level JSON some real archives carry.
const ORDER_JSON: &str = "Order.json";
/// Report extension (compared ignoring ASCII case).
const PDF_EXTENSION: &str = ".pdf";

/// The kind of an export archive entry, from its file name (the last path component).
///
/// Item entries are split from the right, because an item id may itself contain `_` while the
/// date (`YYYY-MM-DD`) cannot: `{item_id}_{date}_OrderItem.json` and
/// `{item_id}_{date}_{Suffix}.pdf`. The date is kept as written, since the vendor has not
/// documented its format; [`EntryKind::parsed_date`] reads it with
/// [`EXPORT_DATE_FORMAT`](super::EXPORT_DATE_FORMAT).
///
/// # Examples
///
/// ```
/// use housecanary_partner::exports::naming::EntryKind;
///
/// let kind = EntryKind::classify("loan_42_2024-03-10_AgileInsights.pdf");
/// assert_eq!(
///     kind,
///     EntryKind::Report {
///         item_id: "loan_42".into(),
///         date: "2024-03-10".into(),
///         suffix: "AgileInsights".into(),
///     }
/// );
/// assert_eq!(EntryKind::classify("Order.json"), EntryKind::OrderJson);
/// assert_eq!(EntryKind::classify("README.txt"), EntryKind::Other);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EntryKind {
    /// `{item_id}_{date}_OrderItem.json`: the item's data.
    OrderItemJson {
        /// The item part of the name (customer item id, or address slug and unit).
        item_id: String,
        /// The date part of the name, as written.
        date: String,
    },
    /// `{item_id}_{date}_{suffix}.pdf`: a report, such as `_ValueReport.pdf` or
    /// `_AgileInsights.pdf`.
    Report {
        /// The item part of the name.
        item_id: String,
        /// The date part of the name, as written.
        date: String,
        /// What follows the date, without `_` and `.pdf` (`ValueReport`).
        suffix: String,
    },
    /// `Order.json` (or `…_Order.json`): the order's data.
    OrderJson,
    /// Anything else.
    Other,
}

impl EntryKind {
    /// Classifies an entry by its file name (a path is reduced to its last `/` component).
    pub fn classify(name: &str) -> Self {
        let file_name = name.rsplit('/').next().unwrap_or(name);
        if let Some(prefix) = strip_suffix_ignore_case(file_name, ORDER_ITEM_JSON)
            .and_then(|rest| rest.strip_suffix('_'))
        {
            return match split_prefix(prefix) {
                Some((item_id, date)) => Self::OrderItemJson {
                    item_id: item_id.to_owned(),
                    date: date.to_owned(),
                },
                None => Self::Other,
            };
        }
        if file_name.eq_ignore_ascii_case(ORDER_JSON)
            || strip_suffix_ignore_case(file_name, ORDER_JSON)
                .is_some_and(|rest| rest.ends_with('_'))
        {
            return Self::OrderJson;
        }
        if let Some(stem) = strip_suffix_ignore_case(file_name, PDF_EXTENSION) {
            let report = stem.rsplit_once('_').and_then(|(prefix, suffix)| {
                let (item_id, date) = split_prefix(prefix)?;
                (!suffix.is_empty()).then(|| Self::Report {
                    item_id: item_id.to_owned(),
                    date: date.to_owned(),
                    suffix: suffix.to_owned(),
                })
            });
            return report.unwrap_or(Self::Other);
        }
        Self::Other
    }

    /// The item part of an item entry's name.
    pub fn item_id(&self) -> Option<&str> {
        match self {
            Self::OrderItemJson { item_id, .. } | Self::Report { item_id, .. } => Some(item_id),
            Self::OrderJson | Self::Other => None,
        }
    }

    /// The date part of an item entry's name, as written.
    pub fn date(&self) -> Option<&str> {
        match self {
            Self::OrderItemJson { date, .. } | Self::Report { date, .. } => Some(date),
            Self::OrderJson | Self::Other => None,
        }
    }

    /// The date part read with [`EXPORT_DATE_FORMAT`](super::EXPORT_DATE_FORMAT), or `None`
    /// when this is not an item entry or its date is written differently.
    pub fn parsed_date(&self) -> Option<ExportDate> {
        let date = self.date()?;
        jiff::fmt::strtime::parse(EXPORT_DATE_FORMAT, date)
            .and_then(|parsed| parsed.to_date())
            .ok()
            .map(|date: Date| ExportDate::from_date(date))
    }

    /// `{item_id}_{date}`: the prefix an item's names share, to compare with
    /// [`order_item_file_prefix`](super::order_item_file_prefix).
    pub fn prefix(&self) -> Option<String> {
        Some(format!("{}_{}", self.item_id()?, self.date()?))
    }
}

/// `name` without `suffix`, comparing the suffix ignoring ASCII case.
fn strip_suffix_ignore_case<'a>(name: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = name.len().checked_sub(suffix.len())?;
    let (rest, tail) = (name.get(..cut)?, name.get(cut..)?);
    tail.eq_ignore_ascii_case(suffix).then_some(rest)
}

/// Splits `{item_id}_{date}` at its last `_`; both parts must be non-empty.
fn split_prefix(prefix: &str) -> Option<(&str, &str)> {
    let (item_id, date) = prefix.rsplit_once('_')?;
    (!item_id.is_empty() && !date.is_empty()).then_some((item_id, date))
}

#[cfg(test)]
mod classify_tests {
    use super::*;

    #[test]
    fn item_ids_keep_their_underscores() {
        assert_eq!(
            EntryKind::classify("a_b_c_2024-01-02_OrderItem.json"),
            EntryKind::OrderItemJson {
                item_id: "a_b_c".into(),
                date: "2024-01-02".into()
            }
        );
    }

    #[test]
    fn malformed_item_names_are_other() {
        for name in [
            "_OrderItem.json",
            "2024-01-02_OrderItem.json",
            "_2024-01-02_OrderItem.json",
            "x__OrderItem.json",
            "OrderItem.json",
            "report.pdf",
            "x_2024-01-02_.pdf",
            "x_ValueReport.pdf",
            ".pdf",
            "",
            "é",
            "xOrder.json",
        ] {
            assert_eq!(EntryKind::classify(name), EntryKind::Other, "{name:?}");
        }
    }

    #[test]
    fn suffixes_ignore_ascii_case_and_multibyte_names_do_not_panic() {
        assert!(matches!(
            EntryKind::classify("x_2024-01-02_valuereport.PDF"),
            EntryKind::Report { .. }
        ));
        assert_eq!(EntryKind::classify("ORDER.JSON"), EntryKind::OrderJson);
        assert_eq!(EntryKind::classify("HC_x_Order.json"), EntryKind::OrderJson);
        assert_eq!(EntryKind::classify("ééééé.json"), EntryKind::Other);
        assert_eq!(EntryKind::classify("éé_é_é.pdf").item_id(), Some("éé"));
    }
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
