//! The JSON the partner API answers for orders, items and export requests, and item documents.

use serde_json::{Value, json};

use super::pdf;
use super::store::{Export, Item, Order, status};
use crate::signing;
use crate::state::AppState;

/// The only downloadable an item offers: its value report PDF.
pub(crate) const VALUE_REPORT_KEY: &str = "value_report";

pub(crate) fn order(order: &Order) -> Value {
    let count = |wanted: &str| {
        order
            .items
            .iter()
            .filter(|item| item.status == wanted)
            .count()
    };
    let mut map = serde_json::Map::new();
    for (key, value) in &order.extra {
        map.insert(key.clone(), value.clone());
    }
    let (owner_organization_id, owner_id) = match &order.owner {
        Some((organization, owner)) => (json!(organization), json!(owner)),
        None => (Value::Null, Value::Null),
    };
    let fields = json!({
        "id": order.id,
        "name": order.name,
        "order_type": order.order_type,
        "customer_order_id": order.customer_order_id,
        "owner_organization_id": owner_organization_id,
        "owner_id": owner_id,
        "status": order.status,
        "created": order.created.to_string(),
        "completed": order.status == status::COMPLETE,
        "actual_delivery_date": order.completed_date.map(|date| date.to_string()),
        "item_count": order.items.len(),
        "summary_data": {
            "items": order.items.len(),
            "new": count(status::NEW),
            "accepted": count(status::ACCEPTED),
            "reportPending": count(status::REPORT_PENDING),
            "complete": count(status::COMPLETE),
            "cancelled": count(status::CANCELLED),
        },
    });
    if let Value::Object(fields) = fields {
        map.extend(fields);
    }
    Value::Object(map)
}

pub(crate) fn item(state: &AppState, order: &Order, item: &Item) -> Value {
    let complete = item.status == status::COMPLETE;
    let downloadables = if complete {
        json!([{
            "key": VALUE_REPORT_KEY,
            "name": "ValueReport.pdf",
            "content_type": "application/pdf",
            "url": signing::signed_url(state, &pdf_path(order.id, item.id)).as_str(),
        }])
    } else {
        json!([])
    };
    json!({
        "id": item.id,
        "order_id": order.id,
        "address": item.address,
        "unit": item.unit,
        "city": item.city,
        "state": item.state,
        "zipcode": item.zipcode,
        "customer_item_id": item.customer_item_id,
        "external_integration_id": item.external_integration_id,
        "status": item.status,
        "completed": complete,
        "completion_date": item.completion_date.map(|date| date.to_string()),
        "available_downloadables": downloadables,
        "estimated_value": item.estimated_value,
        "value_range": item.estimated_value.map(|value| json!({
            "low": value / 100 * 92,
            "high": value / 100 * 108,
        })),
        "validation_errors": item.validation_errors,
    })
}

/// Export progress: a quarter per step interval, complete after four.
pub(crate) struct ExportProgress {
    pub(crate) percent: u64,
    pub(crate) status: &'static str,
    pub(crate) completed_at: Option<jiff::Timestamp>,
}

pub(crate) fn export_progress(state: &AppState, export: &Export) -> ExportProgress {
    let total = state
        .config
        .step_interval
        .saturating_mul(4)
        .as_millis()
        .max(1);
    let elapsed = export.started.elapsed().as_millis();
    let percent = u64::try_from((elapsed * 100 / total).min(100)).unwrap_or(100);
    let (status, completed_at) = match percent {
        100 => {
            let took = jiff::SignedDuration::try_from(state.config.step_interval.saturating_mul(4))
                .unwrap_or(jiff::SignedDuration::ZERO);
            ("complete", export.created.checked_add(took).ok())
        }
        0 => ("new", None),
        _ => ("inProgress", None),
    };
    ExportProgress {
        percent,
        status,
        completed_at,
    }
}

pub(crate) fn export(state: &AppState, export: &Export) -> Value {
    let progress = export_progress(state, export);
    let check_status_url = state.url(&format!(
        "/partner-api/v1/orders/{}/export-requests/{}/",
        export.order_id, export.id
    ));
    let exported_data = (progress.status == "complete").then(|| {
        signing::signed_url(state, &export_download_path(export.id, &export.file_name)).to_string()
    });
    json!({
        "id": export.id,
        "order_id": export.order_id,
        "status": progress.status,
        "format": export.format,
        "exclude_json": export.exclude_json,
        "percent_complete": progress.percent,
        "check_status_url": check_status_url.as_str(),
        "created": export.created.to_string(),
        "completed_at": progress.completed_at.map(|at| at.to_string()),
        "file_name": export.file_name,
        "exported_data": exported_data,
    })
}

pub(crate) fn pdf_path(order_id: u64, item_id: u64) -> String {
    format!("/partner-api/v1/orders/{order_id}/items/{item_id}/pdfdownload/{VALUE_REPORT_KEY}")
}

pub(crate) fn export_download_path(export_id: u64, file_name: &str) -> String {
    format!("/downloads/exports/{export_id}/{file_name}")
}

/// The item's value report: a small valid PDF naming the order and address.
pub(crate) fn item_report_pdf(order_name: &str, item: &Item) -> Vec<u8> {
    let mut place = item.address.clone();
    for part in [&item.unit, &item.city, &item.state, &item.zipcode]
        .into_iter()
        .flatten()
    {
        place.push(' ');
        place.push_str(part);
    }
    pdf::value_report(&[
        "HouseCanary Value Report (SANDBOX)".to_owned(),
        format!("Order: {order_name}"),
        format!("Address: {place}"),
        format!(
            "Estimated value: ${}",
            item.estimated_value.unwrap_or_default()
        ),
        "Generated by the offline sandbox; not a real valuation.".to_owned(),
    ])
}
