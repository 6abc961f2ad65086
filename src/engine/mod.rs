//! Running the model: one replication as a pure function, the seeding of
//! its random streams, and batches of runs in parallel with results in
//! job order.

pub mod batch;
pub mod overlay;
pub mod prepare;
pub mod replication;
pub mod seeding;

pub use prepare::{
    Contested, Prepared, contested_variants, judge_on_first, observe_for, overruled_switches,
    prepare, prepare_all, prepare_as, same_inputs,
};
pub use replication::{Observe, RunRecord, run_replication};
