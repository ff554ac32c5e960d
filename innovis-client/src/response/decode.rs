//! Turning response bytes into types, with errors that say where and show a PII-safe excerpt.

use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::pii::mask_digit_runs;

/// Characters of context shown before and after a decode failure.
const EXCERPT_BEFORE: usize = 40;
const EXCERPT_AFTER: usize = 20;

/// Decodes `body` as `T`, reporting the JSON path of a failure.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        decode_error(body, path, err.inner())
    })?;
    deserializer
        .end()
        .map_err(|err| decode_error(body, ".".to_owned(), &err))?;
    Ok(value)
}

fn decode_error(body: &[u8], path: String, err: &serde_json::Error) -> Error {
    // serde_json's message may quote the offending value ("invalid type: integer `123456789`").
    let message = mask_digit_runs(&strip_position(&err.to_string()));
    Error::Decode {
        path,
        message,
        excerpt: excerpt_at(body, err.line(), err.column()),
    }
}

/// serde_json appends " at line L column C"; the excerpt shows where, so keep the message short.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

/// A short, digit-masked piece of `body` around the 1-based `line` and `column`.
pub(crate) fn excerpt_at(body: &[u8], line: usize, column: usize) -> String {
    let line_start = body
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
        .nth(line.saturating_sub(2))
        .filter(|_| line > 1)
        .unwrap_or(0);
    let at = line_start.saturating_add(column).min(body.len());
    let start = at.saturating_sub(EXCERPT_BEFORE);
    let end = at.saturating_add(EXCERPT_AFTER).min(body.len());
    let piece = body.get(start..end).unwrap_or_default();
    mask_digit_runs(&String::from_utf8_lossy(piece))
}

/// A short, digit-masked beginning of `body`, for error statuses without a usable message.
pub(crate) fn excerpt_start(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(body.get(..MAX.min(body.len())).unwrap_or_default());
    mask_digit_runs(text.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::report::ResponseBody;

    #[test]
    fn path_and_masked_excerpt_for_wrong_type() {
        let body = br#"{"Consumers":[{"returnCode":"Record"},{"returnCode":123456789}]}"#;
        let err = decode::<ResponseBody>(body).unwrap_err();
        match err {
            Error::Decode {
                path,
                message,
                excerpt,
            } => {
                assert_eq!(path, "Consumers[1].returnCode");
                assert!(!message.contains("123456789"), "{message}");
                assert!(!excerpt.contains("123456789"), "{excerpt}");
                assert!(excerpt.contains("returnCode"), "{excerpt}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn excerpt_on_later_lines() {
        let body = b"{\n  \"a\": 1,\n  \"b\": oops\n}";
        let text = excerpt_at(body, 3, 8);
        assert!(text.contains("oops"), "{text}");
    }

    #[test]
    fn trailing_garbage_is_an_error() {
        assert!(matches!(
            decode::<ResponseBody>(b"{} x"),
            Err(Error::Decode { .. })
        ));
    }
}
