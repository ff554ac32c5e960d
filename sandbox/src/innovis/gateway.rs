//! `POST /InnovisGateway/orest/grs_v001/request`: every product on one endpoint.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::after_recording::AfterRecording;
use super::report::{self, Envelope};
use super::store::{IssuedReport, RecordedInquiry};
use super::validation::{self, GatewayRequest};
use crate::connection::ConnectionAbort;
use crate::fixtures;
use crate::state::AppState;
use crate::stats::Counters;

/// Format of `originalInquiryDate` and of the `inquiryDate` the sandbox reports.
const INQUIRY_DATE_FORMAT: &str = "%Y-%m-%d %H:%M:%S";
/// No time zone is further ahead of UTC than this, so a caller's local "now" is never later.
const MAX_UTC_OFFSET_HOURS: i64 = 14;

pub(crate) async fn request(
    State(state): State<Arc<AppState>>,
    ConnectInfo(connection): ConnectInfo<ConnectionAbort>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    Counters::bump(&state.counters.gateway_requests);
    let user_id = match authorize(&state, &headers) {
        Ok(user_id) => user_id,
        Err(message) => {
            let mut response = error(StatusCode::UNAUTHORIZED, message);
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
            return response;
        }
    };
    let request = match validation::parse(&body) {
        Ok(request) => request,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    if let Err(message) = check_registration(&state, &request) {
        return error(StatusCode::BAD_REQUEST, message);
    }
    let result = if request.product_code == "SECONDUSE" {
        second_use(&state, &request, &user_id)
    } else {
        report(&state, &request, &user_id)
    };
    let Processed { body, mut inquiry } = match result {
        Ok(processed) => processed,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let fault = AfterRecording::roll(&state.faults());
    if let Some(fault) = fault {
        inquiry.answer = fault.answer();
        Counters::bump(&state.counters.faults_after_recording);
    }
    state.innovis().inquiries.push(inquiry);
    Counters::bump(&state.counters.inquiries_recorded);
    match fault {
        None => Json(body).into_response(),
        Some(fault) => fault.respond(&state, &connection).await,
    }
}

/// An inquiry the gateway carried out: the answer, and what the sandbox records about it.
struct Processed {
    body: serde_json::Value,
    inquiry: RecordedInquiry,
}

/// The client id behind a valid Bearer token.
fn authorize(state: &AppState, headers: &HeaderMap) -> Result<String, String> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .ok_or("Unauthorized: the Authorization header is missing")?;
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or("Unauthorized: the Authorization header must be `Bearer <token>`")?;
    let store = state.innovis();
    let issued = store
        .tokens
        .get(token)
        .ok_or("Unauthorized: unknown access token")?;
    if issued.expires_at <= Instant::now() {
        return Err("Unauthorized: the access token has expired".to_owned());
    }
    Ok(issued.client_id.clone())
}

/// The House Number rules: a registered `customerId`, with one of its end users, one of its
/// products and its permissible purpose, and this user's `softwareProviderId`.
fn check_registration(state: &AppState, request: &GatewayRequest) -> Result<(), String> {
    if request.software_provider_id != state.config.credentials.innovis_software_provider_id {
        return Err("softwareProviderId is not the one assigned to this user".to_owned());
    }
    let house = fixtures::house_number(&request.customer_id).ok_or_else(|| {
        format!(
            "customerId {} is not a registered House Number",
            request.customer_id
        )
    })?;
    if !house.has_end_user(&request.end_user_code) {
        return Err(format!(
            "endUserCode {} is not registered for customerId {}",
            request.end_user_code, request.customer_id
        ));
    }
    if !house.allows_product(&request.product_code) {
        return Err(format!(
            "productCode {} is not enabled for customerId {}",
            request.product_code, request.customer_id
        ));
    }
    if house.permissible_purpose_code != request.permissible_purpose_code {
        return Err(format!(
            "permissiblePurposeCode {} is not the purpose of customerId {}",
            request.permissible_purpose_code, request.customer_id
        ));
    }
    Ok(())
}

fn report(state: &AppState, request: &GatewayRequest, user_id: &str) -> Result<Processed, String> {
    if request.access_method.is_some() {
        return Err("accessMethod must be blank except for SECONDUSE".to_owned());
    }
    let primary = request
        .applicants
        .first()
        .ok_or("applicants must hold at least one applicant")?;
    let consumer = fixtures::consumer_for_ssn(primary.ssn.as_deref().unwrap_or_default());
    let consumer_id = consumer.on_file.then(|| consumer.consumer_id.to_owned());
    let envelope = {
        let mut store = state.innovis();
        let envelope = envelope(request, user_id, store.sequence());
        if let Some(consumer_id) = &consumer_id {
            store.reports.insert(
                envelope.report_reference_number.clone(),
                IssuedReport {
                    consumer_id: consumer_id.clone(),
                },
            );
        }
        envelope
    };
    Ok(Processed {
        body: report::consumer_report(
            &envelope,
            &primary.applicant_id,
            consumer,
            consumer_id.as_deref(),
        ),
        inquiry: envelope.record(consumer_id, consumer.return_code),
    })
}

fn second_use(
    state: &AppState,
    request: &GatewayRequest,
    user_id: &str,
) -> Result<Processed, String> {
    if request.access_method.as_deref() != Some("ID") {
        return Err("accessMethod must be \"ID\" for SECONDUSE".to_owned());
    }
    let original_date = request
        .original_inquiry_date
        .as_deref()
        .ok_or("originalInquiryDate is required for SECONDUSE")?;
    let parsed = jiff::civil::DateTime::strptime(INQUIRY_DATE_FORMAT, original_date)
        .map_err(|_| "originalInquiryDate must be formatted YYYY-MM-DD HH:MM:SS".to_owned())?;
    let latest = now_utc()
        .datetime()
        .checked_add(jiff::SignedDuration::from_hours(MAX_UTC_OFFSET_HOURS))
        .map_err(|_| "originalInquiryDate could not be checked".to_owned())?;
    if parsed > latest {
        return Err("originalInquiryDate must not be in the future".to_owned());
    }
    let original_reference = request
        .report_reference_number
        .as_deref()
        .filter(|reference| !reference.is_empty())
        .ok_or("reportReferenceNumber is required for SECONDUSE")?;
    let consumer_id = request
        .applicants
        .first()
        .and_then(|applicant| applicant.consumer_id.as_deref())
        .ok_or("applicants[0].consumerId is required for SECONDUSE")?;
    let envelope = {
        let mut store = state.innovis();
        let known = store
            .reports
            .get(original_reference)
            .is_some_and(|report| report.consumer_id == consumer_id);
        if !known {
            return Err(
                "reportReferenceNumber and consumerId do not match a report issued to this user"
                    .to_owned(),
            );
        }
        envelope(request, user_id, store.sequence())
    };
    Ok(Processed {
        body: report::second_use_confirmation(
            &envelope,
            consumer_id,
            original_reference,
            original_date,
        ),
        inquiry: envelope.record(Some(consumer_id.to_owned()), report::SECOND_USE_RETURN_CODE),
    })
}

/// What a response issued now as number `sequence` says about itself: a unique
/// `reportReferenceNumber` (≤ 30 characters) and the `inquiryDate`, both from one clock reading.
fn envelope<'a>(request: &'a GatewayRequest, user_id: &'a str, sequence: u64) -> Envelope<'a> {
    let now = now_utc();
    Envelope {
        request,
        user_id,
        report_reference_number: format!("SBX{}{sequence:08}", now.strftime("%Y%m%d%H%M%S")),
        inquiry_date: now.strftime(INQUIRY_DATE_FORMAT).to_string(),
    }
}

fn now_utc() -> jiff::ZonedDateTime {
    jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC)
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "errorMessage": message.into() }))).into_response()
}
