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
    // No character, not even a replaced invalid sequence, takes more than 4 bytes: this prefix
    // holds every character the excerpt shows plus the one that says whether it was cut, so a
    // large body is not converted whole.
    let enough = max_chars.saturating_add(1).saturating_mul(4);
    let head = bytes.get(..enough).unwrap_or(bytes);
    excerpt(&String::from_utf8_lossy(head), max_chars)
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

    #[test]
    fn only_the_head_of_a_long_body_is_converted_with_the_same_result() {
        let bodies: [Vec<u8>; 4] = [
            "é".repeat(1000).into_bytes(),
            "🏠".repeat(1000).into_bytes(),
            [
                b"ab".as_slice(),
                &[0xe6, 0x97],
                "東京".repeat(500).as_bytes(),
            ]
            .concat(),
            [0xff, 0xf0, 0x9f, 0x8f, b'x'].repeat(500),
        ];
        for body in &bodies {
            for max in [0, 1, 2, 3, 7, 200] {
                for end in [
                    max,
                    max * 4,
                    max * 4 + 1,
                    max * 4 + 3,
                    max * 4 + 4,
                    max * 4 + 5,
                ] {
                    let cut = body.get(..end.min(body.len())).unwrap();
                    let whole = excerpt(&String::from_utf8_lossy(cut), max);
                    assert_eq!(excerpt_bytes(cut, max), whole, "max {max}, {end} bytes");
                }
            }
        }
    }
}
