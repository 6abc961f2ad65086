//! Analysis of runs: targets (observed patterns with tolerances), the
//! statistics over replications that the verdict tables report, and PRIM
//! (with its `--where` condition language) for scenario discovery.

pub mod expr;
pub mod prim;
pub mod stats;
pub mod targets;
pub mod verdict;

pub use targets::{TargetResult, Targets};
