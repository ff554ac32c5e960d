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

#[tokio::main]
async fn main() -> Result<(), examples::ExitError> {
    examples::init_logging();
    let targets = examples::Targets::from_env().await?;
    let out = examples::Output::stdout();
    out.plain(targets.describe());
    let result = async {
        let settings = &targets.housecanary;
        let client = settings.client()?;
        out.step(1, "Start following item statuses");
        let watch = examples::StatusWatch::start(settings, targets.sandbox()).await?;
        out.line(watch.describe());

        out.step(2, "Create the order and wait for every item");
        let order = examples::quickstart::demo_order(settings.owner.clone());
        let placed =
            examples::orders::order_and_wait(settings, &client, &watch, &order, &out).await?;

        out.step(3, "Final item details");
        for item in &placed.items {
            out.line(format!(
                "item {} {}: {} estimated value {}",
                item.id,
                item.address.as_deref().unwrap_or("(no address)"),
                item.status
                    .as_ref()
                    .map_or("unknown", |status| status.as_str()),
                item.estimated_value
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), |value| value.to_string()),
            ));
        }
        Ok::<_, examples::Error>(())
    }
    .await;
    targets.shutdown().await;
    result?;
    Ok(())
}
