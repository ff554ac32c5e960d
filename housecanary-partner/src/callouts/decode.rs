//! A one-pass decoder for the shape every known callout has in practice: `message_type` first, then
//! the fields. Anything else (another order, an unknown type, a malformed body) returns `None` and
//! goes through the general decoder in `message.rs`, which also produces every error, so both paths
//! accept exactly the same bodies and build the same values.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::flexible;
use super::message::{CalloutMessage, OrderComplete, OrderItemStatusChange, OrderStatusChange};
use super::message::{ORDER_COMPLETE, ORDER_ITEM_STATUS_CHANGE, ORDER_STATUS_CHANGE};
use crate::status::{OrderItemStatus, OrderStatus};

/// Decodes `body` in one pass when it is a known callout with `message_type` as its first key.
pub(crate) fn known_type_first(body: &[u8]) -> Option<CalloutMessage> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let message = deserializer.deserialize_map(FirstKeyVisitor).ok()??;
    deserializer.end().ok()?;
    Some(message)
}

/// A key or string, borrowed from the body when it has no escapes.
struct Text<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// Known statuses already parsed on this thread, by exact spelling. Parsing a status normalizes the
/// text and compares it with every variant (allocating each time); callouts repeat a handful of
/// spellings, so remembering them makes a status as cheap as a string comparison.
const REMEMBERED_STATUSES: usize = 32;

/// Spellings seen and what they parsed to.
type Remembered<T> = RefCell<Vec<(Box<str>, T)>>;

thread_local! {
    static ORDER_STATUSES: Remembered<OrderStatus> = const { RefCell::new(Vec::new()) };
    static ITEM_STATUSES: Remembered<OrderItemStatus> = const { RefCell::new(Vec::new()) };
}

/// `T::from(raw)`, remembered in `memory` when it is a known status (an unknown one keeps its raw
/// text and is parsed every time, so a sender cannot fill the memory).
fn remembered<T: Clone + for<'a> From<&'a str>>(
    memory: &'static std::thread::LocalKey<Remembered<T>>,
    raw: &str,
    is_known: impl Fn(&T) -> bool,
) -> T {
    memory.with(|memory| {
        let mut memory = memory.borrow_mut();
        if let Some((_, status)) = memory.iter().find(|(seen, _)| &**seen == raw) {
            return status.clone();
        }
        let status = T::from(raw);
        if is_known(&status) && memory.len() < REMEMBERED_STATUSES {
            memory.push((raw.into(), status.clone()));
        }
        status
    })
}

/// An order status, parsed as `OrderStatus`'s own `Deserialize` does.
struct OrderStatusField(OrderStatus);

impl<'de> Deserialize<'de> for OrderStatusField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Text(raw) = Text::deserialize(deserializer)?;
        Ok(Self(remembered(&ORDER_STATUSES, &raw, |status| {
            !matches!(status, OrderStatus::Other(_))
        })))
    }
}

/// An order item status, parsed as `OrderItemStatus`'s own `Deserialize` does.
struct ItemStatusField(OrderItemStatus);

impl<'de> Deserialize<'de> for ItemStatusField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Text(raw) = Text::deserialize(deserializer)?;
        Ok(Self(remembered(&ITEM_STATUSES, &raw, |status| {
            !matches!(status, OrderItemStatus::Other(_))
        })))
    }
}

/// A required id (string or number).
struct Id(String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        flexible::id(deserializer).map(Id)
    }
}

/// An optional id (string, number or null).
struct OptionalId(Option<String>);

impl<'de> Deserialize<'de> for OptionalId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        flexible::optional_id(deserializer).map(OptionalId)
    }
}

/// A list of ids (or null).
struct Ids(Vec<String>);

impl<'de> Deserialize<'de> for Ids {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        flexible::id_list(deserializer).map(Ids)
    }
}

/// Reads `message_type` from the first key and hands the rest of the map to the type's reader.
/// `Ok(None)` means "not this shape": the general decoder takes over.
struct FirstKeyVisitor;

