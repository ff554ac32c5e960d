//! Fault injection in front of every route: latency, then a share of 503 and 429 answers. (The
//! faults after the Innovis gateway recorded an inquiry are `innovis/after_recording.rs`.)

use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;
use crate::stats::Counters;
use crate::vendor_errors;

pub(crate) async fn inject(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let faults = state.faults();
    if !faults.latency.is_zero() && !state.sleep(faults.latency).await {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let roll = fastrand::f64();
    let fault = if roll < faults.server_error_rate {
        Some((
            StatusCode::SERVICE_UNAVAILABLE,
            "the sandbox injected a server error",
        ))
    } else if roll < faults.server_error_rate + faults.rate_limit_rate {
        Some((
            StatusCode::TOO_MANY_REQUESTS,
            "the sandbox injected a rate limit",
        ))
    } else {
        None
    };
    let Some((status, message)) = fault else {
        return next.run(request).await;
    };
    Counters::bump(&state.counters.faults_injected);
    // Each vendor's own error body shape, so clients decode injected faults like real ones.
    let body = vendor_errors::body(request.uri().path(), status, message);
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}
