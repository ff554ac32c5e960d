//! How a failure of the gateway call reads as an Innovis [`Error`]: the vendor's `errorMessage`,
//! masked and bounded, and the request's `customerTraceNumber` on every error.

use credit_valuation_core::KnownValues;
use serde_json::Value;

use crate::error::Error;
use crate::response::redaction::quoted;

/// The Innovis reading of a transport error, with the request's trace number: a 401 after the
/// resend is [`Error::Auth`], another error status [`Error::Api`] with the vendor's `errorMessage`,
/// an undecodable answer [`Error::Decode`]; the rest keep the transport's error, which says whether
/// the inquiry may have reached the vendor. Every text from the body has the request's `known`
/// personal values masked.
pub(crate) fn error_from_transport(
    err: credit_valuation_core::Error,
    trace: &str,
    known: &KnownValues,
) -> Error {
    let trace_number = Some(trace.to_owned());
    match err {
        credit_valuation_core::Error::Status { status: 401, .. } => Error::Auth { trace_number },
        credit_valuation_core::Error::Status { status, body, .. } => Error::Api {
            status,
            message: api_message(status, body.as_bytes(), known),
            trace_number,
        },
        credit_valuation_core::Error::Decode {
            path,
            message,
            excerpt,
            ..
        } => Error::Decode {
            path: quoted(known, &path),
            message: quoted(known, &message),
            excerpt: known.mask(&excerpt),
            trace_number,
        },
        credit_valuation_core::Error::Token { source, .. } => Error::Token(source),
        source => Error::Transport {
            source,
            trace_number,
        },
    }
}

/// An error status's message: the vendor's `errorMessage` when there is one (a structured one
/// shows its shape, its string values masked), else the start of the body, else the status's name.
fn api_message(status: u16, body: &[u8], known: &KnownValues) -> String {
    let text = match serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|mut json| json.get_mut("errorMessage").map(Value::take))
    {
        Some(Value::String(text)) => text,
        Some(other) => other.to_string(),
        None => String::from_utf8_lossy(body).trim().to_owned(),
    };
    if text.is_empty() {
        return http::StatusCode::from_u16(status)
            .ok()
            .and_then(|status| status.canonical_reason())
            .unwrap_or("no message")
            .to_owned();
    }
    quoted(known, &text)
}
