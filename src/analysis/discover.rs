//! `armsmarket discover`: scenario discovery with PRIM ([`super::prim`]) on
//! a finished sweep or on any CSV.
//!
//! On a sweep folder the rows are the design's points (`points.csv`) and the
//! outcome of a point is the share of its finished replications whose
//! `runs.csv` row meets the `--where` condition: a stochastic model's point
//! is neither "in" nor "out", and 0/1 rows per replication would make PRIM
//! peel on noise between replications of one point. On a CSV with
//! `--inputs` each row is a case and the outcome is 0/1, EMA's binary mode,
//! so results can be checked against EMA on shared data.
//!
//! The work here reads tables and writes `discover.csv`; the search itself
//! is [`super::prim`], free of I/O.

use crate::analysis::expr::{self, BoundCondition, ExprError};
use crate::analysis::prim::{
    self, Column, DimBounds, FoundBox, Phase, PrimConfig, PrimData, PrimError, QuasiP,
    Reproducibility,
};
use crate::output::csv_io;
use crate::output::manifest::Manifest;
use crate::sweep::design::{Domain, Parameter};
use crate::sweep::run::SweepRecord;
use crate::sweep::tables::value_text;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// A stop flag nobody sets.
static NEVER: AtomicBool = AtomicBool::new(false);

/// What to search and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// A sweep folder (with `points.csv` and `runs.csv`) or a CSV file.
    pub input: PathBuf,
    /// The condition a run (sweep) or row (CSV) must meet.
    pub condition: String,
    /// For a CSV: the input columns PRIM may restrict.
    pub inputs: Option<Vec<String>>,
    /// How many boxes to search for, one after another.
    pub boxes: usize,
    /// PRIM's settings.
    pub config: PrimConfig,
    /// The seed of the resampled halves.
    pub seed: u64,
    /// How many resampled halves to search for reproducibility.
    pub resamples: usize,
    /// Set (Ctrl-C) to stop before the next resampled search, writing
    /// nothing; `None`: never stopped.
    pub stop: Option<&'static AtomicBool>,
}

/// Why discovery could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoverError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The input is neither a sweep folder nor a CSV, or is missing parts.
    #[error("{0}")]
    Input(String),
    /// The `--where` condition does not parse or names an unknown column.
    #[error("--where '{condition}': {source}")]
    Condition {
        /// The condition as given.
        condition: String,
        /// What is wrong, and where.
        source: ExprError,
    },
    /// PRIM refused the data or the settings.
    #[error(transparent)]
    Prim(#[from] PrimError),
}

impl DiscoverError {
    /// Whether the input or the options are at fault (exit code 2) rather
    /// than reading or writing (exit code 1).
    pub fn is_usage(&self) -> bool {
        !matches!(
            self,
            DiscoverError::Io { .. } | DiscoverError::Prim(PrimError::Stopped)
        )
    }

    /// Whether Ctrl-C stopped it (nothing was written).
    pub fn is_stopped(&self) -> bool {
        matches!(self, DiscoverError::Prim(PrimError::Stopped))
    }
}

/// One searched box with its reproducibility.
#[derive(Debug, Clone)]
pub struct SearchedBox {
    /// The trajectory and the chosen entry.
    pub found: FoundBox,
    /// Reproducibility of the chosen entry over resampled halves.
    pub reproducibility: Option<Reproducibility>,
}

/// The result of [`discover`].
#[derive(Debug, Clone)]
pub struct Discovery {
    /// What was searched, for the printout (`16 points of DIR`).
    pub described: String,
    /// The condition as given.
    pub condition: String,
    /// The rows PRIM saw and their outcome.
    pub data: PrimData,
    /// The swept parameters' design domains, by path (sweeps only), so the
    /// snippet can keep a bound PRIM did not restrict at the design's value.
    pub domains: Vec<Parameter>,
    /// Points left out because none of their runs finished.
    pub dropped_points: usize,
    /// Runs that failed (not counted in any share).
    pub failed_runs: usize,
    /// The boxes, in the order found.
    pub boxes: Vec<SearchedBox>,
    /// The settings used.
    pub options: Options,
    /// Where the trajectory was written.
    pub written: PathBuf,
}

