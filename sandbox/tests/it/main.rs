//! The sandbox's integration tests, in one test binary: both simulators over raw HTTP, fault
//! knobs, malformed requests, callout redelivery and the standalone binary.

mod support;

mod binary;
mod faults;
mod housecanary;
mod innovis;
mod malformed;
mod redelivery;
