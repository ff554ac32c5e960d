use housecanary_partner::orders::{Location, OrderItem};

fn main() {
    let _item = OrderItem::builder("500 W 2nd St", Location::city_state("Austin")).build();
}
