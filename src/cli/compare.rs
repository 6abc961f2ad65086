//! `armsmarket compare FILE...`: run several scenarios on common random
//! numbers and print the verdict table (also written as `compare.csv`).
//!
//! Replication *i* of every scenario uses the same random streams (the same
//! seed, point 0 and replication index), so differences between scenarios
//! are not noise from different draws.

use crate::analysis::verdict::{Verdict, VerdictBuilder};
use crate::cli::CliError;
use crate::cli::run::{BatchOptions, run_replications, stopped};
use crate::cli::term::{print_out, progress_bar};
use crate::engine::batch::Completion;
use crate::engine::prepare_all;
use crate::engine::{Observe, batch};
use crate::output::manifest::{Command, Manifest, ScenarioRecord};
use crate::output::publish::{Destination, write_error};
use crate::output::report::{TargetsWriter, compare_table, write_compare_csv};
use clap::Args;
use std::path::PathBuf;
use std::time::SystemTime;

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files (typically one world and its hypotheses).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub batch: BatchOptions,
    /// Output directory for compare.csv, targets.csv and manifest.json.
    #[arg(long, default_value = "outputs/compare")]
    pub out: PathBuf,
}

/// `armsmarket compare`.
pub fn compare(a: &CompareArgs) -> Result<(), CliError> {
    a.batch.check()?;
    let b = &a.batch;
    let scenarios = prepare_all(&a.files, &b.set)?;
    let first = &scenarios[0].loaded.scenario;
    let seed = b.seed.unwrap_or(first.seed);
    let reps = b.replications.unwrap_or(first.replications);
    let started = SystemTime::now();
    let dir = &a.out;
    let dest = Destination::lock(dir)?;
    let staging = dest.stage()?;
    let werr = |e| CliError::from(write_error(e, dir));
    let pool = batch::pool(b.threads)?;
    let mut targets_out = TargetsWriter::create(&staging, true).map_err(werr)?;
    let mut verdicts: Vec<Verdict> = Vec::new();
    for p in &scenarios {
        let name = &p.loaded.name;
        let mut verdict = VerdictBuilder::default();
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
                verdict.push(&rec.targets);
                Ok(())
            },
        )
        .map_err(werr)?;
        pb.finish_and_clear();
        if completion == Completion::Stopped {
            return Err(stopped(dir));
        }
        verdicts.push(verdict.finish(name, &p.targets));
    }
    targets_out.finish().map_err(werr)?;
    write_compare_csv(&staging, &verdicts).map_err(werr)?;
    let mut m: Manifest = Manifest::new(Command::Compare, started);
    m.threads = Some(pool.current_num_threads());
    m.seed = Some(seed);
    m.replications = Some(reps);
    m.scenarios = scenarios
        .iter()
        .map(|p| ScenarioRecord {
            name: p.loaded.name.clone(),
            file: p.loaded.path.display().to_string(),
            resolved: p.loaded.resolved.clone(),
        })
        .collect();
    m.write(&staging).map_err(werr)?;
    dest.publish(staging)?;
    print_out(&format!(
        "{} scenarios, {reps} replications each on common random numbers (seed {seed})\n\n{}",
        scenarios.len(),
        compare_table(&verdicts)
    ))?;
    if !b.quiet {
        eprintln!("-> {}", dir.display());
    }
    Ok(())
}
