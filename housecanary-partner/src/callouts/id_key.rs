//! A message id as a table key, kept inline when short.

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Longest id kept inline: with the length byte and the variant's tag, a key is 40 bytes, the size
/// of the shared form's pointer pair rounded up. A UUID (36 characters) fits.
const INLINE: usize = 38;

/// A message id owned by the in-memory log.
///
/// A short id lives inside the table's slot: remembering it allocates nothing. A log keeps ids for
/// an hour or more, and one small allocation kept per callout, between the buffers each request
/// allocates and frees, scatters the heap and slows every later allocation; measured end to end,
/// that was about a third of the log's cost. A longer id is shared (`Arc`), so its copies in the
/// log's orders are pointer copies.
#[derive(Clone)]
pub(crate) enum IdKey {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(Arc<str>),
}

impl IdKey {
    pub(crate) fn new(id: &str) -> Self {
        match u8::try_from(id.len()) {
            Ok(len) if id.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..id.len()].copy_from_slice(id.as_bytes());
                Self::Inline { len, bytes }
            }
            _ => Self::Shared(Arc::from(id)),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            Self::Inline { len, bytes } => {
                // Built from a `&str` whose length fits, so the prefix is that string's bytes.
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Self::Shared(id) => id,
        }
    }
}

impl Borrow<str> for IdKey {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

/// Hashes as the `str` it holds, as `Borrow<str>` requires: tables are searched by `&str`.
impl Hash for IdKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq for IdKey {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for IdKey {}

impl std::fmt::Display for IdKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for IdKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn short_ids_stay_inline_and_every_id_reads_back_and_looks_up_as_its_text() {
        assert_eq!(std::mem::size_of::<IdKey>(), 40);
        let uuid = "0b9e4a8e-2f5c-4d0a-9a57-3c1f2f4a9d11";
        let long = "x".repeat(INLINE + 1);
        let exact = "y".repeat(INLINE);
        for (id, inline) in [
            ("", true),
            ("m-1", true),
            (uuid, true),
            (exact.as_str(), true),
            (long.as_str(), false),
            ("ünïcødé-id", true),
        ] {
            let key = IdKey::new(id);
            assert_eq!(matches!(key, IdKey::Inline { .. }), inline, "{id}");
            assert_eq!(key.as_str(), id);
            let mut table = HashMap::new();
            table.insert(key.clone(), 1);
            assert_eq!(table.get(id), Some(&1), "{id}");
            assert_eq!(IdKey::new(id), key);
        }
        assert_ne!(IdKey::new("a"), IdKey::new("b"));
    }
}
