//! Deterministic test data the sandbox recognises: Innovis House Numbers and test consumers, and
//! HouseCanary addresses that fail validation.
//!
//! The SSNs all start with `666`, a prefix the US Social Security Administration never issues, so
//! they can never belong to a real person.
//!
//! ```
//! use credit_valuation_sandbox::fixtures;
//! assert_eq!(fixtures::consumer_for_ssn(fixtures::RECORD_SSN).return_code, "Record");
//! assert_eq!(fixtures::consumer_for_ssn("666999999").return_code, "No Record");
//! ```

use std::fmt;

/// The permissible purpose code every sandbox House Number is registered for (FCRA "17").
pub const PERMISSIBLE_PURPOSE: &str = "17";
/// House Number (`customerId`) for `CR`, with `REFUPD` and `SECONDUSE` also enabled.
pub const CR_CUSTOMER_ID: &str = "7000000001";
/// First end user registered on [`CR_CUSTOMER_ID`].
pub const CR_END_USER_CODE: &str = "EU0001";
/// Second end user registered on [`CR_CUSTOMER_ID`] (the usual SECONDUSE recipient).
pub const CR_SECOND_END_USER_CODE: &str = "EU0002";
/// House Number (`customerId`) for `PREQUAL`, `PREAPP` and `PRECLOSE` (no SECONDUSE, no REFUPD).
pub const PREQUAL_CUSTOMER_ID: &str = "7000000002";
/// End user registered on [`PREQUAL_CUSTOMER_ID`].
pub const PREQUAL_END_USER_CODE: &str = "EU0003";
/// House Number (`customerId`) for `ACCTRVW`.
pub const ACCTRVW_CUSTOMER_ID: &str = "7000000003";
/// End user registered on [`ACCTRVW_CUSTOMER_ID`].
pub const ACCTRVW_END_USER_CODE: &str = "EU0004";

/// An end user registered on a House Number.
///
/// ```
/// let end_user = credit_valuation_sandbox::fixtures::HOUSE_NUMBERS[0].end_users[0];
/// assert_eq!(end_user.code, credit_valuation_sandbox::fixtures::CR_END_USER_CODE);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EndUser {
    /// The `endUserCode`.
    pub code: &'static str,
    /// The name the consumer sees (`<reseller> on behalf of <name>`).
    pub name: &'static str,
}

/// One House Number: a `customerId` for one permissible purpose and its products, with the end
/// users it may be used for.
///
/// ```
/// let house = credit_valuation_sandbox::fixtures::house_number(credit_valuation_sandbox::fixtures::CR_CUSTOMER_ID).unwrap();
/// assert!(house.allows_product("SECONDUSE"));
/// assert!(house.has_end_user(credit_valuation_sandbox::fixtures::CR_END_USER_CODE));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HouseNumber {
    /// The `customerId`.
    pub customer_id: &'static str,
    /// The `permissiblePurposeCode` it was set up for.
    pub permissible_purpose_code: &'static str,
    /// The `productCode`s it may be used with.
    pub products: &'static [&'static str],
    /// The registered end users.
    pub end_users: &'static [EndUser],
}

impl HouseNumber {
    /// Whether `product` is enabled on this House Number.
    ///
    /// ```
    /// assert!(!credit_valuation_sandbox::fixtures::HOUSE_NUMBERS[1].allows_product("CR"));
    /// ```
    pub fn allows_product(&self, product: &str) -> bool {
        self.products.contains(&product)
    }

    /// Whether `code` is a registered end user of this House Number.
    ///
    /// ```
    /// assert!(!credit_valuation_sandbox::fixtures::HOUSE_NUMBERS[0].has_end_user("NOPE"));
    /// ```
    pub fn has_end_user(&self, code: &str) -> bool {
        self.end_users.iter().any(|end_user| end_user.code == code)
    }
}

