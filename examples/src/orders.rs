//! Step 3: placing a valueReport order and waiting until each item is complete or cancelled.

use housecanary_partner::orders::{Order, OrderItemDetails, ValueReportOrder};

use crate::error::Error;
use crate::output::Output;
use crate::settings::HouseCanarySettings;
use crate::status_watch::StatusWatch;

/// An order that was placed, with its items as created.
#[derive(Debug, Clone)]
pub struct PlacedOrder {
    /// The order as the vendor answered.
    pub order: Order,
    /// Its items, in the order sent.
    pub items: Vec<OrderItemDetails>,
}

impl PlacedOrder {
    /// The item ids as text (callouts carry them as strings).
    ///
    /// ```no_run
    /// # fn run(placed: examples::orders::PlacedOrder) { println!("{:?}", placed.item_ids()); }
    /// ```
    pub fn item_ids(&self) -> Vec<String> {
        self.items.iter().map(|item| item.id.to_string()).collect()
    }
}

/// Creates `order` and reads back its items.
///
/// ```no_run
/// use housecanary_partner::orders::{OrderItem, ValueReportOrder};
/// # async fn run(client: housecanary_partner::Client) -> Result<(), examples::Error> {
/// let order = ValueReportOrder::builder()
///     .name("Example")
///     .item(OrderItem::builder().address("123 Main St").zipcode("94103").build())
///     .build();
/// let placed = examples::orders::place_order(&client, &order).await?;
/// # let _ = placed; Ok(()) }
/// ```
pub async fn place_order(
    client: &housecanary_partner::Client,
    order: &ValueReportOrder,
) -> Result<PlacedOrder, Error> {
    let created = client.create_order(order).await?;
    let items = client.list_order_items(&created.id).await?;
    Ok(PlacedOrder {
        order: created,
        items,
    })
}

/// Places `order`, waits (with the deadline of `settings`) until every item is finished, and prints
/// each item's final status. Returns the placed order with its items re-read.
///
/// ```no_run
/// # async fn run(settings: examples::settings::HouseCanarySettings, watch: examples::StatusWatch,
/// #     order: housecanary_partner::orders::ValueReportOrder) -> Result<(), examples::Error> {
/// let client = settings.client()?;
/// let out = examples::Output::stdout();
/// let done = examples::orders::order_and_wait(&settings, &client, &watch, &order, &out).await?;
/// # let _ = done; Ok(()) }
/// ```
pub async fn order_and_wait(
    settings: &HouseCanarySettings,
    client: &housecanary_partner::Client,
    watch: &StatusWatch,
    order: &ValueReportOrder,
    out: &Output,
) -> Result<PlacedOrder, Error> {
    let placed = place_order(client, order).await?;
    out.line(format!(
        "order {} created ({} items, status {})",
        placed.order.id,
        placed.items.len(),
        placed
            .order
            .status
            .as_ref()
            .map_or("unknown", |status| status.as_str())
    ));
    let ids = placed.item_ids();
    watch
        .wait_for_items(
            client,
            &placed.order.id,
            &ids,
            settings.deadline,
            |finished, total| out.line(format!("{finished}/{total} items finished")),
        )
        .await?;
    for item in &placed.items {
        let state = watch.tracker().item(&item.id.to_string());
        let status = state
            .as_ref()
            .map_or("unknown", |state| state.status.as_str());
        let mut line = format!(
            "item {} {}: {status}",
            item.id,
            item.address.as_deref().unwrap_or("(no address)")
        );
        if let Some(reason) = state.as_ref().and_then(|state| state.reason.as_ref()) {
            line.push_str(&format!(" ({reason})"));
        }
        out.line(line);
    }
    out.line(format!(
        "{} callouts received and verified",
        watch.tracker().callouts_received()
    ));
    let order = client.get_order(&placed.order.id).await?;
    let items = client.list_order_items(&placed.order.id).await?;
    Ok(PlacedOrder { order, items })
}
