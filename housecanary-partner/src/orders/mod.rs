//! `valueReport` orders: building them (the rules live in the types), creating them, reading
//! them and their items. One file per vendor operation:
//!
//! * `create_order.rs` — [`ValueReportOrder`], the request (a name and at least one item) and
//!   [`Client::create_order`](crate::Client::create_order);
//! * `get_order.rs` — [`Client::get_order`](crate::Client::get_order);
//! * `list_order_items.rs` — [`Client::order_items`](crate::Client::order_items) and
//!   [`Client::list_order_items`](crate::Client::list_order_items);
//! * `download_item_pdf.rs` — [`Client::item_pdf_download`](crate::Client::item_pdf_download).
//!
//! [`OrderItem`] is one address (an address and a [`Location`], both required); [`Order`]
//! and [`OrderItemDetails`] are what the API returns, unknown fields kept.

mod create_order;
mod download_item_pdf;
mod get_order;
mod list_order_items;
mod location;
mod order_item;
mod records;

pub use create_order::{ValueReportOrder, ValueReportOrderBuilder};
pub use location::Location;
pub use order_item::{OrderItem, OrderItemBuilder};
pub use records::{Downloadable, Order, OrderItemDetails};
