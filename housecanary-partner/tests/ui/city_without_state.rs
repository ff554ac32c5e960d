use housecanary_partner::orders::OrderItem;

fn main() {
    let _item = OrderItem::builder().address("500 W 2nd St").city_state("Austin").build();
}
