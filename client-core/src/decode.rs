//! JSON decoding that names the path of a failure.

use std::borrow::Cow;

use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::redaction::Redaction;

/// Bytes of context shown before and after a decode failure.
const CONTEXT_BEFORE: usize = 40;
const CONTEXT_AFTER: usize = 40;

/// Decodes `body` as `T`. The common case pays for one plain decode; only a failure is decoded a
/// second time, tracking the JSON path for the error.
// A borrowed `Cow` clones without allocating when the name is static.
#[allow(clippy::ptr_arg)]
pub(crate) fn decode_json<T: DeserializeOwned>(
    operation: &Cow<'static, str>,
    body: &[u8],
    redaction: &Redaction,
    excerpt_chars: usize,
) -> Result<T, Error> {
    match serde_json::from_slice(body) {
        Ok(value) => Ok(value),
        Err(plain) => Err(decode_error::<T>(
            operation,
            body,
            plain,
            redaction,
            excerpt_chars,
        )),
    }
}

#[cold]
// A borrowed `Cow` clones without allocating when the name is static.
#[allow(clippy::ptr_arg)]
fn decode_error<T: DeserializeOwned>(
    operation: &Cow<'static, str>,
    body: &[u8],
    plain: serde_json::Error,
    redaction: &Redaction,
    excerpt_chars: usize,
) -> Error {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let (path, err) = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(err) => (err.path().to_string(), err.into_inner()),
        // Trailing characters after a valid document.
        Ok(_) => (".".to_owned(), plain),
    };
    let at = offset_of(body, err.line(), err.column());
    let start = at.saturating_sub(CONTEXT_BEFORE);
    let end = at.saturating_add(CONTEXT_AFTER).min(body.len());
    Error::Decode {
        operation: operation.clone(),
        // A path names the body's keys, which may be values too (`Consumers.SSN 666010004[0]`).
        path: redaction.quote(&path),
        message: redaction.quote(strip_position(&err.to_string())),
        excerpt: redaction.excerpt(body, start..end, excerpt_chars),
    }
}

/// serde_json appends " at line L column C"; the excerpt shows where, so keep the message short.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .and_then(|index| message.get(..index))
        .unwrap_or(message)
}

/// The byte offset of 1-based `line` and `column` in `body`.
fn offset_of(body: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line > 1 {
        body.iter()
            .enumerate()
            .filter(|(_, byte)| **byte == b'\n')
            .nth(line - 2)
            .map_or(0, |(index, _)| index + 1)
    } else {
        0
    };
    line_start.saturating_add(column).min(body.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Order {
        #[allow(dead_code)]
        items: Vec<Item>,
    }
    #[derive(Debug, serde::Deserialize)]
    struct Item {
        #[allow(dead_code)]
        id: u64,
    }

    #[test]
    fn a_failure_names_its_path_and_quotes_near_it() {
        let body = br#"{"items":[{"id":1},{"id":"seven"}]}"#;
        let err =
            decode_json::<Order>(&"GET o".into(), body, &Redaction::default(), 512).unwrap_err();
        match err {
            Error::Decode { path, excerpt, .. } => {
                assert_eq!(path, "items[1].id");
                assert!(excerpt.contains("seven"), "{excerpt}");
            }
            other => panic!("{other:?}"),
        }
        let err = decode_json::<Order>(
            &"GET o".into(),
            br#"{"items":[]} x"#,
            &Redaction::default(),
            512,
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::Decode { ref path, .. } if path == "."),
            "{err:?}"
        );
    }

    #[test]
    fn offsets_follow_lines() {
        assert_eq!(offset_of(b"ab\ncd", 2, 1), 4);
        assert_eq!(offset_of(b"ab", 9, 9), 2);
    }
}
