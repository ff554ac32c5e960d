//! Field and length rules of a gateway request, from the vendor's attribute table.
//!
//! Error texts name the field and the rule, never the value (values may be PII).

use serde_json::{Map, Value};

/// The most applicants one request may carry (`1A` … `9A`).
const MAX_APPLICANTS: usize = 9;

/// A gateway request that passed the field rules.
pub(crate) struct GatewayRequest {
    pub(crate) customer_id: String,
    pub(crate) end_user_code: String,
    pub(crate) product_code: String,
    pub(crate) permissible_purpose_code: String,
    pub(crate) software_provider_id: String,
    pub(crate) customer_trace_number: Option<String>,
    pub(crate) access_method: Option<String>,
    pub(crate) original_inquiry_date: Option<String>,
    pub(crate) report_reference_number: Option<String>,
    pub(crate) applicants: Vec<Applicant>,
}

/// The parts of an applicant the sandbox acts on.
pub(crate) struct Applicant {
    pub(crate) applicant_id: String,
    pub(crate) ssn: Option<String>,
    pub(crate) consumer_id: Option<String>,
}

pub(crate) fn parse(body: &[u8]) -> Result<GatewayRequest, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        format!(
            "request body is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    let Value::Object(object) = value else {
        return Err("request body must be a JSON object".to_owned());
    };
    let product_code = required(&object, "productCode", 10)?;
    let second_use = product_code == "SECONDUSE";
    let request = GatewayRequest {
        customer_id: required(&object, "customerId", 16)?,
        end_user_code: required(&object, "endUserCode", 16)?,
        permissible_purpose_code: required(&object, "permissiblePurposeCode", 2)?,
        software_provider_id: required(&object, "softwareProviderId", 4)?,
        customer_trace_number: optional(&object, "customerTraceNumber", 30)?,
        access_method: optional(&object, "accessMethod", 2)?.filter(|method| !method.is_empty()),
        original_inquiry_date: optional(&object, "originalInquiryDate", 19)?,
        report_reference_number: optional(&object, "reportReferenceNumber", 30)?,
        applicants: applicants(&object, second_use)?,
        product_code,
    };
    optional(&object, "endUser", 30)?;
    Ok(request)
}

