//! Calendar quarters (defined with the scenario format, which parses them).

pub use crate::scenario::quarter::{Quarter, QuarterParseError};