/// Run PRIM on `options.input` and write `discover.csv` beside it (in the
/// sweep folder, or in the CSV's folder).
pub fn discover(options: &Options) -> Result<Discovery, DiscoverError> {
    let input = &options.input;
    if !input.exists() {
        return Err(DiscoverError::Input(format!(
            "{}: no such file or folder; give a sweep's folder, or a CSV file with --inputs",
            input.display()
        )));
    }
    let (described, data, domains, dropped_points, failed_runs, out_dir) = if input.is_dir() {
        if options.inputs.is_some() {
            // Said by what the folder is: a folder that holds no sweep
            // was most likely meant to be a CSV file's.
            let what = if let Some(message) = crate::output::publish::not_a_sweep(input) {
                message
            } else if !input.join("runs.csv").exists() {
                format!(
                    "{}: a folder, not a CSV file: --inputs names columns of a CSV file; give the file itself",
                    input.display()
                )
            } else {
                format!(
                    "{}: --inputs is for a CSV file; a sweep's inputs are its parameters",
                    input.display()
                )
            };
            return Err(DiscoverError::Input(what));
        }
        let s = from_sweep(input, &options.condition)?;
        let described = format!(
            "{} of {} ({} finished, {} failed)",
            crate::output::report::count(s.data.rows() as u64, "point"),
            input.display(),
            crate::output::report::count(s.finished as u64, "run"),
            s.failed
        );
        (
            described,
            s.data,
            s.domains,
            s.dropped,
            s.failed,
            input.clone(),
        )
    } else {
        let Some(inputs) = &options.inputs else {
            return Err(DiscoverError::Input(format!(
                "{}: not a sweep folder; for a CSV file name its input columns with --inputs col,col,...",
                input.display()
            )));
        };
        // Opening a pipe waits for a writer, for ever.
        let meta = std::fs::metadata(input).map_err(io_at(input))?;
        if let Some(what) = crate::output::not_a_regular_file(&meta) {
            return Err(DiscoverError::Input(format!(
                "{}: it is {what}, not a regular file: give a sweep's folder, or a CSV file with --inputs",
                input.display()
            )));
        }
        let dir = input
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        // A result's folder (a sweep's, a run's): its files are its own,
        // and a sweep's `discover.csv` is its trajectory, which `report`
        // draws as the sweep's. A CSV's trajectory there would replace it
        // or pass for it.
        if dir.join("manifest.json").exists() {
            return Err(DiscoverError::Input(format!(
                "{}: a CSV in the folder of a result ({} is there): its trajectory, written to discover.csv beside it, would replace or pass for that result's own; for a sweep give its folder (`armsmarket discover {}`), else copy the CSV out of the folder first",
                input.display(),
                dir.join("manifest.json").display(),
                dir.display()
            )));
        }
        if crate::output::same_file(input, &dir.join("discover.csv")) {
            return Err(DiscoverError::Input(format!(
                "{}: the trajectory is written to discover.csv beside the input, which is the input itself; copy or rename the file first",
                input.display()
            )));
        }
        let data = from_csv(input, inputs, &options.condition)?;
        let described = format!("{} rows of {}", data.rows(), input.display());
        (described, data, Vec::new(), 0, 0, dir)
    };
    let written = out_dir.join("discover.csv");
    refuse_foreign_trajectory(&written)?;
    let found = prim::discover(&data, options.config, options.boxes)?;
    let mut boxes = Vec::with_capacity(found.len());
    for f in found {
        let reproducibility = match f.selected {
            Some(i) if options.resamples > 0 && halves_hold_rows(&f) => {
                Some(prim::reproducibility(
                    &data,
                    options.config,
                    &f,
                    i,
                    options.resamples,
                    0.5,
                    options.seed,
                    options.stop.unwrap_or(&NEVER),
                )?)
            }
            _ => None,
        };
        boxes.push(SearchedBox {
            found: f,
            reproducibility,
        });
    }
    let d = Discovery {
        described,
        condition: options.condition.clone(),
        data,
        domains,
        dropped_points,
        failed_runs,
        boxes,
        options: options.clone(),
        written,
    };
    if options.stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
        return Err(DiscoverError::Prim(PrimError::Stopped));
    }
    write_trajectory(&d, &d.written)?;
    Ok(d)
}

/// Whether a half of the rows a box was searched on holds a row: the
/// reproducibility check searches such halves, so a box searched on one
/// row (a one-row file, or a later box on what earlier ones left) has its
/// check reported as not measured instead of failing the whole search.
fn halves_hold_rows(f: &FoundBox) -> bool {
    f.searched_rows.len() >= 2
}

/// A sweep read for PRIM.
struct SweepRows {
    data: PrimData,
    domains: Vec<Parameter>,
    dropped: usize,
    finished: usize,
    failed: usize,
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> DiscoverError + '_ {
    move |source| DiscoverError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A CSV input that cannot be read (missing, ragged, not UTF-8) is the
/// user's to fix: an input error (exit code 2), naming the file, and the
/// line (`FILE:LINE: message`) of a row that does not parse.
fn csv_at(path: &Path) -> impl Fn(csv::Error) -> DiscoverError + '_ {
    move |e| {
        DiscoverError::Input(match crate::output::csv_row_fault(path, &e) {
            Some((at, what, fix)) => format!("{at}: {what}: {fix}"),
            None => format!("{}: {}", path.display(), csv_io(e)),
        })
    }
}

/// Cells that mark a missing value, as pandas reads them by default
/// (`na_values`): they meet no comparison, as an empty cell.
const MISSING: [&str; 18] = [
    "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
    "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
];

/// A cell as a number for the condition: empty or a missing-value marker
/// ([`MISSING`]) is NaN (so it meets no comparison), `true`/`false` in
/// any of pandas' spellings (the `_pass` columns) are 1/0; `None` for any
/// other text.
fn cell_number(s: &str) -> Option<f64> {
    let s = s.trim();
    match s {
        "" => Some(f64::NAN),
        "true" | "True" | "TRUE" => Some(1.0),
        "false" | "False" | "FALSE" => Some(0.0),
        _ if MISSING.contains(&s) => Some(f64::NAN),
        _ => s.parse().ok(),
    }
}

