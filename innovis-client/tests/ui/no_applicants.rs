// A report request without an applicant has no `build`.
use innovis_client::{PermissiblePurpose, ProductCode, ReportRequest};

fn main() {
    let _request = ReportRequest::builder(ProductCode::CR)
        .house_number("7001000001", "EU0042")
        .permissible_purpose(PermissiblePurpose::new("17").unwrap())
        .build();
}
