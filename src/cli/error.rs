//! Errors of the command line and their exit codes: 0 ok, 1 a run failed,
//! 2 a usage or scenario error, 3 shards missing at merge (or due in a
//! sharded calibration), 130 interrupted.

use crate::output::publish::OutputError;
use crate::scenario::ScenarioError;
use crate::sweep::{MergeError, SweepError};
use std::path::PathBuf;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// A scenario file (or `--set`) is wrong: exit code 2.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// The command line is wrong: exit code 2.
    #[error("error: {0}")]
    Usage(String),
    /// A result could not be written (1), or its place is taken (2).
    #[error("error: {0}")]
    Output(#[from] OutputError),
    /// A run or a comparison stopped (130), could not write its result
    /// (1), or its options are wrong (2).
    #[error("{}", show_result(.0))]
    Result(#[from] crate::output::results::ResultError),
    /// A sweep could not run (1), or its input or options are wrong (2).
    #[error("{}", show_sweep(.0))]
    Sweep(#[from] SweepError),
    /// A calibration could not run (1), its input or options are wrong
    /// (2), or it was interrupted (130).
    #[error("{}", show_calibrate(.0))]
    Calibrate(#[from] crate::calibrate::CalibrateError),
    /// Shards could not be merged: missing (3), given wrongly (2),
    /// damaged (1), or interrupted (130).
    #[error("{}", show_merge(.0))]
    Merge(#[from] MergeError),
    /// Scenario discovery could not run: bad input or options (2), or a
    /// file could not be read or written (1).
    #[error("error: {0}")]
    Discover(#[from] crate::analysis::discover::DiscoverError),
    /// A report could not be made: no result in the folder (2), a file
    /// could not be read or written (1), or it was interrupted (130).
    #[error("{}", show_report(.0))]
    Report(#[from] crate::output::html_report::ReportError),
    /// A Slurm option is wrong: exit code 2.
    #[error("error: {0}")]
    Slurm(#[from] crate::sweep::slurm::SlurmError),
    /// No worker threads: exit code 1.
    #[error("error: cannot start worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    /// Writing to the terminal failed: exit code 1.
    #[error("error: {context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Some runs of a sweep failed: exit code 1.
    #[error(
        "error: {failed} of {} failed (their status and error are in {}); `{retry}` retries them",
        crate::output::report::count(*.runs, "run"),
        runs_csv.display()
    )]
    RunsFailed {
        /// How many.
        failed: u64,
        /// Of how many.
        runs: u64,
        /// Where their rows are.
        runs_csv: PathBuf,
        /// The command that retries them.
        retry: String,
    },
    /// Ctrl-C: exit code 130.
    #[error("interrupted: {0}")]
    Interrupted(String),
    /// A sharded calibration's round is joined and the next round of
    /// shards is due: exit code 3 (not a failure; the loop goes on). Empty
    /// under `--quiet`: nothing is printed.
    #[error("calibrate: {0}")]
    RoundDue(String),
}

/// `e` after `interrupted: ` where it says that a command was stopped
/// (Ctrl-C, SIGTERM), anything else after `error: `.
fn prefixed(stopped: bool, e: &dyn std::fmt::Display) -> String {
    if stopped {
        format!("interrupted: {e}")
    } else {
        format!("error: {e}")
    }
}

/// A stopped batch as an interruption, anything else after `error: `.
fn show_result(e: &crate::output::results::ResultError) -> String {
    let stopped = matches!(e, crate::output::results::ResultError::Stopped { .. });
    prefixed(stopped, e)
}

/// A scenario error as it is (`FILE:LINE:COL: ...` lines), an
/// interruption as such, anything else after `error: `.
fn show_sweep(e: &SweepError) -> String {
    match e {
        // Located like a scenario error (`FILE:LINE:COL: ...`), unprefixed.
        SweepError::Scenario(s) => s.to_string(),
        SweepError::NotASweep { .. } => e.to_string(),
        other => prefixed(matches!(other, SweepError::Stopped), other),
    }
}

/// An interruption as such, anything else after `error: `.
fn show_merge(e: &MergeError) -> String {
    prefixed(matches!(e, MergeError::Stopped), e)
}

/// An interruption as such, anything else after `error: `.
fn show_report(e: &crate::output::html_report::ReportError) -> String {
    prefixed(
        matches!(e, crate::output::html_report::ReportError::Stopped),
        e,
    )
}

/// A scenario error as it is, an interruption as such, anything else after
/// `error: `.
fn show_calibrate(e: &crate::calibrate::CalibrateError) -> String {
    use crate::calibrate::CalibrateError;
    match e {
        CalibrateError::Scenario(s) => s.to_string(),
        other => prefixed(matches!(other, CalibrateError::Stopped { .. }), other),
    }
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Scenario(_) | CliError::Usage(_) | CliError::Slurm(_) => 2,
            CliError::Output(e) if e.is_usage() => 2,
            CliError::Sweep(e) if e.is_usage() => 2,
            CliError::Merge(e) if e.is_incomplete() => 3,
            CliError::RoundDue(_) => 3,
            CliError::Calibrate(crate::calibrate::CalibrateError::ShardsDue(_)) => 3,
            CliError::Merge(e) if e.is_usage() => 2,
            CliError::Discover(e) if e.is_usage() => 2,
            CliError::Report(e) if e.is_usage() => 2,
            CliError::Interrupted(_) => 130,
            CliError::Sweep(SweepError::Stopped) => 130,
            CliError::Merge(MergeError::Stopped) => 130,
            CliError::Report(crate::output::html_report::ReportError::Stopped) => 130,
            CliError::Calibrate(crate::calibrate::CalibrateError::Stopped { .. }) => 130,
            CliError::Calibrate(e) if e.is_usage() => 2,
            CliError::Result(crate::output::results::ResultError::Stopped { .. }) => 130,
            CliError::Result(e) if e.is_usage() => 2,
            _ => 1,
        }
    }

    /// A closed stdout (e.g. `| head`) is not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// An I/O error with what was being done.
    pub fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> CliError {
        let context = context.into();
        move |source| CliError::Io { context, source }
    }
}
