//! `POST /oauth/token`: the Auth0-style client-credentials grant with a JSON body.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::store::IssuedToken;
use crate::signing::{constant_time_eq, unix_now};
use crate::state::AppState;
use crate::stats::Counters;

/// The scope a sample vendor token carries.
const SCOPE: &str = "grs key-management";

pub(crate) async fn issue(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    Counters::bump(&state.counters.token_requests);
    match check(&state, &body) {
        Ok(client_id) => {
            let lifetime = state.config.token_lifetime;
            let token = mint(&state, &client_id, lifetime);
            let mut store = state.innovis();
            let now = Instant::now();
            store.tokens.retain(|_, issued| issued.expires_at > now);
            store.tokens.insert(
                token.clone(),
                IssuedToken {
                    client_id,
                    // The lifetime is capped by the config; never panic on an overflow anyway.
                    expires_at: now.checked_add(lifetime).unwrap_or(now),
                },
            );
            Json(json!({
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": lifetime.as_secs(),
                "scope": SCOPE,
            }))
            .into_response()
        }
        Err((status, error, description)) => (
            status,
            Json(json!({ "error": error, "error_description": description })),
        )
            .into_response(),
    }
}

type Rejection = (StatusCode, &'static str, String);

/// The client id when the request is acceptable.
fn check(state: &AppState, body: &[u8]) -> Result<String, Rejection> {
    let invalid = |description: &str| {
        (
            StatusCode::BAD_REQUEST,
            "invalid_request",
            description.to_owned(),
        )
    };
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| invalid("the body must be a JSON object (Content-Type: application/json)"))?;
    let field = |name: &str| value.get(name).and_then(Value::as_str);
    let grant_type = field("grant_type").ok_or_else(|| invalid("grant_type is missing"))?;
    if grant_type != "client_credentials" {
        return Err((
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only grant_type client_credentials is supported".to_owned(),
        ));
    }
    let credentials = &state.config.credentials;
    let (Some(client_id), Some(client_secret)) = (field("client_id"), field("client_secret"))
    else {
        return Err((
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client_id and client_secret must be sent in the JSON body".to_owned(),
        ));
    };
    let id_ok = constant_time_eq(
        client_id.as_bytes(),
        credentials.innovis_client_id.as_bytes(),
    );
    let secret_ok = constant_time_eq(
        client_secret.as_bytes(),
        credentials.innovis_client_secret.as_bytes(),
    );
    if !(id_ok && secret_ok) {
        return Err((
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Unauthorized: unknown client or wrong secret".to_owned(),
        ));
    }
    let audience = field("audience").ok_or_else(|| invalid("audience is missing"))?;
    if audience != credentials.innovis_audience {
        return Err(invalid("unknown audience"));
    }
    Ok(client_id.to_owned())
}

/// A JWT-shaped token: real base64url header and payload, and an HMAC-SHA1 "signature" (clients
/// decode the payload for `exp` but never verify it).
fn mint(state: &AppState, client_id: &str, lifetime: Duration) -> String {
    let now = unix_now();
    let jti = format!("{:016x}", fastrand::u64(..));
    let header = json!({ "alg": "HS1-SANDBOX", "typ": "JWT", "kid": "sandbox" });
    let payload = json!({
        "iss": state.base_url.as_str(),
        "sub": format!("{client_id}@clients"),
        "aud": state.config.credentials.innovis_audience,
        "iat": now,
        "exp": now.saturating_add(lifetime.as_secs()),
        "scope": SCOPE,
        "gty": "client-credentials",
        "jti": jti,
    });
    let encode = |value: &Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let signing_input = format!("{}.{}", encode(&header), encode(&payload));
    let signature = common_auth::hmac_sha1_hex(&state.signing_key, signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}
