//! `armsmarket sweep FILE`: run every (point, replication) of a design,
//! durably, resumably, sliced into shards (the work is [`crate::sweep`]'s).

use crate::cli::CliError;
use crate::cli::term::note;
use crate::cli::term::{Progress, control, interrupted, pool};
use crate::engine::batch::Completion;
use crate::output::publish::sibling;
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
    /// Worker threads, at most 1024 [default: 0, one per core]; the bytes
    /// written do not depend on it.
    #[arg(long, short = 't', default_value_t = 0, hide_default_value = true,
          value_parser = crate::cli::term::threads_arg())]
    pub threads: usize,
    /// Run slice K of N of the points (default: from SLURM_ARRAY_TASK_ID
    /// and SLURM_ARRAY_TASK_COUNT if set, else everything).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Continue an interrupted sweep in the same folder (with the tables
    /// it keeps), and retry runs that failed.
    #[arg(long)]
    pub resume: bool,
    /// Output folder; the result goes to DIR/<name>/ (a shard's to
    /// DIR/<name>.shards/shard-K-of-N/), replacing the previous one whole
    /// when it is complete.
    #[arg(long, default_value = "outputs", value_name = "DIR")]
    pub out: PathBuf,
    /// No progress bar and no summary line (errors, warnings and notes
    /// where the sweep does other than asked still show: a shard taken
    /// from Slurm's environment, a resume that starts afresh, a sweep
    /// already complete).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Also write these per-run tables (large), each row led by its
    /// point_id; runs.csv carries every run's summary [default: none; with
    /// --resume, those of the sweep resumed].
    #[arg(long, alias = "keep", value_delimiter = ',', value_name = "TABLE,...",
          value_parser = crate::cli::kept_tables_arg())]
    pub tables: Option<Vec<Table>>,
}

/// `armsmarket sweep`.
pub fn sweep(a: &SweepArgs) -> Result<(), CliError> {
    crate::cli::tables_listed_once(a.tables.as_deref().unwrap_or_default())?;
    let options = Options {
        file: a.file.clone(),
        out: a.out.clone(),
        shard: a.shard,
        tables: a.tables.clone(),
        resume: a.resume,
        threads: a.threads,
    };
    // Where the sweep does other than the command line says (a shard taken
    // from Slurm's environment, a resume that starts afresh or finds a torn
    // ledger line, a sweep already complete): said even under --quiet, so
    // that a batch job's log records it.
    let say = |m: &str| note!("sweep: {m}");
    let pool = pool(a.threads)?;
    // Opened on the pool: the check of every point, where the design's
    // corners do not cover them all, runs on the threads asked for.
    let s = match pool.install(|| Sweep::open(&options, &say, interrupted()))? {
        Opening::Complete(dir) => {
            say(&format!("{} is complete; nothing to do", dir.display()));
            return Ok(());
        }
        Opening::Ready(s) => s,
    };
    let progress = Progress::new(a.quiet);
    // A run that panics is recorded in runs.csv with its message; the
    // default report on stderr would only interleave with the progress bar.
    let quiet_panics = QuietPanics::install();
    let report = s.run(&pool, control(&progress));
    drop(quiet_panics);
    let report = report?;
    if report.completion == Completion::Stopped {
        return Err(CliError::Interrupted(format!(
            "the runs so far are kept in {}; `{}` finishes the sweep",
            sibling(&report.dir, "partial").display(),
            report.resume
        )));
    }
    if !a.quiet {
        note!(
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
