//! Product codes (`productCode`): an open set of known constants plus any other code the vendor enables.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::borrowed_str::BorrowedStr;
use crate::error::{Error, check_required};

/// An Innovis product code (`productCode`, at most 10 characters).
///
/// The codes the vendor documents are constants; any other code can be made with [`ProductCode::new`].
///
/// ```
/// use innovis_client::ProductCode;
///
/// assert_eq!(ProductCode::CR.as_str(), "CR");
/// let custom = ProductCode::new("NEWPROD")?;
/// assert_eq!(custom.as_str(), "NEWPROD");
/// assert!(ProductCode::new("MORE-THAN-10").is_err());
/// # Ok::<(), innovis_client::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProductCode(Cow<'static, str>);

impl ProductCode {
    /// `CR`: credit report.
    pub const CR: ProductCode = ProductCode(Cow::Borrowed("CR"));
    /// `PREQUAL`: prequalification.
    pub const PREQUAL: ProductCode = ProductCode(Cow::Borrowed("PREQUAL"));
    /// `PREAPP`: pre-approval.
    pub const PREAPP: ProductCode = ProductCode(Cow::Borrowed("PREAPP"));
    /// `PRECLOSE`: pre-closing check.
    pub const PRECLOSE: ProductCode = ProductCode(Cow::Borrowed("PRECLOSE"));
    /// `ACCTRVW`: account review.
    pub const ACCTRVW: ProductCode = ProductCode(Cow::Borrowed("ACCTRVW"));
    /// `REFUPD`: refresh/update, requested like `CR`.
    pub const REFUPD: ProductCode = ProductCode(Cow::Borrowed("REFUPD"));
    /// `SECONDUSE`: share an already pulled report with a second end user. Requests for it are built with
    /// [`crate::SecondUseRequest`], never with [`crate::ReportRequest`].
    pub const SECONDUSE: ProductCode = ProductCode(Cow::Borrowed("SECONDUSE"));

    /// Any product code: 1 to 10 characters, no whitespace.
    ///
    /// ```
    /// let product = innovis_client::ProductCode::new("NEWPROD")?;
    /// assert_eq!(product.as_str(), "NEWPROD");
    /// # Ok::<(), innovis_client::Error>(())
    /// ```
    pub fn new(code: impl Into<String>) -> Result<Self, Error> {
        let code = code.into();
        check_required("productCode", &code, 10)?;
        if code.chars().any(char::is_whitespace) {
            return Err(Error::validation(
                "productCode",
                "must not contain whitespace",
            ));
        }
        Ok(ProductCode(Cow::Owned(code)))
    }

    /// The wire value.
    ///
    /// ```
    /// assert_eq!(innovis_client::ProductCode::REFUPD.as_str(), "REFUPD");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ProductCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProductCode({:?})", self.as_str())
    }
}

impl fmt::Display for ProductCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ProductCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ProductCode {
    /// Accepts any string: responses and stored references may carry codes this crate does not know.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let BorrowedStr(code) = BorrowedStr::deserialize(deserializer)?;
        Ok(match code.as_ref() {
            "CR" => ProductCode::CR,
            "PREQUAL" => ProductCode::PREQUAL,
            "PREAPP" => ProductCode::PREAPP,
            "PRECLOSE" => ProductCode::PRECLOSE,
            "ACCTRVW" => ProductCode::ACCTRVW,
            "REFUPD" => ProductCode::REFUPD,
            "SECONDUSE" => ProductCode::SECONDUSE,
            _ => ProductCode(Cow::Owned(code.into_owned())),
        })
    }
}
