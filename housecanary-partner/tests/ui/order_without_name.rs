use housecanary_partner::orders::{OrderItem, ValueReportOrder};

fn main() {
    let item = OrderItem::builder().address("1 A St").zipcode("78701").build();
    let _order = ValueReportOrder::builder(item).build();
}
