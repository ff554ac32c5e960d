//! An archive's entries mapped to the order items they were named after.

use std::io::{Read, Seek};

use super::archive::{ArchiveEntry, ExportArchive};
use super::naming::{
    Clock, EntryKind, ItemLookup, ItemMatcher, ItemNaming, NamingInputError, OrderNaming,
    SystemClock,
};
use crate::orders::{Order, OrderItemDetails};

/// Every entry of an archive, sorted by the order item it belongs to: what
/// [`ExportArchive::match_order`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ArchiveMatch {
    /// One element per item given, in the same order.
    pub items: Vec<ItemFiles>,
    /// `Order.json` entries.
    pub order_json: Vec<ArchiveEntry>,
    /// Item entries whose name several items produce, each with the indexes of those items.
    pub ambiguous: Vec<(ArchiveEntry, Vec<usize>)>,
    /// Item entries that match no item, and files of no known kind.
    pub unmatched: Vec<ArchiveEntry>,
}

/// The entries that belong to one order item.
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
    pub fn report(&self, suffix: &str) -> Option<&ArchiveEntry> {
        self.reports.iter().find(|entry| {
            matches!(
                entry.kind(),
                EntryKind::Report { suffix: own, .. } if own.eq_ignore_ascii_case(suffix)
            )
        })
    }
}

impl<R: Read + Seek> ExportArchive<R> {
    /// Says which entry belongs to which item, from the records `get_order` and
    /// `list_order_items` return. An item without a date is named after today; an entry that
    /// names another day still matches its item by its id alone.
    ///
    /// # Errors
    ///
    /// [`NamingInputError`] when a record lacks what the names are made from (a `name`, an
    /// `address`) or holds a date that is not one.
    ///
    /// ```no_run
    /// use housecanary_partner::exports::ExportArchive;
    /// # async fn run(client: housecanary_partner::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let order = client.get_order(42_u64).await?;
    /// let items = client.list_order_items(42_u64).await?;
    /// let matched = ExportArchive::open("HC_q1_2024-03-10.zip")?.match_order(&order, &items)?;
    /// if let Some(pdf) = matched.items[0].report("ValueReport") {
    ///     println!("report of item {}: {}", items[0].id, pdf.path());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn match_order(
        &self,
        order: &Order,
        items: &[OrderItemDetails],
    ) -> Result<ArchiveMatch, NamingInputError> {
        let order = OrderNaming::from_order(order)?;
        let items = items
            .iter()
            .map(ItemNaming::from_item)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.match_items(&order, &items, &SystemClock))
    }

    /// [`match_order`](Self::match_order) from naming inputs and a clock, for orders known from
    /// elsewhere than the API's records.
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
                    matched.ambiguous.push((entry.clone(), candidates));
                }
                (_, EntryKind::OrderJson) => matched.order_json.push(entry.clone()),
                _ => matched.unmatched.push(entry.clone()),
            }
        }
        matched
    }
}
