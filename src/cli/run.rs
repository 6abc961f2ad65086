//! `armsmarket run FILE...`: run each scenario's replications in parallel
//! and write its tables and manifest to `DIR/<scenario name>/`.

use crate::analysis::verdict::{Verdict, VerdictBuilder};
use crate::cli::CliError;
use crate::cli::validate::{Prepared, prepare};
use crate::engine::{self, Observe, RunRecord, batch};
use crate::output::report::{TargetsWriter, verdict_table};
use crate::output::{manifest, tables::TableWriters};
use crate::scenario::{Located, ScenarioError};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
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
pub fn load_all(files: &[PathBuf], sets: &[String]) -> Result<Vec<Prepared>, CliError> {
    let mut ok = Vec::new();
    let mut errors: Vec<Located> = Vec::new();
    for f in files {
        match prepare(f, sets) {
            Ok(x) => ok.push(x),
            Err(e) => errors.extend(e.into_errors()),
        }
    }
    if let Some(e) = ScenarioError::from_all(errors) {
        return Err(e.into());
    }
    let mut names: Vec<&str> = ok.iter().map(|p| p.loaded.name.as_str()).collect();
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
) -> std::io::Result<()> {
    let jobs: Vec<u32> = (0..replications).collect();
    batch::run_ordered(
        pool,
        &jobs,
        batch::window_for(pool.current_num_threads()),
        |&r| engine::run_replication(&p.world, &p.targets, seed, 0, r, observe),
        pb,
        sink,
    )
}

/// Run one scenario into `dir`; returns the verdict on its targets.
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
    let werr = || CliError::io(format!("writing {}", dir.display()));
    std::fs::create_dir_all(dir).map_err(CliError::io(format!("creating {}", dir.display())))?;
    let files = &loaded.scenario.outputs.files;
    let pool = batch::pool(threads).map_err(|e| CliError::Run(e.to_string()))?;
    let mut tables = TableWriters::create(dir, files).map_err(werr())?;
    let mut targets_out = if p.targets.list.is_empty() {
        None
    } else {
        Some(TargetsWriter::create(dir, false).map_err(werr())?)
    };
    let mut verdict = VerdictBuilder::default();
    let pb = progress_bar(u64::from(replications), &loaded.name, quiet);
    run_replications(
        p,
        seed,
        replications,
        observe_for(files),
        &pool,
        &pb,
        |_, rec| {
            tables.write(&p.world, &rec)?;
            if let Some(t) = targets_out.as_mut() {
                t.write(&loaded.name, rec.replication, &p.targets, &rec.targets)?;
            }
            verdict.push(&rec.targets);
            Ok(())
        },
    )
    .map_err(werr())?;
    pb.finish_and_clear();
    let mut paths = tables.commit().map_err(werr())?;
    if let Some(t) = targets_out {
        paths.push(t.commit().map_err(werr())?);
    }
    let m = json!({
        "program": "armsmarket",
        "version": env!("CARGO_PKG_VERSION"),
        "command": "run",
        "scenario_name": loaded.name,
        "scenario_file": loaded.path.display().to_string(),
        "seed": seed,
        "replications": replications,
        "threads": pool.current_num_threads(),
        "started": manifest::timestamp(started),
        "finished": manifest::timestamp(SystemTime::now()),
        "files": manifest::file_entries(&paths).map_err(CliError::io("hashing outputs"))?,
        "scenario": manifest::scenario_json(&loaded.resolved),
    });
    manifest::write(dir, &m).map_err(CliError::io("writing manifest.json"))?;
    Ok(verdict.finish(&loaded.name, &p.targets))
}

/// Print to stdout; a closed pipe is reported as such (and is no failure).
pub fn print_out(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(CliError::io("writing to stdout"))
}

/// `armsmarket run`.
pub fn run(a: &RunArgs) -> Result<(), CliError> {
    a.batch.check()?;
    let b = &a.batch;
    let scenarios = load_all(&a.files, &b.set)?;
    for p in &scenarios {
        let loaded = &p.loaded;
        let seed = b.seed.unwrap_or(loaded.scenario.seed);
        let reps = b.replications.unwrap_or(loaded.scenario.replications);
        let dir = a.out.join(&loaded.name);
        let verdict = run_scenario(p, seed, reps, b.threads, &dir, b.quiet)?;
        if !p.targets.list.is_empty() {
            print_out(&verdict_table(&verdict))?;
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
