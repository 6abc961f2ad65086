//! Running a sweep: its jobs (every point × replication of a shard) as a
//! durable batch in a work folder beside the result, then its result put
//! in place whole.
//!
//! Files, for the result `OUT/<name>/` (a shard's: `OUT/<name>.shards/
//! shard-K-of-N/`): `points.csv`, `runs.csv`, `bands.csv`, the kept per-run
//! tables and `manifest.json`. While the sweep runs they are part files in
//! `OUT/.<name>.partial/` with the ledger and the sweep's identity; the
//! result replaces any previous one only when it is complete.

use crate::analysis::Targets;
use crate::analysis::verdict::TargetInfo;
use crate::engine::batch::{Completion, Control, window_for_rows};
use crate::engine::{Observe, observe_for, run_replication};
use crate::model::World;
use crate::output::manifest::{Command, Manifest, ScenarioRecord};
use crate::output::publish::{Destination, Staging, sibling, write_error};
use crate::output::tables::TableWriters;
use crate::scenario::schema::{DesignKind, Table};
use crate::sweep::SweepError;
use crate::sweep::plan::Shard;
use crate::sweep::resume::{Identity, Opened, Start, WorkDir};
use crate::sweep::runner::{self, Jobs, Part, panic_message};
use crate::sweep::setup::{Setup, SweepIdentity};
use crate::sweep::tables::{
    csv_line, failed_row, point_id_text, points_header, points_rows, run_line, write_bands,
};
use serde::{Deserialize, Serialize};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::SystemTime;

/// What a sweep is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The sweep file.
    pub file: PathBuf,
    /// The folder that receives the result folder.
    pub out: PathBuf,
    /// The slice to run; `None`: the Slurm array task's, else the whole.
    pub shard: Option<Shard>,
    /// Per-run tables to keep; `None`: those of the sweep being resumed,
    /// else none.
    pub tables: Option<Vec<Table>>,
    /// Continue an interrupted sweep (and retry failed runs).
    pub resume: bool,
    /// Worker threads (0: one per core).
    pub threads: usize,
}

/// The design of a sweep, as its manifest records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignRecord {
    /// How points are chosen.
    pub kind: DesignKind,
    /// Points of the whole design.
    pub points: usize,
    /// Seed of the design and of the runs.
    pub seed: u64,
    /// Replications per point.
    pub replications: u32,
    /// The swept parameters' paths.
    pub parameters: Vec<String>,
    /// Saltelli: whether the BA matrices (second order) are in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_order: Option<bool>,
    /// Saltelli: whether the Sobol' sequence is scrambled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scramble: Option<bool>,
    /// Morris: levels of the grid (the step Δ depends on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levels: Option<usize>,
}

/// The plan a sweep's (or a merge's) manifest records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRecord {
    /// What makes the sweep this sweep.
    pub identity: SweepIdentity,
    /// Its design.
    pub design: DesignRecord,
    /// Points in this shard.
    pub points: usize,
    /// Runs in this shard.
    pub runs: u64,
    /// Runs that failed.
    pub failed_runs: u64,
    /// The shard folders a merge joined, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<PathBuf>,
}

/// The design a sweep ran, from the `[sweep]` table of the resolved
/// scenario its manifest records, compiled as the sweep compiled it
/// ([`crate::sweep::plan::design_of`]); `None` if the manifest holds none
/// that reads as one.
pub fn recorded_design(manifest: &Manifest<SweepRecord>) -> Option<crate::sweep::design::Design> {
    let sweep: crate::scenario::schema::Sweep = manifest
        .scenarios
        .first()?
        .resolved
        .get("sweep")?
        .clone()
        .try_into()
        .ok()?;
    // The seed the plan records is the one the sweep used, given or not.
    let seed = manifest.plan.as_ref().map_or(0, |p| p.design.seed);
    crate::sweep::plan::design_of(&sweep, seed).ok()
}

/// The result folder of `shard` of the sweep `name` in `out`.
pub fn result_dir(out: &Path, name: &str, shard: Shard) -> PathBuf {
    if shard.n == 1 {
        batch_dir(out, name, 1)
    } else {
        batch_dir(out, name, shard.n).join(format!("shard-{}-of-{}", shard.k, shard.n))
    }
}

