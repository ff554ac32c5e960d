//! What to store after every report, for a later SECONDUSE.

use std::sync::Arc;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{Error, check_required};
use crate::house_number::HouseNumber;
use crate::product_code::ProductCode;

/// Most characters in `reportReferenceNumber`.
pub const MAX_REPORT_REFERENCE_LEN: usize = 30;
/// Most characters in `consumerId`.
pub const MAX_CONSUMER_ID_LEN: usize = 16;

/// The vendor's handle on a report already pulled: `reportReferenceNumber`, `consumerId`, the original inquiry
/// time, the product and the House Number it was pulled with.
///
/// [`crate::Client::send`] returns one for every consumer report that carries a reference number and a
/// consumer id ([`crate::ReportResponse::references`]). Store it (it is `Serialize`/`Deserialize`, and holds
/// no SSN or date of birth) to share the report with a second end user later through
/// [`crate::SecondUseRequest`].
///
/// ```
/// use innovis_client::{HouseNumber, ProductCode, ReportReference};
///
/// let reference = ReportReference::new(
///     "RR000123",
///     "C0000042",
///     "2026-03-01T14:30:00Z".parse().unwrap(),
///     ProductCode::CR,
///     HouseNumber::new("1234567890", "9876543210")?,
/// )?;
/// let stored = serde_json::to_string(&reference).unwrap();
/// let loaded: ReportReference = serde_json::from_str(&stored).unwrap();
/// assert_eq!(loaded, reference);
/// # Ok::<(), innovis_client::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "RawReportReference")]
pub struct ReportReference(
    // Shared: the response and the inquiry ledger each keep a reference, and a copy is a count.
    Arc<Parts>,
);

#[derive(PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
struct Parts {
    report_reference_number: String,
    consumer_id: String,
    inquired_at: Timestamp,
    product: ProductCode,
    house_number: HouseNumber,
}

impl Serialize for ReportReference {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl std::fmt::Debug for ReportReference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts = &*self.0;
        f.debug_struct("ReportReference")
            .field("report_reference_number", &parts.report_reference_number)
            .field("consumer_id", &parts.consumer_id)
            .field("inquired_at", &parts.inquired_at)
            .field("product", &parts.product)
            .field("house_number", &parts.house_number)
            .finish()
    }
}

impl ReportReference {
    /// A reference from its parts (e.g. one stored before this crate was used). Checks the vendor's lengths.
    ///
    /// ```
    /// # use innovis_client::{HouseNumber, ProductCode, ReportReference};
    /// let too_long = ReportReference::new(
    ///     "R".repeat(31),
    ///     "C1",
    ///     jiff::Timestamp::UNIX_EPOCH,
    ///     ProductCode::CR,
    ///     HouseNumber::new("HN", "EU")?,
    /// );
    /// assert!(too_long.is_err());
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn new(
        report_reference_number: impl Into<String>,
        consumer_id: impl Into<String>,
        inquired_at: Timestamp,
        product: ProductCode,
        house_number: HouseNumber,
    ) -> Result<Self, Error> {
        let report_reference_number = report_reference_number.into();
        let consumer_id = consumer_id.into();
        check_required(
            "reportReferenceNumber",
            &report_reference_number,
            MAX_REPORT_REFERENCE_LEN,
        )?;
        check_required("consumerId", &consumer_id, MAX_CONSUMER_ID_LEN)?;
        Ok(ReportReference(Arc::new(Parts {
            report_reference_number,
            consumer_id,
            inquired_at,
            product,
            house_number,
        })))
    }

    /// The vendor's `reportReferenceNumber`.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let r = ReportReference::new("RR1", "C1", jiff::Timestamp::UNIX_EPOCH, ProductCode::CR, HouseNumber::new("H", "E")?)?;
    /// assert_eq!(r.report_reference_number(), "RR1");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn report_reference_number(&self) -> &str {
        &self.0.report_reference_number
    }

    /// The vendor's `consumerId` of the consumer the report is about.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let r = ReportReference::new("RR1", "C1", jiff::Timestamp::UNIX_EPOCH, ProductCode::CR, HouseNumber::new("H", "E")?)?;
    /// assert_eq!(r.consumer_id(), "C1");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn consumer_id(&self) -> &str {
        &self.0.consumer_id
    }

    /// When the original inquiry was made: taken just before the request was sent, so never later than the
    /// vendor's own record of it.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let r = ReportReference::new("RR1", "C1", jiff::Timestamp::UNIX_EPOCH, ProductCode::CR, HouseNumber::new("H", "E")?)?;
    /// assert_eq!(r.inquired_at(), jiff::Timestamp::UNIX_EPOCH);
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn inquired_at(&self) -> Timestamp {
        self.0.inquired_at
    }

    /// The product of the original report.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let r = ReportReference::new("RR1", "C1", jiff::Timestamp::UNIX_EPOCH, ProductCode::CR, HouseNumber::new("H", "E")?)?;
    /// assert_eq!(r.product(), &ProductCode::CR);
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn product(&self) -> &ProductCode {
        &self.0.product
    }

    /// The House Number the original report was pulled with.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let r = ReportReference::new("RR1", "C1", jiff::Timestamp::UNIX_EPOCH, ProductCode::CR, HouseNumber::new("H", "E")?)?;
    /// assert_eq!(r.house_number().customer_id(), "H");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn house_number(&self) -> &HouseNumber {
        &self.0.house_number
    }
}

/// A stored reference before validation.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawReportReference {
    report_reference_number: String,
    consumer_id: String,
    inquired_at: Timestamp,
    product: ProductCode,
    house_number: HouseNumber,
}

impl TryFrom<RawReportReference> for ReportReference {
    type Error = Error;

    fn try_from(raw: RawReportReference) -> Result<Self, Error> {
        ReportReference::new(
            raw.report_reference_number,
            raw.consumer_id,
            raw.inquired_at,
            raw.product,
            raw.house_number,
        )
    }
}
