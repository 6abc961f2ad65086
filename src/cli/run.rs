//! `armsmarket run FILE...`: run each scenario's replications in parallel
//! and write its tables and manifest to `DIR/<scenario name>/`.

use crate::analysis::verdict::TargetInfo;
use crate::cli::CliError;
use crate::cli::term::note;
use crate::cli::term::{Progress, control, pool, print_out};
use crate::engine::{Prepared, overruled_switches, prepare_all};
use crate::output::publish::Destination;
use crate::output::report::{count, run_table};
use crate::output::results;
use crate::scenario::schema::Table;
use clap::Args;
use std::path::PathBuf;

/// Options of the commands that run scenarios' replications.
#[derive(Debug, Args)]
pub struct BatchOptions {
    /// Replications per scenario [default: the scenario's `replications`].
    #[arg(long, short = 'r', value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: Option<u32>,
    /// Master seed, 0 to 2^63 − 1 as in a scenario file [default: the
    /// scenario's `seed`].
    #[arg(long, value_parser = crate::cli::term::seed_arg)]
    pub seed: Option<u64>,
    /// Threads, at most 1024, which both run the replications and write
    /// their rows [default: 0, one per core]; the bytes written do not
    /// depend on it.
    #[arg(long, short = 't', default_value_t = 0, hide_default_value = true,
          value_parser = crate::cli::term::threads_arg())]
    pub threads: usize,
    /// Override a key of every scenario by its dotted path, after `base`:
    /// `--set preferences.default.delivery=1.5` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// No progress bar and no summary line (errors and warnings still
    /// show).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Arguments of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub batch: BatchOptions,
    /// Per-run tables to write, besides manifest.json and (with targets)
    /// targets.csv, which are always written [default: the scenario's
    /// `outputs.files`].
    #[arg(long, value_delimiter = ',', value_name = "TABLE,...")]
    pub tables: Option<Vec<Table>>,
    /// Output folder; each scenario's result goes to DIR/<name>/, replacing
    /// the previous one whole.
    #[arg(long, default_value = "outputs", value_name = "DIR")]
    pub out: PathBuf,
}

/// `armsmarket run`.
pub fn run(a: &RunArgs) -> Result<(), CliError> {
    let b = &a.batch;
    crate::cli::tables_listed_once(a.tables.as_deref().unwrap_or_default())?;
    let scenarios = prepare_all(&a.files, &b.set)?;
    refuse_sweeps(&scenarios, "run")?;
    for w in scenarios.iter().flat_map(overruled_switches) {
        note!("{w}");
    }
    let pool = pool(b.threads)?;
    // Every result folder is taken before any is written: one that is
    // refused (not a result, or being written by another process) stops
    // the batch before it has written anything.
    let destinations = scenarios
        .iter()
        .map(|p| {
            Destination::lock(
                &a.out.join(&p.loaded.name),
                crate::output::manifest::Command::Run,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let progress = Progress::new(b.quiet);
    for (p, dest) in scenarios.iter().zip(destinations) {
        let loaded = &p.loaded;
        let seed = b.seed.unwrap_or(loaded.scenario.seed);
        let reps = b.replications.unwrap_or(loaded.scenario.replications);
        let tables = a.tables.as_ref().unwrap_or(&loaded.scenario.outputs.files);
        let dir = dest.path().to_path_buf();
        let v = results::run(p, seed, reps, tables, dest, &pool, control(&progress))?;
        if !p.targets.list.is_empty() {
            let targets = TargetInfo::of(&p.targets);
            // The tables are the job: a closed stdout (`| head`) ends the
            // printing, not the batch.
            match print_out(&run_table(&targets, &v.patterns, &v.scenarios[0])) {
                Err(e) if e.is_broken_pipe() => {}
                printed => printed?,
            }
        }
        if !b.quiet {
            note!(
                "{}: {} -> {}",
                loaded.name,
                count(reps as u64, "replication"),
                dir.display()
            );
        }
    }
    Ok(())
}

/// A file with a `[sweep]` table is run by `armsmarket sweep`, and one
/// with a `[calibrate]` table by `armsmarket calibrate`, not by `command`.
pub fn refuse_sweeps(scenarios: &[Prepared], command: &str) -> Result<(), CliError> {
    for p in scenarios {
        let s = &p.loaded.scenario;
        let (what, table) = if s.sweep.is_some() {
            ("sweep", "sweep")
        } else if s.calibrate.is_some() {
            ("calibration", "calibrate")
        } else {
            continue;
        };
        // Said at the table, as a scenario error is.
        let at = p.loaded.sources.key_origin(table);
        let message = if at.is_command_line() {
            // `armsmarket sweep FILE` would find no [sweep] in the file.
            let file = p.loaded.sources.root().file.clone();
            format!(
                "--set {table}: `{command}` does not run a {what}; {}",
                crate::scenario::load::own_file_hint(table, &file)
            )
        } else {
            format!(
                "this file is a {what} (it has a [{table}] table), which `{command}` does not run: use `armsmarket {table} {}`",
                p.loaded.path.display()
            )
        };
        return Err(CliError::Scenario(crate::scenario::ScenarioError::new(
            at.error(message),
        )));
    }
    Ok(())
}
