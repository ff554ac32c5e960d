//! Export requests and their formats.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::naming::{NamingInputError, OrderNaming, SystemClock, order_download_name};
use crate::id::Id;
use crate::orders::Order;
use crate::status::ExportStatus;
use crate::text::signed_url_shown;

/// The `{fmt}` of `POST orders/{id}/export/{fmt}/`: `zip`, or any other format the vendor offers.
///
/// ```
/// use housecanary_partner::exports::ExportFormat;
/// assert_eq!(ExportFormat::Zip.as_str(), "zip");
/// assert_eq!(ExportFormat::from("csv").as_str(), "csv");
/// assert_eq!(ExportFormat::from("ZIP"), ExportFormat::Zip);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExportFormat {
    /// A zip archive (the documented format).
    Zip,
    /// Any other format string, sent as given.
    Other(String),
}

impl ExportFormat {
    /// The path segment sent to the vendor.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Zip => "zip",
            Self::Other(raw) => raw,
        }
    }

    /// The name the vendor gives `order`'s archive in this format,
    /// `HC_{slug(order name)}_{order_date}.{fmt}`, where the date is the order's completion
    /// date, else today in `America/Los_Angeles`.
    ///
    /// # Errors
    ///
    /// [`NamingInputError`] when the record has no `name` or holds a date that is not one.
    ///
    /// ```
    /// use housecanary_partner::{exports::ExportFormat, orders::Order};
    /// let order: Order = serde_json::from_str(
    ///     r#"{"id": 7, "name": "Q1 Portfolio", "completed": "2024-03-10T09:30:00Z"}"#,
    /// ).unwrap();
    /// // 09:30 UTC is 01:30 in Los Angeles, still March 10th.
    /// assert_eq!(ExportFormat::Zip.download_name(&order).unwrap(), "HC_q1-portfolio_2024-03-10.zip");
    /// ```
    pub fn download_name(&self, order: &Order) -> Result<String, NamingInputError> {
        let naming = OrderNaming::from_order(order)?;
        Ok(order_download_name(&naming, self.as_str(), &SystemClock))
    }
}

impl From<&str> for ExportFormat {
    fn from(raw: &str) -> Self {
        if raw.eq_ignore_ascii_case("zip") {
            Self::Zip
        } else {
            Self::Other(raw.to_owned())
        }
    }
}

impl From<String> for ExportFormat {
    fn from(raw: String) -> Self {
        Self::from(raw.as_str())
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An export request, as returned by the export endpoints.
///
/// Once `status` is `complete`, `exported_data` holds a signed URL to download the archive
/// from (without the partner token); `Debug` shows that URL without its query (its signature).
/// Unknown fields are kept in [`extra`](Self::extra).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportRequest {
    /// The export request id.
    pub id: Id,
    /// Its status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ExportStatus>,
    /// Where the vendor says to poll.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_status_url: Option<String>,
    /// Completion time, as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    /// Progress from 0 to 100 (a number, or a numeric string, on the wire).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_percent"
    )]
    pub percent_complete: Option<f64>,
    /// The signed download URL, once complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported_data: Option<String>,
    /// Whether the per-item JSON files are left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_json: Option<bool>,
    /// Every field not listed above.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// Shows the download URL without its query: the signature in it lets anyone fetch the archive.
impl fmt::Debug for ExportRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exported_data = self.exported_data.as_deref().map(signed_url_shown);
        f.debug_struct("ExportRequest")
            .field("id", &self.id)
            .field("status", &self.status)
            .field("check_status_url", &self.check_status_url)
            .field("completed_at", &self.completed_at)
            .field("percent_complete", &self.percent_complete)
            .field("exported_data", &exported_data)
            .field("exclude_json", &self.exclude_json)
            .field("extra", &self.extra)
            .finish()
    }
}

impl ExportRequest {
    /// Whether the archive is ready to download.
    pub fn is_complete(&self) -> bool {
        self.status == Some(ExportStatus::Complete)
    }
}

fn lenient_percent<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    struct PercentVisitor;

    impl Visitor<'_> for PercentVisitor {
        type Value = Option<f64>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a percentage (number or numeric string) or null")
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            v.trim()
                .trim_end_matches('%')
                .parse()
                .map(Some)
                .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    deserializer.deserialize_any(PercentVisitor)
}
