//! `valueReport` orders: building them (the rules live in the types), creating them, reading
//! them and their items.
//!
//! * [`ValueReportOrder`] — the request; its builder needs a name and at least one item.
//! * [`OrderItem`] — one address; its builder needs an address and a [`Location`].
//! * [`Order`], [`OrderItemDetails`] — what the API returns; unknown fields are kept.

mod api;
mod id;
mod item;
mod location;
mod model;
pub(crate) mod pagination;
mod value_report;

pub use id::Id;
pub use item::{
    AddressIsSet, LocationIsSet, LocationState, NoAddress, NoLocation, OrderItem, OrderItemBuilder,
    WithAddress,
};
pub use location::Location;
pub use model::{Downloadable, Order, OrderItemDetails};
pub use value_report::{
    ItemState, ItemsAreSet, NameIsSet, NoItems, NoName, ValueReportOrder, ValueReportOrderBuilder,
    WithItems, WithName,
};
