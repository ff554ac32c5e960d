// Nor can a SECONDUSE request or its builder be put together by hand, skipping the reference.
use innovis_client::{HouseNumber, SecondUseRequest};

fn main() {
    let _request = SecondUseRequest {
        house_number: HouseNumber::new("7001000009", "EU0777").unwrap(),
    };
}
