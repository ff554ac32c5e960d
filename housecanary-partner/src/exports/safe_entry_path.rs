//! Refusing archive entry names that could escape the folder a user extracts into, or that some
//! file system would turn into something else (a device, a hidden stream, a renamed file), or that
//! would show one name and be another.

/// Why an entry name is unsafe, or `None` when it is a plain relative path.
///
/// Stricter than zip's `enclosed_name` on purpose: the vendor's names are flat `a/b` paths of
/// slugs, so anything else marks a hostile or corrupt archive, and refusing it is simpler and
/// safer than renaming: `..` even when it stays inside, `.`, empty components, `\`, absolute or
/// drive paths; Windows device names (`CON`, `aux.pdf`, `COM1`, …), `:` (an NTFS stream such as
/// `:hidden`), a component ending in a dot or a space (Windows drops them), characters Windows
/// forbids (`<>"|?*`); control characters (`\n`, ESC, NUL), bidirectional controls (U+202E shows
/// `fdp.exe` as `exe.pdf`), and look-alikes of `.` and `/` (full-width dots, U+2215).
pub(crate) fn unsafe_reason(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("empty name");
    }
    if let Some(reason) = name.chars().find_map(unsafe_char) {
        return Some(reason);
    }
    if name.starts_with('/') {
        return Some("absolute path");
    }
    // A directory entry ends with '/', which leaves one empty last component.
    let body = name.strip_suffix('/').unwrap_or(name);
    body.split('/').find_map(unsafe_component)
}

fn unsafe_char(c: char) -> Option<&'static str> {
    match c {
        '\\' => Some("backslash"),
        ':' => Some("colon (a drive or an NTFS stream)"),
        '<' | '>' | '"' | '|' | '?' | '*' => Some("character Windows does not allow in names"),
        c if c.is_control() => Some("control character"),
        '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{061c}' => Some("bidirectional control character"),
        '\u{2024}' | '\u{fe52}' | '\u{ff0e}' | '\u{3002}' | '\u{ff61}' => {
            Some("look-alike of a dot")
        }
        '\u{2044}' | '\u{2215}' | '\u{29f8}' | '\u{ff0f}' | '\u{ff3c}' | '\u{29f5}'
        | '\u{fe68}' => Some("look-alike of a slash"),
        _ => None,
    }
}

fn unsafe_component(component: &str) -> Option<&'static str> {
    match component {
        "" => return Some("empty path component"),
        "." | ".." => return Some("relative path component"),
        _ => {}
    }
    if component.ends_with(['.', ' ']) {
        return Some("name ending in a dot or a space");
    }
    // `aux.pdf` and `aux .pdf` are the device `AUX` too.
    let stem = component
        .split('.')
        .next()
        .unwrap_or(component)
        .trim_end_matches(' ')
        .to_ascii_uppercase();
    let device = matches!(
        stem.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) || (stem.len() == 4
        && (stem.starts_with("COM") || stem.starts_with("LPT"))
        && stem.ends_with(|c: char| c.is_ascii_digit()))
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && matches!(stem.get(3..), Some("\u{b9}" | "\u{b2}" | "\u{b3}")));
    device.then_some("Windows device name")
}

/// The name two entries would share on a case-insensitive file system (Windows, macOS): a second
/// entry with it would overwrite the first on extraction.
pub(crate) fn collision_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.trim_end_matches('/')
        .nfc()
        .flat_map(char::to_lowercase)
        .collect()
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
            "console.pdf",
            "COM10.pdf",
            "auxiliary/a.pdf",
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
            "CON",
            "aux.pdf",
            "a/Nul.json",
            "com1",
            "LPT9.txt",
            "aux .pdf",
            ":hidden",
            "a.pdf:hidden",
            "a.pdf.",
            "a.pdf ",
            "dir./a.pdf",
            "fdp\u{202e}.exe",
            "\u{ff0e}\u{ff0e}/etc",
            "a\u{2215}b",
            "a\nb",
            "a\u{1b}[31mb",
            "a?b",
        ] {
            assert!(unsafe_reason(name).is_some(), "{name:?}");
        }
    }
}