/// The folder `merge` is given for the sweep `name` in `out` split into
/// `n` shards: the `.shards` folder, or for one shard the result folder
/// itself, since a single shard writes its result there directly.
pub fn batch_dir(out: &Path, name: &str, n: u32) -> PathBuf {
    if n == 1 {
        out.join(name)
    } else {
        shards_dir(out, name)
    }
}

/// The folder holding the shards of the sweep `name` in `out`.
pub fn shards_dir(out: &Path, name: &str) -> PathBuf {
    out.join(format!("{name}.shards"))
}

/// A path as a shell word (quoted if it needs to be).
pub fn shell_word(p: &Path) -> String {
    let text = p.display().to_string();
    shlex::try_quote(&text).map_or(text.clone(), |q| q.into_owned())
}

/// ` --tables a,b` for a command line, empty for no table (the default).
pub fn tables_option(tables: &[Table]) -> String {
    if tables.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = tables.iter().map(|t| t.name()).collect();
    format!(" --tables {}", names.join(","))
}

/// The command that runs `shard` of the sweep `file` into `out` (resuming
/// it, with `resume`), with every option that identifies it.
pub fn shard_command(
    file: &Path,
    out: &Path,
    shard: Shard,
    tables: &[Table],
    resume: bool,
) -> String {
    let mut c = format!("armsmarket sweep {}", shell_word(file));
    if shard.n > 1 {
        c.push_str(&format!(" --shard {shard}"));
    }
    if out != Path::new("outputs") {
        c.push_str(&format!(" --out {}", shell_word(out)));
    }
    c.push_str(&tables_option(tables));
    if resume {
        c.push_str(" --resume");
    }
    c
}

/// How a sweep ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The sweep's name.
    pub name: String,
    /// Its result folder.
    pub dir: PathBuf,
    /// "N points x R replications = J runs".
    pub described: String,
    /// Runs in the shard.
    pub runs: u64,
    /// Runs that failed (their rows say why).
    pub failed: u64,
    /// Whether it finished or was stopped (its work folder kept).
    pub completion: Completion,
    /// The command that resumes it (or retries its failed runs).
    pub resume: String,
}

/// A sweep whose work folder is open and whose result is locked.
pub struct Sweep {
    setup: Setup,
    dest: Destination,
    work: WorkDir,
    start: Option<Start>,
    out: PathBuf,
    started: SystemTime,
}

/// What opening a sweep found.
pub enum Opening {
    /// Work to do.
    Ready(Box<Sweep>),
    /// The result is there and complete: nothing to do.
    Complete(PathBuf),
}

impl Sweep {
    /// Load, plan and lock a sweep, and open its work folder (afresh, or
    /// to resume). `say` hears what the user should know. Once `stop` is
    /// set (Ctrl-C), the check of the points stops with
    /// [`SweepError::Stopped`], before any folder is touched.
    pub fn open(o: &Options, say: &dyn Fn(&str), stop: &AtomicBool) -> Result<Opening, SweepError> {
        let started = SystemTime::now();
        let shard = match o.shard {
            Some(s) => s,
            None => match Shard::from_slurm(|k| std::env::var(k).ok()) {
                Some(s) => {
                    let s = s?;
                    say(&format!(
                        "running shard {s} from the Slurm array environment (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT)"
                    ));
                    s
                }
                None => Shard::WHOLE,
            },
        };
        let mut setup = Setup::new(&o.file, shard, o.tables.as_deref().unwrap_or(&[]), stop)?;
        let dir = result_dir(&o.out, &setup.name, shard);
        let dest = Destination::lock(&dir, Command::Sweep)?;
        let partial = sibling(&dir, "partial");
        if o.resume && o.tables.is_none() {
            // Resume with the tables the sweep keeps.
            if let Some(recorded) = recorded_tables(&partial, &dir) {
                setup = setup.keeping(&recorded)?;
            }
        }
        let work = WorkDir::new(&partial, &setup.identity).with_settings(setup.settings.to_bytes());
        // A finished result of this very sweep: nothing to resume.
        if o.resume
            && !work.exists()
            && let Ok(m) = Manifest::<SweepRecord>::read(&dir)
            && let Some(found) = m.plan.as_ref().map(|p| &p.identity)
        {
            let recorded = m
                .scenarios
                .first()
                .and_then(|s| crate::sweep::setup::recorded_settings(&s.resolved, &found.version));
            let why = match recorded {
                Some(was) => {
                    setup
                        .identity
                        .differs_in(found, &setup.settings.to_bytes(), &was.to_bytes())
                }
                None => setup.identity.differs(found),
            };
            if let Some(why) = why {
                let mismatch = crate::sweep::resume::ResumeError::Mismatch { path: dir, why };
                return Err(SweepError::Resume(mismatch));
            }
            // "Complete" is said of files that are as written.
            let files = m.damaged(&dir).map_err(|source| SweepError::Io {
                path: dir.clone(),
                source,
            })?;
            if !files.is_empty() {
                return Err(SweepError::ResultChanged { dir, files });
            }
            // Failed runs are retried from the work folder, which is gone.
            if let Some(failed) = m.plan.as_ref().map(|p| p.failed_runs).filter(|&n| n > 0) {
                return Err(SweepError::FailedWithoutWork {
                    dir,
                    failed,
                    partial,
                });
            }
            return Ok(Opening::Complete(dir));
        }
        let Opened { start, note } = work.open(o.resume, &setup.identity)?;
        if let Some(n) = note {
            say(&n);
        }
        Ok(Opening::Ready(Box::new(Sweep {
            setup,
            dest,
            work,
            start: Some(start),
            out: o.out.clone(),
            started,
        })))
    }