impl<'de> Visitor<'de> for FirstKeyVisitor {
    type Value = Option<CalloutMessage>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a callout object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        match map.next_key::<Text<'de>>()? {
            Some(Text(key)) if key == "message_type" => {}
            _ => return Ok(None),
        }
        let Text(message_type) = map.next_value::<Text<'de>>()?;
        if message_type.eq_ignore_ascii_case(ORDER_ITEM_STATUS_CHANGE) {
            Ok(item_status_change(map)?.map(CalloutMessage::OrderItemStatusChange))
        } else if message_type.eq_ignore_ascii_case(ORDER_COMPLETE) {
            Ok(order_complete(map)?.map(CalloutMessage::OrderComplete))
        } else if message_type.eq_ignore_ascii_case(ORDER_STATUS_CHANGE) {
            Ok(status_change(map)?.map(CalloutMessage::OrderStatusChange))
        } else {
            Ok(None)
        }
    }
}

/// Keeps an unknown field in `extra`; `false` for a second `message_type` (the general decoder
/// keeps the last one, so it must decide).
fn keep_extra<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: Cow<'de, str>,
    extra: &mut Map<String, Value>,
) -> Result<bool, A::Error> {
    if key == "message_type" {
        return Ok(false);
    }
    let value: Value = map.next_value()?;
    extra.insert(key.into_owned(), value);
    Ok(true)
}

fn required<T, E: de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(field))
}

fn item_status_change<'de, A: MapAccess<'de>>(
    mut map: A,
) -> Result<Option<OrderItemStatusChange>, A::Error> {
    let (mut message_id, mut order_id, mut order_item_id, mut new_status) =
        (None, None, None, None);
    let (mut customer_order_id, mut customer_item_id, mut external_integration_id) =
        (None, None, None);
    let mut extra = Map::new();
    while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
        match &*key {
            "message_id" => message_id = Some(map.next_value::<Id>()?.0),
            "order_id" => order_id = Some(map.next_value::<Id>()?.0),
            "order_item_id" => order_item_id = Some(map.next_value::<Id>()?.0),
            "new_status" => new_status = Some(map.next_value::<ItemStatusField>()?.0),
            "customer_order_id" => customer_order_id = map.next_value::<OptionalId>()?.0,
            "customer_item_id" => customer_item_id = map.next_value::<OptionalId>()?.0,
            "external_integration_id" => {
                external_integration_id = map.next_value::<OptionalId>()?.0;
            }
            _ => {
                if !keep_extra(&mut map, key, &mut extra)? {
                    return Ok(None);
                }
            }
        }
    }
    Ok(Some(OrderItemStatusChange {
        message_id: required(message_id, "message_id")?,
        order_id: required(order_id, "order_id")?,
        customer_order_id,
        order_item_id: required(order_item_id, "order_item_id")?,
        customer_item_id,
        new_status: required(new_status, "new_status")?,
        external_integration_id,
        extra,
    }))
}

fn status_change<'de, A: MapAccess<'de>>(
    mut map: A,
) -> Result<Option<OrderStatusChange>, A::Error> {
    let (mut message_id, mut order_id, mut new_status) = (None, None, None);
    let mut customer_order_id = None;
    let mut external_integration_ids = Vec::new();
    let mut extra = Map::new();
    while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
        match &*key {
            "message_id" => message_id = Some(map.next_value::<Id>()?.0),
            "order_id" => order_id = Some(map.next_value::<Id>()?.0),
            "new_status" => new_status = Some(map.next_value::<OrderStatusField>()?.0),
            "customer_order_id" => customer_order_id = map.next_value::<OptionalId>()?.0,
            "external_integration_ids" => {
                external_integration_ids = map.next_value::<Ids>()?.0;
            }
            _ => {
                if !keep_extra(&mut map, key, &mut extra)? {
                    return Ok(None);
                }
            }
        }
    }
    Ok(Some(OrderStatusChange {
        message_id: required(message_id, "message_id")?,
        order_id: required(order_id, "order_id")?,
        customer_order_id,
        new_status: required(new_status, "new_status")?,
        external_integration_ids,
        extra,
    }))
}

