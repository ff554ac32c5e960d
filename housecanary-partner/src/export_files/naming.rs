//! The few facts about an order and its items that export file names depend on.
//!
//! These are plain data on purpose: the naming code does not depend on the API's order types, so
//! it can name files for orders read from anywhere (a database, a callout, the API).

use super::date::ExportDate;

/// What an order contributes to export file names.
///
/// # Examples
///
/// ```
/// use housecanary_partner::export_files::{ExportDate, OrderNaming};
///
/// let order = OrderNaming::new("Spring Portfolio")
///     .with_completed_date(ExportDate::parse("2024-03-12T18:00:00Z")?)
///     .with_actual_delivery_date(jiff::civil::date(2024, 3, 12));
/// assert_eq!(order.name, "Spring Portfolio");
/// # Ok::<(), housecanary_partner::export_files::ExportDateError>(())
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
    ///
    /// # Examples
    ///
    /// ```
    /// use housecanary_partner::export_files::OrderNaming;
    ///
    /// let order = OrderNaming::new("Q1 batch");
    /// assert!(order.completed_date.is_none());
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            completed_date: None,
            actual_delivery_date: None,
        }
    }

    /// Sets the order's completion date (a [`jiff::civil::Date`], a [`jiff::Timestamp`] or an
    /// [`ExportDate`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use housecanary_partner::export_files::OrderNaming;
    ///
    /// let order = OrderNaming::new("Q1").with_completed_date(jiff::civil::date(2024, 3, 31));
    /// assert_eq!(order.completed_date.unwrap().to_string(), "2024-03-31");
    /// ```
    pub fn with_completed_date(mut self, date: impl Into<ExportDate>) -> Self {
        self.completed_date = Some(date.into());
        self
    }

    /// Sets the order's `actual_delivery_date`.
    ///
    /// # Examples
    ///
    /// ```
    /// use housecanary_partner::export_files::OrderNaming;
    ///
    /// let order = OrderNaming::new("Q1").with_actual_delivery_date(jiff::civil::date(2024, 4, 1));
    /// assert_eq!(order.actual_delivery_date.unwrap().to_string(), "2024-04-01");
    /// ```
    pub fn with_actual_delivery_date(mut self, date: impl Into<ExportDate>) -> Self {
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
/// use housecanary_partner::export_files::ItemNaming;
///
/// let item = ItemNaming::new("123 Main St")
///     .with_unit("4B")
///     .with_completion_date(jiff::civil::date(2024, 3, 11));
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
    ///
    /// # Examples
    ///
    /// ```
    /// use housecanary_partner::export_files::ItemNaming;
    ///
    /// let item = ItemNaming::new("1 Infinite Loop");
    /// assert_eq!(item.address, "1 Infinite Loop");
    /// ```
    pub fn new(address: impl Into<String>) -> Self {
        Self {
            customer_item_id: None,
            address: address.into(),
            unit: None,
            completion_date: None,
        }
    }

    /// Sets the partner's `customer_item_id`.
    ///
    /// # Examples
    ///
    /// ```
    /// use housecanary_partner::export_files::ItemNaming;
    ///
    /// let item = ItemNaming::new("1 Main St").with_customer_item_id("loan-42");
    /// assert_eq!(item.customer_item_id.as_deref(), Some("loan-42"));
    /// ```
    pub fn with_customer_item_id(mut self, id: impl Into<String>) -> Self {
        self.customer_item_id = Some(id.into());
        self
    }

    /// Sets the unit.
    ///
    /// # Examples
    ///
    /// ```
    /// use housecanary_partner::export_files::ItemNaming;
    ///
    /// let item = ItemNaming::new("1 Main St").with_unit("Apt 2");
    /// assert_eq!(item.unit.as_deref(), Some("Apt 2"));
    /// ```
    pub fn with_unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// Sets the item's `completion_date`.
    ///
    /// # Examples
    ///
    /// ```
    /// use housecanary_partner::export_files::ItemNaming;
    ///
    /// let item = ItemNaming::new("1 Main St")
    ///     .with_completion_date("2024-11-03T08:30:00Z".parse::<jiff::Timestamp>().unwrap());
    /// // 08:30 UTC is 01:30 PDT on 3 November.
    /// assert_eq!(item.completion_date.unwrap().to_string(), "2024-11-03");
    /// ```
    pub fn with_completion_date(mut self, date: impl Into<ExportDate>) -> Self {
        self.completion_date = Some(date.into());
        self
    }
}