    /// What is fixed about the sweep.
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// Jobs this call will run (those not yet written, and the failed ones
    /// it retries).
    pub fn to_run(&self) -> u64 {
        match &self.start {
            Some(Start::Resume(c)) => {
                let done = c.last.as_ref().map_or(0, |e| e.jobs);
                self.setup.plan.n_jobs() - done + c.failures.len() as u64
            }
            _ => self.setup.plan.n_jobs(),
        }
    }

    /// The command that resumes this sweep.
    pub fn resume_command(&self) -> String {
        let s = &self.setup;
        shard_command(&s.file, &self.out, s.plan.shard, &s.tables, true)
    }

    /// Run the sweep on `pool`, then put its result in place.
    pub fn run(
        mut self,
        pool: &rayon::ThreadPool,
        control: Control<'_>,
    ) -> Result<Report, SweepError> {
        let jobs = SweepJobs::new(&self.setup);
        control.watch.start(&self.setup.name, self.to_run());
        let start = self.start.take().expect("run once");
        let done = runner::run(&jobs, &self.work, start, pool, control);
        let done = done.inspect_err(|_| control.watch.finish())?;
        let report = Report {
            name: self.setup.name.clone(),
            dir: self.dest.path().to_path_buf(),
            described: self.setup.describe(),
            runs: self.setup.plan.n_jobs(),
            failed: done.failed.len() as u64,
            completion: done.completion,
            resume: self.resume_command(),
        };
        if done.completion == Completion::Done {
            control.watch.phase("putting the result in place");
            let finished = self.finish(&report, pool.current_num_threads());
            control.watch.finish();
            finished?;
        } else {
            control.watch.finish();
        }
        Ok(report)
    }

    /// Assemble the result from the parts (linked, not copied), add the
    /// bands and the manifest, and put it in place; the work folder goes
    /// unless runs failed (a resume retries them).
    fn finish(&self, report: &Report, threads: usize) -> Result<(), SweepError> {
        let s = &self.setup;
        let result = self.work.result();
        let io_at = |path: &Path| {
            let path = path.to_path_buf();
            move |source| SweepError::Io { path, source }
        };
        if result.exists() {
            std::fs::remove_dir_all(&result).map_err(io_at(&result))?;
        }
        std::fs::create_dir(&result).map_err(io_at(&result))?;
        for part in SweepJobs::new(s).parts() {
            let from = self.work.part(&part.name);
            let to = result.join(&part.name);
            if std::fs::hard_link(&from, &to).is_err() {
                std::fs::copy(&from, &to).map_err(io_at(&to))?;
            }
        }
        let staging = Staging::kept(&result, self.dest.path());
        let werr = |e| SweepError::Output(write_error(e, self.dest.path()));
        {
            let runs = std::fs::File::open(result.join("runs.csv")).map_err(io_at(&result))?;
            let out = staging.create("bands.csv").map_err(werr)?;
            write_bands(std::io::BufReader::new(runs), out)
                .and_then(|f| f.finish())
                .map_err(werr)?;
        }
        let d = &s.plan.design;
        let mut m: Manifest<SweepRecord> = Manifest::new(Command::Sweep, self.started);
        m.threads = Some(threads);
        m.seed = Some(s.plan.seed);
        m.replications = Some(s.plan.replications);
        m.scenarios = vec![ScenarioRecord {
            name: s.name.clone(),
            file: std::fs::canonicalize(&s.file)
                .unwrap_or_else(|_| s.file.clone())
                .display()
                .to_string(),
            resolved: s.resolved.clone(),
        }];
        m.plan = Some(SweepRecord {
            identity: s.identity.clone(),
            design: DesignRecord {
                kind: d.kind,
                points: s.plan.points.len(),
                seed: d.seed,
                replications: s.plan.replications,
                parameters: s.paths(),
                second_order: (d.kind == DesignKind::Saltelli).then_some(d.second_order),
                scramble: (d.kind == DesignKind::Saltelli).then_some(d.scramble),
                levels: (d.kind == DesignKind::Morris).then_some(d.levels),
            },
            points: s.plan.shard_points().len(),
            runs: report.runs,
            failed_runs: report.failed,
            merged_from: Vec::new(),
        });
        m.write(&staging).map_err(werr)?;
        self.dest.publish(staging)?;
        if report.failed == 0 {
            self.dest
                .remove_work(self.work.path())
                .map_err(io_at(self.work.path()))?;
        }
        Ok(())
    }
}

