//! Every integration test of `housecanary-partner`, in one binary (one link of the HTTP stack
//! instead of one per file). Modules that need a feature say so in their first line; what several
//! modules share is in `support`.

mod support;

mod against_sandbox;
mod callouts_axum_receiver;
mod callouts_dead_letters;
mod callouts_durable;
mod callouts_inbox;
mod callouts_messages;
mod callouts_proptest;
mod callouts_receiver_handle;
mod callouts_slow_senders;
mod callouts_verify;
mod client_redaction;
mod client_retry;
mod compile_fail;
mod config_from_env;
mod error_texts;
mod export_archive;
mod export_names;
mod exports_api;
mod exports_download;
mod logs_redaction;
mod orders_create;
mod orders_read;
mod pagination;
mod seed_fidelity;
mod transport_rules;
