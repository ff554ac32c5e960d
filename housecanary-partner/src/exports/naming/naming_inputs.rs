//! The few facts about an order and its items that export file names depend on, and how to read
//! them from the API's own records.
//!
//! These are plain data on purpose: the naming code does not depend on the API's order types, so
//! it can name files for orders read from anywhere (a database, a callout, the API);
//! [`OrderNaming::from_order`] and [`ItemNaming::from_item`] read them from
//! [`Client::get_order`](crate::Client::get_order) and the item list.

use super::export_date::{ExportDate, ExportDateError};
use crate::orders::{Order, OrderItemDetails};
use crate::status::OrderStatus;

/// What an order contributes to export file names.
///
/// # Examples
///
/// ```
/// use housecanary_partner::exports::naming::{ExportDate, OrderNaming};
///
/// let order = OrderNaming::new("Spring Portfolio")
///     .completed_date(ExportDate::parse("2024-03-12T18:00:00Z")?)
///     .actual_delivery_date(jiff::civil::date(2024, 3, 12));
/// assert_eq!(order.name, "Spring Portfolio");
/// # Ok::<(), housecanary_partner::exports::naming::ExportDateError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderNaming {
    /// The order's `name`.
    pub name: String,
    /// When the order completed (its `completed` date), if it has.
    pub completed_date: Option<ExportDate>,
    /// The order's `actual_delivery_date`, if any: an item without a `completion_date` is named
    /// with it.
    pub actual_delivery_date: Option<ExportDate>,
}

impl OrderNaming {
    /// An order with this name and no dates yet.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            completed_date: None,
            actual_delivery_date: None,
        }
    }

    /// Sets the order's completion date (a [`jiff::civil::Date`], a [`jiff::Timestamp`] or an
    /// [`ExportDate`]).
    pub fn completed_date(mut self, date: impl Into<ExportDate>) -> Self {
        self.completed_date = Some(date.into());
        self
    }

    /// Sets the order's `actual_delivery_date`.
    pub fn actual_delivery_date(mut self, date: impl Into<ExportDate>) -> Self {
        self.actual_delivery_date = Some(date.into());
        self
    }
}

/// What an order item contributes to its file names.
///
/// An empty `customer_item_id` or `unit` counts as absent (Django tests them for truthiness).
///
/// # Examples
///
/// ```
/// use housecanary_partner::exports::naming::ItemNaming;
///
/// let item = ItemNaming::new("123 Main St")
///     .unit("4B")
///     .completion_date(jiff::civil::date(2024, 3, 11));
/// assert_eq!(item.unit.as_deref(), Some("4B"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ItemNaming {
    /// The partner's own id for the item; when set it names the item's files.
    pub customer_item_id: Option<String>,
    /// The street address as ordered; its slug names the files when there is no customer id.
    pub address: String,
    /// The unit, appended as `-{unit}` to the address slug.
    pub unit: Option<String>,
    /// The item's `completion_date`, if it has completed.
    pub completion_date: Option<ExportDate>,
}

impl ItemNaming {
    /// An item at `address`, without unit, customer id or completion date.
    pub fn new(address: impl Into<String>) -> Self {
        Self {
            customer_item_id: None,
            address: address.into(),
            unit: None,
            completion_date: None,
        }
    }

    /// Sets the partner's `customer_item_id`.
    pub fn customer_item_id(mut self, id: impl Into<String>) -> Self {
        self.customer_item_id = Some(id.into());
        self
    }

    /// Sets the unit.
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// Sets the item's `completion_date`.
    pub fn completion_date(mut self, date: impl Into<ExportDate>) -> Self {
        self.completion_date = Some(date.into());
        self
    }
}

/// An order or item record that lacks what a file name is made of, or carries a date that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NamingInputError {
    /// The record has no value for a field the name needs.
    #[error("the record has no `{field}`, which the export file name is made from")]
    Missing {
        /// The vendor's field name.
        field: &'static str,
    },
    /// A date field holds something that is not a date or date-time.
    #[error("field `{field}`: {source}")]
    Date {
        /// The vendor's field name.
        field: &'static str,
        /// Why the value was not read.
        #[source]
        source: ExportDateError,
    },
}

