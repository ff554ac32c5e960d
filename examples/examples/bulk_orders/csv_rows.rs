//! Reading a CSV of addresses into order items, reporting every unusable row with its line number
//! (the tests in `examples/tests/it/bulk_orders.rs` show each rule at work).
//!
//! Columns (header names, any order, any case): `address` (required), `unit`, `city`, `state`,
//! `zipcode` (or `zip`), `customer_item_id`. A row needs an address and a location: a zipcode, or a
//! city and state together, or all three.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use housecanary_partner::orders::{Location, OrderItem};

/// One usable row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressRow {
    /// The line it starts on (the header is line 1).
    pub line: u64,
    /// Street address.
    pub address: String,
    /// Unit, if any.
    pub unit: Option<String>,
    /// Zipcode and/or city and state.
    pub location: Location,
    /// The row's `customer_item_id`, or `line-{line}` when the column is empty, so every item can
    /// be traced back to its line (and export file names stay unique).
    pub customer_item_id: String,
}

impl AddressRow {
    /// The order item for this row. Its builder takes the location whole, so a row that made a
    /// [`Location`] always makes an item.
    pub fn to_item(&self) -> OrderItem {
        let builder = OrderItem::builder(&self.address, self.location.clone())
            .customer_item_id(self.customer_item_id.clone());
        match &self.unit {
            Some(unit) => builder.unit(unit.clone()).build(),
            None => builder.build(),
        }
    }
}

/// A row that cannot be ordered, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// The line it starts on (the header is line 1).
    pub line: u64,
    /// What is wrong (several problems are joined with `; `).
    pub problem: String,
}

/// The usable rows and the bad ones, each in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedRows {
    /// Rows that become order items.
    pub rows: Vec<AddressRow>,
    /// Rows that do not.
    pub bad: Vec<BadRow>,
}

/// Column positions found in the header.
struct Columns {
    address: usize,
    unit: Option<usize>,
    city: Option<usize>,
    state: Option<usize>,
    zipcode: Option<usize>,
    customer_item_id: Option<usize>,
    width: usize,
}

/// Parses CSV text. Only a file that cannot be read as CSV at all, or whose header has no `address`
/// column, is an error; every unusable row is listed in [`ParsedRows::bad`] with its line.
pub fn parse_csv(reader: impl Read) -> Result<ParsedRows, String> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers = csv
        .headers()
        .map_err(|err| format!("cannot read the header line: {err}"))?
        .clone();
    let columns = columns(&headers)?;
    let mut parsed = ParsedRows::default();
    let mut seen_ids: HashMap<String, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line_hint = csv.position().line();
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record
                    .position()
                    .map_or(line_hint, |position| position.line());
                match row(&record, &columns, line, &mut seen_ids) {
                    Ok(row) => parsed.rows.push(row),
                    Err(problem) => parsed.bad.push(BadRow { line, problem }),
                }
            }
            // A record the CSV reader cannot decode (e.g. invalid UTF-8) is a bad row, not the end.
            Err(err) => {
                let line = err.position().map_or(line_hint, |position| position.line());
                parsed.bad.push(BadRow {
                    line,
                    problem: format!("unreadable CSV record ({})", err.kind_summary()),
                });
                if matches!(err.kind(), csv::ErrorKind::Io(_)) {
                    return Err(format!("read failed at line {line}: {err}"));
                }
            }
        }
    }
    Ok(parsed)
}

/// Reads and parses the CSV file at `path` (see [`parse_csv`]).
pub fn read_csv(path: &Path) -> Result<ParsedRows, String> {
    let file = std::fs::File::open(path)
        .map_err(|error| format!("opening {}: {error}", path.display()))?;
    parse_csv(std::io::BufReader::new(file))
        .map_err(|message| format!("{}: {message}", path.display()))
}

fn columns(headers: &csv::StringRecord) -> Result<Columns, String> {
    let find = |names: &[&str]| {
        headers.iter().position(|header| {
            names
                .iter()
                .any(|name| header.trim().eq_ignore_ascii_case(name))
        })
    };
    Ok(Columns {
        address: find(&["address"]).ok_or("the header has no `address` column")?,
        unit: find(&["unit"]),
        city: find(&["city"]),
        state: find(&["state"]),
        zipcode: find(&["zipcode", "zip"]),
        customer_item_id: find(&["customer_item_id"]),
        width: headers.len(),
    })
}

fn row(
    record: &csv::StringRecord,
    columns: &Columns,
    line: u64,
    seen_ids: &mut HashMap<String, u64>,
) -> Result<AddressRow, String> {
    if record.len() != columns.width {
        return Err(format!(
            "expected {} fields, found {}",
            columns.width,
            record.len()
        ));
    }
    let field = |index: Option<usize>| {
        index
            .and_then(|index| record.get(index))
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    let address = field(Some(columns.address));
    let (city, state, zipcode) = (
        field(columns.city),
        field(columns.state),
        field(columns.zipcode),
    );
    let mut problems = Vec::new();
    if address.is_none() {
        problems.push("missing address".to_owned());
    }
    match (&city, &state) {
        (Some(_), None) => problems.push("city without state".to_owned()),
        (None, Some(_)) => problems.push("state without city".to_owned()),
        _ => {}
    }
    if let Some(state) = &state {
        if state.len() != 2 || !state.chars().all(|c| c.is_ascii_alphabetic()) {
            problems.push("state is not a 2-letter code".to_owned());
        }
    }
    if let Some(zipcode) = &zipcode {
        if !valid_zipcode(zipcode) {
            problems.push("zipcode is not 5 digits or ZIP+4".to_owned());
        }
    }
    if zipcode.is_none() && city.is_none() && state.is_none() {
        problems.push("no zipcode and no city/state".to_owned());
    }
    let customer_item_id =
        field(columns.customer_item_id).unwrap_or_else(|| format!("line-{line}"));
    if let Some(first) = seen_ids.get(&customer_item_id) {
        problems.push(format!("customer_item_id repeats the one on line {first}"));
    }
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    seen_ids.insert(customer_item_id.clone(), line);
    let location = match (city, state, zipcode) {
        (Some(city), Some(state), Some(zipcode)) => Location::full(city, state, zipcode),
        (Some(city), Some(state), None) => Location::city_state(city, state),
        (_, _, Some(zipcode)) => Location::zipcode(zipcode),
        _ => return Err("no zipcode and no city/state".to_owned()),
    };
    Ok(AddressRow {
        line,
        address: address.unwrap_or_default(),
        unit: field(columns.unit),
        location,
        customer_item_id,
    })
}

/// `12345` or `12345-6789`.
fn valid_zipcode(zipcode: &str) -> bool {
    let digits =
        |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_digit());
    match zipcode.split_once('-') {
        Some((five, four)) => digits(five, 5) && digits(four, 4),
        None => digits(zipcode, 5),
    }
}

/// A short name for a CSV error kind, without the record's content.
trait KindSummary {
    fn kind_summary(&self) -> &'static str;
}

impl KindSummary for csv::Error {
    fn kind_summary(&self) -> &'static str {
        match self.kind() {
            csv::ErrorKind::Utf8 { .. } => "not valid UTF-8",
            csv::ErrorKind::UnequalLengths { .. } => "wrong number of fields",
            csv::ErrorKind::Io(_) => "read error",
            _ => "malformed record",
        }
    }
}
