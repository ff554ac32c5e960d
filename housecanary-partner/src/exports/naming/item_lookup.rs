//! Which order item an archive entry belongs to, from the entry's name (no archive needed).

use std::collections::HashMap;

use super::clock::Clock;
use super::file_names::{EntryKind, item_file_id, order_item_file_prefix};
use super::naming_inputs::{ItemNaming, OrderNaming};

/// Maps archive entry names back to the order items they were named after.
///
/// An entry matches the items whose full prefix `{item_id}_{item_date}` (computed with the
/// clock) equals the entry's. When none does, it matches the items whose item id alone equals
/// the entry's: an item without any date is named with "today", and the archive may have been
/// built on another day than the one it is read on.
///
/// # Examples
///
/// ```
/// use housecanary_partner::exports::naming::{
///     EntryKind, FixedClock, ItemLookup, ItemMatcher, ItemNaming, OrderNaming,
/// };
///
/// let clock = FixedClock::new("2024-03-12T17:00:00Z".parse().unwrap());
/// let order = OrderNaming::new("Q1");
/// let items = [ItemNaming::new("1 Main St"), ItemNaming::new("2 Oak Ave")];
/// let matcher = ItemMatcher::new(&order, &items, &clock);
///
/// // Built two days earlier: matched on the item id.
/// let kind = EntryKind::classify("2-oak-ave_2024-03-10_ValueReport.pdf");
/// assert_eq!(matcher.lookup(&kind), ItemLookup::Item(1));
/// assert_eq!(matcher.lookup(&EntryKind::OrderJson), ItemLookup::NotAnItemEntry);
/// ```
#[derive(Debug, Clone)]
pub struct ItemMatcher {
    by_prefix: HashMap<String, Vec<usize>>,
    by_item_id: HashMap<String, Vec<usize>>,
}

/// The outcome of [`ItemMatcher::lookup`]; item numbers are indices into the items given to
/// [`ItemMatcher::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ItemLookup {
    /// Exactly this item.
    Item(usize),
    /// Several items produce this name (same address and unit, no customer item id).
    Ambiguous(Vec<usize>),
    /// An item entry whose name matches no item.
    NoItem,
    /// `Order.json` or an unrelated file: not an item's entry.
    NotAnItemEntry,
}

impl ItemLookup {
    /// The matched item, when there is exactly one.
    pub fn item(&self) -> Option<usize> {
        match self {
            Self::Item(index) => Some(*index),
            Self::Ambiguous(_) | Self::NoItem | Self::NotAnItemEntry => None,
        }
    }
}

impl ItemMatcher {
    /// Computes every item's names once.
    pub fn new(order: &OrderNaming, items: &[ItemNaming], clock: &(impl Clock + ?Sized)) -> Self {
        let mut by_prefix: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_item_id: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, item) in items.iter().enumerate() {
            by_prefix
                .entry(order_item_file_prefix(item, order, clock))
                .or_default()
                .push(index);
            by_item_id
                .entry(item_file_id(item))
                .or_default()
                .push(index);
        }
        Self {
            by_prefix,
            by_item_id,
        }
    }

    /// The item an entry of this kind belongs to.
    pub fn lookup(&self, kind: &EntryKind) -> ItemLookup {
        let (Some(item_id), Some(prefix)) = (kind.item_id(), kind.prefix()) else {
            return ItemLookup::NotAnItemEntry;
        };
        let candidates = self
            .by_prefix
            .get(&prefix)
            .or_else(|| self.by_item_id.get(item_id));
        match candidates.map(Vec::as_slice) {
            None | Some([]) => ItemLookup::NoItem,
            Some([index]) => ItemLookup::Item(*index),
            Some(many) => ItemLookup::Ambiguous(many.to_vec()),
        }
    }
}
