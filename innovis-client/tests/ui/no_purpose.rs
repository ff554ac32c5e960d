// A report request without a permissible purpose has no `build`.
use innovis_client::{Applicant, ProductCode, ReportRequest};

fn main() {
    let _request = ReportRequest::builder(ProductCode::CR)
        .house_number("7001000001", "EU0042")
        .applicant(Applicant::new())
        .build();
}
