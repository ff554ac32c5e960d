use housecanary_partner::orders::OrderItem;

fn main() {
    let _item = OrderItem::builder("500 W 2nd St").unit("4B").build();
}
