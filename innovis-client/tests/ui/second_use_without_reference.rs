// A SECONDUSE request is made only from a stored ReportReference.
use innovis_client::{PermissiblePurpose, SecondUseRequest};

fn main() {
    let _request = SecondUseRequest::builder()
        .house_number("7001000009", "EU0777")
        .permissible_purpose(PermissiblePurpose::new("17").unwrap())
        .build();
}
