//! Bulk ordering from a CSV of addresses: reading it with line-numbered problems ([`rows`](mod@rows)),
//! splitting it into orders ([`batches`](mod@batches)), and the whole flow ([`run`](mod@run)).

pub mod batches;
pub mod rows;
pub mod run;

pub use batches::{batch_order_name, batches};
pub use rows::{AddressRow, BadRow, ParsedRows, parse_csv, read_csv};
pub use run::{BatchResult, BulkOptions, BulkReport, run_bulk};
