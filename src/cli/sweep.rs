//! `armsmarket sweep FILE`: run every (point, replication) of a design,
//! durably, resumably, sliced into shards (the work is [`crate::sweep`]'s).

use crate::cli::CliError;
use crate::cli::term::progress_bar;
use crate::engine::batch::Control;
use crate::scenario::schema::Table;
use crate::sweep::{Opening, Options, Shard, Sweep};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// A scenario file with a `[sweep]` table (or one whose `base` names
    /// the world and adds the table).
    pub file: PathBuf,
    /// Worker threads (default: one per core).
    #[arg(long, short = 't', default_value_t = 0)]
    pub threads: usize,
    /// Run slice K of N of the points (default: from SLURM_ARRAY_TASK_ID
    /// and SLURM_ARRAY_TASK_COUNT if set, else everything).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Continue an interrupted sweep in the same folder (with the tables
    /// it keeps), and retry runs that failed.
    #[arg(long)]
    pub resume: bool,
    /// Output folder; the sweep writes to DIR/<name>/ (a shard to
    /// DIR/<name>.shards/shard-K-of-N/).
    #[arg(long, default_value = "outputs")]
    pub out: PathBuf,
    /// No progress bar and no summary line.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Also keep these per-run tables (large), with a point_id column.
    #[arg(long, alias = "keep", value_delimiter = ',', value_name = "TABLE,...")]
    pub tables: Option<Vec<Table>>,
}

/// `armsmarket sweep`.
pub fn sweep(a: &SweepArgs) -> Result<(), CliError> {
    let options = Options {
        file: a.file.clone(),
        out: a.out.clone(),
        shard: a.shard,
        tables: a.tables.clone(),
        resume: a.resume,
        threads: a.threads,
    };
    let say = |m: &str| eprintln!("sweep: {m}");
    let s = match Sweep::open(&options, &say)? {
        Opening::Complete(dir) => {
            say(&format!("{} is complete; nothing to do", dir.display()));
            return Ok(());
        }
        Opening::Ready(s) => s,
    };
    let pb = progress_bar(s.to_run(), &s.setup().name, a.quiet);
    let progress = || pb.inc(1);
    let control = Control {
        progress: &progress,
        ..Control::none()
    };
    // A run that panics is recorded in runs.csv with its message; the
    // default report on stderr would only interleave with the progress bar.
    let quiet_panics = QuietPanics::install();
    let report = s.run(a.threads, control);
    drop(quiet_panics);
    let report = report?;
    pb.finish_and_clear();
    if !a.quiet {
        eprintln!(
            "{}: {} -> {}",
            report.name,
            report.described,
            report.dir.display()
        );
    }
    if report.failed > 0 {
        return Err(CliError::RunsFailed {
            failed: report.failed,
            runs: report.runs,
            runs_csv: report.dir.join("runs.csv"),
            retry: report.resume,
        });
    }
    Ok(())
}

/// Silences the panic report while alive; restores the previous hook.
struct QuietPanics;

impl QuietPanics {
    fn install() -> QuietPanics {
        std::panic::set_hook(Box::new(|_| {}));
        QuietPanics
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        let _ = std::panic::take_hook();
    }
}
