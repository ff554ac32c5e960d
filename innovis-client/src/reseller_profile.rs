//! A reseller's House Numbers, registered once and looked up by (permissible purpose, product).

use std::collections::HashMap;

use crate::error::{Error, check_required};
use crate::house_number::{HouseNumber, MAX_CUSTOMER_ID_LEN};
use crate::permissible_purpose::PermissiblePurpose;
use crate::product_code::ProductCode;
use crate::report_reference::ReportReference;
use crate::request::builder_state::{NoApplicants, WithHouseNumber, WithPurpose};
use crate::request::report_request::{ReportRequest, ReportRequestBuilder};
use crate::request::second_use::{SecondUseRequest, SecondUseRequestBuilder};

/// The House Number Customer IDs Innovis assigned to a reseller, one per (permissible purpose, product).
///
/// Register them once; then build requests from an end user's code alone and let the profile pick the right
/// `customerId`. Asking for a combination that was not registered is [`Error::UnregisteredHouseNumber`],
/// naming it.
///
/// The vendor says SECONDUSE and REFUPD may *in some cases* be used on House Numbers set up for other products,
/// after consulting its API team. That is off until configured, per product, with
/// [`ResellerProfile::allow_second_use_on`] and [`ResellerProfile::allow_refupd_on`].
///
/// ```
/// use innovis_client::{Applicant, Error, PermissiblePurpose, ProductCode, ResellerProfile};
///
/// let purpose = PermissiblePurpose::new("17")?;
/// let profile = ResellerProfile::new()
///     .register(purpose.clone(), ProductCode::CR, "1234567890")?
///     .register(purpose.clone(), ProductCode::PREQUAL, "1234567891")?;
///
/// let request = profile
///     .report_request(purpose.clone(), ProductCode::CR, "9876543210")?
///     .applicant(Applicant::new().name("JOHN", "CONSUMER"))
///     .build()?;
/// assert_eq!(request.house_number().customer_id(), "1234567890");
///
/// let missing = profile.house_number(&purpose, &ProductCode::ACCTRVW, "9876543210").unwrap_err();
/// assert!(matches!(missing, Error::UnregisteredHouseNumber { .. }));
/// assert!(missing.to_string().contains("ACCTRVW"));
/// # Ok::<(), innovis_client::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ResellerProfile {
    customer_ids: HashMap<(PermissiblePurpose, ProductCode), String>,
    /// For SECONDUSE and REFUPD: the other products whose House Numbers they may use, in order of preference.
    borrowed: HashMap<ProductCode, Vec<ProductCode>>,
}

impl ResellerProfile {
    /// An empty profile.
    ///
    /// ```
    /// let profile = innovis_client::ResellerProfile::new();
    /// ```
    pub fn new() -> Self {
        ResellerProfile::default()
    }

    /// Registers the House Number Customer ID for (`purpose`, `product`) (replacing an earlier one).
    ///
    /// ```
    /// # use innovis_client::*;
    /// let profile = ResellerProfile::new().register(PermissiblePurpose::new("17")?, ProductCode::CR, "1234567890")?;
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn register(
        mut self,
        purpose: PermissiblePurpose,
        product: ProductCode,
        customer_id: impl Into<String>,
    ) -> Result<Self, Error> {
        let customer_id = customer_id.into();
        check_required("customerId", &customer_id, MAX_CUSTOMER_ID_LEN)?;
        self.customer_ids.insert((purpose, product), customer_id);
        Ok(self)
    }

