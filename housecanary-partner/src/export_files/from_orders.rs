//! Naming inputs read from the API's own order and item records, so a caller can compute the names of
//! an export straight from [`Client::get_order`](crate::Client::get_order) and the item list.

use super::{ExportDate, ExportDateError, ItemNaming, OrderNaming};
use crate::orders::{Order, OrderItemDetails};
use crate::status::OrderStatus;

/// An order or item record that lacks what a file name is made of, or carries a date that is not one.
///
/// # Examples
///
/// ```
/// use housecanary_partner::export_files::{NamingInputError, OrderNaming};
/// use housecanary_partner::orders::Order;
///
/// let order: Order = serde_json::from_str(r#"{"id": 7, "actual_delivery_date": "soon"}"#).unwrap();
/// let err = OrderNaming::from_order(&order).unwrap_err();
/// assert!(matches!(err, NamingInputError::Missing { field: "name" }));
/// ```
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
    ///
    /// # Examples
    ///
    /// ```
    /// use housecanary_partner::export_files::{FixedClock, OrderNaming, order_download_name};
    /// use housecanary_partner::orders::Order;
    ///
    /// let order: Order = serde_json::from_str(
    ///     r#"{"id": 7, "name": "Q1 Portfolio", "completed": "2024-03-10T09:30:00Z"}"#,
    /// ).unwrap();
    /// let naming = OrderNaming::from_order(&order).unwrap();
    /// let clock = FixedClock::new("2025-01-01T00:00:00Z".parse().unwrap());
    /// // 09:30 UTC is 01:30 in Los Angeles, still March 10th.
    /// assert_eq!(order_download_name(&naming, "zip", &clock), "HC_q1-portfolio_2024-03-10.zip");
    /// ```
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
    ///
    /// # Examples
    ///
    /// ```
    /// use housecanary_partner::export_files::{FixedClock, ItemNaming, OrderNaming, order_item_file_prefix};
    /// use housecanary_partner::orders::OrderItemDetails;
    ///
    /// let item: OrderItemDetails = serde_json::from_str(
    ///     r#"{"id": 1, "address": "123 Main St", "unit": "4B", "completion_date": "2024-03-11"}"#,
    /// ).unwrap();
    /// let naming = ItemNaming::from_item(&item).unwrap();
    /// let clock = FixedClock::new("2025-01-01T00:00:00Z".parse().unwrap());
    /// let prefix = order_item_file_prefix(&naming, &OrderNaming::new("Q1"), &clock);
    /// assert_eq!(prefix, "123-main-st-4B_2024-03-11");
    /// ```
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
