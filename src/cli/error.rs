//! Errors of the command line and their exit codes.

use crate::scenario::ScenarioError;

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
    /// Writing or reading output failed: exit code 1.
    #[error("error: {context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A run failed: exit code 1.
    #[error("error: {0}")]
    Run(String),
    /// A result could not be written (exit code 1), or its place is taken
    /// (exit code 2).
    #[error("error: {0}")]
    Output(#[from] crate::output::publish::OutputError),
    /// Shards are missing or unfinished at merge: exit code 3.
    #[error("error: {0}")]
    Incomplete(String),
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Scenario(_) | CliError::Usage(_) => 2,
            CliError::Output(e) if e.is_usage() => 2,
            CliError::Io { .. } | CliError::Run(_) | CliError::Output(_) => 1,
            CliError::Incomplete(_) => 3,
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