/// [`cell_number`], with text as NaN.
fn cell_value(s: &str) -> f64 {
    cell_number(s).unwrap_or(f64::NAN)
}

/// Fill `values` with a row's cells for the condition `cond` (bound to
/// `header`). A cell the condition reads that is text ([`cell_number`])
/// could never meet a comparison: an input error naming it, rather than
/// a condition silently false.
fn row_values(
    values: &mut [f64],
    rec: &csv::StringRecord,
    header: &csv::StringRecord,
    (condition, cond): (&str, &BoundCondition),
    path: &Path,
) -> Result<(), DiscoverError> {
    for (v, c) in values.iter_mut().zip(rec.iter()) {
        *v = cell_value(c);
    }
    for i in cond.columns() {
        let cell = rec.get(i).unwrap_or("").trim();
        if cell_number(cell).is_none() {
            return Err(DiscoverError::Input(format!(
                "{}: --where '{condition}' compares column '{}', which holds '{cell}', not a number (nor true/false, nor a missing value such as NA or an empty cell); compare a column of numbers",
                crate::output::cell_at(path, rec, i),
                &header[i],
            )));
        }
    }
    Ok(())
}

/// Refuse a header that names a column twice: a condition or `--inputs`
/// would read one of them for the other. `fix` says what to do.
fn refuse_repeated_column(
    path: &Path,
    header: &csv::StringRecord,
    fix: &str,
) -> Result<(), DiscoverError> {
    match crate::output::repeated_column(header.iter()) {
        Some((i, j, name)) => Err(DiscoverError::Input(format!(
            "{}: the header names column '{name}' twice (columns {} and {}); {fix}",
            path.display(),
            i + 1,
            j + 1
        ))),
        None => Ok(()),
    }
}

fn compile(condition: &str, header: &csv::StringRecord) -> Result<BoundCondition, DiscoverError> {
    let names: Vec<&str> = header.iter().collect();
    expr::compile(condition, &names).map_err(|source| DiscoverError::Condition {
        condition: condition.to_string(),
        source,
    })
}