/// The tables kept by the sweep in the work folder `partial`, or in the
/// finished result `dir`.
fn recorded_tables(partial: &Path, dir: &Path) -> Option<Vec<Table>> {
    let from_work = std::fs::read(partial.join("identity.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<SweepIdentity>(&b).ok());
    from_work
        .or_else(|| {
            Manifest::<SweepRecord>::read(dir)
                .ok()
                .and_then(|m| m.plan)
                .map(|p| p.identity)
        })
        .map(|i| i.tables)
}

/// A point's compiled world and targets, with what the verdict reads of
/// the targets (made once a point, not once a run), or why it could not
/// be built.
type Compiled = Result<(World, Targets, Vec<TargetInfo>), String>;

/// The jobs of a sweep's shard, for the durable runner.
struct SweepJobs<'a> {
    s: &'a Setup,
    observe: Observe,
}

impl<'a> SweepJobs<'a> {
    fn new(s: &'a Setup) -> SweepJobs<'a> {
        SweepJobs {
            s,
            observe: observe_for(&s.tables),
        }
    }

    /// The `points.csv` line of job `job`'s point, if it is the point's
    /// first replication.
    fn points_line(&self, job: u64) -> Vec<u8> {
        let (pi, rep) = self.s.plan.job(job);
        if rep == 0 {
            let points = &self.s.plan.points;
            points_rows(&points.get(pi), points.roles(pi), &self.s.paths())
        } else {
            Vec::new()
        }
    }
}

impl Jobs for SweepJobs<'_> {
    type Chunk = Vec<(usize, Arc<Compiled>)>;
    type Done = Vec<Vec<u8>>;

    fn parts(&self) -> Vec<Part> {
        let s = self.s;
        let mut v = vec![
            Part {
                name: "points.csv".into(),
                header: points_header(&s.paths(), s.plan.design.kind),
            },
            Part {
                name: "runs.csv".into(),
                header: csv_line(&s.header),
            },
        ];
        for t in &s.tables {
            v.push(Part {
                name: format!("{t}.csv"),
                header: TableWriters::<Vec<u8>>::header(*t, &s.names, Some("point_id")),
            });
        }
        v
    }

    fn count(&self) -> u64 {
        self.s.plan.n_jobs()
    }

    fn chunk_size(&self, threads: usize) -> u64 {
        // Whole points, enough runs to keep every thread busy, few enough
        // worlds to stay small; a point with more replications than that
        // is cut into several chunks. Runs that keep per-quarter tables
        // (a megabyte each for europe) come fewer at a time, as in `run`:
        // a chunk's rows are all held until it is written, and the 64 runs
        // a thread of the summary window took 1.3 GB on two threads.
        let window = window_for_rows(threads, self.observe) as u64;
        let reps = u64::from(self.s.plan.replications);
        if reps >= window {
            window
        } else {
            window.div_ceil(reps).clamp(1, 8 * threads.max(1) as u64) * reps
        }
    }

    fn prepare(&self, jobs: &[u64], previous: Option<&Self::Chunk>) -> Self::Chunk {
        use rayon::prelude::*;
        let mut points: Vec<usize> = jobs.iter().map(|&j| self.s.plan.job(j).0).collect();
        points.dedup();
        points
            .par_iter()
            .map(|&pi| {
                let reused = previous.and_then(|p| p.iter().find(|(q, _)| *q == pi));
                if let Some((_, c)) = reused {
                    return (pi, c.clone());
                }
                let compiled = catch_unwind(AssertUnwindSafe(|| {
                    self.s
                        .compile(pi)
                        .map(|(w, t)| {
                            let info = TargetInfo::of(&t);
                            (w, t, info)
                        })
                        // `runs.csv` keeps it: the same bytes for
                        // `sweep f.toml` and `sweep $PWD/f.toml`.
                        .map_err(|e| e.by_file_name())
                }))
                .unwrap_or_else(|p| Err(panic_message(p)));
                (pi, Arc::new(compiled))
            })
            .collect()
    }

    fn run(&self, chunk: &Self::Chunk, job: u64) -> Result<Self::Done, String> {
        let s = self.s;
        let (pi, rep) = s.plan.job(job);
        let (_, compiled) = chunk.iter().find(|(q, _)| *q == pi).expect("prepared");
        let (w, t, info) = compiled
            .as_ref()
            .as_ref()
            .map_err(|e| format!("invalid point: {e}"))?;
        let point = s.plan.points.get(pi).id;
        let rec = run_replication(w, t, s.plan.seed, point, rep, self.observe);
        let mut rows = vec![
            self.points_line(job),
            run_line(&s.names, info, s.plan.seed, point, &rec),
        ];
        let writers: Vec<(Table, Vec<u8>)> = s.tables.iter().map(|t| (*t, Vec::new())).collect();
        let mut kept = TableWriters::new(writers, Some("point_id"));
        kept.write(w, &rec, Some(&point_id_text(point)))
            .map_err(|e| e.to_string())?;
        rows.extend(
            kept.into_inner()
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|(_, bytes)| bytes),
        );
        Ok(rows)
    }

    fn rows(&self, job: u64, outcome: Result<Self::Done, String>) -> Vec<Vec<u8>> {
        match outcome {
            Ok(rows) => rows,
            Err(e) => {
                let s = self.s;
                let (pi, rep) = s.plan.job(job);
                let point = s.plan.points.get(pi).id;
                let mut rows = vec![
                    self.points_line(job),
                    csv_line(failed_row(s.plan.seed, point, rep, &e, s.header.len())),
                ];
                rows.resize(2 + s.tables.len(), Vec::new());
                rows
            }
        }
    }
}

