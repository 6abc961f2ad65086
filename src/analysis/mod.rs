//! Analysis of runs: targets (observed patterns with tolerances) and the
//! statistics over replications that the verdict tables report.

pub mod abc;
pub mod sensitivity;
pub mod stats;
pub mod targets;
pub mod verdict;

pub use targets::{TargetResult, Targets};
