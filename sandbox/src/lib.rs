//! Offline simulators of the Innovis Gateway and the HouseCanary Order Manager Partner API.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
