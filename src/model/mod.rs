//! The market model described in docs/ODD.md: agents, state and submodels. No I/O here.
//!
//! - [`world`]: the compiled, fixed world (parameters, exogenous paths);
//! - [`state`]: what changes during a run;
//! - [`schedule`]: one quarter, in the order of docs/ODD.md section 3;
//! - submodels: [`threat`], [`budget`], [`tender`] (needs, offers, choice,
//!   lot splitting, financing), [`choice`], [`production`], [`beliefs`],
//!   [`investment`].

pub mod beliefs;
pub mod budget;
pub mod choice;
pub mod draws;
pub mod fleet;
pub mod invariants;
pub mod investment;
pub mod mechanisms;
pub mod production;
pub mod schedule;
pub mod stage;
pub mod state;
pub mod tender;
#[cfg(test)]
pub(crate) mod testkit;
pub mod threat;
pub mod time;
pub mod world;

pub use draws::Draws;
pub use schedule::Observer;
pub use state::{Contract, State};
pub use time::Quarter;
pub use world::World;
