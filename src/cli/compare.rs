//! `armsmarket compare FILE...`: run several scenarios on common random
//! numbers and print the verdict table (also written as `compare.csv`,
//! `patterns.csv` and `verdict.csv`).
//!
//! Replication *i* of every scenario uses the same random streams (the same
//! seed, point 0 and replication index), so differences between scenarios
//! are not noise from different draws.

use crate::cli::CliError;
use crate::cli::run::{BatchOptions, refuse_sweeps};
use crate::cli::term::note;
use crate::cli::term::{Progress, control, pool, print_out};
use crate::engine::{
    Contested, contested_variants, judge_on_first, overruled_switches, prepare_all, same_inputs,
};
use crate::output::report::{compare_table, count};
use crate::output::results;
use crate::scenario::ScenarioError;
use crate::scenario::schema::{Hypothesis, Table};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `compare`. Every scenario runs with the first one's seed
/// and replications unless `--seed` and `--replications` say otherwise.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files (typically one world and its hypotheses).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub batch: BatchOptions,
    /// Also write these per-run tables, each row led by its scenario
    /// [default: none].
    #[arg(long, value_delimiter = ',', value_name = "TABLE,...")]
    pub tables: Vec<Table>,
    /// How a `commercial` hypothesis counts the contested mechanisms
    /// (diversion, second-hand sales, market access, home and European
    /// preference, direct awards): as commercial (on), as strategic (off),
    /// or both (the hypothesis runs once per assignment); given when no
    /// scenario is a commercial hypothesis, it changes nothing and a
    /// warning says so [default: both].
    #[arg(long, value_name = "AS")]
    pub contested: Option<Contested>,
    /// Output folder; the result (compare.csv, patterns.csv, verdict.csv,
    /// targets.csv, the tables and manifest.json) goes to DIR/compare/,
    /// replacing the previous one whole.
    #[arg(long, default_value = "outputs", value_name = "DIR")]
    pub out: PathBuf,
}

/// `armsmarket compare`.
pub fn compare(a: &CompareArgs) -> Result<(), CliError> {
    let b = &a.batch;
    crate::cli::tables_listed_once(&a.tables)?;
    let scenarios = prepare_all(&a.files, &b.set)?;
    refuse_sweeps(&scenarios, "compare")?;
    if scenarios[0].targets.list.is_empty() {
        // The verdict judges every scenario on the first one's targets:
        // without any there is nothing to compare. Located as a scenario
        // error is: at a `--set` or written `targets` that emptied them,
        // else at the start of the file.
        let first = &scenarios[0].loaded;
        return Err(CliError::Scenario(ScenarioError::new(
            first.sources.value_origin("targets").error(format!(
                "{} has no targets, and `compare` judges every scenario on the first one's: add `[targets.<id>]` tables to it, put a scenario with targets first, or use `armsmarket run`",
                first.path.display()
            )),
        )));
    }
    if let Some(c) = a.contested
        && !scenarios
            .iter()
            .any(|p| p.loaded.scenario.hypothesis == Some(Hypothesis::Commercial))
    {
        note!(
            "warning: --contested {} changes nothing here: no scenario has `hypothesis = \"commercial\"`, the only kind it applies to",
            c.name()
        );
    }
    let contested = a.contested.unwrap_or(Contested::Both);
    let mut scenarios = contested_variants(scenarios, contested)?;
    for w in scenarios.iter().flat_map(overruled_switches) {
        note!("{w}");
    }
    let own_targets = judge_on_first(&mut scenarios)?;
    for (later, earlier) in same_inputs(&scenarios) {
        note!(
            "note: {} runs the same inputs as {} (the two differ only in name, description or hypothesis, with the mechanisms as they run): its row repeats that one's",
            scenarios[later].loaded.name,
            scenarios[earlier].loaded.name
        );
    }
    let first = &scenarios[0].loaded.scenario;
    let seed = b.seed.unwrap_or(first.seed);
    let reps = b.replications.unwrap_or(first.replications);
    // Common random numbers need one seed and one count for all: a later
    // file's own are set aside, which its author should hear.
    let mut warned = std::collections::BTreeSet::new();
    for p in &scenarios[1..] {
        let s = &p.loaded.scenario;
        if !warned.insert(&p.loaded.path) {
            // A commercial hypothesis runs twice (its contested variants).
            continue;
        }
        let mut own = Vec::new();
        if b.seed.is_none() && s.seed != first.seed {
            own.push(format!("seed = {}", s.seed));
        }
        if b.replications.is_none() && s.replications != first.replications {
            own.push(format!("replications = {}", s.replications));
        }
        if !own.is_empty() {
            note!(
                "warning: {} sets {}, but compare runs every scenario with the first one's seed {seed} and {reps} replications, on common random numbers (--seed and -r set them for all)",
                p.loaded.path.display(),
                own.join(" and ")
            );
        }
        if own_targets.contains(&p.loaded.path) {
            note!(
                "warning: {} defines targets of its own, but compare judges every scenario on the first one's ({}): its own are set aside",
                p.loaded.path.display(),
                scenarios[0].loaded.path.display()
            );
        }
    }
    let dir = a.out.join("compare");
    let pool = pool(b.threads)?;
    let progress = Progress::new(b.quiet);
    let verdict = results::compare(
        &scenarios,
        seed,
        reps,
        &a.tables,
        &dir,
        &pool,
        control(&progress),
    )?;
    print_out(&format!(
        "{}, {} each{} (seed {seed})\n\n{}",
        count(scenarios.len() as u64, "scenario"),
        count(reps as u64, "replication"),
        // One scenario has nothing to pair its replications with.
        if scenarios.len() == 1 {
            ""
        } else {
            " on common random numbers"
        },
        compare_table(&verdict)
    ))?;
    if !b.quiet {
        note!("-> {}", dir.display());
    }
    Ok(())
}
