//! `armsmarket sweep FILE`: run every (point, replication) of a design,
//! streaming rows in job order, durably, resumably, sliced into shards.
//!
//! Files of a sweep in `DIR/<name>/` (or `DIR/<name>/shard-K-of-N/`):
//! `points.csv`, `runs.csv`, `bands.csv`, the `--keep` tables and
//! `manifest.json`. While it runs they are part files under `.sweep/`, with
//! the run ledger ([`crate::sweep::ledger`]) and the sweep's identity
//! (`state.json`); they are renamed into place when every job is done.
//!
//! Testing aids (environment variables, for the project's own tests):
//! `ARMSMARKET_TEST_PANIC_JOBS=3,17` makes those jobs panic;
//! `ARMSMARKET_TEST_ABORT=job:N`, `sync:N`, `rename:N` or `rebuild:1` aborts
//! the process (as `kill -9` would) after the N-th job's rows are written,
//! the N-th ledger entry, the N-th final rename, or the ledger entry of a
//! retry's rebuild;
//! `ARMSMARKET_TEST_SYNC_EVERY=N` writes a ledger entry every N jobs.

use crate::analysis::Targets;
use crate::cli::CliError;
use crate::cli::term::progress_bar;
use crate::engine::{Observe, RunRecord, batch, observe_for, run_replication};
use crate::model::World;
use crate::output::atomic::AtomicFile;
use crate::output::manifest;
use crate::output::tables::TableWriters;
use crate::scenario::schema::Scenario;
use crate::scenario::schema::Table;
use crate::scenario::{self, Origin, ScenarioError, SourceMap, validate};
use crate::sweep::design::Point;
use crate::sweep::ledger::{Entry, Ledger, PartFile};
use crate::sweep::plan::{Plan, Shard, design_of, fingerprint};
use crate::sweep::tables::{
    failed_row, point_id_text, run_row, runs_header, write_bands, write_points,
};
use clap::Args;
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

/// Arguments of `sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// A scenario file with a `[sweep]` table (or one whose `base` names
    /// the world and adds the table).
    pub file: PathBuf,
    /// Worker threads (default: one per core).
    #[arg(long, short = 't', default_value_t = 0)]
    pub threads: usize,
    /// Run slice K of N of the points (default: from SLURM_ARRAY_TASK_ID
    /// and SLURM_ARRAY_TASK_COUNT if set, else everything).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Continue an interrupted sweep in the same directory, and retry runs
    /// that failed.
    #[arg(long)]
    pub resume: bool,
    /// Output directory; the sweep writes to DIR/<name>/.
    #[arg(long, default_value = "outputs")]
    pub out: PathBuf,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Also write these per-run tables (large): market, contracts,
    /// suppliers, buyers.
    #[arg(long, value_delimiter = ',', value_name = "TABLE,...")]
    pub keep: Vec<String>,
}

/// Keys a sweep may not vary: they change the shape of the output or the
/// identity of the runs.
const FIXED_KEYS: [&str; 8] = [
    "name",
    "base",
    "seed",
    "replications",
    "start",
    "end",
    "outputs",
    "sweep",
];

/// Where a sweep keeps its work in progress.
const WORK: &str = ".sweep";

/// Everything fixed about a sweep before it runs.
struct Setup {
    file: PathBuf,
    name: String,
    base: toml::Table,
    origins: Vec<Origin>,
    plan: Plan,
    dir: PathBuf,
    keep: Vec<String>,
    scenario_fp: String,
    design_fp: String,
    header: Vec<String>,
    resolved: toml::Table,
    /// The base world, for naming ids in kept tables (a sweep varies
    /// values, never which buyers, suppliers or lines exist).
    names: World,
}

impl Setup {
    fn paths(&self) -> Vec<String> {
        self.plan
            .design
            .parameters
            .iter()
            .map(|p| p.path.clone())
            .collect()
    }

    /// The part files the ledger tracks, in order.
    fn part_names(&self) -> Vec<String> {
        let mut v = vec!["points.csv".to_string(), "runs.csv".to_string()];
        v.extend(self.keep.iter().map(|k| format!("{k}.csv")));
        v
    }

    fn part(&self, name: &str) -> PathBuf {
        self.dir.join(WORK).join(format!("{name}.part"))
    }

