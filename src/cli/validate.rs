//! `armsmarket validate FILE...`: load, resolve and check scenarios.

use crate::cli::CliError;
use crate::cli::term::note;
use crate::cli::term::{interrupted, print_out};
use crate::engine::prepare;
use crate::output::report::count;
use crate::scenario::{Located, ScenarioError};
use crate::sweep::SweepError;
use clap::Args;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

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
/// Ctrl-C (or SIGTERM) stops it before the next file, or within a sweep's
/// check of its points: the errors found so far are reported, and the exit
/// code is 130.
pub fn validate(a: &ValidateArgs) -> Result<(), CliError> {
    // Each problem with the file it was found in (see
    // `ScenarioError::from_files`).
    let mut errors: Vec<(String, Located)> = Vec::new();
    let mut other: Option<CliError> = None;
    // A stdout that cannot be written (closed by `| head`, or full) stops
    // the `ok` lines, not the checking: every file's errors still decide
    // the exit code, and go to stderr.
    let mut unwritten: Option<CliError> = None;
    let mut fail = |e: CliError, f: &std::path::Path| {
        note!("{}: {e}", f.display());
        other.get_or_insert(e);
    };
    // Stopped at the `i`-th file `f`, before its check was done.
    let files = &a.files;
    let stopped = |errors: Vec<(String, Located)>, i: usize, f: &Path| {
        if let Some(e) = ScenarioError::from_files(errors, files) {
            note!("{e}");
        }
        CliError::Interrupted(format!(
            "stopped while checking {} (file {} of {})",
            f.display(),
            i + 1,
            a.files.len()
        ))
    };
    for (i, f) in a.files.iter().enumerate() {
        if interrupted().load(Ordering::Relaxed) {
            return Err(stopped(errors, i, f));
        }
        let mut ok = |what: String| {
            if unwritten.is_none()
                && let Err(e) = print_out(&format!("{}: ok ({what})\n", f.display()))
            {
                unwritten = Some(e);
            }
        };
        let file = f.display().to_string();
        let of_file = |e: ScenarioError| e.into_errors().into_iter().map(|l| (file.clone(), l));
        match prepare(f, &a.set) {
            // `sweep` and `calibrate` take no `--set`: checking a file
            // they would never run as checked would say nothing of it.
            Ok(p)
                if !a.set.is_empty()
                    && (p.loaded.scenario.sweep.is_some()
                        || p.loaded.scenario.calibrate.is_some()) =>
            {
                let command = if p.loaded.scenario.sweep.is_some() {
                    "sweep"
                } else {
                    "calibrate"
                };
                let at = p.loaded.sources.key_origin(command);
                if at.is_command_line() {
                    // The table itself came from --set: the file is no
                    // sweep or calibration to write the value into.
                    let hint =
                        crate::scenario::load::own_file_hint(command, &f.display().to_string());
                    errors.push((file.clone(), at.error(format!("--set {command}: {hint}"))));
                } else {
                    errors.push((
                        file.clone(),
                        Located::file_only(
                            file.clone(),
                            format!(
                                "--set does not apply: this file is run by `armsmarket {command}`, which takes no --set; write the value into the file (or its base scenario) and validate that"
                            ),
                        ),
                    ));
                }
            }
            // A sweep file is also checked as `sweep` would check it.
            Ok(p) if p.loaded.scenario.sweep.is_some() => {
                match crate::sweep::setup::check(f, interrupted()) {
                    Ok(desc) => ok(format!("{}: {desc}", p.loaded.name)),
                    Err(SweepError::Scenario(e)) => errors.extend(of_file(e)),
                    Err(SweepError::Stopped) => return Err(stopped(errors, i, f)),
                    Err(e) => fail(CliError::from(e), f),
                }
            }
            // A calibration file is also checked as `calibrate` would
            // check it: its models, their targets, its priors' bounds.
            Ok(p) if p.loaded.scenario.calibrate.is_some() => {
                match crate::calibrate::Setup::load(f) {
                    Ok(s) => ok(format!("{}: {}", p.loaded.name, s.describe())),
                    Err(e) => errors.extend(of_file(e)),
                }
            }
            Ok(p) => ok(format!(
                "{}: {}, {}, {}, {}, {}",
                p.loaded.name,
                count(p.world.buyers.len() as u64, "buyer"),
                count(p.world.suppliers.len() as u64, "supplier"),
                count(p.world.lines.len() as u64, "product line"),
                count(p.world.n_quarters as u64, "quarter"),
                count(p.targets.list.len() as u64, "target")
            )),
            Err(e) => errors.extend(of_file(e)),
        }
    }
    match (ScenarioError::from_files(errors, files), other) {
        (Some(e), _) => Err(e.into()),
        (None, Some(e)) => Err(e),
        (None, None) => unwritten.map_or(Ok(()), Err),
    }
}
