//! Parameter sweeps: designs, plans of (point, replication) jobs, the
//! tables a sweep writes, and the durable ledger that makes a sweep
//! resumable after a crash.

pub mod design;
mod joe_kuo;
pub mod ledger;
pub mod plan;
pub mod tables;