    /// The base table with point `pi`'s values, and where each came from.
    fn table_of(&self, point: &Point) -> Result<(toml::Table, SourceMap), ScenarioError> {
        let mut table = self.base.clone();
        let mut sources = SourceMap::new(Origin::new(self.file.display().to_string(), 1, 1));
        for ((param, value), origin) in self
            .plan
            .design
            .parameters
            .iter()
            .zip(&point.values)
            .zip(&self.origins)
        {
            scenario::apply_override(
                &mut table,
                &mut sources,
                &param.path,
                value.clone(),
                origin.clone(),
            )?;
        }
        Ok((table, sources))
    }

    /// Compile the world of point `pi`. Deserialization takes the fast
    /// path; only a point that fails it is read again through the path
    /// that locates the error.
    fn compile(&self, pi: usize) -> Result<(World, Targets), ScenarioError> {
        let point = self.plan.points.get(pi);
        let (table, sources) = self.table_of(&point)?;
        let scenario = match Scenario::deserialize(toml::Value::Table(table)) {
            Ok(sc) => {
                let errors: Vec<_> = validate::validate(&sc)
                    .into_iter()
                    .map(|(p, m)| sources.value_origin(&p).error(m))
                    .collect();
                if let Some(e) = ScenarioError::from_all(errors) {
                    return Err(e);
                }
                sc
            }
            Err(_) => {
                let (table, sources) = self.table_of(&point)?;
                scenario::checked(table, &sources)?
            }
        };
        let at = |m: String| {
            ScenarioError::new(
                self.origins[0].error(format!("point {}: {m}", point_id_text(point.id))),
            )
        };
        let world = World::from_scenario(&scenario).map_err(|e| at(e.0))?;
        let targets = Targets::compile(&scenario, &world).map_err(at)?;
        Ok((world, targets))
    }

    fn observe(&self) -> Observe {
        let tables: Vec<Table> = self.keep.iter().filter_map(|k| k.parse().ok()).collect();
        observe_for(&tables)
    }
}

fn usage(m: impl Into<String>) -> CliError {
    CliError::Usage(m.into())
}

fn setup(a: &SweepArgs) -> Result<Setup, CliError> {
    let (table, sources) = scenario::load_table(&a.file)?;
    let loaded = scenario::finish(table, sources.clone(), &a.file)?;
    let Some(sw) = loaded.scenario.sweep.clone() else {
        return Err(usage(format!(
            "{} has no [sweep] table: add one (design, points, replications, parameters), or use `run`",
            a.file.display()
        )));
    };
    for k in &a.keep {
        if !Table::NAMES[..4].contains(&k.as_str()) {
            return Err(usage(format!(
                "--keep {k}: not a per-run table; choose from market, contracts, suppliers, buyers"
            )));
        }
    }
    let mut keep: Vec<String> = Table::NAMES[..4]
        .iter()
        .filter(|t| a.keep.iter().any(|k| k == *t))
        .map(|t| t.to_string())
        .collect();
    keep.dedup();
    let mut origins = Vec::new();
    for path in sw.parameters.keys() {
        let key = format!("sweep.parameters.{path}");
        let origin = sources.key_origin(&key).clone();
        let head = path.split('.').next().unwrap_or("");
        if FIXED_KEYS.contains(&head) {
            return Err(ScenarioError::new(origin.error(format!(
                "`{key}`: a sweep cannot vary `{head}` (it fixes the runs' identity or the shape of the output); sweep model parameters instead"
            )))
            .into());
        }
        origins.push(origin);
    }
    let shard = match a.shard {
        Some(s) => s,
        None => match Shard::from_slurm(|k| std::env::var(k).ok()) {
            Some(Ok(s)) => {
                eprintln!(
                    "sweep: running shard {s} from the Slurm array environment (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT)"
                );
                s
            }
            Some(Err(e)) => return Err(usage(e)),
            None => Shard::WHOLE,
        },
    };
    let design = design_of(&sw, loaded.scenario.seed).map_err(usage)?;
    let plan = Plan::new(design, sw.replications, shard).map_err(|e| {
        CliError::from(ScenarioError::new(
            sources.key_origin("sweep").error(format!("`sweep`: {e}")),
        ))
    })?;
    let mut base = loaded.resolved.clone();
    base.remove("sweep");
    let name = loaded.name.clone();
    let dir = if shard.n == 1 {
        a.out.join(&name)
    } else {
        a.out
            .join(&name)
            .join(format!("shard-{}-of-{}", shard.k, shard.n))
    };
    let world = World::from_scenario(&loaded.scenario).map_err(|e| usage(e.0))?;
    let targets = Targets::compile(&loaded.scenario, &world).map_err(usage)?;
    let header = runs_header(&world, &targets);
    let setup = Setup {
        file: a.file.clone(),
        name,
        scenario_fp: fingerprint(&(env!("CARGO_PKG_VERSION"), &base)),
        design_fp: fingerprint(&(&sw, sw.seed.unwrap_or(loaded.scenario.seed))),
        base,
        origins,
        plan,
        dir,
        keep,
        header,
        resolved: loaded.resolved,
        names: world,
    };
    // Every parameter path must exist and the first point must be a valid
    // world: report it now, located, rather than as failed runs.
    if !setup.plan.points.is_empty() {
        setup.compile(0)?;
    }
    Ok(setup)
}

