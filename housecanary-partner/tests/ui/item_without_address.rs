use housecanary_partner::orders::{Location, OrderItem};

fn main() {
    let _item = OrderItem::builder(Location::zipcode("78701")).build();
}
