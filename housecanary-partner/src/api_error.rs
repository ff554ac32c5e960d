//! The vendor's error bodies: Django REST Framework's `{"detail": …}` and field errors, quoted
//! safely.

use std::collections::BTreeMap;

use credit_valuation_core::Redaction;

/// How vendor text is quoted: the shared rule (query strings redacted, at most
/// [`credit_valuation_core::MAX_QUOTED_BYTES`] bytes); HouseCanary's bodies hold no consumer's data.
fn quote(text: &str) -> String {
    Redaction::default().quote(text)
}

/// The most field-error messages kept; the rest are counted under [`MORE_FIELD_ERRORS`].
const MAX_FIELD_ERRORS: usize = 20;

/// The key under which the messages past [`MAX_FIELD_ERRORS`] are counted.
const MORE_FIELD_ERRORS: &str = "(more)";

/// Django REST Framework error bodies: `{"detail": "..."}`, `{"field": ["msg", ...]}`, nested
/// serializer errors (`{"items": [{}, {"zipcode": ["..."]}]}` → `items[1].zipcode`). A body that
/// is not JSON becomes the detail, quoted; markup (a storage service's XML error, an HTML page)
/// is summarised, never quoted, since a storage error repeats the signature and key id it was
/// sent. Every text is quoted by the one rule, and at most 20 field messages are kept.
pub(crate) fn parse_drf_error(body: &[u8]) -> (Option<String>, BTreeMap<String, Vec<String>>) {
    let mut fields = FieldErrors::default();
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return (None, fields.by_path);
    }
    if text.starts_with('<') {
        return (Some(markup_summary(text)), fields.by_path);
    }
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return (Some(quote(text)), fields.by_path);
    };
    let mut detail = None;
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                if key == "detail" {
                    detail = Some(quote(&match value {
                        serde_json::Value::String(text) => text,
                        other => other.to_string(),
                    }));
                } else {
                    fields.flatten(key, value, 0);
                }
            }
        }
        serde_json::Value::String(text) => detail = Some(quote(&text)),
        serde_json::Value::Array(values) => {
            fields.flatten(
                "non_field_errors".to_owned(),
                serde_json::Value::Array(values),
                0,
            );
        }
        other => detail = Some(quote(&other.to_string())),
    }
    (detail, fields.finish())
}

/// What a markup body is, without quoting it: its size and, for a storage error, its `<Code>`.
fn markup_summary(text: &str) -> String {
    let code = text
        .split_once("<Code>")
        .and_then(|(_, rest)| rest.split_once("</Code>"))
        .map(|(code, _)| code)
        .filter(|code| {
            !code.is_empty()
                && code.len() <= 64
                && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
        });
    match code {
        Some(code) => format!(
            "an XML error body, code {code} ({} bytes, not quoted)",
            text.len()
        ),
        None => format!("a markup body ({} bytes, not quoted)", text.len()),
    }
}

/// Field errors by path, bounded.
#[derive(Default)]
struct FieldErrors {
    by_path: BTreeMap<String, Vec<String>>,
    kept: usize,
    dropped: usize,
}

impl FieldErrors {
    fn push(&mut self, path: &str, message: String) {
        if self.kept == MAX_FIELD_ERRORS {
            self.dropped += 1;
            return;
        }
        self.kept += 1;
        self.by_path
            .entry(quote(path))
            .or_default()
            .push(quote(&message));
    }

    fn flatten(&mut self, path: String, value: serde_json::Value, depth: usize) {
        use serde_json::Value;
        // Error bodies are small and shallow; the limit only guards against hostile nesting.
        if depth > 16 {
            return;
        }
        match value {
            Value::String(message) => self.push(&path, message),
            Value::Array(values) => {
                for (index, value) in values.into_iter().enumerate() {
                    match value {
                        Value::String(message) => self.push(&path, message),
                        nested @ (Value::Object(_) | Value::Array(_)) => {
                            self.flatten(format!("{path}[{index}]"), nested, depth + 1);
                        }
                        other => self.push(&path, other.to_string()),
                    }
                }
            }
            Value::Object(map) => {
                for (key, value) in map {
                    self.flatten(format!("{path}.{key}"), value, depth + 1);
                }
            }
            Value::Null => {}
            other => self.push(&path, other.to_string()),
        }
    }

    fn finish(mut self) -> BTreeMap<String, Vec<String>> {
        if self.dropped > 0 {
            self.by_path.insert(
                MORE_FIELD_ERRORS.to_owned(),
                vec![format!("{} more field errors not shown", self.dropped)],
            );
        }
        self.by_path
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
        assert_eq!(
            detail.as_deref(),
            Some("a markup body (24 bytes, not quoted)")
        );
        let (detail, _) = parse_drf_error(b"Bad Gateway");
        assert_eq!(detail.as_deref(), Some("Bad Gateway"));
        assert_eq!(parse_drf_error(b"  ").0, None);
    }
}