/// Check a sweep file as `sweep` would before running it (the design, the
/// keys it may vary, every swept path, the first point's world), without
/// touching any directory. Returns a one-line description.
pub fn check(file: &Path) -> Result<String, CliError> {
    let s = setup(&SweepArgs {
        file: file.to_path_buf(),
        threads: 0,
        shard: Some(Shard::WHOLE),
        resume: false,
        out: PathBuf::from("outputs"),
        quiet: true,
        keep: Vec::new(),
    })?;
    Ok(format!(
        "sweep of {} points x {} replications = {} runs",
        s.plan.points.len(),
        s.plan.replications,
        s.plan.n_jobs()
    ))
}

/// The identity of a sweep directory, checked before resuming into it.
fn state_json(s: &Setup) -> Value {
    json!({
        "program": "armsmarket",
        "version": env!("CARGO_PKG_VERSION"),
        "scenario_fingerprint": s.scenario_fp,
        "design_fingerprint": s.design_fp,
        "shard": s.plan.shard.to_string(),
        "keep": s.keep,
        "jobs": s.plan.n_jobs(),
    })
}

/// Why a directory's sweep differs from this one, if it does.
fn mismatch(found: &Value, s: &Setup) -> Option<String> {
    let want = state_json(s);
    let field = |k: &str| {
        (
            found.get(k).cloned().unwrap_or(Value::Null),
            want[k].clone(),
        )
    };
    let (f, w) = field("scenario_fingerprint");
    if f != w {
        return Some(format!(
            "it was made from a different scenario (fingerprint {f}, this one {w}): use another --out, or run without --resume to start over"
        ));
    }
    let (f, w) = field("design_fingerprint");
    if f != w {
        return Some(format!(
            "it was made from a different design (fingerprint {f}, this one {w}): use another --out, or run without --resume to start over"
        ));
    }
    for k in ["version", "shard", "keep", "jobs"] {
        let (f, w) = field(k);
        if f != w {
            return Some(format!(
                "its {k} was {f}, now {w}: resume with the same program and options"
            ));
        }
    }
    None
}

fn read_json(p: &Path) -> Option<Value> {
    serde_json::from_slice(&std::fs::read(p).ok()?).ok()
}

/// Fault injection for tests: abort (like `kill -9`) at the named event.
fn maybe_abort(event: &str, count: u64) {
    if let Ok(spec) = std::env::var("ARMSMARKET_TEST_ABORT")
        && let Some((e, n)) = spec.split_once(':')
        && e == event
        && n.parse::<u64>().ok() == Some(count)
    {
        std::process::abort();
    }
}

fn panic_jobs() -> Vec<u64> {
    std::env::var("ARMSMARKET_TEST_PANIC_JOBS")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_default()
}

/// The outcome of one job.
struct JobOut {
    job: u64,
    point: u64,
    replication: u32,
    outcome: Result<RunRecord, String>,
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    match p.downcast::<String>() {
        Ok(s) => format!("panicked: {s}"),
        Err(p) => match p.downcast::<&str>() {
            Ok(s) => format!("panicked: {s}"),
            Err(_) => "panicked".into(),
        },
    }
}

/// A point's world and targets, or why it could not be built.
type Compiled = Result<(World, Targets), String>;

