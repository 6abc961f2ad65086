//! Analysis of runs: targets (observed patterns with tolerances), the
//! statistics over replications that the verdict tables report, and
//! scenario discovery over a sweep (PRIM, with its `--where` language).

pub mod abc;
pub mod discover;
pub mod expr;
pub mod prim;
pub mod sensitivity;
pub mod stats;
pub mod targets;
pub mod verdict;

pub use targets::{TargetResult, Targets};
