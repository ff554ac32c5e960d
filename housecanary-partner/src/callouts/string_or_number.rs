//! Lenient decoding of the callout ids kept as text (`message_id`, the partner's own ids): the vendor
//! documents ids as strings, but a Django server may send integer keys as JSON numbers. Both become
//! the same `String`. (The vendor's record ids are [`Id`](crate::Id)s, which read both forms too.)

use std::fmt;

use serde::Deserializer;
use serde::de::{self, SeqAccess, Visitor};

/// Accepts a JSON string or number (integer or float) as its textual form; `null` when `nullable`.
struct IdVisitor {
    nullable: bool,
}

impl<'de> Visitor<'de> for IdVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nullable {
            f.write_str("a string, a number or null")
        } else {
            f.write_str("a string or a number")
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        if self.nullable {
            Ok(None)
        } else {
            Err(E::invalid_type(de::Unexpected::Unit, &self))
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// A required id: string or number.
pub(crate) fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let visitor = IdVisitor { nullable: false };
    match deserializer.deserialize_any(visitor)? {
        Some(id) => Ok(id),
        None => Err(de::Error::invalid_type(
            de::Unexpected::Unit,
            &"a string or a number",
        )),
    }
}

/// An optional id: string, number, `null` or absent (with `#[serde(default)]`).
pub(crate) fn optional_id<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_any(IdVisitor { nullable: true })
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

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut ids = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
            while let Some(element) = seq.next_element::<OptionalId>()? {
                if let Some(id) = element.0 {
                    ids.push(id);
                }
            }
            Ok(ids)
        }
    }

    deserializer.deserialize_any(ListVisitor)
}

/// One element of an id list.
struct OptionalId(Option<String>);

impl<'de> serde::Deserialize<'de> for OptionalId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        optional_id(deserializer).map(OptionalId)
    }
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
