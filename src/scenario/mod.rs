//! Scenarios: the TOML file format, loading with `base` inheritance and
//! `--set` overrides, and validation with `FILE:LINE:COL` errors.
//!
//! ```no_run
//! use armsmarket::scenario;
//! use std::path::Path;
//!
//! let loaded = scenario::load(
//!     Path::new("scenarios/toy.toml"),
//!     &["market.defer_quarters=2".to_string()],
//! )?;
//! println!("{} runs {} replications", loaded.name, loaded.scenario.replications);
//! # Ok::<(), scenario::ScenarioError>(())
//! ```

pub mod error;
pub mod keys;
pub mod load;
pub mod quarter;
pub mod schema;
pub(crate) mod shape;
pub mod validate;
pub mod vocabulary;

pub use error::{Located, ScenarioError};
pub use load::{
    Loaded, Origin, SourceEntry, SourceMap, apply_override, checked, finish, load, load_table,
    load_with, parse_set, top_table,
};
pub use quarter::Quarter;

/// A TOML integer or float as a number; `None` for any other value (a
/// name, a switch, a table), as a sweep's values are compared and checked.
pub fn toml_number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}
