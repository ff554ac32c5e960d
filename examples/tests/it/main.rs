//! The examples' one integration-test binary. Each module includes an example file with `#[path]`
//! and calls the `run` its `main` calls, against the embedded sandbox on fast clocks; `settings`
//! checks how the environment chooses between the sandbox and the vendors.

mod bulk_orders;
mod callout_receiver;
mod credit_report;
mod inquiry_audit;
mod quickstart;
mod quickstart_failure;
mod reference_service;
mod second_use;
mod settings;
mod support;
mod value_report_order;
