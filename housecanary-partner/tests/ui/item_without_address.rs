use housecanary_partner::orders::OrderItem;

fn main() {
    let _item = OrderItem::builder().zipcode("78701").build();
}
