//! What an archive entry is, read from its file name alone.

use jiff::civil::Date;

use super::date::{EXPORT_DATE_FORMAT, ExportDate};

/// The JSON entry's marker (compared ignoring ASCII case), without the leading `_`.
const ORDER_ITEM_JSON: &str = "OrderItem.json";
/// The order-level JSON some real archives carry.
const ORDER_JSON: &str = "Order.json";
/// Report extension (compared ignoring ASCII case).
const PDF_EXTENSION: &str = ".pdf";

/// The kind of an export archive entry, from its file name (the last path component).
///
/// Item entries are split from the right, because an item id may itself contain `_` while the
/// date (`YYYY-MM-DD`) cannot: `{item_id}_{date}_OrderItem.json` and
/// `{item_id}_{date}_{Suffix}.pdf`. The date is kept as written, since the vendor has not
/// documented its format; [`EntryKind::parsed_date`] reads it with
/// [`EXPORT_DATE_FORMAT`](super::EXPORT_DATE_FORMAT).
///
/// # Examples
///
/// ```
/// use housecanary_partner::export_files::EntryKind;
///
/// let kind = EntryKind::classify("loan_42_2024-03-10_AgileInsights.pdf");
/// assert_eq!(
///     kind,
///     EntryKind::Report {
///         item_id: "loan_42".into(),
///         date: "2024-03-10".into(),
///         suffix: "AgileInsights".into(),
///     }
/// );
/// assert_eq!(EntryKind::classify("Order.json"), EntryKind::OrderJson);
/// assert_eq!(EntryKind::classify("README.txt"), EntryKind::Other);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EntryKind {
    /// `{item_id}_{date}_OrderItem.json`: the item's data.
    OrderItemJson {
        /// The item part of the name (customer item id, or address slug and unit).
        item_id: String,
        /// The date part of the name, as written.
        date: String,
    },
    /// `{item_id}_{date}_{suffix}.pdf`: a report, such as `_ValueReport.pdf` or
    /// `_AgileInsights.pdf`.
    Report {
        /// The item part of the name.
        item_id: String,
        /// The date part of the name, as written.
        date: String,
        /// What follows the date, without `_` and `.pdf` (`ValueReport`).
        suffix: String,
    },
    /// `Order.json` (or `…_Order.json`): the order's data.
    OrderJson,
    /// Anything else.
    Other,
}

impl EntryKind {
    /// Classifies an entry by its file name (a path is reduced to its last `/` component).
    ///
    /// # Examples
    ///
    /// ```
    /// use housecanary_partner::export_files::EntryKind;
    ///
    /// let kind = EntryKind::classify("HC_q1_2024-03-10/1-main-st_2024-03-10_OrderItem.json");
    /// assert_eq!(kind.item_id(), Some("1-main-st"));
    /// assert_eq!(kind.date(), Some("2024-03-10"));
    /// ```
    pub fn classify(name: &str) -> Self {
        let file_name = name.rsplit('/').next().unwrap_or(name);
        if let Some(prefix) = strip_suffix_ignore_case(file_name, ORDER_ITEM_JSON)
            .and_then(|rest| rest.strip_suffix('_'))
        {
            return match split_prefix(prefix) {
                Some((item_id, date)) => Self::OrderItemJson {
                    item_id: item_id.to_owned(),
                    date: date.to_owned(),
                },
                None => Self::Other,
            };
        }
        if file_name.eq_ignore_ascii_case(ORDER_JSON)
            || strip_suffix_ignore_case(file_name, ORDER_JSON)
                .is_some_and(|rest| rest.ends_with('_'))
        {
            return Self::OrderJson;
        }
        if let Some(stem) = strip_suffix_ignore_case(file_name, PDF_EXTENSION) {
            let report = stem.rsplit_once('_').and_then(|(prefix, suffix)| {
                let (item_id, date) = split_prefix(prefix)?;
                (!suffix.is_empty()).then(|| Self::Report {
                    item_id: item_id.to_owned(),
                    date: date.to_owned(),
                    suffix: suffix.to_owned(),
                })
            });
            return report.unwrap_or(Self::Other);
        }
        Self::Other
    }

    /// The item part of an item entry's name.
    ///
    /// # Examples
    ///
    /// ```
    /// use housecanary_partner::export_files::EntryKind;
    ///
    /// assert_eq!(EntryKind::classify("A-1_2024-03-10_ValueReport.pdf").item_id(), Some("A-1"));
    /// assert_eq!(EntryKind::OrderJson.item_id(), None);
    /// ```
    pub fn item_id(&self) -> Option<&str> {
        match self {
            Self::OrderItemJson { item_id, .. } | Self::Report { item_id, .. } => Some(item_id),
            Self::OrderJson | Self::Other => None,
        }
    }

