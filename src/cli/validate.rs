//! `armsmarket validate FILE...`: load, resolve and check scenarios.

use crate::cli::CliError;
use crate::engine::prepare;
use crate::scenario::{Located, ScenarioError};
use crate::sweep::SweepError;
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

/// Validate every file; report every error; say `ok` for the good ones.
pub fn validate(a: &ValidateArgs) -> Result<(), CliError> {
    let mut errors: Vec<Located> = Vec::new();
    let mut other: Option<CliError> = None;
    for f in &a.files {
        match prepare(f, &a.set) {
            // A sweep file is also checked as `sweep` would check it.
            Ok(p) if p.loaded.scenario.sweep.is_some() => match crate::sweep::setup::check(f) {
                Ok(desc) => println!("{}: ok ({}: {desc})", f.display(), p.loaded.name),
                Err(SweepError::Scenario(e)) => errors.extend(e.into_errors()),
                Err(e) => {
                    let e = CliError::from(e);
                    eprintln!("{}: {e}", f.display());
                    other.get_or_insert(e);
                }
            },
            // A calibration file is also checked as `calibrate` would
            // check it: its models, their targets, its priors' bounds.
            Ok(p) if p.loaded.scenario.calibrate.is_some() => {
                match crate::calibrate::Setup::load(f) {
                    Ok(s) => println!("{}: ok ({}: {})", f.display(), p.loaded.name, s.describe()),
                    Err(e) => errors.extend(e.into_errors()),
                }
            }
            Ok(p) => println!(
                "{}: ok ({}: {} buyers, {} suppliers, {} product lines, {} quarters, {} targets)",
                f.display(),
                p.loaded.name,
                p.world.buyers.len(),
                p.world.suppliers.len(),
                p.world.lines.len(),
                p.world.n_quarters,
                p.targets.list.len()
            ),
            Err(e) => errors.extend(e.into_errors()),
        }
    }
    match (ScenarioError::from_all(errors), other) {
        (Some(e), _) => Err(e.into()),
        (None, Some(e)) => Err(e),
        (None, None) => Ok(()),
    }
}
