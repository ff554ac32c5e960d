//! Applicants: the consumers a report is asked about.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use serde::{Serialize, Serializer};

use crate::error::{Error, check_max};
use crate::pii::{ConsumerAccessCode, DateOfBirth, Ssn};

/// Most applicants in one request (ids `1A` … `9A`).
pub const MAX_APPLICANTS: usize = 9;
/// Most characters in `emailAddress`.
pub const MAX_EMAIL_LEN: usize = 80;

/// One consumer in a report request. Every part is optional here; the vendor decides what it needs for a
/// match. The applicant id (`1A`…`9A`) is assigned by the request builder in the order applicants are added.
///
/// `Debug` never shows the SSN, the date of birth or the consumer access code.
///
/// ```
/// use innovis_client::{Address, Applicant, pii::{DateOfBirth, Ssn}};
///
/// let applicant = Applicant::new()
///     .name("JOHN", "CONSUMER")
///     .ssn(Ssn::new("123-45-6789")?)
///     .dob(DateOfBirth::new("1980-01-02")?)
///     .address(Address::current("1 MAIN ST", "PITTSBURGH", "PA", "15222"))
///     .phone("4125550100")
///     .email_address("john@example.com");
/// let shown = format!("{applicant:?}");
/// assert!(!shown.contains("123456789") && !shown.contains("JOHN") && !shown.contains("MAIN ST"));
/// # Ok::<(), innovis_client::Error>(())
/// ```
///
/// `Debug` shows how many names, addresses and phones the applicant has and whether the other fields are
/// set, never their values: an applicant is a consumer's personal data, and debug output ends up in logs.
/// For the same reason an applicant is not `Serialize`: the client writes the wire body itself.
#[derive(Clone, Default, PartialEq)]
pub struct Applicant {
    names: Vec<Name>,
    ssn: Option<Ssn>,
    dob: Option<DateOfBirth>,
    phones: Vec<Phone>,
    email_address: Option<String>,
    ip_address: Option<IpAddr>,
    addresses: Vec<Address>,
    consumer_access_code: Option<ConsumerAccessCode>,
}

/// `[REDACTED]` for a value that is set, nothing for one that is not.
fn presence<T>(value: &Option<T>) -> &'static str {
    if value.is_some() {
        "[REDACTED]"
    } else {
        "None"
    }
}

impl fmt::Debug for Applicant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Applicant")
            .field("names", &format_args!("[{} redacted]", self.names.len()))
            .field("ssn", &format_args!("{}", presence(&self.ssn)))
            .field("dob", &format_args!("{}", presence(&self.dob)))
            .field("phones", &format_args!("[{} redacted]", self.phones.len()))
            .field(
                "email_address",
                &format_args!("{}", presence(&self.email_address)),
            )
            .field(
                "ip_address",
                &format_args!("{}", presence(&self.ip_address)),
            )
            .field(
                "addresses",
                &format_args!("[{} redacted]", self.addresses.len()),
            )
            .field(
                "consumer_access_code",
                &format_args!("{}", presence(&self.consumer_access_code)),
            )
            .finish()
    }
}

impl Applicant {
    /// An applicant with nothing set yet.
    ///
    /// ```
    /// let applicant = innovis_client::Applicant::new().name("JANE", "DOE");
    /// ```
    pub fn new() -> Self {
        Applicant::default()
    }

    /// Adds a name (`names[] {first, last}`).
    pub fn name(self, first: impl Into<String>, last: impl Into<String>) -> Self {
        self.with_name(Name::new(first, last))
    }

    /// Adds a [`Name`] built separately (e.g. one with extra parts).
    pub fn with_name(mut self, name: Name) -> Self {
        self.names.push(name);
        self
    }

    /// Sets the Social Security number.
    pub fn ssn(mut self, ssn: Ssn) -> Self {
        self.ssn = Some(ssn);
        self
    }

    /// Sets the date of birth.
    pub fn dob(mut self, dob: DateOfBirth) -> Self {
        self.dob = Some(dob);
        self
    }

    /// Adds a phone number (`phones[] {phoneNumber}`).
    pub fn phone(mut self, phone_number: impl Into<String>) -> Self {
        self.phones.push(Phone {
            phone_number: phone_number.into(),
        });
        self
    }

    /// Sets the e-mail address (at most 80 characters, checked when the request is built).
    pub fn email_address(mut self, email: impl Into<String>) -> Self {
        self.email_address = Some(email.into());
        self
    }

    /// Sets the consumer's IP address.
    pub fn ip_address(mut self, ip: IpAddr) -> Self {
        self.ip_address = Some(ip);
        self
    }

    /// Adds an address.
    pub fn address(mut self, address: Address) -> Self {
        self.addresses.push(address);
        self
    }

    /// Sets the consumer access code.
    pub fn consumer_access_code(mut self, code: ConsumerAccessCode) -> Self {
        self.consumer_access_code = Some(code);
        self
    }