fn optional_date(
    field: &'static str,
    raw: Option<&str>,
) -> Result<Option<ExportDate>, NamingInputError> {
    match raw.map(str::trim).filter(|raw| !raw.is_empty()) {
        None => Ok(None),
        Some(raw) => ExportDate::parse(raw)
            .map(Some)
            .map_err(|source| NamingInputError::Date { field, source }),
    }
}

impl OrderNaming {
    /// The naming input of an order record: its `name`, its `actual_delivery_date`, and its completion
    /// date, which is
    /// - `completed` when that is a date or date-time string;
    /// - else, when the order is complete (`completed: true` or status `complete`), its
    ///   `actual_delivery_date`: the vendor does not say which field holds the completion day, and a
    ///   completed order's archive must not be named after "today" (a different day each time it is
    ///   computed);
    /// - else none, so the name falls back to today in `America/Los_Angeles`, as documented for orders
    ///   that have not completed.
    pub fn from_order(order: &Order) -> Result<Self, NamingInputError> {
        let name = order
            .name
            .as_deref()
            .ok_or(NamingInputError::Missing { field: "name" })?;
        let mut naming = OrderNaming::new(name);
        naming.actual_delivery_date = optional_date(
            "actual_delivery_date",
            order.actual_delivery_date.as_deref(),
        )?;
        let completed = order.completed.as_ref();
        naming.completed_date = match completed.and_then(|value| value.as_str()) {
            Some(raw) => optional_date("completed", Some(raw))?,
            None => {
                let is_complete = completed.and_then(|value| value.as_bool()) == Some(true)
                    || order.status == Some(OrderStatus::Complete);
                if is_complete {
                    naming.actual_delivery_date
                } else {
                    None
                }
            }
        };
        Ok(naming)
    }
}

impl ItemNaming {
    /// The naming input of an order item record: `customer_item_id`, `address`, `unit` and
    /// `completion_date`.
    pub fn from_item(item: &OrderItemDetails) -> Result<Self, NamingInputError> {
        let address = item
            .address
            .as_deref()
            .ok_or(NamingInputError::Missing { field: "address" })?;
        let mut naming = ItemNaming::new(address);
        naming.customer_item_id = item.customer_item_id.clone();
        naming.unit = item.unit.clone();
        naming.completion_date = optional_date("completion_date", item.completion_date.as_deref())?;
        Ok(naming)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(json: &str) -> Order {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_completed_order_without_a_completion_timestamp_uses_its_delivery_date() {
        let delivered = Some(ExportDate::parse("2024-01-02").unwrap());
        for json in [
            r#"{"id": 1, "name": "A", "completed": true, "actual_delivery_date": "2024-01-02"}"#,
            r#"{"id": 1, "name": "A", "status": "complete", "actual_delivery_date": "2024-01-02"}"#,
        ] {
            let naming = OrderNaming::from_order(&order(json)).unwrap();
            assert_eq!(naming.completed_date, delivered, "{json}");
            assert_eq!(naming.actual_delivery_date, delivered, "{json}");
        }
    }

    #[test]
    fn an_order_not_yet_complete_has_no_completion_date() {
        let naming = OrderNaming::from_order(&order(
            r#"{"id": 1, "name": "A", "completed": false, "status": "inProgress", "actual_delivery_date": "2024-01-02"}"#,
        ))
        .unwrap();
        assert_eq!(naming.completed_date, None);
    }

    #[test]
    fn blank_dates_are_absent_and_bad_dates_name_their_field() {
        let naming =
            OrderNaming::from_order(&order(r#"{"id": 1, "name": "A", "completed": "  "}"#))
                .unwrap();
        assert_eq!(naming.completed_date, None);
        let err = OrderNaming::from_order(&order(
            r#"{"id": 1, "name": "A", "actual_delivery_date": "tomorrow"}"#,
        ))
        .unwrap_err();
        assert!(
            matches!(
                err,
                NamingInputError::Date {
                    field: "actual_delivery_date",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn item_without_address_is_reported() {
        let item: OrderItemDetails = serde_json::from_str(r#"{"id": 3}"#).unwrap();
        assert_eq!(
            ItemNaming::from_item(&item).unwrap_err(),
            NamingInputError::Missing { field: "address" }
        );
    }
}
