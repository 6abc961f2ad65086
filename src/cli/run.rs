//! `armsmarket run FILE...`: run each scenario's replications in parallel
//! and write its tables and manifest to `DIR/<scenario name>/`.

use crate::cli::CliError;
use crate::cli::validate::load_world;
use crate::engine::{self, Observe, batch};
use crate::model::World;
use crate::output::{manifest, tables::TableWriters};
use crate::scenario::{Loaded, Located, ScenarioError};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Arguments of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Replications per scenario (default: the scenario's `replications`).
    #[arg(long, short = 'r')]
    pub replications: Option<u32>,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 't', default_value_t = 0)]
    pub threads: usize,
    /// Override a value: `--set preferences.default.delivery=1.5`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Output directory; each scenario writes to DIR/<name>/.
    #[arg(long, default_value = "outputs")]
    pub out: PathBuf,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// A progress bar on stderr counting finished runs with an ETA; hidden
/// when `quiet` or when stderr is not a terminal.
pub fn progress_bar(total: u64, label: &str, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} runs, {per_sec}, ETA {eta}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    pb.set_prefix(label.to_string());
    pb
}

/// Load every scenario before anything is written, so that one bad file
/// costs no output at all.
pub fn load_all(files: &[PathBuf], sets: &[String]) -> Result<Vec<(Loaded, World)>, CliError> {
    let mut ok = Vec::new();
    let mut errors: Vec<Located> = Vec::new();
    for f in files {
        match load_world(f, sets) {
            Ok(x) => ok.push(x),
            Err(e) => errors.extend(e.into_errors()),
        }
    }
    if let Some(e) = ScenarioError::from_all(errors) {
        return Err(e.into());
    }
    let mut names: Vec<&str> = ok.iter().map(|(l, _)| l.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(CliError::Usage(format!(
            "two scenarios are named `{}`: their outputs would collide; give one a different `name`",
            w[0]
        )));
    }
    Ok(ok)
}

/// What `observe` a scenario's output selection needs.
pub fn observe_for(files: &[String]) -> Observe {
    let has = |n: &str| files.iter().any(|f| f == n);
    Observe {
        contracts: has("contracts"),
        market: has("market"),
        suppliers: has("suppliers"),
        buyers: has("buyers"),
    }
}

/// Run one scenario into `dir`.
pub fn run_scenario(
    loaded: &Loaded,
    world: &World,
    seed: u64,
    replications: u32,
    threads: usize,
    dir: &Path,
    quiet: bool,
) -> Result<(), CliError> {
    let started = SystemTime::now();
    std::fs::create_dir_all(dir).map_err(CliError::io(format!("creating {}", dir.display())))?;
    let files = &loaded.scenario.outputs.files;
    let observe = observe_for(files);
    let pool = batch::pool(threads).map_err(|e| CliError::Run(e.to_string()))?;
    let used_threads = pool.current_num_threads();
    let mut writers = TableWriters::create(dir, files)
        .map_err(CliError::io(format!("writing {}", dir.display())))?;
    let jobs: Vec<u32> = (0..replications).collect();
    let pb = progress_bar(u64::from(replications), &loaded.name, quiet);
    batch::run_ordered(
        &pool,
        &jobs,
        batch::window_for(used_threads),
        |&r| engine::run_replication(world, seed, 0, r, observe),
        &pb,
        |_, rec| writers.write(world, &rec),
    )
    .map_err(CliError::io(format!("writing {}", dir.display())))?;
    pb.finish_and_clear();
    let paths = writers
        .commit()
        .map_err(CliError::io(format!("writing {}", dir.display())))?;
    let m = json!({
        "program": "armsmarket",
        "version": env!("CARGO_PKG_VERSION"),
        "command": "run",
        "scenario_name": loaded.name,
        "scenario_file": loaded.path.display().to_string(),
        "seed": seed,
        "replications": replications,
        "threads": used_threads,
        "started": manifest::timestamp(started),
        "finished": manifest::timestamp(SystemTime::now()),
        "files": manifest::file_entries(&paths).map_err(CliError::io("hashing outputs"))?,
        "scenario": manifest::scenario_json(&loaded.resolved),
    });
    manifest::write(dir, &m).map_err(CliError::io("writing manifest.json"))?;
    Ok(())
}

/// `armsmarket run`.
pub fn run(a: &RunArgs) -> Result<(), CliError> {
    if a.replications == Some(0) {
        return Err(CliError::Usage(
            "--replications must be at least 1".to_string(),
        ));
    }
    let scenarios = load_all(&a.files, &a.set)?;
    for (loaded, world) in &scenarios {
        let seed = a.seed.unwrap_or(loaded.scenario.seed);
        let reps = a.replications.unwrap_or(loaded.scenario.replications);
        let dir = a.out.join(&loaded.name);
        run_scenario(loaded, world, seed, reps, a.threads, &dir, a.quiet)?;
        if !a.quiet {
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
