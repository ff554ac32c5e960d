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
        cut_chars(&(self.excerpt)(body, range), max_chars)
    }
}

/// The first `max_chars` characters of `text`, with `…` appended when something was cut.
pub(crate) fn cut_chars(text: &str, max_chars: usize) -> String {
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
        assert_eq!(cut_chars("abcd", 3), "abc…");
        assert_eq!(cut_chars("ééé", 1), "é…");
        assert_eq!(cut_chars("ab", 3), "ab");
    }

    #[test]
    fn urls_lose_query_and_user_info() {
        let url = Url::parse("https://user:pw@s.example/a?b=c").unwrap();
        assert_eq!(url_without_query(&url), "https://s.example/a");
        let text = scrub_url(format!("error sending request for url ({url})"), &url);
        assert!(!text.contains("b=c") && !text.contains("pw"), "{text}");
    }
}
