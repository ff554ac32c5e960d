//! Quoting untrusted text in errors, logs and `Debug`: bounded, cut on a character boundary (the one
//! implementation lives in `credit-valuation-core`), and signed URLs shown without their signature.

pub(crate) use credit_valuation_core::excerpt;

/// A signed download URL as `Debug` may show it: without its query, which is its credential.
pub(crate) fn signed_url_shown(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) if parsed.query().is_some() => {
            format!(
                "{}?<signature hidden>",
                credit_valuation_core::url_without_query(&parsed)
            )
        }
        Ok(parsed) => credit_valuation_core::url_without_query(&parsed),
        Err(_) => format!("<{} characters, not a URL>", url.chars().count()),
    }
}

#[cfg(test)]
mod tests {
    use super::signed_url_shown;

    #[test]
    fn a_signed_url_is_shown_without_its_query_or_user_info() {
        assert_eq!(
            signed_url_shown("https://u:p@cdn.example/a.zip?X-Amz-Signature=s3cr3t"),
            "https://cdn.example/a.zip?<signature hidden>"
        );
        assert_eq!(
            signed_url_shown("https://cdn.example/a.zip"),
            "https://cdn.example/a.zip"
        );
        assert_eq!(
            signed_url_shown("not a url?sig=s3cr3t"),
            "<20 characters, not a URL>"
        );
    }
}