/// Run `jobs` (sorted) on the pool: compile each distinct point once, then
/// run its replications; a panic or an invalid point fails only its runs.
fn run_jobs(
    s: &Setup,
    jobs: &[u64],
    pool: &rayon::ThreadPool,
    pb: &indicatif::ProgressBar,
) -> Vec<JobOut> {
    let observe = s.observe();
    let faults = panic_jobs();
    let mut points: Vec<usize> = jobs.iter().map(|&j| s.plan.job(j).0).collect();
    points.dedup();
    pool.install(|| {
        let compiled: Vec<(u64, Compiled)> = points
            .par_iter()
            .map(|&pi| {
                let world = catch_unwind(AssertUnwindSafe(|| {
                    s.compile(pi).map_err(|e| e.to_string())
                }))
                .unwrap_or_else(|p| Err(panic_message(p)));
                (s.plan.points.get(pi).id, world)
            })
            .collect();
        jobs.par_iter()
            .map(|&j| {
                let (pi, rep) = s.plan.job(j);
                let k = points.binary_search(&pi).expect("point compiled");
                let (point, world) = &compiled[k];
                let point = *point;
                let outcome = match world {
                    Err(e) => Err(format!("invalid point: {e}")),
                    Ok((w, t)) => catch_unwind(AssertUnwindSafe(|| {
                        if faults.contains(&j) {
                            panic!("injected fault in job {j}");
                        }
                        run_replication(w, t, s.plan.seed, point, rep, observe)
                    }))
                    .map_err(panic_message),
                };
                pb.inc(1);
                JobOut {
                    job: j,
                    point,
                    replication: rep,
                    outcome,
                }
            })
            .collect()
    })
}

/// The part files being appended to.
struct Parts {
    points_len: u64,
    runs: csv::Writer<PartFile>,
    kept: TableWriters<PartFile>,
    /// Handles on the files under `runs` and `kept`, in ledger order.
    files: Vec<PartFile>,
    ledger: Ledger,
    syncs: u64,
}

impl Parts {
    fn sync(&mut self, jobs: u64) -> std::io::Result<()> {
        self.runs.flush()?;
        for k in Table::NAMES[..4].iter() {
            if let Some(w) = self.kept.get(k) {
                w.flush()?;
            }
        }
        let mut lengths = vec![self.points_len];
        for f in &self.files {
            lengths.push(f.sync()?);
        }
        self.ledger.record(&Entry { jobs, lengths })?;
        self.syncs += 1;
        maybe_abort("sync", self.syncs);
        Ok(())
    }
}

fn write_job(s: &Setup, parts: &mut Parts, out: &JobOut) -> std::io::Result<bool> {
    match &out.outcome {
        Ok(rec) => {
            parts
                .runs
                .write_record(run_row(&s.names, s.plan.seed, out.point, rec))
                .map_err(std::io::Error::other)?;
            parts
                .kept
                .write_point(&s.names, rec, Some(&point_id_text(out.point)))?;
            Ok(true)
        }
        Err(e) => {
            parts
                .runs
                .write_record(failed_row(
                    s.plan.seed,
                    out.point,
                    out.replication,
                    e,
                    s.header.len(),
                ))
                .map_err(std::io::Error::other)?;
            Ok(false)
        }
    }
}

/// Where the sweep starts.
enum Start {
    /// Nothing usable: start over.
    Fresh,
    /// Continue from a ledger entry.
    Resume(Entry),
}

/// Open (or create) the part files and the ledger.
fn open_parts(s: &Setup, start: &Start) -> Result<Parts, CliError> {
    let work = s.dir.join(WORK);
    let werr = || CliError::io(format!("writing {}", work.display()));
    let names = s.part_names();
    match start {
        Start::Fresh => {
            let mut pf = PartFile::open(&s.part("points.csv"), None).map_err(werr())?;
            write_points(
                &mut pf,
                &s.paths(),
                s.plan.shard_points().map(|i| s.plan.points.get(i)),
            )
            .map_err(werr())?;
            let points_len = pf.sync().map_err(werr())?;
            let runs_file = PartFile::open(&s.part("runs.csv"), None).map_err(werr())?;
            let mut runs = csv::Writer::from_writer(runs_file.clone());
            runs.write_record(&s.header)
                .map_err(|e| CliError::Run(e.to_string()))?;
            let mut files = vec![runs_file];
            let mut kept_files = Vec::new();
            for k in &s.keep {
                let f = PartFile::open(&s.part(&format!("{k}.csv")), None).map_err(werr())?;
                files.push(f.clone());
                kept_files.push((k.clone(), f, false));
            }
            let kept = TableWriters::from_writers(kept_files);
            runs.flush().map_err(werr())?;
            let mut lengths = vec![points_len];
            for f in &files {
                lengths.push(f.sync().map_err(werr())?);
            }
            let ledger = Ledger::create(&work.join("ledger"), &names, &Entry { jobs: 0, lengths })
                .map_err(werr())?;
            // Last: the sweep's identity. A directory with it always has a
            // whole ledger, so a resume never meets a half-made start.
            let mut f = AtomicFile::create(&work.join("state.json")).map_err(werr())?;
            serde_json::to_writer_pretty(&mut f, &state_json(s))
                .map_err(|e| CliError::Run(e.to_string()))?;
            f.commit().map_err(werr())?;
            // The first ledger entry counts as the first sync.
            maybe_abort("sync", 1);
            Ok(Parts {
                points_len,
                runs,
                kept,
                files,
                ledger,
                syncs: 1,
            })
        }
        Start::Resume(e) => {
            let len = |i: usize| e.lengths[i];
            let runs_file = PartFile::open(&s.part("runs.csv"), Some(len(1))).map_err(werr())?;
            let runs = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(runs_file.clone());
            let mut files = vec![runs_file];
            let mut kept_files = Vec::new();
            for (i, k) in s.keep.iter().enumerate() {
                let l = len(2 + i);
                let f = PartFile::open(&s.part(&format!("{k}.csv")), Some(l)).map_err(werr())?;
                files.push(f.clone());
                kept_files.push((k.clone(), f, l > 0));
            }
            let kept = TableWriters::from_writers(kept_files);
            let points_len = PartFile::open(&s.part("points.csv"), Some(len(0)))
                .map_err(werr())?
                .len();
            Ok(Parts {
                points_len,
                runs,
                kept,
                files,
                ledger: Ledger::append_to(&work.join("ledger")).map_err(werr())?,
                syncs: 0,
            })
        }
    }
}