/// A column from its cells: integers if every cell is one, floats if every
/// cell is a number, labels otherwise (as pandas types a CSV column, which
/// decides how EMA peels it). A design's integer range stays integer, its
/// real range real, whatever the values look like.
fn column(name: &str, cells: Vec<String>, domain: Option<&Domain>) -> Column {
    let ints: Option<Vec<i64>> = cells.iter().map(|c| c.trim().parse().ok()).collect();
    let floats: Option<Vec<f64>> = cells
        .iter()
        .map(|c| c.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    match (domain, ints, floats) {
        (Some(Domain::Range { .. }), _, Some(f)) => Column::float(name, f),
        (_, Some(i), _) => Column::integer(name, i),
        (_, None, Some(f)) => Column::float(name, f),
        _ => Column::categorical(name, cells),
    }
}

fn from_sweep(dir: &Path, condition: &str) -> Result<SweepRows, DiscoverError> {
    let points_path = dir.join("points.csv");
    let runs_path = dir.join("runs.csv");
    // A folder with a manifest is read by it (one that does not read as a
    // sweep's cannot vouch for the tables); one without is not a sweep,
    // said below by the tables it lacks.
    if let Some(message) = crate::output::publish::not_a_sweep(dir) {
        return Err(DiscoverError::Input(message));
    }
    let manifest = match dir.join("manifest.json").exists() {
        true => Some(
            Manifest::<SweepRecord>::read(dir)
                .map_err(|e| {
                    DiscoverError::Input(format!(
                        "{}: not a sweep's result ({e}); give the folder `armsmarket sweep` or `merge` wrote{}",
                        dir.display(),
                        e.fix()
                    ))
                })?,
        ),
        false => None,
    };
    // One shard of a sharded sweep holds some of its points only: PRIM on
    // it would describe a slice of the design.
    if let Some(m) = &manifest {
        if let Some(plan) = &m.plan
            && plan.identity.shard.n > 1
            && plan.merged_from.is_empty()
        {
            return Err(DiscoverError::Input(format!(
                "{}: one shard of a sweep; merge the shards first (`armsmarket merge`)",
                dir.display()
            )));
        }
        // A table cut at a line boundary would read as fewer runs.
        let files = m
            .not_as_written(dir, &["points.csv", "runs.csv"])
            .map_err(io_at(dir))?;
        if !files.is_empty() {
            return Err(DiscoverError::Input(format!(
                "{}: {}",
                dir.display(),
                crate::output::manifest::not_as_written_message(&files, m.command)
            )));
        }
    }
    for p in [&points_path, &runs_path] {
        if !p.is_file() {
            return Err(DiscoverError::Input(format!(
                "{}: not a finished sweep (no {}); run `armsmarket sweep FILE` first, or give a CSV with --inputs",
                dir.display(),
                p.file_name().unwrap_or_default().to_string_lossy()
            )));
        }
    }
    // The swept parameters' domains; none if the manifest has no design,
    // which `from_sweep` refuses.
    let domains = manifest
        .as_ref()
        .and_then(crate::sweep::run::recorded_design)
        .map(|d| d.parameters)
        .unwrap_or_default();
    if domains.is_empty() {
        return Err(DiscoverError::Input(format!(
            "{}: manifest.json does not name the sweep's parameters; discover needs a sweep written by `armsmarket sweep`",
            dir.display()
        )));
    }
    let mut rd = csv::Reader::from_path(&points_path).map_err(csv_at(&points_path))?;
    let header = rd.headers().map_err(csv_at(&points_path))?.clone();
    // The inputs are the swept parameters; a design's bookkeeping columns
    // (a Saltelli point's matrix, a Morris point's step) are not.
    let at: Vec<usize> = header
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, h)| domains.iter().any(|p| p.path == *h))
        .map(|(i, _)| i)
        .collect();
    let paths: Vec<String> = at.iter().map(|&i| header[i].to_string()).collect();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut cells: Vec<Vec<String>> = vec![Vec::new(); paths.len()];
    for rec in rd.records() {
        let rec = rec.map_err(csv_at(&points_path))?;
        let id = rec.get(0).unwrap_or("").to_string();
        // A point listed under several roles (a Saltelli point shared by two
        // matrices) is one point.
        if ids.contains_key(&id) {
            continue;
        }
        ids.insert(id, ids.len());
        for (c, &i) in cells.iter_mut().zip(&at) {
            c.push(rec.get(i).unwrap_or("").to_string());
        }
    }
    let mut rd = csv::Reader::from_path(&runs_path).map_err(csv_at(&runs_path))?;
    let header = rd.headers().map_err(csv_at(&runs_path))?.clone();
    // A target whose id repeats a column of the table (`total` gives
    // `total_value`), written before such ids were refused.
    refuse_repeated_column(
        &runs_path,
        &header,
        "a target's id repeats a column of runs.csv (scenarios are now refused such ids): give the target a different id and run the sweep again",
    )?;
    let cond = compile(condition, &header)?;
    let status = header.iter().position(|h| h == "status");
    let mut runs = Vec::new();
    let mut values = vec![f64::NAN; header.len()];
    for rec in rd.records() {
        let rec = rec.map_err(csv_at(&runs_path))?;
        let id = rec.get(0).unwrap_or("");
        let Some(&point) = ids.get(id) else {
            return Err(DiscoverError::Input(format!(
                "{}: point {id} is not in points.csv",
                runs_path.display()
            )));
        };
        let ok = status.is_none_or(|s| rec.get(s) == Some("ok"));
        if !ok {
            runs.push((point, None));
            continue;
        }
        row_values(&mut values, &rec, &header, (condition, &cond), &runs_path)?;
        runs.push((point, Some(cond.eval(&values))));
    }
    let outcomes = prim::tally_outcomes(ids.len(), runs);
    let keep: Vec<usize> = (0..outcomes.len())
        .filter(|&i| outcomes[i].share().is_some())
        .collect();
    let columns = paths
        .iter()
        .zip(cells)
        .map(|(path, c)| {
            let c = keep.iter().map(|&i| c[i].clone()).collect();
            let domain = domains.iter().find(|p| &p.path == path).map(|p| &p.domain);
            column(path, c, domain)
        })
        .collect();
    let y = keep
        .iter()
        .map(|&i| outcomes[i].share().unwrap_or(0.0))
        .collect();
    let runs = keep.iter().map(|&i| outcomes[i].finished as u32).collect();
    Ok(SweepRows {
        data: PrimData::new(columns, y)?.with_runs(runs)?,
        domains,
        dropped: outcomes.len() - keep.len(),
        finished: outcomes.iter().map(|o| o.finished).sum(),
        failed: outcomes.iter().map(|o| o.failed).sum(),
    })
}