    /// The date part of an item entry's name, as written.
    ///
    /// # Examples
    ///
    /// ```
    /// use housecanary_partner::export_files::EntryKind;
    ///
    /// let kind = EntryKind::classify("A-1_2024-03-10_ValueReport.pdf");
    /// assert_eq!(kind.date(), Some("2024-03-10"));
    /// ```
    pub fn date(&self) -> Option<&str> {
        match self {
            Self::OrderItemJson { date, .. } | Self::Report { date, .. } => Some(date),
            Self::OrderJson | Self::Other => None,
        }
    }

    /// The date part read with [`EXPORT_DATE_FORMAT`](super::EXPORT_DATE_FORMAT), or `None`
    /// when this is not an item entry or its date is written differently.
    ///
    /// # Examples
    ///
    /// ```
    /// use housecanary_partner::export_files::EntryKind;
    ///
    /// let kind = EntryKind::classify("A-1_2024-03-10_ValueReport.pdf");
    /// assert_eq!(kind.parsed_date().unwrap().to_string(), "2024-03-10");
    /// assert_eq!(EntryKind::classify("A-1_03.10.24_ValueReport.pdf").parsed_date(), None);
    /// ```
    pub fn parsed_date(&self) -> Option<ExportDate> {
        let date = self.date()?;
        jiff::fmt::strtime::parse(EXPORT_DATE_FORMAT, date)
            .and_then(|parsed| parsed.to_date())
            .ok()
            .map(|date: Date| ExportDate::from_date(date))
    }

    /// `{item_id}_{date}`: the prefix an item's names share, to compare with
    /// [`order_item_file_prefix`](super::order_item_file_prefix).
    ///
    /// # Examples
    ///
    /// ```
    /// use housecanary_partner::export_files::EntryKind;
    ///
    /// let kind = EntryKind::classify("A-1_2024-03-10_OrderItem.json");
    /// assert_eq!(kind.prefix().as_deref(), Some("A-1_2024-03-10"));
    /// ```
    pub fn prefix(&self) -> Option<String> {
        Some(format!("{}_{}", self.item_id()?, self.date()?))
    }
}

/// `name` without `suffix`, comparing the suffix ignoring ASCII case.
fn strip_suffix_ignore_case<'a>(name: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = name.len().checked_sub(suffix.len())?;
    let (rest, tail) = (name.get(..cut)?, name.get(cut..)?);
    tail.eq_ignore_ascii_case(suffix).then_some(rest)
}

/// Splits `{item_id}_{date}` at its last `_`; both parts must be non-empty.
fn split_prefix(prefix: &str) -> Option<(&str, &str)> {
    let (item_id, date) = prefix.rsplit_once('_')?;
    (!item_id.is_empty() && !date.is_empty()).then_some((item_id, date))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_ids_keep_their_underscores() {
        assert_eq!(
            EntryKind::classify("a_b_c_2024-01-02_OrderItem.json"),
            EntryKind::OrderItemJson {
                item_id: "a_b_c".into(),
                date: "2024-01-02".into()
            }
        );
    }

    #[test]
    fn malformed_item_names_are_other() {
        for name in [
            "_OrderItem.json",
            "2024-01-02_OrderItem.json",
            "_2024-01-02_OrderItem.json",
            "x__OrderItem.json",
            "OrderItem.json",
            "report.pdf",
            "x_2024-01-02_.pdf",
            "x_ValueReport.pdf",
            ".pdf",
            "",
            "é",
            "xOrder.json",
        ] {
            assert_eq!(EntryKind::classify(name), EntryKind::Other, "{name:?}");
        }
    }

    #[test]
    fn suffixes_ignore_ascii_case_and_multibyte_names_do_not_panic() {
        assert!(matches!(
            EntryKind::classify("x_2024-01-02_valuereport.PDF"),
            EntryKind::Report { .. }
        ));
        assert_eq!(EntryKind::classify("ORDER.JSON"), EntryKind::OrderJson);
        assert_eq!(EntryKind::classify("HC_x_Order.json"), EntryKind::OrderJson);
        assert_eq!(EntryKind::classify("ééééé.json"), EntryKind::Other);
        assert_eq!(EntryKind::classify("éé_é_é.pdf").item_id(), Some("éé"));
    }
}