/// Decide where to start, checking that a directory to resume holds this
/// sweep. `Ok(None)`: the sweep there is complete; nothing to do.
fn prepare_dir(s: &Setup, resume: bool) -> Result<Option<Start>, CliError> {
    let work = s.dir.join(WORK);
    let state_path = work.join("state.json");
    let werr = || CliError::io(format!("preparing {}", s.dir.display()));
    if resume {
        let ledger_path = work.join("ledger");
        let has_entry = std::fs::read(&ledger_path).is_ok_and(|b| b.contains(&b'\n'));
        if read_json(&state_path).is_some() && !has_entry {
            eprintln!(
                "sweep: {} has no ledger entry yet (the sweep stopped while starting); starting it again",
                s.dir.display()
            );
        } else if let Some(state) = read_json(&state_path) {
            if let Some(why) = mismatch(&state, s) {
                return Err(usage(format!(
                    "cannot resume into {}: {why}",
                    s.dir.display()
                )));
            }
            let contents = crate::sweep::ledger::Ledger::read(&work.join("ledger"))
                .map_err(|e| CliError::Run(e.to_string()))?;
            if let Some(note) = contents.torn {
                eprintln!("sweep: {note}");
            }
            if contents.files != s.part_names() {
                return Err(usage(format!(
                    "cannot resume into {}: its ledger tracks {:?}, this sweep writes {:?}",
                    s.dir.display(),
                    contents.files,
                    s.part_names()
                )));
            }
            if let Some(entry) = contents.last {
                settle_rebuilds(s, &entry)?;
                // Files renamed into place by an interrupted finish go back.
                for n in s.part_names() {
                    let part = s.part(&n);
                    let done = s.dir.join(&n);
                    if !part.exists() && done.exists() {
                        std::fs::rename(&done, &part).map_err(werr())?;
                    }
                }
                return Ok(Some(Start::Resume(entry)));
            }
        } else if let Some(m) = read_json(&s.dir.join("manifest.json")) {
            if let Some(why) = mismatch(&m["sweep"], s) {
                return Err(usage(format!(
                    "cannot resume into {}: {why}",
                    s.dir.display()
                )));
            }
            eprintln!("sweep: {} is complete; nothing to do", s.dir.display());
            return Ok(None);
        } else {
            eprintln!(
                "sweep: nothing to resume in {}; starting the sweep",
                s.dir.display()
            );
        }
    }
    // A fresh start: clear what an earlier sweep left here.
    if work.exists() {
        std::fs::remove_dir_all(&work).map_err(werr())?;
    }
    for n in ["manifest.json", "bands.csv"]
        .iter()
        .map(|x| x.to_string())
        .chain(
            [
                "points",
                "runs",
                "market",
                "contracts",
                "suppliers",
                "buyers",
            ]
            .iter()
            .map(|t| format!("{t}.csv")),
        )
    {
        let p = s.dir.join(n);
        if p.exists() {
            std::fs::remove_file(&p).map_err(werr())?;
        }
    }
    std::fs::create_dir_all(&work).map_err(werr())?;
    Ok(Some(Start::Fresh))
}