/// Every House Number the sandbox knows.
pub const HOUSE_NUMBERS: &[HouseNumber] = &[
    HouseNumber {
        customer_id: CR_CUSTOMER_ID,
        permissible_purpose_code: PERMISSIBLE_PURPOSE,
        products: &["CR", "REFUPD", "SECONDUSE"],
        end_users: &[
            EndUser {
                code: CR_END_USER_CODE,
                name: "ACME LENDING",
            },
            EndUser {
                code: CR_SECOND_END_USER_CODE,
                name: "BETA MORTGAGE",
            },
        ],
    },
    HouseNumber {
        customer_id: PREQUAL_CUSTOMER_ID,
        permissible_purpose_code: PERMISSIBLE_PURPOSE,
        products: &["PREQUAL", "PREAPP", "PRECLOSE"],
        end_users: &[EndUser {
            code: PREQUAL_END_USER_CODE,
            name: "GAMMA AUTO",
        }],
    },
    HouseNumber {
        customer_id: ACCTRVW_CUSTOMER_ID,
        permissible_purpose_code: PERMISSIBLE_PURPOSE,
        products: &["ACCTRVW"],
        end_users: &[EndUser {
            code: ACCTRVW_END_USER_CODE,
            name: "DELTA CARD SERVICES",
        }],
    },
];

/// The House Number registered under `customer_id`, if any.
///
/// ```
/// assert!(credit_valuation_sandbox::fixtures::house_number("0000").is_none());
/// ```
pub fn house_number(customer_id: &str) -> Option<&'static HouseNumber> {
    HOUSE_NUMBERS
        .iter()
        .find(|house| house.customer_id == customer_id)
}

/// SSN of the consumer whose report has `returnCode` `Record`.
pub const RECORD_SSN: &str = "666010001";
/// SSN of the consumer with `returnCode` `No Record` (so is any SSN not listed here).
pub const NO_RECORD_SSN: &str = "666010002";
/// SSN of the consumer whose file is offline: `returnCode` `Suppress`.
pub const SUPPRESS_SSN: &str = "666010003";
/// SSN that yields `returnCode` `Error` (an HTTP 200 whose reason says what was wrong).
pub const ERROR_SSN: &str = "666010004";
/// SSN of the consumer with `returnCode` `Exempt`.
pub const EXEMPT_SSN: &str = "666010005";

/// A deterministic test consumer, chosen by the SSN of applicant `1A`.
///
/// `Debug` leaves the SSN and date of birth out, as for real data.
///
/// ```
/// use credit_valuation_sandbox::fixtures;
/// let consumer = fixtures::consumer_for_ssn(fixtures::RECORD_SSN);
/// assert!(consumer.on_file);
/// let text = format!("{consumer:?}");
/// assert!(!text.contains(fixtures::RECORD_SSN) && !text.contains(consumer.dob));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TestConsumer {
    /// 9 digits.
    pub ssn: &'static str,
    /// First name to send.
    pub first_name: &'static str,
    /// Last name to send.
    pub last_name: &'static str,
    /// Date of birth, `YYYY-MM-DD`.
    pub dob: &'static str,
    /// The `returnCode` the gateway answers.
    pub return_code: &'static str,
    /// The `returnReasonCode` (made up by the sandbox; the vendor's codes are not public).
    pub return_reason_code: &'static str,
    /// The `returnReasonDesc` (≤ 30 characters).
    pub return_reason_desc: &'static str,
    /// Whether the consumer is on file (gets a `consumerId` and can be used for SECONDUSE).
    pub on_file: bool,
    /// The bureau's own opaque id for this consumer (≤ 16 characters), sent as `consumerId` when on
    /// file. Deliberately unrelated to the SSN, as a real bureau's id is.
    pub consumer_id: &'static str,
}

impl fmt::Debug for TestConsumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestConsumer")
            .field("ssn", &"[REDACTED]")
            .field("first_name", &self.first_name)
            .field("last_name", &self.last_name)
            .field("dob", &"[REDACTED]")
            .field("return_code", &self.return_code)
            .finish_non_exhaustive()
    }
}

