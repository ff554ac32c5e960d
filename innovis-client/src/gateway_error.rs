//! How a failure of the gateway call reads as an Innovis [`Error`]: the vendor's `errorMessage`,
//! masked, and the request's `customerTraceNumber` on every error.

use serde_json::Value;

use crate::error::Error;
use crate::pii::mask_digit_runs;
use crate::response::redaction::{excerpt_start, mask_string_values};

/// The Innovis reading of a transport error, with the request's trace number: a 401 after the
/// resend is [`Error::Auth`], another error status [`Error::Api`] with the vendor's `errorMessage`,
/// an undecodable answer [`Error::Decode`]; the rest keep the transport's error, which says whether
/// the inquiry may have reached the vendor.
pub(crate) fn error_from_transport(err: client_core::Error, trace: &str) -> Error {
    let trace_number = Some(trace.to_owned());
    match err {
        client_core::Error::Status { status: 401, .. } => Error::Auth { trace_number },
        client_core::Error::Status { status, body, .. } => {
            api_error(status, body.as_bytes(), trace)
        }
        client_core::Error::Decode {
            path,
            message,
            excerpt,
            ..
        } => Error::Decode {
            path,
            message,
            excerpt,
            trace_number,
        },
        client_core::Error::Token { source, .. } => Error::Token(source),
        source => Error::Transport {
            source,
            trace_number,
        },
    }
}

/// An error status: the vendor's `errorMessage` when there is one, else the start of the body.
fn api_error(status: u16, body: &[u8], trace: &str) -> Error {
    let message = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|json| match json.get("errorMessage")? {
            Value::String(text) => Some(mask_digit_runs(text)),
            // A structured message may echo request values (names): show its shape, not its values.
            other => Some(mask_digit_runs(&String::from_utf8_lossy(
                &mask_string_values(other.to_string().as_bytes()),
            ))),
        })
        .unwrap_or_else(|| {
            let start = excerpt_start(body);
            if start.is_empty() {
                http::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|status| status.canonical_reason())
                    .unwrap_or("no message")
                    .to_owned()
            } else {
                start
            }
        });
    Error::Api {
        status,
        message,
        trace_number: Some(trace.to_owned()),
    }
}