/// Jobs recorded as failed in the runs part file (its row `i` is job `i`).
fn failed_jobs(s: &Setup) -> Result<Vec<u64>, CliError> {
    let path = s.part("runs.csv");
    let mut rd = csv::Reader::from_path(&path).map_err(|e| CliError::Run(e.to_string()))?;
    let status = s.header.iter().position(|h| h == "status").unwrap_or(3);
    let mut failed = Vec::new();
    for (i, rec) in rd.records().enumerate() {
        let rec = rec.map_err(|e| CliError::Run(format!("{}: {e}", path.display())))?;
        if rec.get(status) != Some("ok") {
            failed.push(i as u64);
        }
    }
    Ok(failed)
}

/// Write rebuilt part files (as `*.rebuild`) with the rows of retried
/// jobs replaced: runs rows by position, kept rows inserted in job order (a
/// failed job has none). Returns the lengths of all part files after the
/// rebuild; the caller records them in the ledger, then renames (a kill in
/// between is settled on resume by [`settle_rebuilds`]).
fn rebuild(s: &Setup, retried: &[JobOut]) -> Result<Vec<u64>, CliError> {
    let rerr = |e: csv::Error| CliError::Run(e.to_string());
    let werr = || CliError::io(format!("rebuilding {}", s.dir.display()));
    let by_job: HashMap<u64, &JobOut> = retried.iter().map(|o| (o.job, o)).collect();
    let mut lengths = Vec::new();
    // points.csv is unchanged.
    lengths.push(
        std::fs::metadata(s.part("points.csv"))
            .map_err(werr())?
            .len(),
    );
    // runs.csv
    let runs_path = s.part("runs.csv");
    let tmp = rebuild_path(&runs_path);
    {
        let mut rd = csv::Reader::from_path(&runs_path).map_err(rerr)?;
        let mut wr = csv::Writer::from_writer(AtomicFile::create(&tmp).map_err(werr())?);
        wr.write_record(rd.headers().map_err(rerr)?).map_err(rerr)?;
        for (i, rec) in rd.records().enumerate() {
            let rec = rec.map_err(rerr)?;
            match by_job.get(&(i as u64)) {
                Some(o) => match &o.outcome {
                    Ok(r) => wr
                        .write_record(run_row(&s.names, s.plan.seed, o.point, r))
                        .map_err(rerr)?,
                    Err(e) => wr
                        .write_record(failed_row(
                            s.plan.seed,
                            o.point,
                            o.replication,
                            e,
                            s.header.len(),
                        ))
                        .map_err(rerr)?,
                },
                None => wr.write_record(&rec).map_err(rerr)?,
            }
        }
        let f = wr.into_inner().map_err(|e| CliError::Run(e.to_string()))?;
        f.commit().map_err(werr())?;
    }
    lengths.push(std::fs::metadata(&tmp).map_err(werr())?.len());
    // Kept tables: rows start with point_id, replication.
    let index: HashMap<String, usize> = s
        .plan
        .shard_points()
        .enumerate()
        .map(|(i, p)| (point_id_text(s.plan.points.get(p).id), i))
        .collect();
    let r = u64::from(s.plan.replications);
    for k in &s.keep {
        let path = s.part(&format!("{k}.csv"));
        let old = std::fs::read(&path).map_err(werr())?;
        // The retried jobs' rows, in job order, each as bytes.
        let mut fresh: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut have_header = !old.is_empty();
        for o in retried {
            if let Ok(rec) = &o.outcome {
                let mut tw = TableWriters::from_writers(vec![(k.clone(), Vec::new(), have_header)]);
                tw.write_point(&s.names, rec, Some(&point_id_text(o.point)))
                    .map_err(werr())?;
                let bytes = tw.into_inner().map_err(werr())?.remove(0).1;
                have_header |= !bytes.is_empty();
                fresh.push((o.job, bytes));
            }
        }
        let mut out = AtomicFile::create(&rebuild_path(&path)).map_err(werr())?;
        let mut next = fresh.iter().peekable();
        let mut first = true;
        for line in old.split_inclusive(|b| *b == b'\n') {
            if first {
                first = false;
                out.write_all(line).map_err(werr())?;
                continue;
            }
            let text = String::from_utf8_lossy(line);
            let mut cells = text.splitn(3, ',');
            let (pid, rep) = (cells.next().unwrap_or(""), cells.next().unwrap_or(""));
            let job = index
                .get(pid)
                .map(|&i| i as u64 * r + rep.trim().parse::<u64>().unwrap_or(0));
            while let Some((j, bytes)) = next.peek() {
                if job.is_some_and(|jj| *j < jj) {
                    out.write_all(bytes).map_err(werr())?;
                    next.next();
                } else {
                    break;
                }
            }
            out.write_all(line).map_err(werr())?;
        }
        for (_, bytes) in next {
            out.write_all(bytes).map_err(werr())?;
        }
        let done = out.commit().map_err(werr())?;
        lengths.push(std::fs::metadata(&done).map_err(werr())?.len());
    }
    Ok(lengths)
}

