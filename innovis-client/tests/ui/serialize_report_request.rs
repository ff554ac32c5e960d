// A report request holds SSNs, dates of birth and names: it is not `Serialize`, so it cannot be written to a
// log, a queue or a file by accident. The client builds the wire body inside the crate.
use innovis_client::{Applicant, PermissiblePurpose, ProductCode, ReportRequest};

fn main() {
    let request = ReportRequest::builder(ProductCode::CR)
        .house_number("7001000001", "EU0042")
        .permissible_purpose(PermissiblePurpose::new("17").unwrap())
        .applicant(Applicant::new())
        .build()
        .unwrap();
    let _json = serde_json::to_string(&request);
}
