//! Quoting what came from the network, safely: URLs without their query, query strings redacted
//! wherever they appear, every quoted text bounded and passed through the vendor's masking.

use std::ops::Range;

use url::Url;

/// How the vendor crate makes body text safe to quote in an error (an Innovis body holds a
/// consumer's personal data; a HouseCanary body does not).
///
/// ```
/// use credit_valuation_core::Redaction;
/// fn stars(text: &str) -> String { "*".repeat(text.chars().count()) }
/// fn star_bytes(body: &[u8], range: std::ops::Range<usize>) -> String {
///     "*".repeat(body.get(range).map_or(0, <[u8]>::len))
/// }
/// let redaction = Redaction::new(stars, star_bytes);
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

    /// The one way a text taken from a body (a decoder's message, a JSON path, the vendor's
    /// message, detail, field error or reason) enters an error or a `Debug`: query strings
    /// redacted, masked by the vendor's rule, and cut to at most [`MAX_QUOTED_BYTES`] bytes.
    ///
    /// ```
    /// let quoted = credit_valuation_core::Redaction::default().quote(&format!(
    ///     "see https://s.example/a.zip?X-Amz-Signature=abc {}", "x".repeat(5_000)
    /// ));
    /// assert!(!quoted.contains("abc") && quoted.len() <= credit_valuation_core::MAX_QUOTED_BYTES + 3);
    /// ```
    pub fn quote(&self, text: &str) -> String {
        let redacted = redact_queries(text.as_bytes());
        bounded(
            &(self.text)(&String::from_utf8_lossy(&redacted)),
            MAX_QUOTED_BYTES,
        )
    }

    /// `body[range]` made safe (query strings redacted in the whole body first, so a window that
    /// starts inside one still hides it), cut to `max_chars` characters.
    pub(crate) fn excerpt(&self, body: &[u8], range: Range<usize>, max_chars: usize) -> String {
        let redacted = redact_queries(body);
        bounded(
            &excerpt(&(self.excerpt)(&redacted, range), max_chars),
            MAX_QUOTED_BYTES,
        )
    }
}

/// The most bytes (plus a closing `…`) of any text taken from a body that an error quotes.
pub const MAX_QUOTED_BYTES: usize = 300;

/// `text` cut to at most `max_bytes` bytes on a character boundary, with `…` when cut.
fn bounded(text: &str, max_bytes: usize) -> String {
    if text.len() <= max_bytes {
        return text.to_owned();
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut cut = text.get(..end).unwrap_or_default().to_owned();
    cut.push('…');
    cut
}

/// `bytes` with the value of every query string replaced by `*`, byte for byte (so offsets still
/// point at the same place): a `?` followed by a `name=` starts one, and it runs to the next
/// whitespace, quote, `<`, `>` or backslash. A signed URL's signature and key id live there.
///
/// ```
/// let body = br#"{"url":"https://s.example/a?X-Amz-Signature=abc&k=v","n":1}"#;
/// let redacted = credit_valuation_core::redact_queries(body);
/// assert_eq!(redacted.len(), body.len());
/// assert_eq!(
///     String::from_utf8(redacted).unwrap(),
///     r#"{"url":"https://s.example/a?***********************","n":1}"#
/// );
/// ```
pub fn redact_queries(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let mut index = 0;
    while let Some(offset) = bytes
        .get(index..)
        .and_then(|rest| rest.iter().position(|b| *b == b'?'))
    {
        let start = index + offset + 1;
        let rest = bytes.get(start..).unwrap_or_default();
        let name = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || b"_.~%-[]".contains(b))
            .count();
        if name == 0 || rest.get(name) != Some(&b'=') {
            index = start;
            continue;
        }
        let end = start
            + rest
                .iter()
                .position(|b| b.is_ascii_whitespace() || b"\"'<>\\`".contains(b))
                .unwrap_or(rest.len());
        if let Some(query) = out.get_mut(start..end) {
            query.fill(b'*');
        }
        index = end;
    }
    out
}

/// The first `max_chars` characters of `text`, with `…` appended when something was cut.
///
/// Text from the network is cut by characters, never at a byte offset that could split one.
///
/// ```
/// assert_eq!(credit_valuation_core::excerpt("東京タワー", 2), "東京…");
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
/// assert_eq!(credit_valuation_core::excerpt_bytes(b"ok\xff\xfe!", 3), "ok\u{fffd}…");
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
/// assert_eq!(credit_valuation_core::url_without_query(&url), "https://s.example/a.zip");
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
    fn quoted_text_is_bounded_on_a_character_boundary() {
        assert_eq!(bounded("abc", 3), "abc");
        assert_eq!(bounded("abcd", 3), "abc…");
        assert_eq!(bounded("aé", 2), "a…");
        let quoted = Redaction::default().quote(&"é".repeat(20_000));
        assert!(
            quoted.len() <= MAX_QUOTED_BYTES + '…'.len_utf8(),
            "{}",
            quoted.len()
        );
    }

    #[test]
    fn a_query_is_redacted_wherever_it_appears() {
        let redacted = |text: &str| String::from_utf8(redact_queries(text.as_bytes())).unwrap();
        assert_eq!(redacted("what? no=query"), "what? no=query");
        assert_eq!(
            redacted("/a?Signature=s3cr3t&AWSAccessKeyId=AK\"x"),
            "/a?**********************************\"x"
        );
        assert_eq!(redacted("?"), "?");
        assert_eq!(redacted("a?b=c d?e=f"), "a?*** d?***");
    }

    #[test]
    fn urls_lose_query_and_user_info() {
        let url = Url::parse("https://user:pw@s.example/a?b=c").unwrap();
        assert_eq!(url_without_query(&url), "https://s.example/a");
        let text = scrub_url(format!("error sending request for url ({url})"), &url);
        assert!(!text.contains("b=c") && !text.contains("pw"), "{text}");
    }
}