fn from_csv(file: &Path, inputs: &[String], condition: &str) -> Result<PrimData, DiscoverError> {
    let mut rd = csv::Reader::from_path(file).map_err(csv_at(file))?;
    let header = rd.headers().map_err(csv_at(file))?.clone();
    if header.iter().all(|h| h.trim().is_empty()) {
        return Err(DiscoverError::Input(format!(
            "{}: the file is empty or has no header line; a CSV for discover has a header of column names and a row per case",
            file.display()
        )));
    }
    // A name twice leaves open which column a condition or --inputs means.
    refuse_repeated_column(file, &header, "rename one")?;
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = inputs.iter().find(|n| !seen.insert(n.as_str())) {
        return Err(DiscoverError::Input(format!(
            "--inputs names '{twice}' twice; name each input column once"
        )));
    }
    let cond = compile(condition, &header)?;
    let mut at = Vec::with_capacity(inputs.len());
    for name in inputs {
        let Some(i) = header.iter().position(|h| h == name) else {
            return Err(DiscoverError::Input(format!(
                "{}: no column '{name}' for --inputs (columns: {})",
                file.display(),
                header.iter().collect::<Vec<_>>().join(", ")
            )));
        };
        // An input the condition reads explains the outcome by
        // definition: PRIM would find the condition's own bounds.
        if cond.columns().contains(&i) {
            return Err(DiscoverError::Input(format!(
                "--inputs names '{name}', which --where '{condition}' reads: the outcome would explain itself; leave '{name}' out of --inputs, or define the outcome on other columns"
            )));
        }
        at.push(i);
    }
    let mut cells: Vec<Vec<String>> = vec![Vec::new(); inputs.len()];
    let mut y = Vec::new();
    let mut values = vec![f64::NAN; header.len()];
    // Per input, its first cell (its line) and whether it is a number: a
    // column is searched as numbers or as labels, and a cell of the other
    // kind (`0x10`, `1_000`, a decimal comma among numbers) is a slip,
    // which typed the column as labels without a word.
    let mut first: Vec<Option<(String, u64, bool)>> = vec![None; inputs.len()];
    for rec in rd.records() {
        let rec = rec.map_err(csv_at(file))?;
        for (((c, &i), name), first) in cells.iter_mut().zip(&at).zip(inputs).zip(&mut first) {
            let cell = rec.get(i).unwrap_or("");
            // Not a label of its own (it would make a number column
            // categorical): a case without a value (an empty cell, a
            // missing-value marker) cannot be placed in a box, nor can one
            // at NaN or infinity.
            let t = cell.trim();
            let missing = if t.is_empty() {
                Some("empty".to_string())
            } else if t.parse::<f64>().is_ok_and(|x| !x.is_finite()) {
                Some(format!("'{t}', not a finite number"))
            } else {
                // pandas' missing-value markers (`NA`, `null`), read as
                // missing in the condition too.
                cell_number(t)
                    .is_some_and(f64::is_nan)
                    .then(|| format!("'{t}', a missing value"))
            };
            if let Some(what) = missing {
                return Err(DiscoverError::Input(format!(
                    "{}: the input '{name}' is {what}: every case needs a value of every input; fill it in or leave the case out",
                    crate::output::cell_at(file, &rec, i)
                )));
            }
            let number = t.parse::<f64>().is_ok();
            match first {
                None => {
                    *first = Some((
                        t.to_string(),
                        rec.position().map_or(0, |p| p.line()),
                        number,
                    ))
                }
                Some((one, line, kind)) if *kind != number => {
                    let (this, that) = if number {
                        ("a number", "a label")
                    } else {
                        ("not a number", "a number")
                    };
                    return Err(DiscoverError::Input(format!(
                        "{}: the input '{name}' is '{t}', {this}, where its first cell, '{one}' (line {line}), is {that}: a column is searched as numbers or as labels, not both; write every cell of '{name}' as a number (digits, a decimal point, no separators), or every one as a label (a word)",
                        crate::output::cell_at(file, &rec, i)
                    )));
                }
                Some(_) => {}
            }
            c.push(cell.to_string());
        }
        row_values(&mut values, &rec, &header, (condition, &cond), file)?;
        y.push(if cond.eval(&values) { 1.0 } else { 0.0 });
    }
    if y.is_empty() {
        return Err(DiscoverError::Input(format!(
            "{}:{}: a header and no rows: discover searches cases, one a row under the header; add the cases",
            file.display(),
            header.position().map_or(1, |p| p.line())
        )));
    }
    let columns = inputs
        .iter()
        .zip(cells)
        .map(|(n, c)| column(n, c, None))
        .collect();
    Ok(PrimData::new(columns, y)?)
}

fn phase_name(p: Phase) -> &'static str {
    match p {
        Phase::Initial => "initial",
        Phase::Peel => "peel",
        Phase::Paste => "paste",
    }
}

