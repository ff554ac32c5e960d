use housecanary_partner::orders::{Location, OrderItem, ValueReportOrder};

fn main() {
    let item = OrderItem::builder("1 A St", Location::zipcode("78701")).build();
    let _order = ValueReportOrder::builder(item).build();
}
