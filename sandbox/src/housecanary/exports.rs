//! `POST orders/{id}/export/{fmt}/?exclude_json=…` and `GET orders/{id}/export-requests/[{id}/]`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::dates::today_los_angeles;
use super::store::Export;
use super::{archive, auth, drf, pagination, render};
use crate::state::AppState;

/// The one export format the sandbox can build.
const ZIP: &str = "zip";

pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path((order_id, format)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(response) = auth::check(&state, &headers) {
        return *response;
    }
    let exclude_json = match query
        .get("exclude_json")
        .map(|value| value.to_ascii_lowercase())
    {
        None => false,
        Some(value) if matches!(value.as_str(), "true" | "1" | "yes") => true,
        Some(value) if matches!(value.as_str(), "false" | "0" | "no") => false,
        Some(_) => {
            let mut errors = Map::new();
            errors.insert(
                "exclude_json".to_owned(),
                json!(["Must be a valid boolean."]),
            );
            return drf::field_errors(errors);
        }
    };
    // A snapshot, so building the archive (every item's PDF, zipped) does not hold the store
    // lock that every other partner request and the order progress need.
    let Some(order) = state.housecanary().order(&order_id).cloned() else {
        return drf::not_found();
    };
    if format != ZIP {
        return drf::detail(
            StatusCode::BAD_REQUEST,
            format!("Export format {format:?} is not supported by the sandbox; use \"zip\"."),
        );
    }
    let today = today_los_angeles();
    let file_name = archive::order_download_name(&order, &format, today);
    let built = archive::build(
        &order,
        exclude_json,
        today,
        |item| render::item(&state, &order, item),
        |item| render::item_report_pdf(&order.name, item),
    );
    let archive = match built {
        Ok(archive) => archive,
        Err(e) => {
            return drf::detail(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("export failed: {e}"),
            );
        }
    };
    let mut store = state.housecanary();
    let id = store.next_id();
    let export = Export {
        id,
        order_id: order.id,
        format,
        exclude_json,
        started: Instant::now(),
        created: jiff::Timestamp::now(),
        file_name,
        archive: archive.into(),
    };
    let body = render::export(&state, &export);
    store.exports.insert(id, export);
    (StatusCode::CREATED, Json(body)).into_response()
}

pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(order_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(response) = auth::check(&state, &headers) {
        return *response;
    }
    let (order_id, exports) = {
        let store = state.housecanary();
        let Some(order_id) = store.order(&order_id).map(|order| order.id) else {
            return drf::not_found();
        };
        let exports: Vec<Value> = store
            .exports
            .values()
            .filter(|export| export.order_id == order_id)
            .map(|export| render::export(&state, export))
            .collect();
        (order_id, exports)
    };
    let path = format!("/partner-api/v1/orders/{order_id}/export-requests/");
    pagination::respond(&state, &path, &query, exports)
}

pub(crate) async fn get(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path((order_id, export_id)): Path<(String, String)>,
) -> Response {
    if let Err(response) = auth::check(&state, &headers) {
        return *response;
    }
    match state.housecanary().export(&order_id, &export_id) {
        Some(export) => Json(render::export(&state, export)).into_response(),
        None => drf::not_found(),
    }
}
