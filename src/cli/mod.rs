//! The `armsmarket` command line: argument parsing, one call into the
//! library per subcommand, printing, and the mapping of errors to exit
//! codes.
// Messages go through `term::note!`, which a closed stderr does not
// turn into a panic.
#![deny(clippy::print_stderr)]
// The argument types' doc comments are their `--help` texts, which name
// paths such as `DIR/<name>/` literally: not HTML.
#![allow(rustdoc::invalid_html_tags)]

pub mod calibrate;
pub mod compare;
pub mod discover;
pub mod error;
pub mod merge;
pub mod report;
pub mod run;
pub mod sensitivity;
pub mod slurm;
pub mod sweep;
pub mod term;
pub mod unfinished;
pub mod validate;

pub use error::CliError;

use crate::cli::term::note;
use crate::scenario::schema::Table;
use clap::builder::PossibleValue;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

/// What the exit codes mean, for every `--help`.
const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    a run failed, or a result could not be written
  2    a usage or scenario error (FILE:LINE:COL: message); nothing was written
  3    shards missing or unfinished at merge, or another round due at calibrate --join
  130  interrupted (Ctrl-C, or SIGTERM as timeout and Slurm send it): unfinished results removed, sweeps and calibrations kept resumable";

/// Agent-based simulation of the European arms market.
#[derive(Debug, Parser)]
#[command(name = "armsmarket", version, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run each scenario's replications and write CSV tables and a manifest.
    #[command(after_help = EXIT_CODES)]
    Run(run::RunArgs),
    /// Check scenario files without running them.
    #[command(after_help = EXIT_CODES)]
    Validate(validate::ValidateArgs),
    /// Run scenarios on common random numbers and print the verdict table.
    #[command(after_help = EXIT_CODES)]
    Compare(compare::CompareArgs),
    /// Run a parameter sweep (designs, shards, resume).
    #[command(after_help = EXIT_CODES)]
    Sweep(sweep::SweepArgs),
    /// Calibrate parameters and choose between models by ABC-SMC.
    #[command(after_help = EXIT_CODES)]
    Calibrate(calibrate::CalibrateArgs),
    /// Join the shards of a sweep.
    #[command(after_help = EXIT_CODES)]
    Merge(merge::MergeArgs),
    /// Sobol' or Morris sensitivity indices of a finished saltelli or morris
    /// sweep (writes DIR/sensitivity.csv).
    #[command(after_help = EXIT_CODES)]
    Sensitivity(sensitivity::SensitivityArgs),
    /// Find where in a sweep's parameter space a condition holds (PRIM;
    /// writes discover.csv in the sweep's folder, or beside a CSV file).
    #[command(after_help = EXIT_CODES)]
    Discover(discover::DiscoverArgs),
    /// Write DIR/report.html: one self-contained page of charts of a run,
    /// comparison, sweep or calibration.
    #[command(after_help = EXIT_CODES)]
    Report(report::ReportArgs),
    /// Print a Slurm script that runs a sweep as a job array, then merges.
    #[command(after_help = EXIT_CODES)]
    Slurm(slurm::SlurmArgs),
    /// Print a completion script for a shell, e.g. (after `mkdir -p
    /// ~/.local/share/bash-completion/completions`) `armsmarket completions
    /// bash > ~/.local/share/bash-completion/completions/armsmarket`.
    #[command(after_help = EXIT_CODES)]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// `cmd` with a completion hint on every argument that takes a value and
/// has none: a path completes to files (a folder to folders), anything
/// else (a count, a seed, a `--set`) to nothing. Without a hint a shell's
/// script completes every value to file names (`--replications <TAB>`).
fn with_value_hints(cmd: clap::Command) -> clap::Command {
    use clap::ValueHint;
    let cmd = cmd.mut_args(|arg| {
        if !arg.get_action().takes_values() || !arg.get_possible_values().is_empty() {
            return arg;
        }
        let path = arg.get_value_parser().type_id() == std::any::TypeId::of::<std::path::PathBuf>();
        let folder = arg
            .get_value_names()
            .is_some_and(|n| n.iter().any(|n| n == "DIR" || n == "DIRS"));
        let hint = match arg.get_value_hint() {
            ValueHint::Unknown | ValueHint::AnyPath if path && folder => ValueHint::DirPath,
            ValueHint::Unknown if path => ValueHint::AnyPath,
            ValueHint::Unknown => ValueHint::Other,
            hint => hint,
        };
        arg.value_hint(hint)
    });
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    names
        .into_iter()
        .fold(cmd, |cmd, name| cmd.mut_subcommand(name, with_value_hints))
}

impl ValueEnum for crate::engine::Contested {
    fn value_variants<'a>() -> &'a [Self] {
        Self::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}

impl ValueEnum for Table {
    fn value_variants<'a>() -> &'a [Self] {
        Table::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}

/// The parser of a sweep's `--tables`: every per-run table but the
/// summary, which `runs.csv` carries for every run (asked for, it is
/// refused with that reason rather than a bare list of values).
pub fn kept_tables_arg() -> KeptTables {
    KeptTables
}

/// See [`kept_tables_arg`].
#[derive(Debug, Clone, Copy)]
pub struct KeptTables;

impl clap::builder::TypedValueParser for KeptTables {
    type Value = Table;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Table, clap::Error> {
        if value == Table::Summary.name() {
            let flag = arg.map_or_else(|| "--tables".to_string(), |a| a.to_string());
            return Err(clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!(
                    "invalid value 'summary' for '{flag}': a sweep's runs.csv already holds every run's summary, so it writes no summary table; the others are {}\n",
                    self.names().join(", ")
                ),
            )
            .with_cmd(cmd));
        }
        let name =
            clap::builder::PossibleValuesParser::new(self.names()).parse_ref(cmd, arg, value)?;
        Ok(name
            .parse::<Table>()
            .expect("every possible value is a table"))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.names().into_iter().map(PossibleValue::new)))
    }
}

impl KeptTables {
    /// The tables a sweep keeps, by name.
    fn names(self) -> Vec<&'static str> {
        Table::ALL
            .iter()
            .filter(|t| **t != Table::Summary)
            .map(|t| t.name())
            .collect()
    }
}

/// Refuses a `--tables` list that names a table twice, as a scenario's
/// `outputs.files` is refused: the table would be written once, so the
/// list says something the run does not do.
pub fn tables_listed_once(tables: &[Table]) -> Result<(), CliError> {
    for (i, t) in tables.iter().enumerate() {
        if tables[..i].contains(t) {
            return Err(CliError::Usage(format!(
                "`--tables` lists `{}` twice: list each table once",
                t.name()
            )));
        }
    }
    Ok(())
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
    term::catch_interrupts();
    let result = match cli.command {
        Command::Run(a) => run::run(&a),
        Command::Validate(a) => validate::validate(&a),
        Command::Compare(a) => compare::compare(&a),
        Command::Sweep(a) => sweep::sweep(&a),
        Command::Calibrate(a) => calibrate::calibrate(&a),
        Command::Merge(a) => merge::merge(&a),
        Command::Slurm(a) => slurm::slurm(&a),
        Command::Sensitivity(a) => sensitivity::sensitivity(&a),
        Command::Discover(a) => discover::discover(&a),
        Command::Report(a) => report::report(&a),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(
                shell,
                &mut with_value_hints(Cli::command()),
                "armsmarket",
                &mut out,
            );
            term::print_out(&String::from_utf8_lossy(&out))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            // A due round under --quiet is said by its exit code alone.
            if !matches!(&e, CliError::RoundDue(m) if m.is_empty()) {
                note!("{e}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
