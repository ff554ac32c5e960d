//! `POST/GET orders/`, `GET orders/{id}/`, `GET orders/{id}/items/` and `.../items/{item_id}/`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::store::{Item, Order, status};
use super::{auth, drf, pagination, progress, render};
use crate::state::AppState;
use crate::stats::Counters;

/// The only order type the vendor supports today.
const VALUE_REPORT: &str = "valueReport";
/// Order fields the sandbox reads; any other field is kept and echoed.
const ORDER_FIELDS: &[&str] = &[
    "order_type",
    "name",
    "customer_order_id",
    "owner_organization_id",
    "owner_id",
    "items",
    "order_items",
];
const REQUIRED: &str = "This field is required.";

pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(response) = auth::check(&state, &headers) {
        return *response;
    }
    let body: Map<String, Value> = match serde_json::from_slice(&body) {
        Ok(Value::Object(body)) => body,
        Ok(_) => {
            return drf::field_errors(field(
                "non_field_errors",
                "Invalid data. Expected a dictionary.",
            ));
        }
        Err(e) => {
            return drf::detail(
                StatusCode::BAD_REQUEST,
                format!("JSON parse error - line {} column {}", e.line(), e.column()),
            );
        }
    };
    let draft = match parse_order(&body) {
        Ok(draft) => draft,
        Err(errors) => return drf::field_errors(errors),
    };
    if let Some((organization, owner)) = &draft.owner {
        let credentials = &state.config.credentials;
        if *organization != credentials.owner_organization_id || *owner != credentials.owner_id {
            return drf::detail(
                StatusCode::FORBIDDEN,
                "You are not an authorized agent for this owner_organization_id and owner_id.",
            );
        }
    }
    let (order_id, body) = {
        let mut store = state.housecanary();
        let id = store.next_id();
        let items = draft
            .items
            .into_iter()
            .map(|mut item| {
                item.id = store.next_id();
                item
            })
            .collect();
        let order = Order {
            id,
            name: draft.name,
            order_type: VALUE_REPORT.to_owned(),
            customer_order_id: draft.customer_order_id,
            owner: draft.owner,
            status: status::NEW,
            created: jiff::Timestamp::now(),
            completed_date: None,
            extra: draft.extra,
            items,
        };
        let body = render::order(&order);
        store.orders.insert(id, order);
        (id, body)
    };
    Counters::bump(&state.counters.orders_created);
    progress::spawn(Arc::clone(&state), order_id);
    (StatusCode::CREATED, Json(body)).into_response()
}

pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(response) = auth::check(&state, &headers) {
        return *response;
    }
    let orders: Vec<Value> = state
        .housecanary()
        .orders
        .values()
        .map(render::order)
        .collect();
    pagination::respond(&state, "/partner-api/v1/orders/", &query, orders)
}

pub(crate) async fn get(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(order_id): Path<String>,
) -> Response {
    if let Err(response) = auth::check(&state, &headers) {
        return *response;
    }
    match state.housecanary().order(&order_id) {
        Some(order) => Json(render::order(order)).into_response(),
        None => drf::not_found(),
    }
}

