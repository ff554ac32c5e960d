//! Export archives of `valueReport` orders, named as the vendor documents:
//! `HC_{slug(order name)}_{order date}.{fmt}` holding `{prefix}_OrderItem.json` (unless
//! `exclude_json`) and `{prefix}_ValueReport.pdf` per item, where `prefix` is
//! `{customer_item_id | slug(address)[-{unit}]}_{item date}`.

use std::collections::HashSet;
use std::io::Write;

use jiff::civil::Date;
use serde_json::Value;
use zip::write::SimpleFileOptions;

use super::slug::slugify;
use super::store::{Item, Order, status};

/// `HC_{slug(name)}_{completion date, else today}.{fmt}`.
pub(crate) fn order_download_name(order: &Order, format: &str, today: Date) -> String {
    let date = order.completed_date.unwrap_or(today);
    format!("HC_{}_{date}.{format}", slugify(&order.name))
}

/// The item label: `customer_item_id` when set, else the slugged address with `-{unit}`.
fn item_label(item: &Item) -> String {
    if let Some(id) = item.customer_item_id.as_deref().filter(|id| !id.is_empty()) {
        return id.to_owned();
    }
    let mut label = slugify(&item.address);
    if let Some(unit) = item.unit.as_deref().filter(|unit| !unit.is_empty()) {
        label.push('-');
        label.push_str(unit);
    }
    label
}

/// The item's date in file names: its completion date, else the order's delivery date, else today.
fn item_date(order: &Order, item: &Item, today: Date) -> Date {
    item.completion_date
        .or(order.completed_date)
        .unwrap_or(today)
}

/// `{label}_{item date}`.
pub(crate) fn item_file_prefix(order: &Order, item: &Item, today: Date) -> String {
    format!("{}_{}", item_label(item), item_date(order, item, today))
}

/// Builds the zip archive: every item not cancelled gets its JSON (unless `exclude_json`), and
/// every complete item its PDF. Two items with the same prefix (the vendor's behaviour is
/// UNKNOWN) are told apart by appending `-{item id}` to the later one's label.
pub(crate) fn build(
    order: &Order,
    exclude_json: bool,
    today: Date,
    item_json: impl Fn(&Item) -> Value,
    item_pdf: impl Fn(&Item) -> Vec<u8>,
) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut seen = HashSet::new();
    for item in order
        .items
        .iter()
        .filter(|item| item.status != status::CANCELLED)
    {
        let mut prefix = item_file_prefix(order, item, today);
        if !seen.insert(prefix.clone()) {
            let date = item_date(order, item, today);
            prefix = format!("{}-{}_{date}", item_label(item), item.id);
            seen.insert(prefix.clone());
        }
        if !exclude_json {
            writer.start_file(format!("{prefix}_OrderItem.json"), options)?;
            let json = serde_json::to_vec_pretty(&item_json(item)).unwrap_or_default();
            writer.write_all(&json)?;
        }
        if item.status == status::COMPLETE {
            writer.start_file(format!("{prefix}_ValueReport.pdf"), options)?;
            writer.write_all(&item_pdf(item))?;
        }
    }
    Ok(writer.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(address: &str, unit: Option<&str>, customer_item_id: Option<&str>) -> Item {
        Item {
            id: 7,
            address: address.to_owned(),
            unit: unit.map(str::to_owned),
            city: None,
            state: None,
            zipcode: Some("94103".to_owned()),
            customer_item_id: customer_item_id.map(str::to_owned),
            external_integration_id: None,
            status: status::COMPLETE,
            completion_date: None,
            estimated_value: None,
            validation_errors: Vec::new(),
        }
    }

    fn order(completed: Option<Date>) -> Order {
        Order {
            id: 1,
            name: "Q3 Portfolio — Réview".to_owned(),
            order_type: "valueReport".to_owned(),
            customer_order_id: None,
            owner: None,
            status: status::COMPLETE,
            created: jiff::Timestamp::UNIX_EPOCH,
            completed_date: completed,
            extra: serde_json::Map::new(),
            items: Vec::new(),
        }
    }

    #[test]
    fn names_follow_the_documented_fallbacks() {
        let today = jiff::civil::date(2024, 3, 10);
        let done = jiff::civil::date(2024, 3, 9);
        assert_eq!(
            order_download_name(&order(None), "zip", today),
            "HC_q3-portfolio-review_2024-03-10.zip"
        );
        assert_eq!(
            order_download_name(&order(Some(done)), "zip", today),
            "HC_q3-portfolio-review_2024-03-09.zip"
        );
        let mut with_unit = item("123 Main St.", Some("4B"), None);
        assert_eq!(
            item_file_prefix(&order(Some(done)), &with_unit, today),
            "123-main-st-4B_2024-03-09"
        );
        with_unit.completion_date = Some(jiff::civil::date(2024, 3, 8));
        assert_eq!(
            item_file_prefix(&order(Some(done)), &with_unit, today),
            "123-main-st-4B_2024-03-08"
        );
        let custom = item("123 Main St.", Some("4B"), Some("LOAN-42"));
        assert_eq!(
            item_file_prefix(&order(None), &custom, today),
            "LOAN-42_2024-03-10"
        );
    }
}
