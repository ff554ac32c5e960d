// A House Number is a customerId and an endUserCode given together: the setter takes both.
use innovis_client::{Applicant, PermissiblePurpose, ProductCode, ReportRequest};

fn main() {
    let _request = ReportRequest::builder(ProductCode::CR)
        .house_number("7001000001")
        .permissible_purpose(PermissiblePurpose::new("17").unwrap())
        .applicant(Applicant::new())
        .build();
}
