//! One module per page.

pub mod home;
pub mod latency;
pub mod lesson;
pub mod lessons;
pub mod not_found;
pub mod playground;
pub mod reference;
pub mod scaling;
pub mod types;
