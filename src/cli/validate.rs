//! `armsmarket validate FILE...`: load, resolve and check scenarios.

use crate::cli::CliError;
use crate::model::World;
use crate::scenario::{self, Located, ScenarioError};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Override a value: `--set suppliers.hanwha.lines.k9.capacity=20`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// Load and compile a scenario, turning a compile failure (a gap in
/// validation) into a located error at the file's start.
pub fn load_world(
    path: &std::path::Path,
    sets: &[String],
) -> Result<(scenario::Loaded, World), ScenarioError> {
    let loaded = scenario::load(path, sets)?;
    let world = World::from_scenario(&loaded.scenario)
        .map_err(|e| ScenarioError::new(Located::new(path.display().to_string(), 1, 1, e.0)))?;
    Ok((loaded, world))
}

/// Validate every file; report every error; say `ok` for the good ones.
pub fn validate(a: &ValidateArgs) -> Result<(), CliError> {
    let mut errors: Vec<Located> = Vec::new();
    for f in &a.files {
        match load_world(f, &a.set) {
            Ok((loaded, world)) => println!(
                "{}: ok ({}: {} buyers, {} suppliers, {} product lines, {} quarters)",
                f.display(),
                loaded.name,
                world.buyers.len(),
                world.suppliers.len(),
                world.lines.len(),
                world.n_quarters
            ),
            Err(e) => errors.extend(e.into_errors()),
        }
    }
    match ScenarioError::from_all(errors) {
        None => Ok(()),
        Some(e) => Err(e.into()),
    }
}