    /// The applicant as it goes on the wire, under the id the request builder assigned.
    pub(crate) fn wire(&self, applicant_id: &'static str) -> ApplicantWire<'_> {
        ApplicantWire {
            applicant_id,
            names: &self.names,
            ssn: self.ssn.as_ref().map(Ssn::expose),
            dob: self.dob.as_ref().map(DateOfBirth::expose),
            phones: &self.phones,
            email_address: self.email_address.as_deref(),
            ip_address: self.ip_address,
            addresses: &self.addresses,
            consumer_access_code: self
                .consumer_access_code
                .as_ref()
                .map(ConsumerAccessCode::expose),
        }
    }

    /// Checks the vendor's field lengths.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        if let Some(email) = &self.email_address {
            check_max("applicants.emailAddress", email, MAX_EMAIL_LEN)?;
        }
        // An extra part under a typed key would send that key twice, and the vendor would pick one.
        if self.names.iter().any(|name| {
            name.parts
                .keys()
                .any(|key| matches!(key.as_str(), "first" | "last"))
        }) {
            return Err(Error::validation(
                "applicants.names",
                "with_part must not repeat the keys `first` or `last`",
            ));
        }
        let typed = ["addressIdentifier", "line1", "city", "state", "zip"];
        if self.addresses.iter().any(|address| {
            address
                .fields
                .keys()
                .any(|key| typed.contains(&key.as_str()))
        }) {
            return Err(Error::validation(
                "applicants.addresses",
                "with_field must not repeat the keys addressIdentifier, line1, city, state or zip",
            ));
        }
        Ok(())
    }
}

/// An applicant's name. The vendor documents `first` and `last`; other parts it accepts can be added with
/// [`Name::part`] and are sent as they are given.
///
/// ```
/// use innovis_client::Name;
/// let name = Name::new("JANE", "DOE").part("middle", "Q");
/// ```
///
/// `Debug` prints `Name([REDACTED])` and there is no `Serialize`: a name is personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct Name {
    first: String,
    last: String,
    parts: BTreeMap<String, String>,
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Name([REDACTED])")
    }
}

impl Name {
    /// A first and last name.
    ///
    /// ```
    /// let name = innovis_client::Name::new("JANE", "DOE");
    /// ```
    pub fn new(first: impl Into<String>, last: impl Into<String>) -> Self {
        Name {
            first: first.into(),
            last: last.into(),
            parts: BTreeMap::new(),
        }
    }

    /// Adds another name field under the vendor's key (e.g. `"middle"`), for parts this crate does not type.
    pub fn part(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.parts.insert(key.into(), value.into());
        self
    }

    fn wire(&self) -> NameWire<'_> {
        NameWire {
            first: &self.first,
            last: &self.last,
            parts: &self.parts,
        }
    }
}

/// A phone number entry (`{phoneNumber}`).
#[derive(Clone, PartialEq, Eq)]
struct Phone {
    phone_number: String,
}

/// An applicant's address: `addressIdentifier` (`"C"` = current), `line1`, `city`, `state`, `zip`.
///
/// ```
/// use innovis_client::Address;
/// let current = Address::current("1 MAIN ST", "PITTSBURGH", "PA", "15222");
/// let other = Address::new("P", "9 OLD RD", "ERIE", "PA", "16501").field("line2", "APT 2");
/// ```
///
/// `Debug` shows only the `addressIdentifier`, and there is no `Serialize`: the rest is personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct Address {
    address_identifier: String,
    line1: String,
    city: String,
    state: String,
    zip: String,
    fields: BTreeMap<String, String>,
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Address")
            .field("address_identifier", &self.address_identifier)
            .finish_non_exhaustive()
    }
}

impl Address {
    /// An address with an explicit `addressIdentifier` (the vendor documents `"C"` for current; other
    /// identifiers are passed through as given).
    ///
    /// ```
    /// let address = innovis_client::Address::new("C", "1 MAIN ST", "PITTSBURGH", "PA", "15222");
    /// ```
    pub fn new(
        address_identifier: impl Into<String>,
        line1: impl Into<String>,
        city: impl Into<String>,
        state: impl Into<String>,
        zip: impl Into<String>,
    ) -> Self {
        Address {
            address_identifier: address_identifier.into(),
            line1: line1.into(),
            city: city.into(),
            state: state.into(),
            zip: zip.into(),
            fields: BTreeMap::new(),
        }
    }

    /// The current address (`addressIdentifier: "C"`).
    ///
    /// ```
    /// let address = innovis_client::Address::current("1 MAIN ST", "PITTSBURGH", "PA", "15222");
    /// ```
    pub fn current(
        line1: impl Into<String>,
        city: impl Into<String>,
        state: impl Into<String>,
        zip: impl Into<String>,
    ) -> Self {
        Address::new("C", line1, city, state, zip)
    }

    /// Adds another address field under the vendor's key, for fields this crate does not type.
    pub fn field(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.insert(key.into(), value.into());
        self
    }

    fn wire(&self) -> AddressWire<'_> {
        AddressWire {
            address_identifier: &self.address_identifier,
            line1: &self.line1,
            city: &self.city,
            state: &self.state,
            zip: &self.zip,
            fields: &self.fields,
        }
    }
}

