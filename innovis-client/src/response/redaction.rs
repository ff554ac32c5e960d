//! Making a response body safe to quote in an error: a credit report's values are names,
//! addresses and account data.

use std::ops::Range;

use credit_valuation_core::{KnownValues, Redaction};

use crate::pii::mask_digit_runs;

/// How the transport quotes Innovis bodies in errors: JSON string values and digit runs masked.
pub(crate) const REDACTION: Redaction = Redaction::new(mask_text, mask_excerpt);

/// A decoder's message (it may quote a value, e.g. `invalid type: string "JOHN"`), masked.
fn mask_text(message: &str) -> String {
    mask_digit_runs(&String::from_utf8_lossy(&mask_string_values(
        message.as_bytes(),
    )))
}

/// `body[range]` with JSON string values and digit runs masked. The whole body is masked first,
/// so a window that starts inside a string still hides it.
fn mask_excerpt(body: &[u8], range: Range<usize>) -> String {
    let masked = mask_string_values(body);
    mask_digit_runs(&String::from_utf8_lossy(
        masked.get(range).unwrap_or_default(),
    ))
}

/// The one way a text the vendor sent (a message, a path, a reason, a report field) enters an
/// Innovis error or `Debug`: the request's own `known` values masked, then quoted by the shared
/// rule (query strings redacted, JSON string values and numbers masked, at most
/// [`credit_valuation_core::MAX_QUOTED_BYTES`] bytes).
pub(crate) fn quoted(known: &KnownValues, text: &str) -> String {
    REDACTION.quote(&known.mask(text))
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
    use crate::response::report_response::ResponseBody;

    fn decode(body: &[u8]) -> Result<ResponseBody, credit_valuation_core::Error> {
        let base = url::Url::parse("https://gateway.example/request").unwrap();
        let transport = credit_valuation_core::Transport::new(
            credit_valuation_core::TransportConfig::new(base, "t").redaction(REDACTION),
        )
        .unwrap();
        transport.decode(&"POST request".into(), body)
    }

    #[test]
    fn path_and_masked_excerpt_for_wrong_type() {
        let body = br#"{"Consumers":[{"returnCode":"Record"},{"returnCode":123456789}]}"#;
        match decode(body).unwrap_err() {
            credit_valuation_core::Error::Decode {
                path,
                message,
                excerpt,
                ..
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
            let text = mask_excerpt(body.as_bytes(), cut.saturating_sub(40)..cut);
            assert!(
                !text.contains("CONSUMER") && !text.contains("LODIE"),
                "{text}"
            );
            let head = String::from_utf8_lossy(body.as_bytes().get(..cut).unwrap());
            let text = quoted(&KnownValues::default(), &head);
            assert!(
                !text.contains("CONSUM") && !text.contains("LODIE"),
                "{text}"
            );
        }
        let err = decode(body.as_bytes()).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(
            !text.contains("CONSUMER") && !text.contains("LODIE"),
            "{text}"
        );
        assert!(text.contains("returnCode"), "{text}");

        // The decoder's own message quotes a string found where something else was expected.
        let err = decode(br#"{"Consumers":"JOHN CONSUMER"}"#).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("CONSUMER"), "{text}");
        assert!(text.contains("Consumers"), "{text}");
    }

    #[test]
    fn trailing_garbage_is_an_error() {
        assert!(matches!(
            decode(b"{} x"),
            Err(credit_valuation_core::Error::Decode { .. })
        ));
    }
}
