//! Django's `slugify(value, allow_unicode=False)`, reproduced exactly.
//!
//! The vendor's server is Django-style, and the export file names embed slugs of order names and
//! addresses, so a name we compute only matches the archive if every step matches Django's:
//!
//! ```python
//! value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
//! value = re.sub(r"[^\w\s-]", "", value.lower())
//! return re.sub(r"[-\s]+", "-", value).strip("-_")
//! ```

use unicode_normalization::UnicodeNormalization;

/// Converts `value` to a slug exactly as Django's `slugify(value, allow_unicode=False)` does.
///
/// The steps, in Django's order:
/// 1. Unicode NFKD normalisation, then every non-ASCII character is dropped (so `é` keeps its
///    `e`, `ﬁ` becomes `fi`, `½` becomes `12` because the fraction slash `⁄` is not ASCII, while
///    `Æ`, `œ`, `ß`, CJK and emoji, which have no ASCII decomposition, vanish).
/// 2. ASCII lowercase, then every character that is not a word character (`[A-Za-z0-9_]`), a
///    whitespace character or `-` is removed. Whitespace is Python's `\s` over ASCII: space, `\t`,
///    `\n`, `\x0b`, `\x0c`, `\r` and also the separators `\x1c`–`\x1f`.
/// 3. Every run of `-` and whitespace becomes one `-`, and `-` and `_` are stripped from both
///    ends (underscores inside are kept).
///
/// The result may be empty (for example for `"!!!"` or `"東京"`).
pub fn slug(value: &str) -> String {
    // Steps 1 and 2: keep ASCII word characters, whitespace and '-' from the NFKD form.
    let kept: String = value
        .nfkd()
        .filter(char::is_ascii)
        .map(|c| c.to_ascii_lowercase())
        .filter(|&c| is_word(c) || is_separator(c))
        .collect();

    // Step 3: collapse runs of separators into one '-'.
    let mut collapsed = String::with_capacity(kept.len());
    let mut in_run = false;
    for c in kept.chars() {
        if is_separator(c) {
            if !in_run {
                collapsed.push('-');
            }
            in_run = true;
        } else {
            collapsed.push(c);
            in_run = false;
        }
    }
    collapsed.trim_matches(['-', '_']).to_owned()
}

/// Python's `\w` restricted to ASCII (all that is left after step 1).
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `-` or Python's `\s` restricted to ASCII, which includes the information separators
/// `\x1c`–`\x1f` (unlike Rust's `char::is_ascii_whitespace`).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        '-' | ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r' | '\x1c'..='\x1f'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_whitespace_includes_information_separators() {
        assert_eq!(slug("a\x1cb\x1dc\x1ed\x1ff"), "a-b-c-d-f");
        assert_eq!(slug("a\x0bb\x0cc"), "a-b-c");
    }

    #[test]
    fn other_control_characters_are_removed_not_separators() {
        assert_eq!(slug("a\x00b\x7fc"), "abc");
    }

    #[test]
    fn removal_happens_before_collapsing() {
        assert_eq!(slug("a - ! - b"), "a-b");
    }
}
