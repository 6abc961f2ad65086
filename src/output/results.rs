//! The results of `run` and `compare`: replications of prepared scenarios,
//! with their tables, targets and verdicts, written into a staged result
//! that replaces the previous one whole (see [`crate::output::publish`]).

use crate::analysis::verdict::{Runs, TargetInfo, Verdict, verdict};
use crate::engine::batch::{self, Completion, Control};
use crate::engine::{Prepared, RunRecord, observe_for, run_replication};
use crate::output::faults;
use crate::output::manifest::{Command, Manifest, ScenarioRecord};
use crate::output::publish::{Destination, OutputError, Staging, write_error};
use crate::output::report::{
    TargetsWriter, write_compare_csv, write_patterns_csv, write_verdict_csv,
};
use crate::output::tables::{Rows, TableFiles, format_rows_into};
use crate::scenario::schema::Table;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// Why a result was not written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResultError {
    /// Writing failed, or the result's place is taken or locked.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The batch was stopped (Ctrl-C): nothing was written.
    #[error("removed the unfinished result; {}", if *previous {
        format!("{} is as it was", dir.display())
    } else {
        format!("nothing was written to {}", dir.display())
    })]
    Stopped {
        /// The result folder, unchanged.
        dir: PathBuf,
        /// Whether it held a previous result (kept whole).
        previous: bool,
    },
    /// Scenarios whose summaries have different columns share one table.
    #[error(
        "the summary table cannot hold {a} ({a_years}) and {b} ({b_years}): their runs span different years; compare them without `summary` among --tables"
    )]
    SummarySpans {
        /// One scenario.
        a: String,
        /// Its years.
        a_years: String,
        /// Another.
        b: String,
        /// Its years.
        b_years: String,
    },
}

impl ResultError {
    /// Whether the user can fix it by other options (exit 2).
    pub fn is_usage(&self) -> bool {
        match self {
            ResultError::Output(e) => e.is_usage(),
            ResultError::SummarySpans { .. } => true,
            ResultError::Stopped { .. } => false,
        }
    }
}

