//! Django's `slugify(value, allow_unicode=False)`, reimplemented for export file names.
//!
//! Django: NFKD-normalize, drop non-ASCII, lowercase, drop what is not a word character (`\w`),
//! whitespace (`\s`) or `-`, turn runs of `-`/whitespace into one `-`, strip `-` and `_` at both
//! ends.

use unicode_normalization::UnicodeNormalization;

pub(crate) fn slugify(value: &str) -> String {
    let ascii: String = value.nfkd().filter(char::is_ascii).collect();
    let mut slug = String::with_capacity(ascii.len());
    let mut in_separator_run = false;
    for c in ascii.chars().map(|c| c.to_ascii_lowercase()) {
        if c == '-' || is_python_space(c) {
            if !in_separator_run {
                slug.push('-');
                in_separator_run = true;
            }
        } else if c.is_ascii_alphanumeric() || c == '_' {
            slug.push(c);
            in_separator_run = false;
        }
        // Anything else is removed *before* runs are collapsed in Django, so it does not end a run.
    }
    slug.trim_matches(|c| c == '-' || c == '_').to_owned()
}

/// Python's `\s` on ASCII text: includes the information separators `\x1c`–`\x1f`.
fn is_python_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r' | '\x1c'..='\x1f'
    )
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn follows_django() {
        let cases = [
            ("Hello World", "hello-world"),
            ("  Leading and trailing  ", "leading-and-trailing"),
            ("Crème Brûlée", "creme-brulee"),
            ("ﬁnance ½ off", "finance-12-off"),
            ("東京 Tower", "tower"),
            ("emoji 🎉 party", "emoji-party"),
            ("a - b -- c", "a-b-c"),
            ("_under_score_", "under_score"),
            ("-_-edge-_-", "edge"),
            ("Q3: 123 Main St., #4", "q3-123-main-st-4"),
            ("a!-b", "a-b"),
            ("a -!- b", "a-b"),
            ("tab\tand\x1cseparator", "tab-and-separator"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(slugify(input), expected, "slugify({input:?})");
        }
    }
}
