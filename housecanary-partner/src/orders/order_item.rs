//! One address of an order: the request-side [`OrderItem`] and its typestate builder.

use serde::Serialize;

use super::location::Location;

/// One address to value, as sent in an order's `items`.
///
/// Built with [`OrderItem::builder`]; the compiler refuses to build an item without an address
/// and a [`Location`].
///
/// ```
/// use housecanary_partner::orders::OrderItem;
/// let item = OrderItem::builder()
///     .address("123 Main St")
///     .unit("4B")
///     .zipcode("78701")
///     .customer_item_id("loan-1138")
///     .build();
/// assert_eq!(
///     serde_json::to_string(&item).unwrap(),
///     r#"{"address":"123 Main St","unit":"4B","zipcode":"78701","customer_item_id":"loan-1138"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderItem {
    address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<String>,
    #[serde(flatten)]
    location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_item_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_integration_id: Option<String>,
}

impl OrderItem {
    /// Starts an item. `address` and a location are required; see [`OrderItemBuilder`].
    pub fn builder() -> OrderItemBuilder<NoAddress, NoLocation> {
        OrderItemBuilder {
            address: NoAddress(()),
            location: NoLocation(()),
            unit: None,
            customer_item_id: None,
            external_integration_id: None,
        }
    }

    /// The street address.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The unit, when given.
    pub fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }

    /// The location.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Your own id for the item, when given.
    pub fn customer_item_id(&self) -> Option<&str> {
        self.customer_item_id.as_deref()
    }

    /// The integration partner's id for the item, when given.
    pub fn external_integration_id(&self) -> Option<&str> {
        self.external_integration_id.as_deref()
    }

    /// Names the first blank required value, for validation before sending.
    pub(crate) fn blank_field(&self) -> Option<&'static str> {
        if self.address.trim().is_empty() {
            Some("address")
        } else {
            self.location.blank_field()
        }
    }
}

/// Typestate: no address set yet.
#[derive(Debug, Clone)]
pub struct NoAddress(());

/// Typestate: no location set yet.
#[derive(Debug, Clone)]
pub struct NoLocation(());

/// Typestate: the address is set.
#[derive(Debug, Clone)]
pub struct WithAddress(String);

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::NoLocation {}
    impl Sealed for super::Location {}
    impl Sealed for super::WithAddress {}
}

/// The location state of an [`OrderItemBuilder`]: nothing yet, or a [`Location`].
/// Sealed; lets `.zipcode(..)` and `.city_state(..)` combine into all three.
pub trait LocationState: sealed::Sealed {
    #[doc(hidden)]
    fn add_zipcode(self, zipcode: String) -> Location;
    #[doc(hidden)]
    fn add_city_state(self, city: String, state: String) -> Location;
}

impl LocationState for NoLocation {
    fn add_zipcode(self, zipcode: String) -> Location {
        Location::zipcode(zipcode)
    }
    fn add_city_state(self, city: String, state: String) -> Location {
        Location::city_state(city, state)
    }
}

impl LocationState for Location {
    fn add_zipcode(self, zipcode: String) -> Location {
        self.set_zipcode(zipcode)
    }
    fn add_city_state(self, city: String, state: String) -> Location {
        self.set_city_state(city, state)
    }
}

/// Satisfied once the builder has an address.
#[diagnostic::on_unimplemented(
    message = "an order item needs an address",
    label = "no address set on this builder",
    note = "call `.address(\"123 Main St\")` before `.build()`"
)]
pub trait AddressIsSet: sealed::Sealed {
    #[doc(hidden)]
    fn into_address(self) -> String;
}

impl AddressIsSet for WithAddress {
    fn into_address(self) -> String {
        self.0
    }
}

/// Satisfied once the builder has a location.
#[diagnostic::on_unimplemented(
    message = "an order item needs a location: a zipcode, or a city and state, or all three",
    label = "no location set on this builder",
    note = "call `.zipcode(..)`, `.city_state(city, state)` or `.location(Location::..)` before `.build()`"
)]
pub trait LocationIsSet: LocationState {
    #[doc(hidden)]
    fn into_location(self) -> Location;
}

impl LocationIsSet for Location {
    fn into_location(self) -> Location {
        self
    }
}

/// Builds an [`OrderItem`]; `build` exists only once an address and a location are set,
/// enforced by the compiler.
///
/// ```
/// use housecanary_partner::orders::OrderItem;
/// // zipcode and city/state combine into all three:
/// let item = OrderItem::builder()
///     .address("500 W 2nd St")
///     .city_state("Austin", "TX")
///     .zipcode("78701")
///     .external_integration_id("crm-77")
///     .build();
/// assert_eq!(item.location().city(), Some("Austin"));
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `.build()` is called"]
pub struct OrderItemBuilder<A, L> {
    address: A,
    location: L,
    unit: Option<String>,
    customer_item_id: Option<String>,
    external_integration_id: Option<String>,
}

impl<A, L> OrderItemBuilder<A, L> {
    fn with_location<L2>(self, location: L2) -> OrderItemBuilder<A, L2> {
        self.map_location(|_| location)
    }

    /// The same builder with its location state replaced by `f(location)`.
    fn map_location<L2>(self, f: impl FnOnce(L) -> L2) -> OrderItemBuilder<A, L2> {
        OrderItemBuilder {
            address: self.address,
            location: f(self.location),
            unit: self.unit,
            customer_item_id: self.customer_item_id,
            external_integration_id: self.external_integration_id,
        }
    }

    /// The street address (`address`), e.g. `"123 Main St"`.
    pub fn address(self, address: impl Into<String>) -> OrderItemBuilder<WithAddress, L> {
        OrderItemBuilder {
            address: WithAddress(address.into()),
            location: self.location,
            unit: self.unit,
            customer_item_id: self.customer_item_id,
            external_integration_id: self.external_integration_id,
        }
    }

    /// Replaces the location with `location`.
    pub fn location(self, location: Location) -> OrderItemBuilder<A, Location> {
        self.with_location(location)
    }

    /// The optional unit (`unit`), e.g. `"4B"`.
    pub fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// Your own id for this item (`customer_item_id`); also names its files in exports.
    pub fn customer_item_id(mut self, id: impl Into<String>) -> Self {
        self.customer_item_id = Some(id.into());
        self
    }

    /// The integration partner's id for this item (`external_integration_id`), echoed in callouts.
    pub fn external_integration_id(mut self, id: impl Into<String>) -> Self {
        self.external_integration_id = Some(id.into());
        self
    }
}

impl<A, L: LocationState> OrderItemBuilder<A, L> {
    /// Sets the zipcode; combined with an earlier `.city_state(..)` it gives all three.
    pub fn zipcode(self, zipcode: impl Into<String>) -> OrderItemBuilder<A, Location> {
        self.map_location(|location| location.add_zipcode(zipcode.into()))
    }

    /// Sets city and state together (there is no setter for one without the other).
    pub fn city_state(
        self,
        city: impl Into<String>,
        state: impl Into<String>,
    ) -> OrderItemBuilder<A, Location> {
        self.map_location(|location| location.add_city_state(city.into(), state.into()))
    }
}

impl<A, L> OrderItemBuilder<A, L> {
    /// The finished item. Compiles only when an address and a location are set.
    pub fn build(self) -> OrderItem
    where
        A: AddressIsSet,
        L: LocationIsSet,
    {
        OrderItem {
            address: self.address.into_address(),
            unit: self.unit,
            location: self.location.into_location(),
            customer_item_id: self.customer_item_id,
            external_integration_id: self.external_integration_id,
        }
    }
}
