//! DRF page-number pagination: `{count, next, previous, results}` with absolute `next` URLs.

use std::collections::HashMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::drf;
use crate::state::AppState;

/// Largest `page_size` a caller may ask for.
const MAX_PAGE_SIZE: usize = 1000;

/// Page `?page=` (1-based) of `results`, `?page_size=` items per page.
pub(crate) fn page(
    state: &AppState,
    path: &str,
    query: &HashMap<String, String>,
    results: Vec<Value>,
) -> Result<Value, Box<Response>> {
    let invalid = || Box::new(drf::detail(StatusCode::NOT_FOUND, "Invalid page."));
    let page: usize = match query.get("page") {
        None => 1,
        Some(text) => text
            .parse()
            .ok()
            .filter(|page| *page >= 1)
            .ok_or_else(invalid)?,
    };
    let explicit_size = query
        .get("page_size")
        .and_then(|text| text.parse::<usize>().ok())
        .filter(|size| *size >= 1)
        .map(|size| size.min(MAX_PAGE_SIZE));
    let size = explicit_size.unwrap_or(state.config.page_size);
    let count = results.len();
    let start = (page - 1).saturating_mul(size);
    if start >= count && page > 1 {
        return Err(invalid());
    }
    let link = |target: usize| {
        let mut url = state.url(path);
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("page", &target.to_string());
            if let Some(size) = explicit_size {
                pairs.append_pair("page_size", &size.to_string());
            }
        }
        url.to_string()
    };
    let next = (start.saturating_add(size) < count).then(|| link(page + 1));
    let previous = (page > 1).then(|| link(page - 1));
    let results: Vec<Value> = results.into_iter().skip(start).take(size).collect();
    Ok(json!({ "count": count, "next": next, "previous": previous, "results": results }))
}

/// [`page`] as the answer to send: the page, or the `404` for a page that does not exist.
pub(crate) fn respond(
    state: &AppState,
    path: &str,
    query: &HashMap<String, String>,
    results: Vec<Value>,
) -> Response {
    match page(state, path, query, results) {
        Ok(page) => Json(page).into_response(),
        Err(response) => *response,
    }
}
