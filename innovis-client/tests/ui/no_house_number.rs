// A report request without a House Number has no `build`.
use innovis_client::{Applicant, PermissiblePurpose, ProductCode, ReportRequest};

fn main() {
    let _request = ReportRequest::builder(ProductCode::CR)
        .permissible_purpose(PermissiblePurpose::new("17").unwrap())
        .applicant(Applicant::new())
        .build();
}
