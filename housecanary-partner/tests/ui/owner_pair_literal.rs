use housecanary_partner::OwnerPair;

fn main() {
    let _owner = OwnerPair { owner_id: 5531_u64.into() };
}
