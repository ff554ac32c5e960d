use housecanary_partner::orders::ValueReportOrder;

fn main() {
    let _order = ValueReportOrder::builder("March portfolio").customer_order_id("po-12").build();
}
