//! The faults that replace the answer to an inquiry the gateway already recorded: a dropped
//! connection, a 504, a stall.

use std::time::Duration;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::GATEWAY_PATH;
use super::store::InquiryAnswer;
use crate::config::Faults;
use crate::connection::ConnectionAbort;
use crate::state::AppState;
use crate::vendor_errors;

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
