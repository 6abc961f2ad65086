//! `armsmarket calibrate FILE`: ABC-SMC calibration and model choice (the
//! work is [`crate::calibrate`]'s).

use crate::calibrate::{Options, calibrate as run_calibration};
use crate::cli::CliError;
use crate::cli::term::{Progress, control, pool};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// A scenario file with a `[calibrate]` table (usually with `base = ...`
    /// or `models`).
    pub file: PathBuf,
    /// Output folder; the result goes to DIR/<name>/, replacing the
    /// previous one whole when it is complete.
    #[arg(long, default_value = "outputs", value_name = "DIR")]
    pub out: PathBuf,
    /// Worker threads [default: one per core]; the bytes written do not
    /// depend on it.
    #[arg(long, short = 't', default_value_t = 0, hide_default_value = true)]
    pub threads: usize,
    /// Continue an interrupted calibration from its last completed
    /// generation (saved in DIR/.<name>.partial/).
    #[arg(long)]
    pub resume: bool,
    /// No line per generation and no summary line (errors and warnings
    /// still show).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `armsmarket calibrate`.
pub fn calibrate(a: &CalibrateArgs) -> Result<(), CliError> {
    let options = Options {
        file: a.file.clone(),
        out: a.out.clone(),
        resume: a.resume,
        threads: a.threads,
    };
    let pool = pool(a.threads)?;
    // Only the stop flag is used: progress is a line per generation.
    let progress = Progress::new(true);
    let stop = control(&progress).stop;
    let quiet = a.quiet;
    let say = |m: &str| {
        if !quiet {
            eprintln!("calibrate: {m}");
        }
    };
    let report = run_calibration(&options, &pool, stop, &say)?;
    if !quiet {
        eprintln!(
            "{}: {} generations ({:?}), {} proposals, {} simulations run, {:.1} s -> {}",
            report.name,
            report.generations,
            report.stop,
            report.proposals,
            report.simulations_run,
            report.wall.as_secs_f64(),
            report.dir.display()
        );
    }
    Ok(())
}
