//! One module per page.

pub mod home;
pub mod latency;
pub mod not_found;
pub mod playground;
pub mod types;
