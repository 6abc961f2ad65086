//! `armsmarket compare FILE...`: run several scenarios on common random
//! numbers and print the verdict table (also written as `compare.csv`).
//!
//! Replication *i* of every scenario uses the same random streams (the same
//! seed, point 0 and replication index), so differences between scenarios
//! are not noise from different draws.

use crate::analysis::targets::{TargetResult, Targets};
use crate::analysis::verdict::{Runs, TargetInfo, verdict};
use crate::cli::CliError;
use crate::cli::run::{BatchOptions, run_replications, stopped};
use crate::cli::term::{print_out, progress_bar};
use crate::engine::batch::Completion;
use crate::engine::{Observe, batch};
use crate::engine::{Prepared, prepare_all, prepare_as};
use crate::model::mechanisms::Class;
use crate::output::manifest::{Command, Manifest, ScenarioRecord};
use crate::output::publish::{Destination, write_error};
use crate::output::report::{TargetsWriter, compare_table, write_compare_csv, write_verdict_csv};
use crate::scenario::schema::Hypothesis;
use clap::Args;
use std::path::PathBuf;
use std::time::SystemTime;

/// How `compare` counts the contested mechanisms in a `commercial`
/// hypothesis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Contested {
    /// As commercial: they stay on.
    Commercial,
    /// As strategic: they are switched off.
    Strategic,
    /// Both ways: each commercial hypothesis is run twice.
    Both,
}

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files (typically one world and its hypotheses); the first
    /// is the reference of the paired differences.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub batch: BatchOptions,
    /// How a `commercial` hypothesis counts the contested mechanisms
    /// (diversion, second-hand sales, market access, domestic and European
    /// preference, direct awards).
    #[arg(long, value_enum, default_value_t = Contested::Both)]
    pub contested: Contested,
    /// Output directory for compare.csv, verdict.csv, targets.csv and
    /// manifest.json.
    #[arg(long, default_value = "outputs/compare")]
    pub out: PathBuf,
}

/// The scenarios to run: each file as it is, and a `commercial` hypothesis
/// once per assignment of the contested mechanisms that `contested` asks
/// for (named `NAME [contested: commercial]` and `... strategic]` when both).
fn expand(
    scenarios: Vec<Prepared>,
    contested: Contested,
) -> Result<Vec<(String, Prepared)>, CliError> {
    let mut out = Vec::new();
    for p in scenarios {
        let name = p.loaded.name.clone();
        if p.loaded.scenario.hypothesis != Some(Hypothesis::Commercial) {
            out.push((name, p));
            continue;
        }
        let classes: &[Class] = match contested {
            Contested::Commercial => &[Class::Commercial],
            Contested::Strategic => &[Class::Strategic],
            Contested::Both => &[Class::Commercial, Class::Strategic],
        };
        for &class in classes {
            let label = if classes.len() > 1 {
                format!("{name} [contested: {}]", class.name())
            } else {
                name.clone()
            };
            out.push((label, prepare_as(p.loaded.clone(), class)?));
        }
    }
    Ok(out)
}

/// One scenario's results in the order of the reference's targets (a
/// target the scenario lacks is undefined).
fn aligned(reference: &[TargetInfo], own: &Targets, results: &[TargetResult]) -> Vec<TargetResult> {
    reference
        .iter()
        .map(|t| {
            own.list.iter().position(|x| x.id == t.id).map_or(
                TargetResult {
                    value: f64::NAN,
                    pass: false,
                    distance: f64::NAN,
                },
                |k| results[k],
            )
        })
        .collect()
}

/// `armsmarket compare`.
pub fn compare(a: &CompareArgs) -> Result<(), CliError> {
    a.batch.check()?;
    let b = &a.batch;
    let prepared = prepare_all(&a.files, &b.set)?;
    let first = prepared[0].loaded.scenario.clone();
    let seed = b.seed.unwrap_or(first.seed);
    let reps = b.replications.unwrap_or(first.replications);
    let scenarios = expand(prepared, a.contested)?;
    let reference = TargetInfo::of(&scenarios[0].1.targets);
    let started = SystemTime::now();
    let dir = &a.out;
    let dest = Destination::lock(dir)?;
    let staging = dest.stage()?;
    let werr = |e| CliError::from(write_error(e, dir));
    let pool = batch::pool(b.threads)?;
    let mut targets_out = TargetsWriter::create(&staging, true).map_err(werr)?;
    let mut all: Vec<Runs> = Vec::new();
    for (name, p) in &scenarios {
        let mut runs = Runs::new(name);
        let pb = progress_bar(u64::from(reps), name, b.quiet);
        let completion = run_replications(
            p,
            seed,
            reps,
            Observe::summary_only(),
            &pool,
            &pb,
            |_, rec| {
                targets_out.write(name, rec.replication, &p.targets, &rec.targets)?;
                runs.push(&aligned(&reference, &p.targets, &rec.targets));
                Ok(())
            },
        )
        .map_err(werr)?;
        pb.finish_and_clear();
        if completion == Completion::Stopped {
            return Err(stopped(dir));
        }
        all.push(runs);
    }
    targets_out.finish().map_err(werr)?;
    let v = verdict(&reference, &all);
    write_compare_csv(&staging, &reference, &v).map_err(werr)?;
    write_verdict_csv(&staging, &v).map_err(werr)?;
    let mut m: Manifest = Manifest::new(Command::Compare, started);
    m.threads = Some(pool.current_num_threads());
    m.seed = Some(seed);
    m.replications = Some(reps);
    m.scenarios = scenarios
        .iter()
        .map(|(name, p)| ScenarioRecord {
            name: name.clone(),
            file: p.loaded.path.display().to_string(),
            resolved: p.loaded.resolved.clone(),
        })
        .collect();
    m.write(&staging).map_err(werr)?;
    dest.publish(staging)?;
    print_out(&format!(
        "{} scenarios, {reps} replications each on common random numbers (seed {seed})\n\n{}",
        scenarios.len(),
        compare_table(&v)
    ))?;
    if !b.quiet {
        eprintln!("-> {}", dir.display());
    }
    Ok(())
}