// The wire forms below are the one place an applicant's values are serialized. They are crate-private and
// borrow from the public types, so no `Serialize` of personal data is reachable from outside the crate. Field
// order, names and omissions are exactly the vendor's JSON (checked field by field in `tests/it/requests.rs`).

/// An applicant as it goes on the wire: `applicantId`, then the fields that are set.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ApplicantWire<'a> {
    applicant_id: &'static str,
    #[serde(skip_serializing_if = "<[_]>::is_empty", serialize_with = "names_wire")]
    names: &'a [Name],
    #[serde(skip_serializing_if = "Option::is_none")]
    ssn: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dob: Option<&'a str>,
    #[serde(
        skip_serializing_if = "<[_]>::is_empty",
        serialize_with = "phones_wire"
    )]
    phones: &'a [Phone],
    #[serde(skip_serializing_if = "Option::is_none")]
    email_address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_address: Option<IpAddr>,
    #[serde(
        skip_serializing_if = "<[_]>::is_empty",
        serialize_with = "addresses_wire"
    )]
    addresses: &'a [Address],
    #[serde(skip_serializing_if = "Option::is_none")]
    consumer_access_code: Option<&'a str>,
}

// The lists are written item by item as they serialize, with no `Vec` of wire forms between the
// applicant and the body.
fn names_wire<S: Serializer>(names: &&[Name], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(names.iter().map(Name::wire))
}

fn phones_wire<S: Serializer>(phones: &&[Phone], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(phones.iter().map(|phone| PhoneWire {
        phone_number: &phone.phone_number,
    }))
}

fn addresses_wire<S: Serializer>(addresses: &&[Address], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(addresses.iter().map(Address::wire))
}

/// `{first, last}` then the extra parts in key order.
struct NameWire<'a> {
    first: &'a str,
    last: &'a str,
    parts: &'a BTreeMap<String, String>,
}

impl Serialize for NameWire<'_> {
    // By hand rather than `#[serde(flatten)]`, which goes through serde's buffering map adapter.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let typed = [("first", self.first), ("last", self.last)];
        serializer.collect_map(
            typed.into_iter().chain(
                self.parts
                    .iter()
                    .map(|(key, value)| (key.as_str(), value.as_str())),
            ),
        )
    }
}

/// `{phoneNumber}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhoneWire<'a> {
    phone_number: &'a str,
}

/// `{addressIdentifier, line1, city, state, zip}` then the extra fields in key order.
struct AddressWire<'a> {
    address_identifier: &'a str,
    line1: &'a str,
    city: &'a str,
    state: &'a str,
    zip: &'a str,
    fields: &'a BTreeMap<String, String>,
}

impl Serialize for AddressWire<'_> {
    // By hand, as `NameWire`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let typed = [
            ("addressIdentifier", self.address_identifier),
            ("line1", self.line1),
            ("city", self.city),
            ("state", self.state),
            ("zip", self.zip),
        ];
        serializer.collect_map(
            typed.into_iter().chain(
                self.fields
                    .iter()
                    .map(|(key, value)| (key.as_str(), value.as_str())),
            ),
        )
    }
}

impl Applicant {
    /// Every personal value the applicant carries, for masking where the vendor echoes one back:
    /// names, SSN, date of birth, phones, e-mail and IP addresses, address lines, city and ZIP.
    /// (A two-letter state would mask the same two letters in every word.)
    /// A name also as one word each way round (`JaneDoe`, `DoeJane`), as a vendor may echo it.
    pub(crate) fn personal_values(&self) -> impl Iterator<Item = PersonalValue<'_>> {
        let names = self.names.iter().flat_map(|name| {
            [
                PersonalValue::Joined(&name.first, &name.last),
                PersonalValue::Joined(&name.last, &name.first),
                PersonalValue::Field(&name.first),
                PersonalValue::Field(&name.last),
            ]
            .into_iter()
            .chain(name.parts.values().map(|part| PersonalValue::Field(part)))
        });
        let addresses = self.addresses.iter().flat_map(|address| {
            [
                address.line1.as_str(),
                address.city.as_str(),
                address.zip.as_str(),
            ]
            .into_iter()
            .chain(address.fields.values().map(String::as_str))
        });
        let others = self
            .ssn
            .as_ref()
            .map(Ssn::expose)
            .into_iter()
            .chain(self.dob.as_ref().map(DateOfBirth::expose))
            .chain(self.phones.iter().map(|phone| phone.phone_number.as_str()))
            .chain(self.email_address.as_deref())
            .chain(addresses);
        names.chain(others.map(PersonalValue::Field))
    }

    /// The SSN's digits, for the inquiry ledger's keyed consumer fingerprint (never stored).
    pub(crate) fn ssn_digits(&self) -> Option<&str> {
        self.ssn.as_ref().map(Ssn::expose)
    }
}

/// A personal value as a vendor may echo it: one field, or two written as one word.
pub(crate) enum PersonalValue<'a> {
    Field(&'a str),
    Joined(&'a str, &'a str),
}

impl std::fmt::Display for PersonalValue<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PersonalValue::Field(value) => f.write_str(value),
            PersonalValue::Joined(first, second) => {
                f.write_str(first)?;
                f.write_str(second)
            }
        }
    }
}
