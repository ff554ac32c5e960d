//! Quoting what came from the network, safely: URLs without their query, bodies bounded and
//! passed through the vendor's masking.

use std::ops::Range;

use url::Url;

/// How the vendor crate makes body text safe to quote in an error (an Innovis body holds a
/// consumer's personal data; a HouseCanary body does not).
///
/// ```
/// use client_core::Redaction;
/// fn stars(text: &str) -> String { "*".repeat(text.chars().count()) }
/// fn star_bytes(body: &[u8], range: std::ops::Range<usize>) -> String {
///     "*".repeat(body.get(range).map_or(0, <[u8]>::len))
/// }
/// let redaction = Redaction::new(stars, star_bytes);
/// # let _ = redaction;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Redaction {
    text: fn(&str) -> String,
    excerpt: fn(&[u8], Range<usize>) -> String,
}

impl Default for Redaction {
    /// Quotes text as it is (lossily decoded), for vendors whose bodies hold no personal data.
    fn default() -> Self {
        Redaction {
            text: str::to_owned,
            excerpt: |body, range| {
                String::from_utf8_lossy(body.get(range).unwrap_or_default()).into_owned()
            },
        }
    }
}

impl Redaction {
    /// `text` masks a decoder's message (which may quote a value); `excerpt` returns a safe
    /// rendering of `body[range]` (it sees the whole body, so it can tell keys from values).
    pub const fn new(text: fn(&str) -> String, excerpt: fn(&[u8], Range<usize>) -> String) -> Self {
        Redaction { text, excerpt }
    }

    /// `message` made safe.
    pub(crate) fn text(&self, message: &str) -> String {
        (self.text)(message)
    }

    /// `body[range]` made safe, cut to `max_chars` characters.
    pub(crate) fn excerpt(&self, body: &[u8], range: Range<usize>, max_chars: usize) -> String {
        excerpt(&(self.excerpt)(body, range), max_chars)
    }
}

/// The first `max_chars` characters of `text`, with `…` appended when something was cut.
///
/// Text from the network is cut by characters, never at a byte offset that could split one.
///
/// ```
/// assert_eq!(client_core::excerpt("東京タワー", 2), "東京…");
/// ```
pub fn excerpt(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => {
            let mut cut = String::with_capacity(end + '…'.len_utf8());
            cut.push_str(text.get(..end).unwrap_or(text));
            cut.push('…');
            cut
        }
        None => text.to_owned(),
    }
}

/// [`excerpt`] of bytes that should be UTF-8 (invalid sequences become `U+FFFD`); only the head
/// of a large body is converted.
///
/// ```
/// assert_eq!(client_core::excerpt_bytes(b"ok\xff\xfe!", 3), "ok\u{fffd}…");
/// ```
pub fn excerpt_bytes(bytes: &[u8], max_chars: usize) -> String {
    // No character, not even a replaced invalid sequence, takes more than 4 bytes: this prefix
    // holds every character the excerpt shows plus the one that says whether it was cut.
    let enough = max_chars.saturating_add(1).saturating_mul(4);
    let head = bytes.get(..enough).unwrap_or(bytes);
    excerpt(&String::from_utf8_lossy(head), max_chars)
}

/// `url` without its query string and fragment (a signed URL's signature lives in the query).
///
/// ```
/// let url = url::Url::parse("https://s.example/a.zip?Signature=abc#x").unwrap();
/// assert_eq!(client_core::url_without_query(&url), "https://s.example/a.zip");
/// ```
pub fn url_without_query(url: &Url) -> String {
    let end = url
        .query()
        .or(url.fragment())
        .map_or(url.as_str().len(), |_| {
            url.as_str().find(['?', '#']).unwrap_or(url.as_str().len())
        });
    let mut text = url.as_str().get(..end).unwrap_or_default().to_owned();
    if !url.username().is_empty() || url.password().is_some() {
        // User-info is a credential too.
        let mut clean = url.clone();
        let _ = clean.set_username("");
        let _ = clean.set_password(None);
        clean.set_query(None);
        clean.set_fragment(None);
        text = clean.into();
    }
    text
}

/// `text` with every occurrence of `url` (as the HTTP library prints it) replaced by the URL
/// without its query.
pub(crate) fn scrub_url(text: String, url: &Url) -> String {
    if url.query().is_none() && url.username().is_empty() && url.password().is_none() {
        return text;
    }
    text.replace(url.as_str(), &url_without_query(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_by_characters() {
        assert_eq!(excerpt("", 3), "");
        assert_eq!(excerpt("abc", 3), "abc");
        assert_eq!(excerpt("abcd", 3), "abc…");
        // Two-, three- and four-byte characters: a byte-offset cut would split one.
        assert_eq!(excerpt("ééé", 1), "é…");
        assert_eq!(excerpt("🏠🏡🏢", 2), "🏠🏡…");
        // A combining mark counts as its own character; the cut still lands on a boundary.
        assert_eq!(excerpt("e\u{301}e\u{301}", 1), "e…");
        assert_eq!(excerpt("abc", 0), "…");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_quoted_lossily() {
        assert_eq!(excerpt_bytes(b"ok\xff\xfe!", 3), "ok\u{fffd}…");
        // A multibyte character split by the end of the body.
        assert_eq!(
            excerpt_bytes("aé".as_bytes().get(..2).unwrap(), 5),
            "a\u{fffd}"
        );
    }

    #[test]
    fn urls_lose_query_and_user_info() {
        let url = Url::parse("https://user:pw@s.example/a?b=c").unwrap();
        assert_eq!(url_without_query(&url), "https://s.example/a");
        let text = scrub_url(format!("error sending request for url ({url})"), &url);
        assert!(!text.contains("b=c") && !text.contains("pw"), "{text}");
    }
}