    /// Lets SECONDUSE requests use the House Number registered for `product` when none is registered for
    /// SECONDUSE itself (as agreed with the vendor). Several calls give an order of preference.
    ///
    /// ```
    /// # use innovis_client::*;
    /// let purpose = PermissiblePurpose::new("17")?;
    /// let profile = ResellerProfile::new()
    ///     .register(purpose.clone(), ProductCode::CR, "1234567890")?
    ///     .allow_second_use_on(ProductCode::CR);
    /// let house = profile.house_number(&purpose, &ProductCode::SECONDUSE, "5555555555")?;
    /// assert_eq!(house.customer_id(), "1234567890");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn allow_second_use_on(self, product: ProductCode) -> Self {
        self.allow_on(ProductCode::SECONDUSE, product)
    }

    /// Lets REFUPD requests use the House Number registered for `product` when none is registered for REFUPD
    /// itself (as agreed with the vendor).
    ///
    /// ```
    /// # use innovis_client::*;
    /// let purpose = PermissiblePurpose::new("17")?;
    /// let profile = ResellerProfile::new()
    ///     .register(purpose.clone(), ProductCode::CR, "1234567890")?
    ///     .allow_refupd_on(ProductCode::CR);
    /// assert!(profile.house_number(&purpose, &ProductCode::REFUPD, "5555555555").is_ok());
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn allow_refupd_on(self, product: ProductCode) -> Self {
        self.allow_on(ProductCode::REFUPD, product)
    }

    fn allow_on(mut self, borrower: ProductCode, lender: ProductCode) -> Self {
        let lenders = self.borrowed.entry(borrower).or_default();
        if !lenders.contains(&lender) {
            lenders.push(lender);
        }
        self
    }

    /// The `customerId` for (`purpose`, `product`): the one registered for it, else (SECONDUSE and REFUPD
    /// only) the first allowed other product's.
    ///
    /// ```
    /// # use innovis_client::*;
    /// let purpose = PermissiblePurpose::new("17")?;
    /// let profile = ResellerProfile::new().register(purpose.clone(), ProductCode::CR, "1234567890")?;
    /// assert_eq!(profile.customer_id(&purpose, &ProductCode::CR)?, "1234567890");
    /// assert!(profile.customer_id(&purpose, &ProductCode::REFUPD).is_err());
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn customer_id(
        &self,
        purpose: &PermissiblePurpose,
        product: &ProductCode,
    ) -> Result<&str, Error> {
        let lookup = |product: &ProductCode| {
            self.customer_ids
                .get(&(purpose.clone(), product.clone()))
                .map(String::as_str)
        };
        lookup(product)
            .or_else(|| {
                self.borrowed
                    .get(product)
                    .and_then(|lenders| lenders.iter().find_map(lookup))
            })
            .ok_or_else(|| Error::UnregisteredHouseNumber {
                purpose: purpose.as_str().to_owned(),
                product: product.as_str().to_owned(),
            })
    }

    /// The House Number for (`purpose`, `product`) and the end user `end_user_code`.
    ///
    /// ```
    /// # use innovis_client::*;
    /// let purpose = PermissiblePurpose::new("17")?;
    /// let profile = ResellerProfile::new().register(purpose.clone(), ProductCode::CR, "1234567890")?;
    /// let house = profile.house_number(&purpose, &ProductCode::CR, "9876543210")?;
    /// assert_eq!((house.customer_id(), house.end_user_code()), ("1234567890", "9876543210"));
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn house_number(
        &self,
        purpose: &PermissiblePurpose,
        product: &ProductCode,
        end_user_code: impl Into<String>,
    ) -> Result<HouseNumber, Error> {
        HouseNumber::new(self.customer_id(purpose, product)?, end_user_code)
    }

    /// A report request builder with the House Number and permissible purpose already set; add applicants
    /// and build.
    ///
    /// ```
    /// # use innovis_client::*;
    /// let purpose = PermissiblePurpose::new("17")?;
    /// let profile = ResellerProfile::new().register(purpose.clone(), ProductCode::CR, "1234567890")?;
    /// let request = profile
    ///     .report_request(purpose, ProductCode::CR, "9876543210")?
    ///     .applicant(Applicant::new().name("JOHN", "CONSUMER"))
    ///     .build()?;
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn report_request(
        &self,
        purpose: PermissiblePurpose,
        product: ProductCode,
        end_user_code: impl Into<String>,
    ) -> Result<ReportRequestBuilder<WithHouseNumber, WithPurpose, NoApplicants>, Error> {
        let house_number = self.house_number(&purpose, &product, end_user_code)?;
        Ok(ReportRequest::builder(product)
            .with_house_number(house_number)
            .permissible_purpose(purpose))
    }

    /// A SECONDUSE request builder for `reference`, with the second end user's House Number (looked up for
    /// (`purpose`, SECONDUSE)) and permissible purpose set.
    ///
    /// ```
    /// # use innovis_client::*;
    /// # let reference = ReportReference::new("RR1", "C1", jiff::Timestamp::UNIX_EPOCH, ProductCode::CR,
    /// #     HouseNumber::new("1234567890", "9876543210")?)?;
    /// let purpose = PermissiblePurpose::new("17")?;
    /// let profile = ResellerProfile::new().register(purpose.clone(), ProductCode::SECONDUSE, "1234567899")?;
    /// let request = profile.second_use_request(reference, purpose, "5555555555")?.build()?;
    /// assert_eq!(request.house_number().customer_id(), "1234567899");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn second_use_request(
        &self,
        reference: ReportReference,
        purpose: PermissiblePurpose,
        end_user_code: impl Into<String>,
    ) -> Result<SecondUseRequestBuilder<WithHouseNumber, WithPurpose>, Error> {
        let house_number = self.house_number(&purpose, &ProductCode::SECONDUSE, end_user_code)?;
        Ok(SecondUseRequest::builder(reference)
            .with_house_number(house_number)
            .permissible_purpose(purpose))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrowing_is_off_until_configured_and_prefers_own_registration() {
        let purpose = PermissiblePurpose::new("17").unwrap();
        let profile = ResellerProfile::new()
            .register(purpose.clone(), ProductCode::CR, "CR-HN")
            .unwrap()
            .register(purpose.clone(), ProductCode::PREQUAL, "PQ-HN")
            .unwrap();
        assert!(
            profile
                .customer_id(&purpose, &ProductCode::SECONDUSE)
                .is_err()
        );

        let profile = profile
            .allow_second_use_on(ProductCode::PREQUAL)
            .allow_second_use_on(ProductCode::CR);
        assert_eq!(
            profile
                .customer_id(&purpose, &ProductCode::SECONDUSE)
                .unwrap(),
            "PQ-HN"
        );
        // REFUPD was not allowed to borrow.
        assert!(profile.customer_id(&purpose, &ProductCode::REFUPD).is_err());
        // Another purpose is another combination.
        let other = PermissiblePurpose::new("1").unwrap();
        let err = profile.customer_id(&other, &ProductCode::CR).unwrap_err();
        assert!(
            matches!(err, Error::UnregisteredHouseNumber { ref purpose, ref product }
            if purpose == "1" && product == "CR")
        );

        let profile = profile
            .register(purpose.clone(), ProductCode::SECONDUSE, "SU-HN")
            .unwrap();
        assert_eq!(
            profile
                .customer_id(&purpose, &ProductCode::SECONDUSE)
                .unwrap(),
            "SU-HN"
        );
    }
}
