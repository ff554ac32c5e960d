//! Downloads: export archives by signed URL only (no Authorization header), and item PDFs by signed
//! URL or with the partner token.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::dates::today_los_angeles;
use super::store::status;
use super::{archive, auth, drf, render};
use crate::signing;
use crate::state::AppState;

pub(crate) async fn export_archive(
    State(state): State<Arc<AppState>>,
    Path((export_id, file_name)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    if let Err(problem) = signing::verify(&state, uri.path(), uri.query()) {
        return drf::detail(StatusCode::FORBIDDEN, problem.message());
    }
    let store = state.housecanary();
    let found = export_id
        .parse()
        .ok()
        .and_then(|id: u64| store.exports.get(&id))
        .filter(|export| export.file_name == file_name);
    let Some(export) = found else {
        return drf::not_found();
    };
    if render::export_progress(&state, export).status != "complete" {
        return drf::detail(StatusCode::CONFLICT, "The export is not complete yet.");
    }
    file(export.archive.clone(), "application/zip", &export.file_name)
}

pub(crate) async fn item_pdf(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path((order_id, item_id, key)): Path<(String, String, String)>,
    uri: Uri,
) -> Response {
    if signing::is_signed(uri.query()) {
        if let Err(problem) = signing::verify(&state, uri.path(), uri.query()) {
            return drf::detail(StatusCode::FORBIDDEN, problem.message());
        }
    } else if let Err(response) = auth::check(&state, &headers) {
        return *response;
    }
    let store = state.housecanary();
    let found = store.order_item(&order_id, &item_id);
    let Some((order, item)) = found.filter(|_| key == render::VALUE_REPORT_KEY) else {
        return drf::not_found();
    };
    if item.status != status::COMPLETE {
        return drf::detail(StatusCode::NOT_FOUND, "The report is not available yet.");
    }
    let name = format!(
        "{}_ValueReport.pdf",
        archive::item_file_prefix(order, item, today_los_angeles())
    );
    file(
        render::item_report_pdf(&order.name, item).into(),
        "application/pdf",
        &name,
    )
}

fn file(body: axum::body::Bytes, content_type: &'static str, name: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // File names are built from slugs, ids and dates; a header-unsafe one just gets no disposition.
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        name.replace('"', "")
    )) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
