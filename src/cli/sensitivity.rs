//! `armsmarket sensitivity SWEEP_DIR`: Sobol' or Morris indices of a
//! finished saltelli or morris sweep, written to `sensitivity.csv`, with
//! the top parameters per metric printed.

use crate::cli::term::note;
use crate::cli::{CliError, term};
use crate::output::publish::ResultLock;
use crate::sweep::sensitivity::{DEFAULT_RESAMPLES, Options, SensitivityError, analyse};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// The result folder of a finished (or merged) saltelli or morris sweep.
    pub dir: PathBuf,
    /// Seed of the bootstrap (default: the sweep's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Bootstrap resamples (2 to 100,000).
    #[arg(long, default_value_t = DEFAULT_RESAMPLES, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(2..=100_000))]
    pub resamples: usize,
    /// Where to write the table (default: DIR/sensitivity.csv).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Parameters shown per metric.
    #[arg(long, value_parser = crate::cli::term::at_least_one, default_value_t = 3)]
    pub top: usize,
    /// No table and no closing line, only the file.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `armsmarket sensitivity`.
pub fn sensitivity(a: &SensitivityArgs) -> Result<(), CliError> {
    let options = Options {
        seed: a.seed,
        resamples: a.resamples,
        out: a.out.clone(),
        stop: Some(term::interrupted()),
    };
    // A sweep stopped before it finished: its work is beside the folder,
    // and the command that finishes it is the fix.
    if !a.dir.exists()
        && let Some(why) = crate::cli::unfinished::unfinished(&a.dir)
    {
        return Err(CliError::Usage(format!("{}: {why}", a.dir.display())));
    }
    // The sweep is held while it is read and sensitivity.csv written:
    // replaced meanwhile, its tables could be read half from each sweep,
    // or the indices of the old one written into the new.
    let _held = ResultLock::hold(&a.dir)?;
    let report = analyse(&a.dir, &options).map_err(|e: SensitivityError| {
        if matches!(e, SensitivityError::Stopped) {
            CliError::Interrupted(e.to_string())
        } else if e.is_usage() {
            CliError::Usage(e.to_string())
        } else {
            CliError::Io {
                context: "sensitivity".into(),
                source: std::io::Error::other(e.to_string()),
            }
        }
    })?;
    if !a.quiet {
        term::print_out(&report.table(a.top))?;
        note!("wrote {}", report.file.display());
    }
    Ok(())
}
