//! `armsmarket run FILE...`: run each scenario's replications in parallel
//! and write its tables and manifest to `DIR/<scenario name>/`.

use crate::analysis::verdict::{Runs, TargetInfo, Verdict, verdict};
use crate::cli::CliError;
use crate::cli::term::{print_out, progress_bar};
use crate::engine::batch::{Completion, Control};
use crate::engine::{self, Observe, Prepared, RunRecord, batch, observe_for, prepare_all};
use crate::output::faults;
use crate::output::manifest::{Command, Manifest, ScenarioRecord};
use crate::output::publish::{Destination, write_error};
use crate::output::report::{TargetsWriter, run_table};
use crate::output::tables::TableWriters;
use clap::Args;
use indicatif::ProgressBar;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Options of every command that runs scenarios' replications.
#[derive(Debug, Args)]
pub struct BatchOptions {
    /// Replications per scenario (default: the scenario's `replications`;
    /// `compare` gives every scenario the first one's).
    #[arg(long, short = 'r')]
    pub replications: Option<u32>,
    /// Master seed (default: the scenario's `seed`; `compare` gives every
    /// scenario the first one's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 't', default_value_t = 0)]
    pub threads: usize,
    /// Override a value: `--set preferences.default.delivery=1.5`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

impl BatchOptions {
    /// Refuse `--replications 0`.
    pub fn check(&self) -> Result<(), CliError> {
        if self.replications == Some(0) {
            return Err(CliError::Usage("--replications must be at least 1".into()));
        }
        Ok(())
    }
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
    /// Output directory; each scenario writes to DIR/<name>/.
    #[arg(long, default_value = "outputs")]
    pub out: PathBuf,
}

/// Run replications `0..replications` of a prepared scenario on `pool`,
/// handing each record to `sink` in replication order.
pub fn run_replications(
    p: &Prepared,
    seed: u64,
    replications: u32,
    observe: Observe,
    pool: &rayon::ThreadPool,
    pb: &ProgressBar,
    sink: impl FnMut(usize, RunRecord) -> std::io::Result<()>,
) -> std::io::Result<Completion> {
    let jobs: Vec<u32> = (0..replications).collect();
    let progress = || pb.inc(1);
    let control = Control {
        progress: &progress,
        ..Control::none()
    };
    batch::run_ordered(
        pool,
        &jobs,
        batch::window_for(pool.current_num_threads()),
        |&r| engine::run_replication(&p.world, &p.targets, seed, 0, r, observe),
        control,
        sink,
    )
}

/// Run one scenario into the result folder `dir` (staged beside it, put in
/// place whole); returns the verdict on its targets.
pub fn run_scenario(
    p: &Prepared,
    seed: u64,
    replications: u32,
    threads: usize,
    dir: &Path,
    quiet: bool,
) -> Result<Verdict, CliError> {
    let started = SystemTime::now();
    let loaded = &p.loaded;
    let dest = Destination::lock(dir)?;
    let staging = dest.stage()?;
    let werr = |e| CliError::from(write_error(e, dir));
    let files = &loaded.scenario.outputs.files;
    let pool = batch::pool(threads)?;
    let mut tables = TableWriters::create(&staging, files, &p.world, None).map_err(werr)?;
    let mut targets_out = if p.targets.list.is_empty() {
        None
    } else {
        Some(TargetsWriter::create(&staging, false).map_err(werr)?)
    };
    let mut runs = Runs::new(&loaded.name);
    let pb = progress_bar(u64::from(replications), &loaded.name, quiet);
    let completion = run_replications(
        p,
        seed,
        replications,
        observe_for(files),
        &pool,
        &pb,
        |_, rec| {
            tables.write(&p.world, &rec, None)?;
            if let Some(t) = targets_out.as_mut() {
                t.write(&loaded.name, rec.replication, &p.targets, &rec.targets)?;
            }
            runs.push(&rec.targets);
            faults::pause_at("job", u64::from(rec.replication) + 1);
            Ok(())
        },
    )
    .map_err(werr)?;
    pb.finish_and_clear();
    if completion == Completion::Stopped {
        return Err(stopped(dir));
    }
    tables.finish().map_err(werr)?;
    if let Some(t) = targets_out {
        t.finish().map_err(werr)?;
    }
    let mut m: Manifest = Manifest::new(Command::Run, started);
    m.threads = Some(pool.current_num_threads());
    m.seed = Some(seed);
    m.replications = Some(replications);
    m.scenarios = vec![ScenarioRecord {
        name: loaded.name.clone(),
        file: loaded.path.display().to_string(),
        resolved: loaded.resolved.clone(),
    }];
    m.write(&staging).map_err(werr)?;
    dest.publish(staging)?;
    Ok(verdict(&TargetInfo::of(&p.targets), &[runs]))
}

/// The error of a run stopped by Ctrl-C: its staging folder is gone and
/// the previous result at `dir` stands.
pub fn stopped(dir: &Path) -> CliError {
    CliError::Interrupted(format!(
        "removed the unfinished result; {} is as it was",
        dir.display()
    ))
}

/// `armsmarket run`.
pub fn run(a: &RunArgs) -> Result<(), CliError> {
    a.batch.check()?;
    let b = &a.batch;
    let scenarios = prepare_all(&a.files, &b.set)?;
    for p in &scenarios {
        let loaded = &p.loaded;
        let seed = b.seed.unwrap_or(loaded.scenario.seed);
        let reps = b.replications.unwrap_or(loaded.scenario.replications);
        let dir = a.out.join(&loaded.name);
        let v = run_scenario(p, seed, reps, b.threads, &dir, b.quiet)?;
        if !p.targets.list.is_empty() {
            print_out(&run_table(
                &TargetInfo::of(&p.targets),
                &v.patterns,
                &v.scenarios[0],
            ))?;
        }
        if !b.quiet {
            eprintln!(
                "{}: {} replications -> {}",
                loaded.name,
                reps,
                dir.display()
            );
        }
    }
    Ok(())
}