pub(crate) async fn items(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(order_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(response) = auth::check(&state, &headers) {
        return *response;
    }
    let (id, items) = {
        let store = state.housecanary();
        let Some(order) = store.order(&order_id) else {
            return drf::not_found();
        };
        let items: Vec<Value> = order
            .items
            .iter()
            .map(|item| render::item(&state, order, item))
            .collect();
        (order.id, items)
    };
    pagination::respond(
        &state,
        &format!("/partner-api/v1/orders/{id}/items/"),
        &query,
        items,
    )
}

pub(crate) async fn item(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path((order_id, item_id)): Path<(String, String)>,
) -> Response {
    if let Err(response) = auth::check(&state, &headers) {
        return *response;
    }
    match state.housecanary().order_item(&order_id, &item_id) {
        Some((order, item)) => Json(render::item(&state, order, item)).into_response(),
        None => drf::not_found(),
    }
}

/// An order that passed the synchronous field rules (locations are checked asynchronously, as the
/// vendor does).
struct Draft {
    name: String,
    customer_order_id: Option<String>,
    owner: Option<(String, String)>,
    extra: Map<String, Value>,
    items: Vec<Item>,
}

fn parse_order(body: &Map<String, Value>) -> Result<Draft, Map<String, Value>> {
    let mut errors = Map::new();
    match body.get("order_type") {
        None | Some(Value::Null) => add(&mut errors, "order_type", REQUIRED),
        Some(Value::String(kind)) if kind == VALUE_REPORT => {}
        Some(other) => add(
            &mut errors,
            "order_type",
            &format!("{} is not a valid choice.", other),
        ),
    }
    let name = text(body, "name", &mut errors);
    if name.as_deref().is_none_or(|name| name.trim().is_empty()) && !errors.contains_key("name") {
        add(&mut errors, "name", REQUIRED);
    }
    let customer_order_id = text(body, "customer_order_id", &mut errors);
    let organization = text(body, "owner_organization_id", &mut errors);
    let owner = text(body, "owner_id", &mut errors);
    let owner = match (organization, owner) {
        (Some(organization), Some(owner)) => Some((organization, owner)),
        (None, None) => None,
        _ => {
            add(
                &mut errors,
                "non_field_errors",
                "owner_organization_id and owner_id must be given together.",
            );
            None
        }
    };
    let (key, raw_items) = match (body.get("items"), body.get("order_items")) {
        (Some(items), _) => ("items", Some(items)),
        (None, Some(items)) => ("order_items", Some(items)),
        (None, None) => ("items", None),
    };
    let mut items = Vec::new();
    match raw_items {
        None | Some(Value::Null) => add(&mut errors, key, REQUIRED),
        Some(Value::Array(list)) if list.is_empty() => {
            add(&mut errors, key, "This list may not be empty.")
        }
        Some(Value::Array(list)) => {
            let mut item_errors = Vec::with_capacity(list.len());
            let mut any = false;
            for value in list {
                match parse_item(value) {
                    Ok(item) => {
                        items.push(item);
                        item_errors.push(json!({}));
                    }
                    Err(error) => {
                        any = true;
                        item_errors.push(Value::Object(error));
                    }
                }
            }
            if any {
                errors.insert(key.to_owned(), Value::Array(item_errors));
            }
        }
        Some(_) => add(&mut errors, key, "Expected a list of items."),
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let extra = body
        .iter()
        .filter(|(key, _)| !ORDER_FIELDS.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    Ok(Draft {
        name: name.unwrap_or_default(),
        customer_order_id,
        owner,
        extra,
        items,
    })
}

fn parse_item(value: &Value) -> Result<Item, Map<String, Value>> {
    let mut errors = Map::new();
    let Value::Object(object) = value else {
        add(
            &mut errors,
            "non_field_errors",
            "Invalid data. Expected a dictionary.",
        );
        return Err(errors);
    };
    let address = text(object, "address", &mut errors);
    if address
        .as_deref()
        .is_none_or(|address| address.trim().is_empty())
        && !errors.contains_key("address")
    {
        add(&mut errors, "address", REQUIRED);
    }
    let item = Item {
        id: 0,
        address: address.unwrap_or_default(),
        unit: text(object, "unit", &mut errors),
        city: text(object, "city", &mut errors),
        state: text(object, "state", &mut errors),
        zipcode: text(object, "zipcode", &mut errors),
        customer_item_id: text(object, "customer_item_id", &mut errors),
        external_integration_id: text(object, "external_integration_id", &mut errors),
        status: status::NEW,
        completion_date: None,
        estimated_value: None,
        validation_errors: Vec::new(),
    };
    if errors.is_empty() {
        Ok(item)
    } else {
        Err(errors)
    }
}

/// A DRF `CharField`: strings, and numbers as their text; `null` is absent.
fn text(
    object: &Map<String, Value>,
    name: &str,
    errors: &mut Map<String, Value>,
) -> Option<String> {
    match object.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(Value::Number(number)) => Some(number.to_string()),
        Some(_) => {
            add(errors, name, "Not a valid string.");
            None
        }
    }
}

fn add(errors: &mut Map<String, Value>, name: &str, message: &str) {
    errors.insert(name.to_owned(), json!([message]));
}

fn field(name: &str, message: &str) -> Map<String, Value> {
    let mut errors = Map::new();
    add(&mut errors, name, message);
    errors
}
