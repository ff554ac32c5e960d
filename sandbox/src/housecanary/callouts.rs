//! Callout delivery: signed POSTs to the configured target, redelivered until a 2xx answer or the
//! last attempt.

use std::sync::Arc;

use axum::http::{HeaderValue, header};
use serde_json::{Map, Value, json};

use crate::config::CalloutTarget;
use crate::state::AppState;
use crate::stats::Counters;

/// Sends `message` (its `message_type` and fields) with a fresh `message_id`, in the background.
/// Without a callout target nothing is sent.
pub(crate) fn send(state: &Arc<AppState>, message_type: &str, fields: Value) {
    let Some(target) = state.callout_target() else {
        return;
    };
    if fastrand::f64() < state.faults().drop_callout_rate {
        Counters::bump(&state.counters.callouts_dropped);
        tracing::debug!(
            message_type,
            "callout dropped by the drop_callout_rate fault"
        );
        return;
    }
    let mut message = Map::new();
    message.insert("message_type".to_owned(), json!(message_type));
    message.insert("message_id".to_owned(), json!(message_id()));
    if let Value::Object(fields) = fields {
        message.extend(fields);
    }
    let body = Value::Object(message).to_string().into_bytes();
    let state = Arc::clone(state);
    tokio::spawn(async move { deliver(&state, &target, body).await });
}

async fn deliver(state: &AppState, target: &CalloutTarget, body: Vec<u8>) {
    let attempts = state.config.max_delivery_attempts.max(1);
    for attempt in 1..=attempts {
        if state.is_shut_down() {
            return;
        }
        Counters::bump(&state.counters.callouts_attempted);
        match attempt_once(state, target, &body).await {
            Ok(()) => {
                Counters::bump(&state.counters.callouts_acknowledged);
                return;
            }
            Err(reason) => {
                tracing::debug!(attempt, attempts, %reason, "callout not acknowledged");
            }
        }
        if attempt < attempts && !state.sleep(state.config.redelivery_interval).await {
            return;
        }
    }
    Counters::bump(&state.counters.callouts_given_up);
    tracing::warn!(attempts, "callout given up after the last delivery attempt");
}

async fn attempt_once(state: &AppState, target: &CalloutTarget, body: &[u8]) -> Result<(), String> {
    let _slot = state
        .callout_slots
        .acquire()
        .await
        .map_err(|_| "callout delivery stopped".to_owned())?;
    let uri: http::Uri = target
        .url
        .as_str()
        .parse()
        .map_err(|e| format!("callout URL is not a valid URI: {e}"))?;
    let signed = target
        .auth
        .sign(&uri, body)
        .map_err(|e| format!("callout could not be signed: {e}"))?;
    let response = state
        .http
        .post(signed.uri.to_string())
        .headers(signed.headers)
        .header(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )
        .timeout(state.config.callout_timeout)
        .body(body.to_vec())
        .send()
        .await
        .map_err(|e| format!("callout request failed: {e}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("receiver answered {}", response.status()))
    }
}

fn message_id() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}