/// Where a part file's rebuilt version is written before it replaces it.
fn rebuild_path(part: &Path) -> PathBuf {
    let mut name = part.file_name().unwrap_or_default().to_os_string();
    name.push(".rebuild");
    part.with_file_name(name)
}

/// Put rebuilt part files in place if the ledger's last entry records
/// them (the rebuild was committed), else drop them (it was not).
fn settle_rebuilds(s: &Setup, last: &Entry) -> Result<(), CliError> {
    let werr = || CliError::io(format!("resuming {}", s.dir.display()));
    for (i, n) in s.part_names().iter().enumerate() {
        let part = s.part(n);
        let rb = rebuild_path(&part);
        if let Ok(meta) = std::fs::metadata(&rb) {
            if last.lengths.get(i) == Some(&meta.len()) {
                std::fs::rename(&rb, &part).map_err(werr())?;
            } else {
                std::fs::remove_file(&rb).map_err(werr())?;
            }
        }
    }
    Ok(())
}

/// Compute bands, rename every part into place, write the manifest.
fn finish(s: &Setup, failed: usize, started: SystemTime, threads: usize) -> Result<(), CliError> {
    let werr = || CliError::io(format!("finishing {}", s.dir.display()));
    let bands_part = s.part("bands.csv");
    {
        let runs = std::fs::File::open(s.part("runs.csv")).map_err(werr())?;
        let out = AtomicFile::create(&bands_part).map_err(werr())?;
        write_bands(std::io::BufReader::new(runs), out)
            .map_err(werr())?
            .commit()
            .map_err(werr())?;
    }
    let mut names = s.part_names();
    names.insert(2, "bands.csv".into());
    let mut paths = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let done = s.dir.join(n);
        let part = s.part(n);
        if part.exists() {
            std::fs::rename(&part, &done).map_err(werr())?;
        }
        maybe_abort("rename", i as u64 + 1);
        paths.push(done);
    }
    std::fs::File::open(&s.dir)
        .and_then(|d| d.sync_all())
        .map_err(werr())?;
    let d = &s.plan.design;
    let m = json!({
        "program": "armsmarket",
        "version": env!("CARGO_PKG_VERSION"),
        "command": "sweep",
        "scenario_name": s.name,
        "scenario_file": std::fs::canonicalize(&s.file).unwrap_or_else(|_| s.file.clone()).display().to_string(),
        "sweep": state_json(s),
        "design": {
            "kind": format!("{:?}", d.kind).to_lowercase(),
            "points": s.plan.points.len(),
            "seed": d.seed,
            "replications": s.plan.replications,
            "parameters": s.paths(),
        },
        "shard": { "k": s.plan.shard.k, "n": s.plan.shard.n },
        "shard_points": s.plan.shard_points().len(),
        "runs": s.plan.n_jobs(),
        "failed_runs": failed,
        "threads": threads,
        "started": manifest::timestamp(started),
        "finished": manifest::timestamp(SystemTime::now()),
        "files": manifest::file_entries(&paths).map_err(CliError::io("hashing outputs"))?,
        "scenario": manifest::scenario_json(&s.resolved),
    });
    manifest::write(&s.dir, &m).map_err(CliError::io("writing manifest.json"))?;
    if failed == 0 {
        std::fs::remove_dir_all(s.dir.join(WORK)).map_err(werr())?;
    }
    Ok(())
}

/// Silences the panic report while alive; restores the previous hook.
struct QuietPanics;

impl QuietPanics {
    fn install() -> QuietPanics {
        std::panic::set_hook(Box::new(|_| {}));
        QuietPanics
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        let _ = std::panic::take_hook();
    }
}

