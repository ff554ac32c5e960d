//! The life of an order on the sandbox's fast clock, one step per interval:
//! validation (bad items cancelled, with a callout saying why) → `reportPending` → `complete`,
//! with callouts for every status change and an `order_complete` per finished item.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::callouts;
use super::dates::today_los_angeles;
use super::render;
use super::store::{Item, Order, status};
use crate::fixtures;
use crate::signing;
use crate::state::AppState;

/// A callout to send once the store lock is released.
type Pending = (&'static str, Value);

pub(crate) fn spawn(state: Arc<AppState>, order_id: u64) {
    tokio::spawn(async move { run(&state, order_id).await });
}

async fn run(state: &Arc<AppState>, order_id: u64) {
    let steps: [fn(&AppState, &mut Order) -> Vec<Pending>; 3] = [validate, start_reports, complete];
    for step in steps {
        if !state.sleep(state.config.step_interval).await {
            return;
        }
        let (pending, finished) = {
            let mut store = state.housecanary();
            let Some(order) = store.orders.get_mut(&order_id) else {
                return;
            };
            let pending = step(state, order);
            (
                pending,
                order.status == status::CANCELLED || order.status == status::COMPLETE,
            )
        };
        for (message_type, fields) in pending {
            callouts::send(state, message_type, fields);
        }
        if finished {
            return;
        }
    }
}

/// Why an item fails validation, if it does (the sandbox's deterministic rules).
fn validation_errors(item: &Item) -> Vec<String> {
    let mut errors = Vec::new();
    let has = |field: &Option<String>| field.as_deref().is_some_and(|text| !text.trim().is_empty());
    let located = has(&item.zipcode) || (has(&item.city) && has(&item.state));
    if !located {
        errors.push(fixtures::MISSING_LOCATION_REASON.to_owned());
    }
    let address = item.address.to_ascii_uppercase();
    if address.contains(fixtures::INVALID_ADDRESS_MARKER) {
        errors.push(fixtures::INVALID_ADDRESS_REASON.to_owned());
    }
    if address.contains(fixtures::UNAVAILABLE_ADDRESS_MARKER) {
        errors.push(fixtures::UNAVAILABLE_REASON.to_owned());
    }
    errors
}

fn validate(_state: &AppState, order: &mut Order) -> Vec<Pending> {
    let mut pending = Vec::new();
    for item in &mut order.items {
        let errors = validation_errors(item);
        if errors.is_empty() {
            item.status = status::ACCEPTED;
        } else {
            item.status = status::CANCELLED;
            item.validation_errors = errors;
        }
        let mut fields = item_change(order.id, &order.customer_order_id, item);
        if let Value::Object(map) = &mut fields {
            if !item.validation_errors.is_empty() {
                map.insert(
                    "reason".to_owned(),
                    json!(item.validation_errors.join("; ")),
                );
                map.insert(
                    "validation_errors".to_owned(),
                    json!(item.validation_errors),
                );
            }
        }
        pending.push(("order_item_status_change", fields));
    }
    let any_accepted = order
        .items
        .iter()
        .any(|item| item.status == status::ACCEPTED);
    order.status = if any_accepted {
        status::ACCEPTED
    } else {
        status::CANCELLED
    };
    pending.push(("order_status_change", order_change(order)));
    pending
}

fn start_reports(_state: &AppState, order: &mut Order) -> Vec<Pending> {
    let mut pending = Vec::new();
    for item in &mut order.items {
        if item.status == status::ACCEPTED {
            item.status = status::REPORT_PENDING;
            pending.push((
                "order_item_status_change",
                item_change(order.id, &order.customer_order_id, item),
            ));
        }
    }
    order.status = status::REPORT_PENDING;
    pending.push(("order_status_change", order_change(order)));
    pending
}

fn complete(state: &AppState, order: &mut Order) -> Vec<Pending> {
    let today = today_los_angeles();
    // Items keep their external_integration_ids while they complete: collect them once.
    let external_integration_ids = order.external_integration_ids();
    let mut pending = Vec::new();
    for item in &mut order.items {
        if item.status != status::REPORT_PENDING {
            continue;
        }
        item.status = status::COMPLETE;
        item.completion_date = Some(today);
        item.estimated_value = Some(estimate(&item.address));
        pending.push((
            "order_item_status_change",
            item_change(order.id, &order.customer_order_id, item),
        ));
        let report = STANDARD.encode(render::item_report_pdf(&order.name, item));
        let download_url = signing::signed_url(state, &render::pdf_path(order.id, item.id));
        pending.push((
            "order_complete",
            json!({
                "order_id": order.id.to_string(),
                "customer_order_id": order.customer_order_id,
                "order_item_id": item.id.to_string(),
                "customer_item_id": item.customer_item_id,
                "download_url": download_url.as_str(),
                "report": report,
                "external_integration_ids": external_integration_ids,
            }),
        ));
    }
    order.status = status::COMPLETE;
    order.completed_date = Some(today);
    pending.push(("order_status_change", order_change(order)));
    pending
}

/// A stable made-up valuation between $200,000 and $1,200,000.
fn estimate(address: &str) -> u64 {
    let seed = address.bytes().fold(17u64, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(u64::from(b))
    });
    200_000 + (seed % 1000) * 1000
}

fn order_change(order: &Order) -> Value {
    json!({
        "order_id": order.id.to_string(),
        "customer_order_id": order.customer_order_id,
        "new_status": order.status,
        "external_integration_ids": order.external_integration_ids(),
    })
}

/// The fields of an item's status change; the order's fields come separately so the item may be
/// borrowed out of the order while it changes.
fn item_change(order_id: u64, customer_order_id: &Option<String>, item: &Item) -> Value {
    json!({
        "order_id": order_id.to_string(),
        "customer_order_id": customer_order_id,
        "order_item_id": item.id.to_string(),
        "customer_item_id": item.customer_item_id,
        "new_status": item.status,
        "external_integration_id": item.external_integration_id,
    })
}
