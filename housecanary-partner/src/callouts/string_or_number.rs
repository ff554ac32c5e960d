//! Lenient decoding of the callout ids kept as text (`message_id`, the partner's own ids): the vendor
//! documents ids as strings, but a Django server may send integer keys as JSON numbers. Both become
//! the same `String`: the text of the [`Id`] read from either form, so these ids and the vendor's
//! record ids (`Id`s) accept exactly the same JSON values.

use std::fmt;

use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::orders::Id;

/// A required id: string or number, read as an [`Id`] is and kept as its text.
pub(crate) fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Id::deserialize(deserializer).map(Id::into_string)
}

/// An optional id: string, number, `null` or absent (with `#[serde(default)]`).
pub(crate) fn optional_id<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Option::<Id>::deserialize(deserializer).map(|id| id.map(Id::into_string))
}

/// A list of ids; `null` is an empty list and `null` elements are skipped (an item without an
/// external integration id has nothing to report).
pub(crate) fn id_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    struct ListVisitor;

    impl<'de> Visitor<'de> for ListVisitor {
        type Value = Vec<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of strings or numbers, or null")
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut ids = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
            while let Some(element) = seq.next_element::<Option<Id>>()? {
                if let Some(id) = element {
                    ids.push(id.into_string());
                }
            }
            Ok(ids)
        }
    }

    deserializer.deserialize_any(ListVisitor)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Probe {
        #[serde(deserialize_with = "super::id")]
        id: String,
        #[serde(default, deserialize_with = "super::optional_id")]
        maybe: Option<String>,
        #[serde(default, deserialize_with = "super::id_list")]
        list: Vec<String>,
    }

    fn probe(json: &str) -> Result<Probe, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn ids_arrive_as_strings_or_numbers() {
        let p = probe(r#"{"id": 42, "maybe": "abc", "list": ["a", 7, null]}"#).unwrap();
        assert_eq!(p.id, "42");
        assert_eq!(p.maybe.as_deref(), Some("abc"));
        assert_eq!(p.list, ["a", "7"]);

        let p = probe(r#"{"id": "x-1", "maybe": -3}"#).unwrap();
        assert_eq!(p.id, "x-1");
        assert_eq!(p.maybe.as_deref(), Some("-3"));
        assert!(p.list.is_empty());
    }

    #[test]
    fn nullable_fields_accept_null() {
        let p = probe(r#"{"id": 1, "maybe": null, "list": null}"#).unwrap();
        assert_eq!(p.maybe, None);
        assert!(p.list.is_empty());
    }

    #[test]
    fn a_required_id_rejects_null_objects_and_bools() {
        assert!(probe(r#"{"id": null}"#).is_err());
        assert!(probe(r#"{"id": true}"#).is_err());
        assert!(probe(r#"{"id": {"a": 1}}"#).is_err());
        assert!(probe(r#"{"id": 1, "list": "a"}"#).is_err());
    }
}