fn applicants(object: &Map<String, Value>, second_use: bool) -> Result<Vec<Applicant>, String> {
    let list = match object.get("applicants") {
        None | Some(Value::Null) => return Err("applicants is required".to_owned()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err("applicants must be an array".to_owned()),
    };
    if list.is_empty() {
        return Err("applicants must hold at least one applicant".to_owned());
    }
    if list.len() > MAX_APPLICANTS {
        return Err(format!(
            "applicants holds more than {MAX_APPLICANTS} applicants"
        ));
    }
    list.iter()
        .enumerate()
        .map(|(index, value)| applicant(index, value, second_use))
        .collect()
}

fn applicant(index: usize, value: &Value, second_use: bool) -> Result<Applicant, String> {
    let at = |field: &str| format!("applicants[{index}].{field}");
    let Value::Object(object) = value else {
        return Err(format!("applicants[{index}] must be an object"));
    };
    let expected_id = format!("{}A", index + 1);
    let applicant_id =
        optional(object, "applicantId", 2).map_err(|e| format!("applicants[{index}].{e}"))?;
    if second_use {
        let consumer_id = optional(object, "consumerId", 16)
            .map_err(|e| format!("applicants[{index}].{e}"))?
            .filter(|id| !id.is_empty());
        if index == 0 && consumer_id.is_none() {
            return Err(format!("{} is required for SECONDUSE", at("consumerId")));
        }
        return Ok(Applicant {
            applicant_id: applicant_id.unwrap_or(expected_id),
            ssn: None,
            consumer_id,
        });
    }
    let applicant_id = applicant_id.ok_or_else(|| format!("{} is required", at("applicantId")))?;
    if applicant_id != expected_id {
        return Err(format!(
            "{} must be {expected_id} (applicants are numbered in order)",
            at("applicantId")
        ));
    }
    names(object).map_err(|e| format!("applicants[{index}].{e}"))?;
    let ssn = optional(object, "ssn", 9)
        .map_err(|e| format!("applicants[{index}].{e}"))?
        .ok_or_else(|| format!("{} is required", at("ssn")))?;
    if ssn.len() != 9 || !ssn.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{} must be exactly 9 digits without dashes",
            at("ssn")
        ));
    }
    if let Some(dob) =
        optional(object, "dob", 10).map_err(|e| format!("applicants[{index}].{e}"))?
    {
        let date: jiff::civil::Date = dob
            .parse()
            .map_err(|_| format!("{} must be a date YYYY-MM-DD", at("dob")))?;
        if date > jiff::ZonedDateTime::now().date() {
            return Err(format!("{} must not be in the future", at("dob")));
        }
    }
    for (field, max) in [
        ("emailAddress", 80),
        ("consumerAccessCode", 10),
        ("consumerId", 16),
        ("ipAddress", 45),
    ] {
        optional(object, field, max).map_err(|e| format!("applicants[{index}].{e}"))?;
    }
    if let Some(ip) =
        optional(object, "ipAddress", 45).map_err(|e| format!("applicants[{index}].{e}"))?
    {
        ip.parse::<std::net::IpAddr>()
            .map_err(|_| format!("{} must be an IPv4 or IPv6 address", at("ipAddress")))?;
    }
    string_lists(object, "phones", &["phoneNumber"])
        .map_err(|e| format!("applicants[{index}].{e}"))?;
    string_lists(
        object,
        "addresses",
        &["addressIdentifier", "line1", "city", "state", "zip"],
    )
    .map_err(|e| format!("applicants[{index}].{e}"))?;
    Ok(Applicant {
        applicant_id,
        ssn: Some(ssn),
        consumer_id: None,
    })
}

/// At least one name with a first and a last name.
fn names(object: &Map<String, Value>) -> Result<(), String> {
    let Some(Value::Array(names)) = object.get("names") else {
        return Err("names is required (an array of {first, last})".to_owned());
    };
    if names.is_empty() {
        return Err("names must hold at least one name".to_owned());
    }
    for (index, name) in names.iter().enumerate() {
        let Value::Object(name) = name else {
            return Err(format!("names[{index}] must be an object"));
        };
        for part in ["first", "last"] {
            let present = optional(name, part, usize::MAX)
                .map_err(|e| format!("names[{index}].{e}"))?
                .is_some_and(|text| !text.trim().is_empty());
            if !present {
                return Err(format!("names[{index}].{part} is required"));
            }
        }
    }
    Ok(())
}

/// An optional array of objects whose listed fields, when present, are strings.
fn string_lists(object: &Map<String, Value>, name: &str, fields: &[&str]) -> Result<(), String> {
    let list = match object.get(name) {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(format!("{name} must be an array")),
    };
    for (index, entry) in list.iter().enumerate() {
        let Value::Object(entry) = entry else {
            return Err(format!("{name}[{index}] must be an object"));
        };
        for field in fields {
            optional(entry, field, usize::MAX).map_err(|e| format!("{name}[{index}].{e}"))?;
        }
    }
    Ok(())
}

fn required(object: &Map<String, Value>, name: &str, max: usize) -> Result<String, String> {
    optional(object, name, max)?
        .filter(|text| !text.is_empty())
        .ok_or_else(|| format!("{name} is required"))
}

/// A string field of at most `max` characters; `null` counts as absent.
fn optional(object: &Map<String, Value>, name: &str, max: usize) -> Result<Option<String>, String> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.chars().count() > max => Err(format!(
            "{name} exceeds its maximum length of {max} characters"
        )),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(format!("{name} must be a string")),
    }
}
