// Neither are the personal values a request is made of.
use innovis_client::Applicant;
use innovis_client::pii::Ssn;

fn main() {
    let ssn = Ssn::new("123-45-6789").unwrap();
    let _json = serde_json::to_string(&ssn);
    let _json = serde_json::to_string(&Applicant::new());
}
