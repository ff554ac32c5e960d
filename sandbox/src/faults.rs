//! Fault injection: in front of every route latency, then a share of 503 and 429 answers; after
//! the Innovis gateway recorded an inquiry, a share of dropped connections, 504s and stalls.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::Faults;
use crate::connection::ConnectionAbort;
use crate::innovis::GATEWAY_PATH;
use crate::innovis::store::InquiryAnswer;
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

/// A fault that replaces the answer to an inquiry the gateway already recorded.
#[derive(Clone, Copy, Debug)]
pub(crate) enum AfterRecording {
    DropConnection,
    GatewayTimeout,
    Stall(Duration),
}

impl AfterRecording {
    /// The fault for one inquiry, if any: one roll against the cumulative rates.
    pub(crate) fn roll(faults: &Faults) -> Option<Self> {
        let roll = fastrand::f64();
        let drop = faults.gateway_drop_after_recording_rate;
        let timeout = drop + faults.gateway_504_after_recording_rate;
        let stall = timeout + faults.gateway_stall_after_recording_rate;
        if roll < drop {
            Some(Self::DropConnection)
        } else if roll < timeout {
            Some(Self::GatewayTimeout)
        } else if roll < stall {
            Some(Self::Stall(faults.gateway_stall_duration))
        } else {
            None
        }
    }

    /// What the recorded inquiry says the client was given.
    pub(crate) fn answer(self) -> InquiryAnswer {
        match self {
            Self::DropConnection => InquiryAnswer::ConnectionDropped,
            Self::GatewayTimeout => InquiryAnswer::GatewayTimeout,
            Self::Stall(_) => InquiryAnswer::Stalled,
        }
    }

    /// Carries the fault out on the inquiry's connection.
    pub(crate) async fn respond(self, state: &AppState, connection: &ConnectionAbort) -> Response {
        match self {
            Self::DropConnection => {}
            Self::GatewayTimeout => {
                let status = StatusCode::GATEWAY_TIMEOUT;
                let message = "Gateway Timeout: the request was not answered in time";
                return (
                    status,
                    Json(vendor_errors::body(GATEWAY_PATH, status, message)),
                )
                    .into_response();
            }
            // Whether the stall ran out or the sandbox is shutting down, no answer follows.
            Self::Stall(duration) => {
                state.sleep(duration).await;
            }
        }
        connection.abort();
        // Never written: the aborted connection fails hyper's first write of it.
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    }
}
