//! Quoting untrusted text in errors and logs: bounded, and cut on a character boundary.

/// The first `max_chars` characters of `text`, with `…` appended when something was cut.
///
/// Bodies, entry names and dates come from the network; slicing them at a byte offset could
/// split a multibyte character and panic, so the cut is made by characters.
pub(crate) fn excerpt(text: &str, max_chars: usize) -> String {
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

/// [`excerpt`] of bytes that should be UTF-8 (invalid sequences become `U+FFFD`).
pub(crate) fn excerpt_bytes(bytes: &[u8], max_chars: usize) -> String {
    excerpt(&String::from_utf8_lossy(bytes), max_chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_whole() {
        assert_eq!(excerpt("", 3), "");
        assert_eq!(excerpt("abc", 3), "abc");
        assert_eq!(excerpt("é🏠", 2), "é🏠");
    }

    #[test]
    fn long_text_is_cut_by_characters_and_marked() {
        assert_eq!(excerpt("abcd", 3), "abc…");
        // Two-, three- and four-byte characters: a byte-offset cut at 3 would split one.
        assert_eq!(excerpt("ééé", 1), "é…");
        assert_eq!(excerpt("東京タワー", 2), "東京…");
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
}
