//! Every error answer in the vendor's own JSON shape, including the framework's rejections (a path
//! segment that is not valid UTF-8, a body past the size limit, a wrong method), which axum answers
//! in plain text: clients decode the sandbox's errors exactly like the vendors'.

use axum::Json;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Longest framework message kept in the JSON body.
const MAX_MESSAGE: usize = 512;

/// The error body each vendor uses for `path`: RFC 6749 for the token endpoint, `errorMessage` for
/// the Innovis gateway, Django REST Framework's `detail` everywhere else.
pub(crate) fn body(path: &str, status: StatusCode, message: &str) -> Value {
    if path.starts_with("/oauth/") {
        let error = if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            "temporarily_unavailable"
        } else {
            "invalid_request"
        };
        json!({ "error": error, "error_description": message })
    } else if path.starts_with("/InnovisGateway/") {
        json!({ "errorMessage": message })
    } else {
        json!({ "detail": message })
    }
}

/// Rewrites non-JSON error answers (4xx/5xx) into [`body`]'s shape, keeping status and headers.
pub(crate) async fn rewrite(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, original) = response.into_parts();
    let text = match axum::body::to_bytes(original, MAX_MESSAGE * 4).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => String::new(),
    };
    let mut message: String = text.chars().take(MAX_MESSAGE).collect();
    if message.is_empty() {
        message = status
            .canonical_reason()
            .unwrap_or("request failed")
            .to_owned();
    }
    let rewritten = Json(body(&path, status, &message)).into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::new(rewritten.into_body()))
}