fn order_complete<'de, A: MapAccess<'de>>(mut map: A) -> Result<Option<OrderComplete>, A::Error> {
    let (mut message_id, mut order_id) = (None, None);
    let (mut customer_order_id, mut order_item_id, mut customer_item_id) = (None, None, None);
    let (mut download_url, mut report) = (None, None);
    let mut external_integration_ids = Vec::new();
    let mut extra = Map::new();
    while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
        match &*key {
            "message_id" => message_id = Some(map.next_value::<Id>()?.0),
            "order_id" => order_id = Some(map.next_value::<Id>()?.0),
            "customer_order_id" => customer_order_id = map.next_value::<OptionalId>()?.0,
            "order_item_id" => order_item_id = map.next_value::<OptionalId>()?.0,
            "customer_item_id" => customer_item_id = map.next_value::<OptionalId>()?.0,
            "download_url" => download_url = map.next_value::<Option<String>>()?,
            "report" => report = map.next_value::<Option<String>>()?,
            "external_integration_ids" => {
                external_integration_ids = map.next_value::<Ids>()?.0;
            }
            _ => {
                if !keep_extra(&mut map, key, &mut extra)? {
                    return Ok(None);
                }
            }
        }
    }
    Ok(Some(OrderComplete {
        message_id: required(message_id, "message_id")?,
        order_id: required(order_id, "order_id")?,
        customer_order_id,
        order_item_id,
        customer_item_id,
        download_url,
        report,
        external_integration_ids,
        extra,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the general decoder makes of `body`.
    fn general(body: &[u8]) -> CalloutMessage {
        let value: Value = serde_json::from_slice(body).unwrap();
        CalloutMessage::from_value(value).unwrap()
    }

    #[test]
    fn the_one_pass_decoder_builds_what_the_general_decoder_builds() {
        let bodies: &[&[u8]] = &[
            br#"{"message_type":"order_item_status_change","message_id":"m1","order_id":1,"customer_order_id":null,"order_item_id":2.5,"customer_item_id":"c\"2","new_status":"reportPending","external_integration_id":7,"new":{"a":[1,null]}}"#,
            br#"{"message_type":"ORDER_STATUS_CHANGE","message_id":-3,"order_id":"o","new_status":"weird","external_integration_ids":["a",null,3],"x":1}"#,
            br#"{"message_type":"order_complete","message_id":"m3","order_id":1,"order_item_id":null,"download_url":"https://e/r.pdf","report":"QUJD","external_integration_ids":null}"#,
            br#"{"message_type":"order_complete","message_id":"m3","order_id":1}"#,
            br#"{"message_type":"order_status_change","message_id":"m4","order_id":1,"new_status":"new","message_id":"m5"}"#,
        ];
        for body in bodies {
            let fast = known_type_first(body).expect("the one-pass shape");
            assert_eq!(fast, general(body), "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn other_shapes_go_to_the_general_decoder() {
        let bodies: &[&[u8]] = &[
            br#"{"message_id":"m1","message_type":"order_status_change","order_id":1,"new_status":"new"}"#,
            br#"{"message_type":"order_status_change","message_id":"m1","order_id":1,"new_status":"new","message_type":"other"}"#,
            br#"{"message_type":"something_new","message_id":"m1"}"#,
            br#"{"message_type":"order_status_change","message_id":"m1","order_id":{},"new_status":"new"}"#,
            br#"{"message_type":"order_status_change","message_id":"m1","new_status":"new"}"#,
            br#"{"message_type":"order_status_change","message_id":"m1","order_id":1,"new_status":"new"} x"#,
            b"[1]",
        ];
        for body in bodies {
            assert!(
                known_type_first(body).is_none(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
