//! The result of mapping an archive's entries to order items.

use super::archive::ArchiveEntry;

/// Every entry of an archive, sorted by the order item it belongs to.
///
/// # Examples
///
/// ```no_run
/// use housecanary_partner::export_files::{ExportArchive, ItemNaming, OrderNaming, SystemClock};
///
/// let archive = ExportArchive::open("HC_q1_2024-03-10.zip")?;
/// let items = [ItemNaming::new("1 Main St")];
/// let matched = archive.match_items(&OrderNaming::new("Q1"), &items, &SystemClock);
/// if let Some(pdf) = matched.items[0].report("ValueReport") {
///     println!("report of item 0: {}", pdf.path());
/// }
/// println!("{} entries matched no item", matched.unmatched.len());
/// # Ok::<(), housecanary_partner::export_files::ArchiveError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ArchiveMatch {
    /// One element per item given, in the same order.
    pub items: Vec<ItemFiles>,
    /// `Order.json` entries.
    pub order_json: Vec<ArchiveEntry>,
    /// Item entries whose name several items produce.
    pub ambiguous: Vec<AmbiguousEntry>,
    /// Item entries that match no item, and files of no known kind.
    pub unmatched: Vec<ArchiveEntry>,
}

/// The entries that belong to one order item.
///
/// # Examples
///
/// ```
/// use housecanary_partner::export_files::ItemFiles;
///
/// let files = ItemFiles::default();
/// assert!(files.report("ValueReport").is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ItemFiles {
    /// The item's `…_OrderItem.json` (normally one; none when exported with `exclude_json`).
    pub order_item_json: Vec<ArchiveEntry>,
    /// The item's reports, whatever their suffix.
    pub reports: Vec<ArchiveEntry>,
}

impl ItemFiles {
    /// The report with this suffix (`ValueReport`, `AgileInsights`), ignoring ASCII case.
    ///
    /// # Examples
    ///
    /// ```
    /// use housecanary_partner::export_files::ItemFiles;
    ///
    /// assert!(ItemFiles::default().report("AgileInsights").is_none());
    /// ```
    pub fn report(&self, suffix: &str) -> Option<&ArchiveEntry> {
        self.reports.iter().find(|entry| {
            matches!(
                entry.kind(),
                super::EntryKind::Report { suffix: own, .. } if own.eq_ignore_ascii_case(suffix)
            )
        })
    }
}

/// An item entry that several items could have produced.
///
/// # Examples
///
/// ```no_run
/// # let archive = housecanary_partner::export_files::ExportArchive::open("e.zip").unwrap();
/// # let items = [housecanary_partner::export_files::ItemNaming::new("1 Main St")];
/// # let order = housecanary_partner::export_files::OrderNaming::new("Q1");
/// # let clock = housecanary_partner::export_files::SystemClock;
/// for ambiguous in archive.match_items(&order, &items, &clock).ambiguous {
///     println!("{} could be items {:?}", ambiguous.entry.path(), ambiguous.candidates);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AmbiguousEntry {
    /// The entry.
    pub entry: ArchiveEntry,
    /// The items it could belong to.
    pub candidates: Vec<usize>,
}