/// Every test consumer, one per `returnCode`.
pub const CONSUMERS: &[TestConsumer] = &[
    TestConsumer {
        ssn: RECORD_SSN,
        first_name: "PAT",
        last_name: "RECORD",
        dob: "1980-04-12",
        return_code: "Record",
        return_reason_code: "0000",
        return_reason_desc: "CONSUMER FOUND",
        on_file: true,
        consumer_id: "SBXC0000007313",
    },
    TestConsumer {
        ssn: NO_RECORD_SSN,
        first_name: "NOAH",
        last_name: "NORECORD",
        dob: "1990-01-01",
        return_code: "No Record",
        return_reason_code: "N001",
        return_reason_desc: "NO RECORD FOUND",
        on_file: false,
        consumer_id: "SBXC0000007326",
    },
    TestConsumer {
        ssn: SUPPRESS_SSN,
        first_name: "SAM",
        last_name: "SUPPRESS",
        dob: "1975-07-30",
        return_code: "Suppress",
        return_reason_code: "S001",
        return_reason_desc: "FILE FROZEN BY CONSUMER",
        on_file: false,
        consumer_id: "SBXC0000007339",
    },
    TestConsumer {
        ssn: ERROR_SSN,
        first_name: "ERIN",
        last_name: "ERROR",
        dob: "1985-11-05",
        return_code: "Error",
        return_reason_code: "E001",
        return_reason_desc: "INVALID SUBJECT DATA",
        on_file: false,
        consumer_id: "SBXC0000007352",
    },
    TestConsumer {
        ssn: EXEMPT_SSN,
        first_name: "ELI",
        last_name: "EXEMPT",
        dob: "1968-02-29",
        return_code: "Exempt",
        return_reason_code: "X001",
        return_reason_desc: "CONSUMER EXEMPT",
        on_file: true,
        consumer_id: "SBXC0000007365",
    },
];

/// The test consumer for `ssn`; any SSN not in [`CONSUMERS`] is the `No Record` consumer.
///
/// ```
/// let consumer = credit_valuation_sandbox::fixtures::consumer_for_ssn(credit_valuation_sandbox::fixtures::SUPPRESS_SSN);
/// assert_eq!(consumer.return_code, "Suppress");
/// ```
pub fn consumer_for_ssn(ssn: &str) -> &'static TestConsumer {
    CONSUMERS
        .iter()
        .find(|consumer| consumer.ssn == ssn)
        .unwrap_or(&CONSUMERS[1])
}

/// A HouseCanary item whose `address` contains this text (any case) is cancelled by validation as
/// an invalid address.
pub const INVALID_ADDRESS_MARKER: &str = "INVALID";
/// A HouseCanary item whose `address` contains this text (any case) is cancelled by validation
/// because no report is available.
pub const UNAVAILABLE_ADDRESS_MARKER: &str = "UNAVAILABLE";
/// Reason given when an item has neither a `zipcode` nor both `city` and `state`.
pub const MISSING_LOCATION_REASON: &str = "missing zip code or city/state";
/// Reason given for an address containing [`INVALID_ADDRESS_MARKER`].
pub const INVALID_ADDRESS_REASON: &str = "invalid address: the address could not be validated";
/// Reason given for an address containing [`UNAVAILABLE_ADDRESS_MARKER`].
pub const UNAVAILABLE_REASON: &str = "report unavailable for this address";

/// Addresses (`address`, `city`, `state`, `zipcode`) that pass validation.
pub const GOOD_ADDRESSES: &[(&str, &str, &str, &str)] = &[
    ("123 Main St", "San Francisco", "CA", "94103"),
    ("456 Oak Ave", "Austin", "TX", "78701"),
    ("789 Pine Rd", "Denver", "CO", "80202"),
];
