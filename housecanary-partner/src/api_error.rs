//! The vendor's error bodies: Django REST Framework's `{"detail": …}` and field errors.

use std::collections::BTreeMap;

use crate::text::excerpt_bytes;

/// How many characters of a body that is not JSON become the detail.
const DETAIL_CHARS: usize = 512;

/// Django REST Framework error bodies: `{"detail": "..."}`, `{"field": ["msg", ...]}`, nested
/// serializer errors (`{"items": [{}, {"zipcode": ["..."]}]}` → `items[1].zipcode`). A body that
/// is not JSON becomes the detail, abbreviated.
pub(crate) fn parse_drf_error(body: &[u8]) -> (Option<String>, BTreeMap<String, Vec<String>>) {
    let mut fields = BTreeMap::new();
    if body.iter().all(u8::is_ascii_whitespace) {
        return (None, fields);
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (Some(excerpt_bytes(body, DETAIL_CHARS)), fields);
    };
    let mut detail = None;
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                if key == "detail" {
                    detail = Some(match value {
                        serde_json::Value::String(text) => text,
                        other => other.to_string(),
                    });
                } else {
                    flatten_field_errors(key, value, &mut fields, 0);
                }
            }
        }
        serde_json::Value::String(text) => detail = Some(text),
        serde_json::Value::Array(values) => {
            flatten_field_errors(
                "non_field_errors".to_owned(),
                serde_json::Value::Array(values),
                &mut fields,
                0,
            );
        }
        other => detail = Some(other.to_string()),
    }
    (detail, fields)
}

fn flatten_field_errors(
    path: String,
    value: serde_json::Value,
    out: &mut BTreeMap<String, Vec<String>>,
    depth: usize,
) {
    use serde_json::Value;
    // Error bodies are small and shallow; the limit only guards against hostile nesting.
    if depth > 16 {
        return;
    }
    match value {
        Value::String(message) => out.entry(path).or_default().push(message),
        Value::Array(values) => {
            for (index, value) in values.into_iter().enumerate() {
                match value {
                    Value::String(message) => out.entry(path.clone()).or_default().push(message),
                    nested @ (Value::Object(_) | Value::Array(_)) => {
                        flatten_field_errors(format!("{path}[{index}]"), nested, out, depth + 1);
                    }
                    other => out.entry(path.clone()).or_default().push(other.to_string()),
                }
            }
        }
        Value::Object(map) => {
            for (key, value) in map {
                flatten_field_errors(format!("{path}.{key}"), value, out, depth + 1);
            }
        }
        Value::Null => {}
        other => out.entry(path).or_default().push(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drf_bodies_flatten_to_field_paths() {
        let body = br#"{"name": ["This field is required."],
            "items": [{}, {"zipcode": ["Enter a zipcode or a city and state."]}],
            "non_field_errors": ["Owner not authorized."]}"#;
        let (detail, fields) = parse_drf_error(body);
        assert_eq!(detail, None);
        assert_eq!(fields["name"], vec!["This field is required."]);
        assert_eq!(
            fields["items[1].zipcode"],
            vec!["Enter a zipcode or a city and state."]
        );
        assert_eq!(fields["non_field_errors"], vec!["Owner not authorized."]);
        assert_eq!(fields.len(), 3);
    }

    #[test]
    fn detail_and_non_json_bodies() {
        let (detail, fields) = parse_drf_error(br#"{"detail": "Not found."}"#);
        assert_eq!(detail.as_deref(), Some("Not found."));
        assert!(fields.is_empty());
        let (detail, _) = parse_drf_error(b"<html>Bad Gateway</html>");
        assert_eq!(detail.as_deref(), Some("<html>Bad Gateway</html>"));
        assert_eq!(parse_drf_error(b"  ").0, None);
    }
}