impl crate::sweep::merge::ShardedPlan for SweepRecord {
    fn shard(&self) -> Shard {
        self.identity.shard
    }

    fn same_batch(first: &Manifest<SweepRecord>, other: &Manifest<SweepRecord>) -> Option<String> {
        let (a, b) = (first.plan.as_ref()?, other.plan.as_ref()?);
        match (first.scenarios.first(), other.scenarios.first()) {
            (Some(x), Some(y)) => {
                a.identity
                    .same_sweep_as_recorded(&b.identity, &x.resolved, &y.resolved)
            }
            _ => a.identity.same_sweep(&b.identity),
        }
    }

    fn failed(&self) -> u64 {
        self.failed_runs
    }

    fn is_merged(&self) -> bool {
        !self.merged_from.is_empty()
    }

    fn merged(shards: &[&SweepRecord], from: Vec<PathBuf>) -> SweepRecord {
        let first = shards[0];
        let mut identity = first.identity.clone();
        identity.shard = Shard::WHOLE;
        identity.jobs = shards.iter().map(|s| s.identity.jobs).sum();
        SweepRecord {
            identity,
            design: first.design.clone(),
            points: shards.iter().map(|s| s.points).sum(),
            runs: shards.iter().map(|s| s.runs).sum(),
            failed_runs: 0,
            merged_from: from,
        }
    }

    fn command(m: &Manifest<SweepRecord>, shard: Shard, out: &Path, resume: bool) -> String {
        let file = m
            .scenarios
            .first()
            .map_or_else(|| PathBuf::from("FILE"), |s| PathBuf::from(&s.file));
        let tables = m
            .plan
            .as_ref()
            .map(|p| p.identity.tables.clone())
            .unwrap_or_default();
        shard_command(&file, out, shard, &tables, resume)
    }
}
