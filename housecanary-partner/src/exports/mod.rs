//! Export requests: ask for an order's archive, wait for it, download it.
//!
//! ```no_run
//! use housecanary_partner::exports::{ExportFormat, WaitOptions};
//! # async fn run(client: housecanary_partner::Client) -> Result<(), housecanary_partner::Error> {
//! let export = client.create_export(42_u64, ExportFormat::Zip, false).await?;
//! let done = client.wait_for_export(42_u64, &export.id, WaitOptions::default()).await?;
//! client.download_export_to_file(&done, "order-42.zip").await?;
//! # Ok(()) }
//! ```

mod api;
mod download;
mod model;
mod wait;

pub use model::{ExportFormat, ExportRequest};
pub use wait::WaitOptions;
