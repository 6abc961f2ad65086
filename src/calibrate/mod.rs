//! Calibration and model choice by ABC-SMC (`armsmarket calibrate`).
//!
//! - [`setup`]: a calibration file made ready: priors over dotted paths,
//!   models (scenario files), fitted and held-out targets, and the
//!   simulator the generic engine ([`crate::analysis::abc`]) calls;
//! - [`run`]: the calibration run durably on one machine, its state saved
//!   as it starts and after every generation so that `--resume` after a
//!   kill ends with the same bytes;
//! - [`work`]: what both ways of running share: options, saved state, the
//!   result published whole;
//! - [`shard`]: a generation's proposals split over machines in rounds
//!   (`--shard K/N`), joined by proposal index (`--join`);
//! - [`tables`]: the files of the result.

pub mod run;
mod settings;
pub mod setup;
pub mod shard;
pub mod tables;
pub mod work;

pub use run::calibrate;
pub use setup::Setup;
pub use work::{Done, Follow, Options, Report};

use crate::analysis::abc::{AbcError, SimulationError};
use crate::output::publish::OutputError;
use crate::scenario::ScenarioError;
use crate::sweep::ShardError;
use std::path::PathBuf;

/// Why a calibration could not run or finish.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CalibrateError {
    /// The calibration file (or a model's) is wrong.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The engine refused the problem or a simulation failed.
    #[error(transparent)]
    Abc(AbcError),
    /// The result cannot be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Reading or writing the saved state failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The saved state belongs to another calibration.
    #[error(
        "{}: {why}: run without --resume to start over, or use another --out",
        path.display()
    )]
    Resume {
        /// The state file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// A shard's saved rows of a round that are damaged.
    #[error(
        "{}: a shard's saved rows, damaged since it wrote them ({why}): remove this file and run that shard again (`armsmarket calibrate FILE --shard K/N` as the file name says), then join",
        path.display()
    )]
    DamagedPart {
        /// The part file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// A file of the work folder that does not read: damaged since it was
    /// written (cut short, edited).
    #[error("{}: {what}, damaged since it was written ({why}): {fix}", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What it holds.
        what: &'static str,
        /// Why it does not read.
        why: String,
        /// What to do.
        fix: String,
    },
    /// The shard is not well given (Slurm variables).
    #[error(transparent)]
    Shard(#[from] ShardError),
    /// An option that a shard of a round does not take (`--tables`,
    /// `--resume`), with a shard chosen by the Slurm array environment.
    #[error("{0}")]
    ShardOption(String),
    /// A sharded calibration found the work folder of another one.
    #[error(
        "{}: it holds the state of another calibration ({why}): remove it to start this one over, or use another --out",
        partial.display()
    )]
    Stale {
        /// The work folder.
        partial: PathBuf,
        /// What differs: the keys, if the folder kept its settings.
        why: String,
    },
    /// The rounds folder went while this shard ran: a `--resume` or a
    /// fresh run on one machine took the generation over. The shard's rows
    /// are not saved: saved, they would make the work folder again, which
    /// the next join or resume would read as a calibration to start over.
    #[error(
        "{}: removed while this shard ran (a run on one machine took the calibration over), so its rows are not saved; once that run is over, a shard or join of this calibration says what is due",
        rounds.display()
    )]
    TakenOver {
        /// The rounds folder.
        rounds: PathBuf,
    },
    /// `--join` found shards of the current round missing: run them, then
    /// join again.
    #[error("{0}")]
    ShardsDue(String),
    /// `--join --tables` or `--resume --tables` after the calibration
    /// finished without those tables: they are written as it finishes.
    #[error(
        "{}: the calibration is finished and its result holds no {}: the tables are written as a calibration finishes (by the whole run, or the --join that ends it); to write them, remove that folder and calibrate again with --tables",
        dir.display(),
        missing.join(", ")
    )]
    TablesAfterEnd {
        /// The result folder.
        dir: PathBuf,
        /// The table files it does not hold.
        missing: Vec<String>,
    },
    /// This calibration's result is in place with files not as its
    /// manifest records; a shard, join or resume would start it over.
    #[error(
        "{}: this calibration's result, but {} missing or changed since it was written (not the size and checksum that manifest.json records); a shard, join or resume would start the calibration over: restore the files, or remove that folder and calibrate again",
        dir.display(),
        files.join(", ")
    )]
    ResultChanged {
        /// The result folder.
        dir: PathBuf,
        /// Its files not as written.
        files: Vec<String>,
    },
    /// A stopping rule ended the run before a generation was complete.
    #[error("no generation completed ({why}): loosen the stopping rules")]
    NothingCompleted {
        /// The stopping rule.
        why: String,
    },
    /// Ctrl-C: the last completed generation is kept.
    #[error("the generations so far are kept in {}; `{resume}` continues", kept.display())]
    Stopped {
        /// Where the state is.
        kept: PathBuf,
        /// The command that continues.
        resume: String,
    },
}

impl From<AbcError> for CalibrateError {
    /// A simulation refused because its particle's world is not valid
    /// (a rule between free keys that no corner the run checked breaks) is
    /// the input's fault, said as the scenario error it is (exit code 2);
    /// any other failure is the engine's.
    fn from(e: AbcError) -> CalibrateError {
        match e {
            AbcError::Simulation { index, source } => {
                match source.into_source().downcast::<ScenarioError>() {
                    Ok(scenario) => CalibrateError::Scenario(*scenario),
                    Err(other) => CalibrateError::Abc(AbcError::Simulation {
                        index,
                        source: SimulationError::new(other),
                    }),
                }
            }
            other => CalibrateError::Abc(other),
        }
    }
}

impl CalibrateError {
    /// Whether the input or the options are at fault (exit code 2) rather
    /// than the run (exit code 1).
    pub fn is_usage(&self) -> bool {
        match self {
            CalibrateError::Scenario(_)
            | CalibrateError::Resume { .. }
            | CalibrateError::DamagedPart { .. }
            | CalibrateError::Damaged { .. }
            | CalibrateError::Shard(_)
            | CalibrateError::ShardOption(_)
            | CalibrateError::TablesAfterEnd { .. }
            | CalibrateError::ResultChanged { .. }
            | CalibrateError::Stale { .. } => true,
            CalibrateError::Output(e) => e.is_usage(),
            _ => false,
        }
    }
}
