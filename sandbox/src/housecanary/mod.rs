//! The HouseCanary Order Manager Partner API simulator, under `/partner-api/v1/`.
//!
//! Shapes the sandbox chose where the vendor's are UNKNOWN (see `docs/sandbox.md`): order, item
//! and export ids are JSON integers in the REST resources and strings in callouts (as the callout
//! examples quote them); lists are paginated `{count, next, previous, results}` (`?page=`,
//! `?page_size=`); export statuses are `new`, `inProgress`, `complete`; cancelled items carry
//! `validation_errors`, and their callout a `reason` and `validation_errors`.

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

mod archive;
mod auth;
mod callouts;
mod dates;
mod downloads;
mod drf;
mod exports;
mod orders;
mod pagination;
mod pdf;
mod progress;
mod render;
mod slug;
pub(crate) mod store;

/// Where the partner API lives, relative to the sandbox's base URL.
pub(crate) const BASE_PATH: &str = "partner-api/v1/";

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/partner-api/v1/orders/",
            post(orders::create).get(orders::list),
        )
        .route("/partner-api/v1/orders/{order_id}/", get(orders::get))
        .route(
            "/partner-api/v1/orders/{order_id}/items/",
            get(orders::items),
        )
        .route(
            "/partner-api/v1/orders/{order_id}/items/{item_id}/",
            get(orders::item),
        )
        .route(
            "/partner-api/v1/orders/{order_id}/items/{item_id}/pdfdownload/{key}",
            get(downloads::item_pdf),
        )
        .route(
            "/partner-api/v1/orders/{order_id}/items/{item_id}/pdfdownload/{key}/",
            get(downloads::item_pdf),
        )
        .route(
            "/partner-api/v1/orders/{order_id}/export/{format}/",
            post(exports::create),
        )
        .route(
            "/partner-api/v1/orders/{order_id}/export-requests/",
            get(exports::list),
        )
        .route(
            "/partner-api/v1/orders/{order_id}/export-requests/{export_id}/",
            get(exports::get),
        )
        .route(
            "/downloads/exports/{export_id}/{file_name}",
            get(downloads::export_archive),
        )
}
