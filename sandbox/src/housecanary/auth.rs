//! `Authorization: Token <t>` on every partner API call.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::drf;
use crate::signing::constant_time_eq;
use crate::state::AppState;

/// `Ok` for the partner's token, else the `401` to answer (DRF's messages).
pub(crate) fn check(state: &AppState, headers: &HeaderMap) -> Result<(), Box<Response>> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized(
            "Authentication credentials were not provided.",
        ));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| *scheme == "Token")
        .map(|(_, token)| token.trim());
    let Some(token) = token else {
        return Err(unauthorized(
            "Invalid token header. Use `Authorization: Token <token>`.",
        ));
    };
    let expected = &state.config.credentials.housecanary_token;
    if constant_time_eq(token.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(unauthorized("Invalid token."))
    }
}

fn unauthorized(message: &str) -> Box<Response> {
    let mut response = drf::detail(StatusCode::UNAUTHORIZED, message);
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
    Box::new(response)
}
