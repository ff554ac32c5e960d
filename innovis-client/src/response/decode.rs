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
    // serde_json's message may quote the offending value ("invalid type: integer `123456789`",
    // "invalid type: string \"JOHN\"").
    let message = strip_position(&err.to_string());
    let message = mask_digit_runs(&String::from_utf8_lossy(&mask_string_values(
        message.as_bytes(),
    )));
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

/// A short piece of `body` around the 1-based `line` and `column`, with JSON string values and digit runs
/// masked (see [`mask_string_values`]).
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
    let masked = mask_string_values(body);
    let piece = masked.get(start..end).unwrap_or_default();
    mask_digit_runs(&String::from_utf8_lossy(piece))
}

/// A short beginning of `body`, masked like [`excerpt_at`], for error statuses without a usable message.
pub(crate) fn excerpt_start(body: &[u8]) -> String {
    const MAX: usize = 200;
    let masked = mask_string_values(body);
    let text = String::from_utf8_lossy(masked.get(..MAX.min(masked.len())).unwrap_or_default());
    mask_digit_runs(text.trim())
}

/// `body` with every byte inside a JSON string *value* replaced by `*`, keeping object keys, punctuation and
/// the length (so byte offsets still point at the same place).
///
/// A credit report's values are names, addresses and account data: digit masking alone would leave a name in
/// an excerpt. Keys (a string followed by `:`) say where the failure is and stay readable. Works on broken or
/// truncated JSON too: an unterminated string is masked to the end.
pub(crate) fn mask_string_values(body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    let mut index = 0;
    while index < body.len() {
        if body.get(index) != Some(&b'"') {
            index += 1;
            continue;
        }
        // Find the closing quote, skipping escaped characters.
        let content_start = index + 1;
        let mut end = content_start;
        while end < body.len() {
            match body.get(end) {
                Some(b'\\') => end += 2,
                Some(b'"') => break,
                _ => end += 1,
            }
        }
        let content_end = end.min(body.len());
        let is_key = body
            .get(content_end + 1..)
            .unwrap_or_default()
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            == Some(&b':');
        if !is_key {
            if let Some(content) = out.get_mut(content_start..content_end) {
                content.fill(b'*');
            }
        }
        index = content_end + 1;
    }
    out
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
    fn string_values_are_masked_and_keys_kept() {
        let body = br#"{"last":"CONSUMER","a\"b":"x\"y","n":12,"open":"JO"#;
        let masked = String::from_utf8(mask_string_values(body)).unwrap();
        assert_eq!(
            masked,
            r#"{"last":"********","a\"b":"****","n":12,"open":"**"#
        );
    }

    #[test]
    fn decode_excerpt_hides_names_and_survives_multibyte_text() {
        // A name (with multibyte letters) next to the failure; the excerpt's byte window cuts through them.
        let body = r#"{"Consumers":[{"first":"ÉLODIE ÅSA ØRN ÜBER","last":"CONSUMER","returnCode":["x"]}]}"#;
        for cut in 0..body.len() {
            let text = excerpt_at(body.as_bytes(), 1, cut);
            assert!(
                !text.contains("CONSUMER") && !text.contains("LODIE"),
                "{text}"
            );
            let text = excerpt_start(body.as_bytes().get(..cut).unwrap());
            assert!(
                !text.contains("CONSUM") && !text.contains("LODIE"),
                "{text}"
            );
        }
        let err = decode::<ResponseBody>(body.as_bytes()).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(
            !text.contains("CONSUMER") && !text.contains("LODIE"),
            "{text}"
        );
        assert!(text.contains("returnCode"), "{text}");

        // The decoder's own message quotes a string found where something else was expected.
        let err = decode::<ResponseBody>(br#"{"Consumers":"JOHN CONSUMER"}"#).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("CONSUMER"), "{text}");
        assert!(text.contains("Consumers"), "{text}");
    }

    #[test]
    fn trailing_garbage_is_an_error() {
        assert!(matches!(
            decode::<ResponseBody>(b"{} x"),
            Err(Error::Decode { .. })
        ));
    }
}
