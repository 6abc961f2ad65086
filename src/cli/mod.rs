//! The `armsmarket` command line: one file per subcommand.

pub mod compare;
pub mod error;
pub mod merge;
pub mod run;
pub mod slurm;
pub mod sweep;
pub mod term;
pub mod validate;

pub use error::CliError;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Agent-based simulation of the European arms market.
#[derive(Debug, Parser)]
#[command(name = "armsmarket", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run each scenario's replications and write CSV tables and a manifest.
    Run(run::RunArgs),
    /// Check scenario files without running them.
    Validate(validate::ValidateArgs),
    /// Run scenarios on common random numbers and print the verdict table.
    Compare(compare::CompareArgs),
    /// Run a parameter sweep (designs, shards, resume).
    Sweep(sweep::SweepArgs),
    /// Join the shards of a sweep.
    Merge(merge::MergeArgs),
    /// Print a Slurm script that runs a sweep as a job array, then merges.
    Slurm(slurm::SlurmArgs),
}

/// Parse the command line, run, and return the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Run(a) => run::run(&a),
        Command::Validate(a) => validate::validate(&a),
        Command::Compare(a) => compare::compare(&a),
        Command::Sweep(a) => sweep::sweep(&a),
        Command::Merge(a) => merge::merge(&a),
        Command::Slurm(a) => slurm::slurm(&a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(e.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
