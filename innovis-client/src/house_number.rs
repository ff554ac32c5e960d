//! House Numbers: a reseller's `customerId` and an end user's `endUserCode`, always together.

use serde::{Deserialize, Serialize};

use crate::error::{Error, check_required};

/// A House Number pairing: the reseller's House Number Customer ID (`customerId`, at most 16 characters) and
/// the end user's End User Code (`endUserCode`, at most 16 characters).
///
/// The vendor requires both on every request made with a House Number, so this type only exists with both:
/// there is no way to make or set one without the other.
///
/// ```
/// use innovis_client::HouseNumber;
///
/// let house = HouseNumber::new("1234567890", "9876543210")?;
/// assert_eq!(house.customer_id(), "1234567890");
/// assert_eq!(house.end_user_code(), "9876543210");
/// assert!(HouseNumber::new("1234567890", "").is_err());
/// # Ok::<(), innovis_client::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawHouseNumber", rename_all = "camelCase")]
pub struct HouseNumber {
    customer_id: String,
    end_user_code: String,
}

/// Most characters in `customerId`.
pub const MAX_CUSTOMER_ID_LEN: usize = 16;
/// Most characters in `endUserCode`.
pub const MAX_END_USER_CODE_LEN: usize = 16;

impl HouseNumber {
    /// Validates both parts (non-empty, at most 16 characters each).
    ///
    /// ```
    /// let house_number = innovis_client::HouseNumber::new("7001000001", "EU0042")?;
    /// assert_eq!(house_number.customer_id(), "7001000001");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn new(
        customer_id: impl Into<String>,
        end_user_code: impl Into<String>,
    ) -> Result<Self, Error> {
        let customer_id = customer_id.into();
        let end_user_code = end_user_code.into();
        check_required("customerId", &customer_id, MAX_CUSTOMER_ID_LEN)?;
        check_required("endUserCode", &end_user_code, MAX_END_USER_CODE_LEN)?;
        Ok(HouseNumber {
            customer_id,
            end_user_code,
        })
    }

    /// The reseller's House Number Customer ID (`customerId`).
    ///
    /// ```
    /// # let house = innovis_client::HouseNumber::new("HN1", "EU1")?;
    /// assert_eq!(house.customer_id(), "HN1");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn customer_id(&self) -> &str {
        &self.customer_id
    }

    /// The end user's code (`endUserCode`).
    ///
    /// ```
    /// # let house = innovis_client::HouseNumber::new("HN1", "EU1")?;
    /// assert_eq!(house.end_user_code(), "EU1");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn end_user_code(&self) -> &str {
        &self.end_user_code
    }
}

/// What a stored House Number looks like before validation.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawHouseNumber {
    customer_id: String,
    end_user_code: String,
}

impl TryFrom<RawHouseNumber> for HouseNumber {
    type Error = Error;

    fn try_from(raw: RawHouseNumber) -> Result<Self, Error> {
        HouseNumber::new(raw.customer_id, raw.end_user_code)
    }
}
