//! A HouseCanary valueReport order for a few addresses (one deliberately invalid), followed through
//! callouts until every item is complete or cancelled, then each item's status and value.
//!
//! ```text
//! cargo run -p examples --example value_report_order
//! ```
//!
//! Embedded sandbox by default (callouts signed with HMAC-SHA1 to a loopback receiver). With
//! `HOUSECANARY_TOKEN` it uses the demo environment; set `HOUSECANARY_CALLOUT_URL` (and
//! `HOUSECANARY_CALLOUT_SECRET`) to receive callouts, otherwise it polls (see
//! `docs/getting-started.md`).

use std::error::Error;
use std::io::Write;
use std::sync::Arc;

use examples::settings::CalloutMode;
use examples::{Failure, Targets};
use housecanary_partner::callouts::{CalloutReceiver, CalloutVerifier, InMemoryMessageLog};
use housecanary_partner::orders::{Location, OrderItem, OrderItemDetails, ValueReportOrder};
use housecanary_partner::progress::{Follow, OrderProgress};
use tokio_util::task::AbortOnDropHandle;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    examples::init_logs("warn");
    let targets = Targets::from_env().await?;
    let result = run(&targets, &mut std::io::stdout()).await;
    targets.shutdown().await;
    result?;
    Ok(())
}

/// Places the order, waits until every item is final, and returns the items as read back then.
pub async fn run(
    targets: &Targets,
    out: &mut impl Write,
) -> Result<Vec<OrderItemDetails>, Box<dyn Error + Send + Sync>> {
    writeln!(out, "{}", targets.describe())?;
    let settings = &targets.housecanary;
    let housecanary = settings.client()?;

    writeln!(out, "\n(1) Start following item statuses")?;
    // What callouts (or polls) say about each item; the receiver's handler feeds a clone of it.
    let progress = OrderProgress::new();
    // The receiver serves until `_receiver` is dropped: at the end of this run, or on an error.
    let (follow, _receiver) = match &settings.callouts {
        CalloutMode::Receive {
            listen,
            public_url,
            path,
            auth,
        } => {
            // Verifies each request, skips a message_id already processed (the vendor redelivers),
            // hands the message to `progress`, and only then acknowledges it.
            let receiver = CalloutReceiver::new(
                CalloutVerifier::new(auth.clone()),
                Arc::new(InMemoryMessageLog::default()),
                progress.handler(),
            )?;
            let app = housecanary_partner::callouts::axum::router(receiver, path);
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|error| format!("callout receiver: listening on {listen}: {error}"))?;
            let local = listener.local_addr()?;
            let url = match public_url {
                Some(url) => url.clone(),
                None => format!("http://{local}{path}").parse()?,
            };
            // The vendor's callout URL is set at onboarding; the sandbox's is set here.
            if let Some(sandbox) = targets.housecanary_sandbox() {
                sandbox.set_callout_target(url.clone(), auth.clone());
            }
            let server = tokio::spawn(async move { axum::serve(listener, app).await });
            writeln!(
                out,
                "    callout receiver listening on {local} for {url} (HMAC-SHA1 signed)"
            )?;
            (Follow::Callouts, Some(AbortOnDropHandle::new(server)))
        }
        CalloutMode::Poll { interval } => {
            writeln!(
                out,
                "    no HOUSECANARY_CALLOUT_URL: polling item statuses every {} s",
                interval.as_secs_f64()
            )?;
            (
                Follow::Polling {
                    interval: *interval,
                },
                None,
            )
        }
    };

    writeln!(out, "\n(2) Create the order and wait for every item")?;
    // An item cannot be built without an address and a location: a zipcode, or a city and state.
    let mut order = ValueReportOrder::builder(
        "Value report example",
        OrderItem::builder("123 Main St", Location::zipcode("94103")).build(),
    )
    .item(OrderItem::builder("789 Pine Rd", Location::city_state("Denver", "CO")).build())
    .item(OrderItem::builder("1 Invalid Address Way", Location::zipcode("00000")).build());
    if let Some(owner) = settings.owner.clone() {
        order = order.owner(owner);
    }
    let created = housecanary.create_order(&order.build()).await?;
    let items = housecanary.list_order_items(created.id.clone()).await?;
    writeln!(
        out,
        "    order {} created with {} items",
        created.id,
        items.len()
    )?;
    let item_ids: Vec<_> = items.iter().map(|item| item.id.clone()).collect();
    let finished = progress
        .wait_until_final(
            &housecanary,
            &created.id,
            &item_ids,
            follow,
            settings.deadline,
            |_| {},
        )
        .await?;
    writeln!(
        out,
        "    {} of {} items final ({} callouts)",
        finished.finished,
        finished.total,
        progress.callouts_received()
    )?;

    writeln!(out, "\n(3) Final item details")?;
    let items = housecanary.list_order_items(created.id.clone()).await?;
    for item in &items {
        let reason = progress
            .item(&item.id)
            .and_then(|state| state.reason)
            .map(|reason| format!(" ({reason})"))
            .unwrap_or_default();
        writeln!(
            out,
            "    item {} {}: {}{reason}, estimated value {}",
            item.id,
            item.address.as_deref().unwrap_or("(no address)"),
            item.status
                .as_ref()
                .map_or("unknown", |status| status.as_str()),
            item.estimated_value
                .as_ref()
                .map_or_else(|| "-".to_owned(), |value| value.to_string()),
        )?;
    }
    Ok(items)
}
