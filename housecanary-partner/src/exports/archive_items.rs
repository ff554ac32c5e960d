//! An archive's entries mapped to the order items they were named after.

use std::io::{Read, Seek};

use super::archive::{ArchiveEntry, ExportArchive};
use super::clock::Clock;
use super::file_names::EntryKind;
use super::item_lookup::{ItemLookup, ItemMatcher};
use super::naming_inputs::{ItemNaming, OrderNaming};

/// Every entry of an archive, sorted by the order item it belongs to.
///
/// # Examples
///
/// ```no_run
/// use housecanary_partner::exports::{ExportArchive, ItemNaming, OrderNaming, SystemClock};
///
/// let archive = ExportArchive::open("HC_q1_2024-03-10.zip")?;
/// let items = [ItemNaming::new("1 Main St")];
/// let matched = archive.match_items(&OrderNaming::new("Q1"), &items, &SystemClock);
/// if let Some(pdf) = matched.items[0].report("ValueReport") {
///     println!("report of item 0: {}", pdf.path());
/// }
/// println!("{} entries matched no item", matched.unmatched.len());
/// # Ok::<(), housecanary_partner::exports::ArchiveError>(())
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
/// use housecanary_partner::exports::ItemFiles;
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
    /// use housecanary_partner::exports::ItemFiles;
    ///
    /// assert!(ItemFiles::default().report("AgileInsights").is_none());
    /// ```
    pub fn report(&self, suffix: &str) -> Option<&ArchiveEntry> {
        self.reports.iter().find(|entry| {
            matches!(
                entry.kind(),
                EntryKind::Report { suffix: own, .. } if own.eq_ignore_ascii_case(suffix)
            )
        })
    }
}

/// An item entry that several items could have produced.
///
/// # Examples
///
/// ```no_run
/// # let archive = housecanary_partner::exports::ExportArchive::open("e.zip").unwrap();
/// # let items = [housecanary_partner::exports::ItemNaming::new("1 Main St")];
/// # let order = housecanary_partner::exports::OrderNaming::new("Q1");
/// # let clock = housecanary_partner::exports::SystemClock;
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

impl<R: Read + Seek> ExportArchive<R> {
    /// Maps every entry to the order item it was named after (see [`ItemMatcher`] for the
    /// rule), collecting each item's JSON and reports.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use housecanary_partner::exports::{ExportArchive, ItemNaming, OrderNaming, SystemClock};
    ///
    /// let archive = ExportArchive::open("HC_q1_2024-03-10.zip")?;
    /// let order = OrderNaming::new("Q1");
    /// let items = [ItemNaming::new("1 Main St"), ItemNaming::new("2 Oak Ave")];
    /// let matched = archive.match_items(&order, &items, &SystemClock);
    /// for (item, files) in items.iter().zip(&matched.items) {
    ///     println!("{}: {} report(s)", item.address, files.reports.len());
    /// }
    /// # Ok::<(), housecanary_partner::exports::ArchiveError>(())
    /// ```
    pub fn match_items(
        &self,
        order: &OrderNaming,
        items: &[ItemNaming],
        clock: &(impl Clock + ?Sized),
    ) -> ArchiveMatch {
        let matcher = ItemMatcher::new(order, items, clock);
        let mut matched = ArchiveMatch {
            items: vec![ItemFiles::default(); items.len()],
            ..ArchiveMatch::default()
        };
        for entry in self.entries() {
            match (matcher.lookup(entry.kind()), entry.kind()) {
                (ItemLookup::Item(index), kind) => match matched.items.get_mut(index) {
                    Some(files) if matches!(kind, EntryKind::OrderItemJson { .. }) => {
                        files.order_item_json.push(entry.clone());
                    }
                    Some(files) => files.reports.push(entry.clone()),
                    None => matched.unmatched.push(entry.clone()),
                },
                (ItemLookup::Ambiguous(candidates), _) => {
                    matched.ambiguous.push(AmbiguousEntry {
                        entry: entry.clone(),
                        candidates,
                    });
                }
                (_, EntryKind::OrderJson) => matched.order_json.push(entry.clone()),
                _ => matched.unmatched.push(entry.clone()),
            }
        }
        matched
    }
}
