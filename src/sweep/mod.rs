//! Parameter sweeps: designs and their plans over shards, run as durable
//! batches that survive a crash, and the merge of shards.
//!
//! - [`design`]: which parameter values to run (grid, random, Latin
//!   hypercube, scrambled Sobol'); [`plan`]: a design's (point,
//!   replication) jobs and their slices (shards);
//! - [`setup`]: a sweep file loaded, planned and its points compiled;
//!   [`settings`]: the resolved settings its fingerprints hash, which
//!   name the keys that changed when a resume is refused;
//! - [`runner`], [`ledger`], [`resume`]: any durable batch of jobs whose
//!   rows go to part files in job order, with a ledger that makes it
//!   resumable after `kill -9`; they know nothing of sweeps;
//! - [`tables`]: the files a sweep writes; [`run`]: a sweep as such a
//!   batch, its result put in place whole;
//! - [`merge`]: shards joined into the result one machine would write;
//! - [`slurm`]: the script that runs a sweep as a Slurm job array.

pub mod design;
mod joe_kuo;
pub mod ledger;
pub mod merge;
pub mod morris;
pub mod plan;
pub mod resume;
pub mod run;
pub mod runner;
pub mod saltelli;
pub mod sensitivity;
pub mod settings;
pub mod setup;
pub mod slurm;
pub mod sobol;
pub mod tables;

pub use merge::{MergeError, Merged};
pub use plan::{Shard, ShardError};
pub use run::{Opening, Options, Report, Sweep, SweepRecord};

use crate::output::manifest::ManifestError;
use crate::output::publish::OutputError;
use crate::scenario::ScenarioError;
use std::path::PathBuf;

/// Why a sweep could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError {
    /// The sweep file (or its world) is wrong.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The file has no `[sweep]` table.
    #[error(
        "{}:1:1: no [sweep] table: add one (design, points, replications, parameters), or use `armsmarket run`",
        file.display()
    )]
    NotASweep {
        /// The file.
        file: PathBuf,
    },
    /// `summary` among the kept tables.
    #[error(
        "runs.csv already carries every run's summary: keep per-run tables only (contracts, market, suppliers, buyers)"
    )]
    SummaryKept,
    /// The shard is not well given.
    #[error(transparent)]
    Shard(#[from] ShardError),
    /// The work folder cannot be resumed.
    #[error(transparent)]
    Resume(#[from] resume::ResumeError),
    /// The batch failed to run.
    #[error(transparent)]
    Runner(#[from] runner::RunnerError),
    /// The result cannot be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A manifest cannot be read.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// `--resume` found this sweep's finished result with files not as
    /// its manifest records: it keeps a finished result as it is, so it
    /// cannot mend it.
    #[error(
        "{}: this sweep's finished result, but {} missing or changed since it was written (not the size and checksum that manifest.json records); --resume keeps a finished result as it is: run the sweep again without --resume (it replaces the result whole), or restore the files",
        dir.display(),
        files.join(", ")
    )]
    ResultChanged {
        /// The result folder.
        dir: PathBuf,
        /// Its files not as written.
        files: Vec<String>,
    },
    /// `--resume` found this sweep's result with failed runs, and not the
    /// work folder it retries them from.
    #[error(
        "{}: this sweep's result has {}, but not its work folder {}, from which --resume retries them (removed, or the result copied without it): run the sweep again without --resume (it replaces the result whole)",
        dir.display(),
        crate::output::report::count(*failed, "failed run"),
        partial.display()
    )]
    FailedWithoutWork {
        /// The result folder.
        dir: PathBuf,
        /// Its failed runs.
        failed: u64,
        /// The work folder that is gone.
        partial: PathBuf,
    },
    /// No worker threads.
    #[error("cannot start worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Stopped (Ctrl-C or SIGTERM) while the sweep's points were checked,
    /// before anything was written.
    #[error("stopped while checking the sweep's points; nothing was written")]
    Stopped,
}

impl SweepError {
    /// Whether the input or the options are at fault (exit code 2) rather
    /// than the run (exit code 1).
    pub fn is_usage(&self) -> bool {
        match self {
            SweepError::Scenario(_)
            | SweepError::NotASweep { .. }
            | SweepError::SummaryKept
            | SweepError::ResultChanged { .. }
            | SweepError::Shard(_) => true,
            // A work folder of another batch, or whose ledger is damaged:
            // the user decides what to do with it.
            SweepError::Resume(e) => matches!(
                e,
                resume::ResumeError::Mismatch { .. }
                    | resume::ResumeError::NotAFolder { .. }
                    | resume::ResumeError::ForeignFiles { .. }
                    | resume::ResumeError::Ledger(ledger::LedgerError::Corrupt { .. })
            ),
            SweepError::Runner(e) => matches!(
                e,
                runner::RunnerError::PartChanged { .. }
                    | runner::RunnerError::OtherParts { .. }
                    | runner::RunnerError::OtherColumns { .. }
                    | runner::RunnerError::Ledger(ledger::LedgerError::Corrupt { .. })
            ),
            SweepError::Output(e) => e.is_usage(),
            _ => false,
        }
    }
}