/// The restricted columns of a trajectory entry with their limits, as one
/// readable cell: `a in [0.2, 0.8]; b in {x, y}`.
pub fn limits_text(data: &PrimData, entry: &prim::TrajectoryEntry) -> String {
    prim::restricted_limits(data, entry)
        .iter()
        .map(|d| match &d.bounds {
            DimBounds::Float { lower, upper, .. } => format!("{} in [{lower}, {upper}]", d.name),
            DimBounds::Integer { lower, upper, .. } => {
                format!("{} in [{lower}, {upper}]", d.name)
            }
            DimBounds::Categorical { levels } => format!("{} in {{{}}}", d.name, levels.join(", ")),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Refuse to write over `path` if it holds something other than a
/// trajectory this command wrote (a user's own `discover.csv`): its first
/// line is this build's header or the earlier builds' one.
fn refuse_foreign_trajectory(path: &Path) -> Result<(), DiscoverError> {
    let ours = crate::output::ours_to_replace(path, |head| {
        let line = crate::output::first_line(head);
        line == TRAJECTORY_HEADER.join(",").as_bytes()
            || line == TRAJECTORY_HEADER[..EARLIER_HEADER].join(",").as_bytes()
    })
    .map_err(|source| DiscoverError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if ours {
        Ok(())
    } else {
        Err(DiscoverError::Input(format!(
            "{}: exists and is not a trajectory `discover` wrote (its first line is not `{}`); discover writes its trajectory there: move or rename that file first",
            path.display(),
            TRAJECTORY_HEADER.join(",")
        )))
    }
}

/// The columns of `discover.csv`, one row per trajectory entry of every
/// box; the last four say what was searched (the `--where` condition and
/// PRIM's settings), repeated on every row so that the file read alone
/// names its case of interest.
pub const TRAJECTORY_HEADER: [&str; 15] = [
    "box",
    "entry",
    "phase",
    "coverage",
    "density",
    "mass",
    "restricted",
    "n",
    "k",
    "chosen",
    "limits",
    "condition",
    "peel_alpha",
    "paste_alpha",
    "mass_min",
];

/// The header of a `discover.csv` that earlier builds wrote (without what
/// was searched): theirs to write over too.
const EARLIER_HEADER: usize = 11;

fn write_trajectory(d: &Discovery, path: &Path) -> Result<(), DiscoverError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(TRAJECTORY_HEADER).map_err(csv_at(path))?;
    for (b, sb) in d.boxes.iter().enumerate() {
        for (i, e) in sb.found.trajectory.iter().enumerate() {
            w.write_record([
                (b + 1).to_string(),
                e.id.to_string(),
                phase_name(e.phase).to_string(),
                e.coverage.to_string(),
                e.density.to_string(),
                e.mass.to_string(),
                e.restricted.len().to_string(),
                e.n.to_string(),
                e.k.to_string(),
                (sb.found.selected == Some(i)).to_string(),
                limits_text(&d.data, e),
                d.condition.clone(),
                d.options.config.peel_alpha.to_string(),
                d.options.config.paste_alpha.to_string(),
                d.options.config.mass_min.to_string(),
            ])
            .map_err(csv_at(path))?;
        }
    }
    let bytes = w.into_inner().map_err(|e| DiscoverError::Io {
        path: path.to_path_buf(),
        source: e.into_error(),
    })?;
    crate::output::publish::write_whole(path, &bytes).map_err(io_at(path))
}

/// A float as TOML writes it (always with a decimal point or exponent).
fn toml_float(x: f64) -> String {
    toml::Value::Float(x).to_string()
}

/// The chosen box of `b` as a `[sweep.parameters]` table that can be pasted
/// back into a sweep file: every swept parameter, the restricted ones
/// narrowed to the box (marked), the others at their design range. A bound
/// PRIM did not peel keeps the design's own bound, not the smallest or
/// largest value drawn. For a CSV (no design) only the restricted columns.
pub fn sweep_snippet(d: &Discovery, b: &SearchedBox) -> Option<String> {
    let entry = b.found.selected_entry()?;
    let limits = prim::restricted_limits(&d.data, entry);
    let mut out = String::from("[sweep.parameters]\n");
    let range =
        |lo: String, hi: String, extra: &str| format!("{{ min = {lo}, max = {hi}{extra} }}");
    let line = |out: &mut String, name: &str, value: String, restricted: bool| {
        let mark = if restricted { "   # restricted" } else { "" };
        let _ = writeln!(out, "{:?} = {value}{mark}", name);
    };
    if d.domains.is_empty() {
        for l in &limits {
            let value = match &l.bounds {
                DimBounds::Float { lower, upper, .. } => {
                    range(toml_float(*lower), toml_float(*upper), "")
                }
                DimBounds::Integer { lower, upper, .. } => {
                    range(lower.to_string(), upper.to_string(), ", integer = true")
                }
                DimBounds::Categorical { levels } => values_text(levels, None),
            };
            line(&mut out, &l.name, value, true);
        }
        return Some(out);
    }
    for p in &d.domains {
        let l = limits.iter().find(|l| l.name == p.path);
        let value = match (&p.domain, l.map(|l| &l.bounds)) {
            (
                Domain::Range { min, max, log },
                Some(DimBounds::Float {
                    lower,
                    upper,
                    lower_restricted,
                    upper_restricted,
                }),
            ) => {
                let lo = if *lower_restricted { *lower } else { *min };
                let hi = if *upper_restricted { *upper } else { *max };
                range(
                    toml_float(lo),
                    toml_float(hi),
                    if *log { ", log = true" } else { "" },
                )
            }
            (
                Domain::IntRange { min, max },
                Some(DimBounds::Integer {
                    lower,
                    upper,
                    lower_restricted,
                    upper_restricted,
                }),
            ) => {
                let lo = if *lower_restricted { *lower } else { *min };
                let hi = if *upper_restricted { *upper } else { *max };
                range(lo.to_string(), hi.to_string(), ", integer = true")
            }
            (Domain::Values(all), Some(DimBounds::Categorical { levels })) => {
                values_text(levels, Some(all))
            }
            // Numeric values kept as numbers are peeled as numbers: keep
            // the design's values inside the box's limits.
            (Domain::Values(all), Some(DimBounds::Float { lower, upper, .. })) => {
                let kept: Vec<&toml::Value> = all
                    .iter()
                    .filter(|v| {
                        let x = cell_value(&value_text(v));
                        *lower <= x && x <= *upper
                    })
                    .collect();
                list(&kept)
            }
            (Domain::Values(all), Some(DimBounds::Integer { lower, upper, .. })) => {
                let kept: Vec<&toml::Value> = all
                    .iter()
                    .filter(|v| {
                        let x = cell_value(&value_text(v));
                        *lower as f64 <= x && x <= *upper as f64
                    })
                    .collect();
                list(&kept)
            }
            (domain, _) => domain_text(domain),
        };
        line(&mut out, &p.path, value, l.is_some());
    }
    Some(out)
}

fn list(values: &[&toml::Value]) -> String {
    let items: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    format!("{{ values = [{}] }}", items.join(", "))
}

/// The kept labels as TOML values: the design's own values (so strings
/// stay quoted and booleans plain) when known, else strings.
fn values_text(levels: &[String], all: Option<&Vec<toml::Value>>) -> String {
    let kept: Vec<toml::Value> = levels
        .iter()
        .map(|l| {
            all.and_then(|a| a.iter().find(|v| &value_text(v) == l).cloned())
                .unwrap_or_else(|| toml::Value::String(l.clone()))
        })
        .collect();
    list(&kept.iter().collect::<Vec<_>>())
}

fn domain_text(domain: &Domain) -> String {
    match domain {
        Domain::Values(v) => list(&v.iter().collect::<Vec<_>>()),
        Domain::Range { min, max, log } => format!(
            "{{ min = {}, max = {}{} }}",
            toml_float(*min),
            toml_float(*max),
            if *log { ", log = true" } else { "" }
        ),
        Domain::IntRange { min, max } => format!("{{ min = {min}, max = {max}, integer = true }}"),
    }
}

/// A number as the printout shows it: four decimals, trailing zeros cut,
/// between 0.001 and a million; three significant digits in exponent form
/// outside (the report shows a box the same way).
pub(crate) fn printed(x: f64) -> String {
    if x == 0.0 || (1e-3..1e6).contains(&x.abs()) {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{x:.3e}")
    }
}

/// The printout: per box its trajectory, the chosen box's limits with
/// quasi-p values, reproducibility and the `[sweep]` snippet.
pub fn render(d: &Discovery) -> String {
    let mut o = String::new();
    let total: f64 = prim::pairwise_sum(d.data.outcome());
    let _ = writeln!(o, "discover: {}", d.described);
    let _ = writeln!(o, "where: {}", d.condition);
    let _ = writeln!(
        o,
        "outcome: sum {} over {} rows (mean {}){}",
        printed(total),
        d.data.rows(),
        printed(total / d.data.rows() as f64),
        if d.dropped_points > 0 {
            format!(
                "; {} points left out: none of their runs finished",
                d.dropped_points
            )
        } else {
            String::new()
        }
    );
    if total < 1.0 {
        let _ = writeln!(
            o,
            "note: the outcomes sum to less than 1, so coverage is k / 1 (as in EMA), not a share of all cases"
        );
    }
    let c = d.options.config;
    let _ = writeln!(
        o,
        "PRIM: peel_alpha {}, paste_alpha {}, mass_min {}, LENIENT1",
        c.peel_alpha, c.paste_alpha, c.mass_min
    );
    for (bi, b) in d.boxes.iter().enumerate() {
        let _ = writeln!(
            o,
            "\nbox {} (searched {} rows)",
            bi + 1,
            b.found.searched_rows.len()
        );
        let _ = writeln!(
            o,
            "  {:>5}  {:<7}  {:>8}  {:>7}  {:>6}  {:>10}  {:>6}  {:>8}",
            "entry", "phase", "coverage", "density", "mass", "restricted", "n", "k"
        );
        for (i, e) in b.found.trajectory.iter().enumerate() {
            let mark = if b.found.selected == Some(i) {
                "*"
            } else {
                " "
            };
            let _ = writeln!(
                o,
                "{mark} {:>5}  {:<7}  {:>8.4}  {:>7.4}  {:>6.4}  {:>10}  {:>6}  {:>8}",
                e.id,
                phase_name(e.phase),
                e.coverage,
                e.density,
                e.mass,
                e.restricted.len(),
                e.n,
                printed(e.k)
            );
        }
        let Some(entry) = b.found.selected_entry() else {
            let _ = writeln!(o, "  no box chosen");
            continue;
        };
        let _ = writeln!(
            o,
            "  chosen (*): entry {}: coverage {:.4}, density {:.4}, mass {:.4}, {} restricted",
            entry.id,
            entry.coverage,
            entry.density,
            entry.mass,
            entry.restricted.len()
        );
        if entry.restricted.is_empty() {
            let _ = writeln!(
                o,
                "  no dimension restricted: PRIM found no box denser than the whole"
            );
        }
        for l in prim::restricted_limits(&d.data, entry) {
            let c = d
                .data
                .names()
                .iter()
                .position(|n| *n == l.name)
                .unwrap_or(0);
            let p = entry
                .quasi_p
                .iter()
                .find(|(col, _)| *col == c)
                .map(|(_, p)| p);
            let (limits, p) = match (&l.bounds, p) {
                (
                    DimBounds::Float {
                        lower,
                        upper,
                        lower_restricted,
                        upper_restricted,
                    },
                    p,
                ) => (
                    sides(
                        printed(*lower),
                        printed(*upper),
                        *lower_restricted,
                        *upper_restricted,
                    ),
                    bound_p(p),
                ),
                (
                    DimBounds::Integer {
                        lower,
                        upper,
                        lower_restricted,
                        upper_restricted,
                    },
                    p,
                ) => (
                    sides(
                        lower.to_string(),
                        upper.to_string(),
                        *lower_restricted,
                        *upper_restricted,
                    ),
                    bound_p(p),
                ),
                (DimBounds::Categorical { levels }, p) => (
                    format!("{{{}}}", levels.join(", ")),
                    match p {
                        Some(QuasiP::Categories(p)) => format!("quasi-p {}", printed(*p)),
                        _ => String::new(),
                    },
                ),
            };
            let _ = writeln!(o, "    {:<40} {limits:<24} {p}", l.name);
        }
        if d.options.resamples > 0 && !halves_hold_rows(&b.found) {
            let _ = writeln!(
                o,
                "  reproducibility: not measured: half of the {} row(s) searched holds no row",
                b.found.searched_rows.len()
            );
        }
        if let Some(r) = &b.reproducibility {
            let _ = writeln!(
                o,
                "  reproducibility: restricted in N of {} searches on random halves (seed {}), matched by coverage / by density:",
                r.iterations, r.seed
            );
            for (cv, dn) in r.by_coverage.iter().zip(&r.by_density) {
                if cv.dimension == 0 && dn.dimension == 0 && !entry.restricted.contains(&cv.column)
                {
                    continue;
                }
                // A set of levels has no lower or upper bound to count.
                let bounds = if d.data.kinds()[cv.column] == prim::ColumnKind::Categorical {
                    " (levels)".to_string()
                } else {
                    format!(
                        " (lower {}/{}, upper {}/{})",
                        cv.lower, dn.lower, cv.upper, dn.upper
                    )
                };
                let _ = writeln!(
                    o,
                    "    {:<40} {:>3} / {:<3}{bounds}{}",
                    d.data.names()[cv.column],
                    cv.dimension,
                    dn.dimension,
                    if entry.restricted.contains(&cv.column) {
                        "   in the box"
                    } else {
                        ""
                    }
                );
            }
        }
        if let Some(s) = sweep_snippet(d, b) {
            let _ = writeln!(o, "  as a [sweep] table:");
            for line in s.lines() {
                let _ = writeln!(o, "    {line}");
            }
        }
    }
    let _ = writeln!(o, "\ntrajectory written to {}", d.written.display());
    o
}

/// A restricted range as the box restricts it: `[lower, upper]` where both
/// sides are peeled, else `>= lower` or `<= upper`. The side left alone
/// sits at the data's extreme, which read as a limit ("[4.1035, 19.0746]"
/// beside a `[sweep]` snippet's `max = 20.0`).
fn sides(lower: String, upper: String, lower_restricted: bool, upper_restricted: bool) -> String {
    match (lower_restricted, upper_restricted) {
        (true, false) => format!(">= {lower}"),
        (false, true) => format!("<= {upper}"),
        _ => format!("[{lower}, {upper}]"),
    }
}

fn bound_p(p: Option<&QuasiP>) -> String {
    let show = |name: &str, v: Option<f64>| v.map(|v| format!("{name} quasi-p {}", printed(v)));
    match p {
        Some(QuasiP::Bounds { lower, upper }) => [show("lower", *lower), show("upper", *upper)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_shows_only_the_sides_it_peeled() {
        let s = |l, u| sides("4.1035".into(), "19.0746".into(), l, u);
        assert_eq!(s(true, false), ">= 4.1035");
        assert_eq!(s(false, true), "<= 19.0746");
        assert_eq!(s(true, true), "[4.1035, 19.0746]");
    }

    #[test]
    fn cells_as_numbers() {
        assert_eq!(cell_value("true"), 1.0);
        assert_eq!(cell_value("false"), 0.0);
        assert_eq!(cell_value("2.5"), 2.5);
        assert!(cell_value("").is_nan());
        assert!(cell_value("ok").is_nan());
    }

    #[test]
    fn columns_typed_as_pandas_would() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            column("a", s(&["1", "2"]), None).values,
            prim::ColumnValues::Integer(vec![1, 2])
        );
        assert_eq!(
            column("a", s(&["1", "2.5"]), None).values,
            prim::ColumnValues::Float(vec![1.0, 2.5])
        );
        let range = Domain::Range {
            min: 0.0,
            max: 3.0,
            log: false,
        };
        assert_eq!(
            column("a", s(&["1", "2"]), Some(&range)).values,
            prim::ColumnValues::Float(vec![1.0, 2.0])
        );
        assert!(matches!(
            column("a", s(&["x", "2"]), None).values,
            prim::ColumnValues::Categorical(_)
        ));
    }
}