/// Replications `0..replications` of `p` on `pool`, each handed to `sink`
/// in replication order with its rows of `tables` (led by `key` under
/// `lead`), formatted on the worker thread that ran it; the record keeps
/// its contracts, summary and targets, not the per-quarter rows. The
/// rows' buffers are used again once written, so that memory stays flat
/// however many replications run.
#[allow(clippy::too_many_arguments)]
fn replicate(
    p: &Prepared,
    seed: u64,
    replications: u32,
    tables: &[Table],
    lead: Option<(&'static str, &str)>,
    pool: &rayon::ThreadPool,
    control: Control<'_>,
    mut sink: impl FnMut(usize, std::io::Result<(RunRecord, &Rows)>) -> std::io::Result<()> + Send,
) -> std::io::Result<Completion> {
    let jobs: Vec<u32> = (0..replications).collect();
    let observe = observe_for(tables);
    let window = batch::window_for_rows(pool.current_num_threads(), observe);
    let spare: Mutex<Vec<Rows>> = Mutex::new(Vec::new());
    let take_spare = || spare.lock().unwrap_or_else(|e| e.into_inner()).pop();
    batch::run_ordered(
        pool,
        &jobs,
        window,
        |&r| {
            let mut rec = run_replication(&p.world, &p.targets, seed, 0, r, observe);
            let rows = format_rows_into(
                &p.world,
                &rec,
                tables,
                lead.map(|l| l.0),
                lead.map(|l| l.1),
                take_spare().unwrap_or_default(),
            );
            rec.contracts = Vec::new();
            rec.market = Vec::new();
            rec.suppliers = Vec::new();
            rec.buyers = Vec::new();
            Ok((rec, rows))
        },
        control,
        |i, done: std::io::Result<(RunRecord, Rows)>| match done {
            Ok((rec, rows)) => {
                sink(i, Ok((rec, &rows)))?;
                spare.lock().unwrap_or_else(|e| e.into_inner()).push(rows);
                Ok(())
            }
            Err(e) => sink(i, Err(e)),
        },
    )
}

/// What `scenarios` were, for the manifest: each resolved scenario with
/// the seed, replications and tables this command ran with (the command
/// line's `--seed`, `-r` and `--tables` replace the file's) and the
/// mechanisms as they ran (a commercial hypothesis switches some off, and
/// a comparison's contested variant more than the file says), so that the
/// record alone runs again to the same bytes.
fn records(
    scenarios: &[&Prepared],
    seed: u64,
    replications: u32,
    tables: &[Table],
) -> Vec<ScenarioRecord> {
    scenarios
        .iter()
        .map(|p| {
            let mut resolved = p.loaded.resolved.clone();
            // Seeds come from a scenario file or `--seed`, both at most
            // i64::MAX (TOML's integers).
            if let Ok(seed) = i64::try_from(seed) {
                resolved.insert("seed".into(), toml::Value::Integer(seed));
            }
            resolved.insert(
                "replications".into(),
                toml::Value::Integer(i64::from(replications)),
            );
            // Switching off what the hypothesis switched off changes
            // nothing when the record runs again: it is off either way.
            resolved.insert(
                "mechanisms".into(),
                toml::Value::try_from(p.world.mechanisms).expect("switches serialize"),
            );
            let files = tables.iter().map(|t| t.name().into()).collect();
            let outputs = resolved
                .entry("outputs")
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(o) = outputs {
                o.insert("files".into(), toml::Value::Array(files));
            }
            ScenarioRecord {
                name: p.loaded.name.clone(),
                file: p.loaded.path.display().to_string(),
                resolved,
            }
        })
        .collect()
}

/// Hash the staged files, write the manifest, put the result in place.
fn finish(
    dest: &Destination,
    staging: Staging,
    mut m: Manifest,
    control: Control<'_>,
) -> Result<(), ResultError> {
    control.watch.phase("writing the manifest");
    m = m.write(&staging).map_err(|e| write_error(e, dest.path()))?;
    drop(m);
    dest.publish(staging)?;
    Ok(())
}

/// Run `replications` replications of `p` with `seed` into the result
/// folder `dest` (locked by the caller, so that a batch can take all its
/// folders before it writes any), writing `tables` (and `targets.csv` if
/// it has targets); returns the verdict on its targets.
pub fn run(
    p: &Prepared,
    seed: u64,
    replications: u32,
    tables: &[Table],
    dest: Destination,
    pool: &rayon::ThreadPool,
    control: Control<'_>,
) -> Result<Verdict, ResultError> {
    let started = SystemTime::now();
    let name = &p.loaded.name;
    let dir = dest.path();
    // Whether a Ctrl-C leaves an earlier result in place, for its message.
    let previous = dir.exists();
    let staging = dest.stage()?;
    let werr = |e| ResultError::Output(write_error(e, dir));
    let mut out = TableFiles::create(&staging, tables, &p.world, None).map_err(werr)?;
    let mut targets = if p.targets.list.is_empty() {
        None
    } else {
        Some(TargetsWriter::create(&staging, false).map_err(werr)?)
    };
    let mut runs = Runs::new(name);
    control.watch.start(name, u64::from(replications));
    let completion = replicate(
        p,
        seed,
        replications,
        tables,
        None,
        pool,
        control,
        |_, done| {
            let (rec, rows) = done?;
            out.append(rows)?;
            if let Some(t) = targets.as_mut() {
                t.write(name, rec.replication, &p.targets, &rec.targets)?;
            }
            runs.push(&rec.targets);
            faults::pause_at("job", u64::from(rec.replication) + 1);
            Ok(())
        },
    )
    .map_err(werr)?;
    if completion == Completion::Stopped {
        control.watch.finish();
        return Err(ResultError::Stopped {
            dir: dir.to_path_buf(),
            previous,
        });
    }
    out.finish().map_err(werr)?;
    if let Some(t) = targets {
        t.finish().map_err(werr)?;
    }
    let mut m: Manifest = Manifest::new(Command::Run, started);
    m.threads = Some(pool.current_num_threads());
    m.seed = Some(seed);
    m.replications = Some(replications);
    m.scenarios = records(&[p], seed, replications, tables);
    finish(&dest, staging, m, control)?;
    control.watch.finish();
    Ok(verdict(&TargetInfo::of(&p.targets), &[runs]))
}

/// Run every scenario of `scenarios` with `replications` replications on
/// common random numbers (replication *i* of each on the same streams of
/// `seed`) into the result folder `dir`: `targets.csv`, `compare.csv` and
/// `tables` (each row led by its scenario), `patterns.csv` and
/// `verdict.csv`: every scenario judged on the first one's targets, with
/// paired differences to the first. Returns the verdict.
pub fn compare(
    scenarios: &[Prepared],
    seed: u64,
    replications: u32,
    tables: &[Table],
    dir: &Path,
    pool: &rayon::ThreadPool,
    control: Control<'_>,
) -> Result<Verdict, ResultError> {
    let started = SystemTime::now();
    if tables.contains(&Table::Summary) {
        let years = |p: &Prepared| {
            let w = &p.world;
            (w.start.year(), w.quarter(w.n_quarters - 1).year())
        };
        if let Some((a, b)) = scenarios
            .iter()
            .zip(scenarios.iter().skip(1))
            .find(|(a, b)| years(a) != years(b))
        {
            let show = |p: &Prepared| {
                let (f, l) = years(p);
                format!("{f}-{l}")
            };
            return Err(ResultError::SummarySpans {
                a: a.loaded.name.clone(),
                a_years: show(a),
                b: b.loaded.name.clone(),
                b_years: show(b),
            });
        }
    }
    let dest = Destination::lock(dir, Command::Compare)?;
    // Whether a Ctrl-C leaves an earlier result in place, for its message.
    let previous = dir.exists();
    let staging = dest.stage()?;
    let werr = |e| ResultError::Output(write_error(e, dir));
    let mut targets = TargetsWriter::create(&staging, true).map_err(werr)?;
    let mut out = match scenarios.first() {
        Some(p) => {
            Some(TableFiles::create(&staging, tables, &p.world, Some("scenario")).map_err(werr)?)
        }
        None => None,
    };
    let reference = scenarios
        .first()
        .map_or_else(Vec::new, |p| TargetInfo::of(&p.targets));
    debug_assert!(
        scenarios
            .iter()
            .all(|p| TargetInfo::of(&p.targets) == reference),
        "every scenario is judged on the first one's targets (engine::judge_on_first)"
    );
    let mut all: Vec<Runs> = Vec::new();
    for p in scenarios {
        let name = &p.loaded.name;
        let mut runs = Runs::new(name);
        control.watch.start(name, u64::from(replications));
        let completion = replicate(
            p,
            seed,
            replications,
            tables,
            Some(("scenario", name)),
            pool,
            control,
            |_, done| {
                let (rec, rows) = done?;
                if let Some(o) = out.as_mut() {
                    o.append(rows)?;
                }
                targets.write(name, rec.replication, &p.targets, &rec.targets)?;
                runs.push(&rec.targets);
                Ok(())
            },
        )
        .map_err(werr)?;
        control.watch.finish();
        if completion == Completion::Stopped {
            return Err(ResultError::Stopped {
                dir: dir.to_path_buf(),
                previous,
            });
        }
        all.push(runs);
    }
    targets.finish().map_err(werr)?;
    if let Some(o) = out {
        o.finish().map_err(werr)?;
    }
    let v = verdict(&reference, &all);
    write_compare_csv(&staging, &reference, &v).map_err(werr)?;
    write_patterns_csv(&staging, &reference, &v).map_err(werr)?;
    write_verdict_csv(&staging, &v).map_err(werr)?;
    let mut m: Manifest = Manifest::new(Command::Compare, started);
    m.threads = Some(pool.current_num_threads());
    m.seed = Some(seed);
    m.replications = Some(replications);
    m.scenarios = records(
        &scenarios.iter().collect::<Vec<_>>(),
        seed,
        replications,
        tables,
    );
    finish(&dest, staging, m, Control::none())?;
    Ok(v)
}
