use housecanary_partner::OwnerPair;

fn main() {
    let _owner = OwnerPair::new(1200_u64);
}
