// A SECONDUSE request needs the second end user's House Number: without it, `build` names what is missing.
use innovis_client::{HouseNumber, PermissiblePurpose, ProductCode, ReportReference, SecondUseRequest};

fn main() {
    let reference = ReportReference::new(
        "RR0000000001",
        "C000000042",
        jiff::Timestamp::UNIX_EPOCH,
        ProductCode::CR,
        HouseNumber::new("7001000001", "EU0042").unwrap(),
    )
    .unwrap();
    let _request = SecondUseRequest::builder(reference)
        .permissible_purpose(PermissiblePurpose::new("17").unwrap())
        .build();
}
