//! # armsmarket
//!
//! An agent-based simulation of the European arms market: NATO states choose
//! suppliers on price, delivery speed and reliability, interoperability,
//! industrial participation and financing, while firms invest in capacity.
//! It asks whether commercial incentives alone reproduce the 2022 surge of
//! South Korean arms sales to NATO-Europe.
//!
//! - [`scenario`]: the TOML scenario format, loading with `base` and `--set`,
//!   validation with `FILE:LINE:COL` errors;
//! - [`model`]: the market itself (no I/O): threat, budgets, tenders, offers,
//!   choice, production, beliefs, investment;
//! - [`engine`]: one replication as a pure function, seeding, batches;
//! - [`analysis`]: targets (observed patterns) and verdicts over replications;
//! - [`output`]: CSV writers and the manifest;
//! - [`sweep`]: parameter sweeps: designs, plans, durable and resumable
//!   batches of runs, shards and their merge;
//! - [`cli`]: the subcommands of the `armsmarket` binary.
//!
//! ```
//! use armsmarket::{analysis::Targets, engine, model::World, scenario};
//! let loaded = scenario::load(std::path::Path::new("scenarios/toy.toml"), &[]).unwrap();
//! let world = World::from_scenario(&loaded.scenario).unwrap();
//! let targets = Targets::compile(&loaded.scenario, &world).unwrap();
//! let run = engine::run_replication(&world, &targets, loaded.scenario.seed, 0, 0, engine::Observe::all());
//! assert!(!run.contracts.is_empty());
//! assert!(run.contracts.iter().all(|c| c.units > 0 && c.value > 0.0));
//! assert_eq!(run.targets.len(), targets.list.len());
//! ```
#![warn(missing_docs)]

pub mod analysis;
pub mod calibrate;
pub mod cli;
pub mod engine;
pub mod model;
pub mod output;
pub mod scenario;
pub mod sweep;
