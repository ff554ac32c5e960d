// There is no setter for a customerId alone (nor for an endUserCode): only `.house_number(customer_id,
// end_user_code)`.
use innovis_client::{Applicant, PermissiblePurpose, ProductCode, ReportRequest};

fn main() {
    let _request = ReportRequest::builder(ProductCode::CR)
        .customer_id("7001000001")
        .permissible_purpose(PermissiblePurpose::new("17").unwrap())
        .applicant(Applicant::new())
        .build();
}
