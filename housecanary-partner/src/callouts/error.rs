//! Errors of verifying and decoding a callout.

use common_auth::CalloutAuthError;

/// Longest serde message kept in an error: a message can quote a field's value, and a field of a
/// callout can be a multi-megabyte report blob that must not end up in logs.
const MAX_DETAIL_CHARS: usize = 200;

/// Why a received request is not an acceptable callout.
///
/// No variant carries a secret or the body; decode errors carry the JSON path and serde's message,
/// cut to a few hundred characters.
///
/// ```
/// use housecanary_partner::callouts::{CalloutError, CalloutMessage};
///
/// let err = CalloutMessage::from_slice(b"[1, 2]").unwrap_err();
/// assert!(matches!(err, CalloutError::NotAnObject));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalloutError {
    /// The request did not pass the configured authentication scheme. Never tell the sender which
    /// part failed; this detail is for the receiver's own logs.
    #[error("callout authentication failed: {0}")]
    Unauthorized(#[source] CalloutAuthError),
    /// The body is larger than the configured limit.
    #[error("callout body of {actual} bytes is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The configured limit, in bytes.
        limit: usize,
        /// The size received (or announced), in bytes.
        actual: usize,
    },
    /// The body is not JSON.
    #[error("callout body is not JSON: {message}")]
    NotJson {
        /// serde_json's message (line and column included).
        message: String,
    },
    /// The body is JSON but not an object.
    #[error("callout body is not a JSON object")]
    NotAnObject,
    /// The object has no string `message_type`.
    #[error("callout body has no string `message_type`")]
    MissingMessageType,
    /// A known message type whose fields do not have the documented shape.
    #[error("`{message_type}` callout is malformed at `{path}`: {message}")]
    Malformed {
        /// The `message_type` of the body.
        message_type: String,
        /// JSON path of the offending field (`.` for the whole object).
        path: String,
        /// serde_json's message.
        message: String,
    },
}

impl CalloutError {
    pub(crate) fn not_json(error: &serde_json::Error) -> Self {
        Self::NotJson {
            message: truncate(&error.to_string()),
        }
    }

    pub(crate) fn malformed(message_type: &str, path: String, error: &serde_json::Error) -> Self {
        Self::Malformed {
            message_type: message_type.to_owned(),
            path,
            message: truncate(&error.to_string()),
        }
    }

    /// A known message type without one of its required fields.
    pub(crate) fn missing(message_type: &str, field: &str) -> Self {
        Self::Malformed {
            message_type: message_type.to_owned(),
            path: ".".to_owned(),
            message: format!("missing field `{field}`"),
        }
    }
}

/// The `report` blob of an [`OrderComplete`](super::OrderComplete) message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportDecodeError {
    /// The blob is not standard-alphabet base64 (whitespace aside).
    #[error("order_complete report is not valid base64: {source}")]
    InvalidBase64 {
        /// What the decoder found (a byte value and offset; never the blob).
        #[source]
        source: base64::DecodeError,
    },
}

/// Cuts `text` to [`MAX_DETAIL_CHARS`] characters, marking the cut.
fn truncate(text: &str) -> String {
    crate::text::excerpt(text, MAX_DETAIL_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_cut_on_a_char_boundary() {
        let long = "é".repeat(MAX_DETAIL_CHARS + 50);
        let cut = truncate(&long);
        assert_eq!(cut.chars().count(), MAX_DETAIL_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(truncate("short"), "short");
    }
}