/// `armsmarket sweep`.
pub fn sweep(a: &SweepArgs) -> Result<(), CliError> {
    let started = SystemTime::now();
    let s = setup(a)?;
    std::fs::create_dir_all(&s.dir)
        .map_err(CliError::io(format!("creating {}", s.dir.display())))?;
    let Some(start) = prepare_dir(&s, a.resume)? else {
        return Ok(());
    };
    let first_job = match &start {
        Start::Resume(e) => e.jobs,
        Start::Fresh => 0,
    };
    // Opening the parts cuts them back to the ledger's lengths; only then
    // are they read for the failures recorded before this resume, which
    // are tried again.
    let mut parts = open_parts(&s, &start)?;
    let to_retry = match &start {
        Start::Resume(_) => {
            parts
                .runs
                .flush()
                .map_err(CliError::io("flushing runs.csv"))?;
            failed_jobs(&s)?
        }
        Start::Fresh => Vec::new(),
    };
    let pool = batch::pool(a.threads).map_err(|e| CliError::Run(e.to_string()))?;
    let threads = pool.current_num_threads();
    let n_jobs = s.plan.n_jobs();
    // A run that panics is recorded in runs.csv with its message; the
    // default report on stderr would only interleave with the progress bar.
    let quiet_panics = QuietPanics::install();
    let reps = u64::from(s.plan.replications);
    let to_retry: Vec<u64> = to_retry.into_iter().filter(|j| *j < first_job).collect();
    let pb = progress_bar(n_jobs - first_job + to_retry.len() as u64, &s.name, a.quiet);
    let werr = || CliError::io(format!("writing {}", s.dir.display()));

    // Chunks of whole points (the first may start inside a point), enough
    // runs to keep every thread busy, few enough worlds to stay small.
    let points_per_chunk = (batch::window_for(threads) as u64)
        .div_ceil(reps)
        .clamp(1, 8 * threads as u64);
    let chunk_jobs = points_per_chunk * reps;
    let boundaries: Vec<(u64, u64)> = {
        let mut v = Vec::new();
        let mut j = first_job;
        while j < n_jobs {
            let end = ((j / chunk_jobs) + 1) * chunk_jobs;
            let end = end.min(n_jobs);
            v.push((j, end));
            j = end;
        }
        v
    };
    let sync_every: u64 = std::env::var("ARMSMARKET_TEST_SYNC_EVERY")
        .ok()
        .and_then(|x| x.parse().ok())
        .unwrap_or(4096);
    let mut since_sync = 0u64;
    let mut last_sync = Instant::now();
    let mut done = first_job;
    batch::run_chunks(
        boundaries.len(),
        |k| {
            let (lo, hi) = boundaries[k];
            let jobs: Vec<u64> = (lo..hi).collect();
            run_jobs(&s, &jobs, &pool, &pb)
        },
        |_, out| -> Result<(), CliError> {
            write_job(&s, &mut parts, &out).map_err(werr())?;
            done += 1;
            maybe_abort("job", done);
            since_sync += 1;
            if since_sync >= sync_every || last_sync.elapsed().as_secs_f64() >= 2.0 {
                parts.sync(done).map_err(werr())?;
                since_sync = 0;
                last_sync = Instant::now();
            }
            Ok(())
        },
    )?;
    parts.sync(done).map_err(werr())?;
    drop(parts);

    // Retry what failed before this resume.
    if !to_retry.is_empty() {
        let retried = run_jobs(&s, &to_retry, &pool, &pb);
        let lengths = rebuild(&s, &retried)?;
        let entry = Entry {
            jobs: n_jobs,
            lengths,
        };
        Ledger::append_to(&s.dir.join(WORK).join("ledger"))
            .and_then(|mut l| l.record(&entry))
            .map_err(werr())?;
        maybe_abort("rebuild", 1);
        settle_rebuilds(&s, &entry)?;
    }
    pb.finish_and_clear();
    drop(quiet_panics);
    let failed = failed_jobs(&s)?.len();
    finish(&s, failed, started, threads)?;
    if !a.quiet {
        eprintln!(
            "{}: {} points x {} replications = {} runs -> {}",
            s.name,
            s.plan.shard_points().len(),
            s.plan.replications,
            n_jobs,
            s.dir.display()
        );
    }
    if failed > 0 {
        return Err(CliError::Run(format!(
            "{failed} of {n_jobs} runs failed (their status and error are in {}); `{}` retries them",
            s.dir.join("runs.csv").display(),
            resume_command(&a.file, &a.out, s.plan.shard, &s.keep)
        )));
    }
    Ok(())
}

/// The command that resumes a sweep, with every option that identifies it.
pub fn resume_command(file: &Path, out: &Path, shard: Shard, keep: &[String]) -> String {
    let mut c = format!("armsmarket sweep {}", file.display());
    if shard.n > 1 {
        c.push_str(&format!(" --shard {shard}"));
    }
    if out != Path::new("outputs") {
        c.push_str(&format!(" --out {}", out.display()));
    }
    if !keep.is_empty() {
        c.push_str(&format!(" --keep {}", keep.join(",")));
    }
    c.push_str(" --resume");
    c
}
