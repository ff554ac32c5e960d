//! Refusing archive entry names that could escape the folder a user extracts into.

/// Why an entry name is unsafe, or `None` when it is a plain relative path.
///
/// Stricter than zip's `enclosed_name` on purpose: the vendor's names are flat `a/b` paths, so
/// anything else (`..` even when it stays inside, `.`, empty components, `\`, NUL, absolute or
/// drive paths) marks a hostile or corrupt archive.
pub(crate) fn unsafe_reason(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("empty name");
    }
    if name.contains('\0') {
        return Some("NUL byte");
    }
    if name.contains('\\') {
        return Some("backslash");
    }
    if name.starts_with('/') {
        return Some("absolute path");
    }
    // A directory entry ends with '/', which leaves one empty last component.
    let body = name.strip_suffix('/').unwrap_or(name);
    let mut components = body.split('/').peekable();
    if let Some(first) = components.peek() {
        if matches!(first.as_bytes(), [letter, b':', ..] if letter.is_ascii_alphabetic()) {
            return Some("drive path");
        }
    }
    for component in components {
        match component {
            "" => return Some("empty path component"),
            "." | ".." => return Some("relative path component"),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_are_safe() {
        for name in [
            "a.pdf",
            "HC_x_2024-01-01/a.pdf",
            "HC_x_2024-01-01/",
            "a..b.pdf",
            "é/ü.json",
        ] {
            assert_eq!(unsafe_reason(name), None, "{name:?}");
        }
    }

    #[test]
    fn hostile_paths_are_refused() {
        for name in [
            "",
            "../a.pdf",
            "a/../../b",
            "a/../b",
            "/etc/passwd",
            "C:/x",
            "c:x",
            "..\\x",
            "a\\b",
            "a\0b",
            "a//b",
            "./a",
            "a/.",
            "..",
            "/",
        ] {
            assert!(unsafe_reason(name).is_some(), "{name:?}");
        }
    }
}
