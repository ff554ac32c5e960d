//! The Innovis simulator: an Auth0-style client-credentials token endpoint and the gateway.
//!
//! Response shapes the sandbox chose where the vendor's are UNKNOWN (documented in
//! `docs/sandbox.md` too):
//! - token errors are RFC 6749 bodies `{"error": "...", "error_description": "..."}`: `400` for a
//!   malformed body, a missing field, a wrong `grant_type` (`unsupported_grant_type`) or audience;
//!   `401 invalid_client` for a wrong id or secret;
//! - gateway errors are `{"errorMessage": "..."}`: `401` for a missing, unknown or expired token,
//!   `400` for a malformed request, a field that is missing or too long, or a House Number that is
//!   not registered for that end user, product or purpose;
//! - a report is `{"Consumers": {...}}` (the casing of the wrapper is UNKNOWN at the vendor);
//! - the faults after recording (see [`Faults`](crate::Faults)) answer `504` with an
//!   `errorMessage`, or close the connection without an answer.

use std::sync::Arc;

use axum::Router;
use axum::routing::post;

use crate::state::AppState;

mod after_recording;
mod gateway;
mod report;
pub(crate) mod store;
mod token;
mod validation;

/// Path of the token endpoint.
pub(crate) const TOKEN_PATH: &str = "/oauth/token";
/// Path of the gateway endpoint (every product).
pub(crate) const GATEWAY_PATH: &str = "/InnovisGateway/orest/grs_v001/request";

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(TOKEN_PATH, post(token::issue))
        .route(GATEWAY_PATH, post(gateway::request))
}
