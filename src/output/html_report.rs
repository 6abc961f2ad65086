//! `armsmarket report DIR`: one self-contained HTML page (inline SVG and
//! CSS, no script, no external URL) of the result in DIR, written to
//! `DIR/report.html`.
//!
//! The kind of result is read from `DIR/manifest.json` (`command`): a run,
//! a comparison, a sweep (a merged sweep is a sweep) or a calibration. The
//! page is built from the CSV files of the result alone, with
//! [`super::html`]'s charts, and its bytes depend only on those files: the
//! date shown is the manifest's, never the clock's. Every file the report
//! reads that the manifest lists must match it (a result cut short or edited
//! since is refused, not drawn as if whole); a table the manifest does not
//! list (say, `market.csv` of a run without `--tables market`) leaves its
//! chart out with a sentence saying which file would draw it.

use crate::analysis::stats::quantile;
use crate::analysis::verdict::{Verdict, pattern_order};
use crate::output::faults;
use crate::output::html::charts::{
    self, BandSeries, BarChart, BarGroup, Counted, Estimate, HeatTable, IntervalChart, IntervalRow,
    LabelledPoint, Observation, Quantiles, ReferenceLine, ScatterChart, TargetRow, TargetRowsChart,
    TimeSeriesChart, TrajectoryChart,
};
use crate::output::html::{Axis, Block, Page, Provenance, Section, Table, format};
use crate::output::manifest::Command;
use crate::output::report::count;
use crate::scenario::vocabulary::DesignKind;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// `report.html` is there and is not a report this command wrote.
    #[error("{}: exists and is not a report `armsmarket report` wrote; move or rename it first", path.display())]
    Foreign {
        /// The file.
        path: PathBuf,
    },
    /// The folder holds no result this program can report on.
    #[error("{}: {why}", dir.display())]
    NoResult {
        /// The folder.
        dir: PathBuf,
        /// What is missing or unknown, and what to give instead.
        why: String,
    },
    /// Stopped (Ctrl-C or SIGTERM) before the report was written.
    #[error("stopped before the report was written; nothing was written")]
    Stopped,
}

impl ReportError {
    /// Whether the folder given is at fault (exit code 2) rather than
    /// reading or writing (exit code 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ReportError::NoResult { .. } | ReportError::Foreign { .. }
        )
    }
}

/// The kinds of result a report is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `armsmarket run` (one scenario's folder).
    Run,
    /// `armsmarket compare`.
    Compare,
    /// `armsmarket sweep` or `merge`.
    Sweep,
    /// `armsmarket calibrate`.
    Calibration,
}

/// The kinds as the messages name them, with where each result is.
/// The most points a sweep's scatter draws.
const SCATTER_POINTS: usize = 2_000;

/// At most [`SCATTER_POINTS`] of `rows`, in their order: those whose ids
/// (`id` of a row) hash lowest, so that the sample is the same for every
/// parameter and does not follow the design's layout (every k-th point of
/// a grid can fall on one value of a parameter).
fn scatter_sample<'r, R>(rows: &[&'r R], id: impl Fn(&R) -> &str) -> Vec<&'r R> {
    if rows.len() <= SCATTER_POINTS {
        return rows.to_vec();
    }
    let mut keyed: Vec<(u64, usize)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (xxhash_rust::xxh64::xxh64(id(r).as_bytes(), 0), i))
        .collect();
    keyed.select_nth_unstable(SCATTER_POINTS - 1);
    let mut kept: Vec<usize> = keyed[..SCATTER_POINTS].iter().map(|&(_, i)| i).collect();
    kept.sort_unstable();
    kept.into_iter().map(|i| rows[i]).collect()
}

const KINDS: &str = "a run (OUT/<scenario name>), a comparison (OUT/compare), a sweep (OUT/<sweep name>) or a calibration (OUT/<calibration name>)";

impl Kind {
    /// Its name, as the report's summary line gives it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Compare => "compare",
            Kind::Sweep => "sweep",
            Kind::Calibration => "calibration",
        }
    }

    /// The files of a result of this kind that its report reads and that
    /// the command lists in the manifest, each with whether the command
    /// always writes it (a result without it is not of this kind). Files
    /// other commands add later (a sweep's `sensitivity.csv`) are not
    /// listed, so not here.
    fn files(self) -> &'static [(&'static str, bool)] {
        match self {
            Kind::Run => &[
                ("summary.csv", false),
                ("contracts.csv", false),
                ("market.csv", false),
                ("targets.csv", false),
            ],
            Kind::Compare => &[
                ("compare.csv", true),
                ("verdict.csv", true),
                ("targets.csv", true),
            ],
            Kind::Sweep => &[
                ("points.csv", true),
                ("runs.csv", true),
                ("bands.csv", false),
            ],
            Kind::Calibration => &[
                ("generations.csv", true),
                ("posterior.csv", true),
                ("posterior_summary.csv", false),
                ("predictive.csv", false),
            ],
        }
    }
}

/// A written report.
#[derive(Debug, Clone)]
pub struct Written {
    /// `DIR/report.html`.
    pub path: PathBuf,
    /// What it reports on.
    pub kind: Kind,
    /// Its size in bytes.
    pub bytes: usize,
    /// How many SVG charts it holds.
    pub charts: usize,
}

/// Build the report of the result in `dir` and write it to
/// `dir/report.html`, replacing a previous one whole. Once `stop` is set
/// (Ctrl-C), it stops with [`ReportError::Stopped`] before the next table
/// it reads, or before it writes, leaving any previous report as it was.
pub fn write(dir: &Path, stop: &'static AtomicBool) -> Result<Written, ReportError> {
    let path = dir.join("report.html");
    if dir.is_dir() {
        let policy = crate::output::html::page::CONTENT_POLICY.as_bytes();
        let ours = crate::output::ours_to_replace(&path, |head| {
            head.windows(policy.len()).any(|w| w == policy)
        })
        .map_err(|source| ReportError::Io {
            path: path.clone(),
            source,
        })?;
        if !ours {
            return Err(ReportError::Foreign { path });
        }
    }
    let (kind, html) = build(dir, stop)?;
    if stop.load(Ordering::Relaxed) {
        return Err(ReportError::Stopped);
    }
    crate::output::publish::write_whole(&path, html.as_bytes()).map_err(|source| {
        ReportError::Io {
            path: path.clone(),
            source,
        }
    })?;
    Ok(Written {
        kind,
        bytes: html.len(),
        charts: html.matches("<svg").count(),
        path,
    })
}

/// The report of the result in `dir`, as one HTML document; stopped with
/// [`ReportError::Stopped`] before the next table it reads once `stop` is
/// set.
pub fn build(dir: &Path, stop: &'static AtomicBool) -> Result<(Kind, String), ReportError> {
    let no_result = |why: String| ReportError::NoResult {
        dir: dir.to_path_buf(),
        why,
    };
    if !dir.exists() {
        return Err(no_result(format!(
            "does not exist; give the folder of {KINDS}"
        )));
    }
    if !dir.is_dir() {
        return Err(no_result(format!(
            "not a folder; give the folder of {KINDS}"
        )));
    }
    let m = Manifest::read(dir, stop)?;
    let kind = m.kind();
    if let (Kind::Sweep, Some(n)) = (kind, m.shard_of) {
        // One shard's runs are a slice of the design: its charts would
        // read as the sweep's.
        return Err(no_result(format!(
            "a shard (one of {n}) of a sweep: merge the shards first (`armsmarket merge`) and report on the merged folder"
        )));
    }
    let unlisted: Vec<&str> = kind
        .files()
        .iter()
        .filter(|(name, always)| *always && !m.lists(name))
        .map(|(name, _)| *name)
        .collect();
    if !unlisted.is_empty() {
        return Err(no_result(format!(
            "manifest.json says a result of `{}`, but lists no {}, which every {} holds: the manifest was changed or is not this folder's; give the folder of {KINDS}",
            m.command,
            unlisted.join(", "),
            kind.name()
        )));
    }
    // Hash only what the page is drawn from: a run's largest tables are
    // not hashed for a report that does not read them, only their sizes
    // checked (a comparison's patterns.csv edited or removed, a table cut
    // or added to, went unseen).
    use crate::output::manifest::Check;
    let reads = |name: &str| kind.files().iter().any(|(f, _)| *f == name);
    let damaged = m
        .written
        .checked(dir, |name| {
            if reads(name) {
                Check::Checksum
            } else {
                Check::Size
            }
        })
        .map_err(|source| ReportError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    if !damaged.is_empty() {
        return Err(no_result(crate::output::manifest::not_as_written_message(
            &damaged,
            m.written.command,
        )));
    }
    m.stopped()?;
    let page = match kind {
        Kind::Run => run_page(dir, &m)?,
        Kind::Compare => compare_page(dir, &m)?,
        Kind::Sweep => sweep_page(dir, &m)?,
        Kind::Calibration => calibration_page(dir, &m)?,
    };
    Ok((kind, page.render()))
}

/// What the report needs of `manifest.json`: the manifest typed, for its
/// command and the files it lists, and the rest read as JSON (the
/// resolved scenarios as the report looks into them).
struct Manifest {
    /// The manifest as written: its files are checked against it.
    written: crate::output::manifest::Manifest<serde_json::Value>,
    command: String,
    version: String,
    seed: Option<u64>,
    replications: Option<u64>,
    finished: String,
    /// (name, resolved scenario) in the order run.
    scenarios: Vec<(String, serde_json::Value)>,
    /// A sweep's shard of more than one, not merged: a part of a sweep.
    shard_of: Option<u64>,
    /// A sweep's design, whose role columns follow the parameters in
    /// `points.csv`.
    design: Option<DesignKind>,
    /// Set (Ctrl-C): no further table is read.
    stop: &'static AtomicBool,
}

impl Manifest {
    fn read(dir: &Path, stop: &'static AtomicBool) -> Result<Manifest, ReportError> {
        let path = dir.join("manifest.json");
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(ReportError::NoResult {
                    dir: dir.to_path_buf(),
                    why: format!(
                        "no manifest.json: not the folder of a result; give the folder of {KINDS}"
                    ),
                });
            }
            // A result's manifest is a file: anything else there is not a
            // result to read, which the user can mend (not a failure to
            // read one).
            Err(_) if path.is_dir() => {
                return Err(ReportError::NoResult {
                    dir: dir.to_path_buf(),
                    why: format!(
                        "manifest.json is a folder, not a result's manifest: not the folder of a result; give the folder of {KINDS}"
                    ),
                });
            }
            Err(source) => return Err(ReportError::Io { path, source }),
        };
        let v: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| ReportError::NoResult {
                dir: dir.to_path_buf(),
                why: format!(
                    "manifest.json is not JSON ({e}){}",
                    crate::output::manifest::DAMAGED
                ),
            })?;
        let written = serde_json::from_value(v.clone()).map_err(|e| ReportError::NoResult {
            dir: dir.to_path_buf(),
            why: format!(
                "manifest.json is not that of a result this program reports on ({e}); give the folder of {KINDS}"
            ),
        })?;
        let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let scenarios = v
            .get("scenarios")
            .and_then(|s| s.as_array())
            .map(|a| {
                a.iter()
                    .map(|s| {
                        (
                            s.get("name")
                                .and_then(|n| n.as_str())
                                .unwrap_or("")
                                .to_string(),
                            s.get("resolved").cloned().unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let plan = v.get("plan");
        let merged = plan
            .and_then(|p| p.get("merged_from"))
            .and_then(|m| m.as_array())
            .is_some_and(|m| !m.is_empty());
        let shard_of = plan
            .and_then(|p| p.pointer("/identity/shard/n"))
            .and_then(|n| n.as_u64())
            .filter(|&n| n > 1 && !merged);
        let design = plan
            .and_then(|p| p.pointer("/design/kind"))
            .and_then(|k| serde_json::from_value(k.clone()).ok());
        Ok(Manifest {
            written,
            shard_of,
            design,
            command: text("command"),
            version: text("version"),
            seed: v.get("seed").and_then(|x| x.as_u64()),
            replications: v.get("replications").and_then(|x| x.as_u64()),
            finished: text("finished"),
            scenarios,
            stop,
        })
    }

    /// [`ReportError::Stopped`] once `stop` is set.
    fn stopped(&self) -> Result<(), ReportError> {
        if self.stop.load(Ordering::Relaxed) {
            Err(ReportError::Stopped)
        } else {
            Ok(())
        }
    }

    /// The kind of result, by the command that wrote it.
    fn kind(&self) -> Kind {
        match self.written.command {
            Command::Run => Kind::Run,
            Command::Compare => Kind::Compare,
            Command::Sweep | Command::Merge => Kind::Sweep,
            Command::Calibrate => Kind::Calibration,
        }
    }

    /// Whether the result lists `name` (a file the command wrote).
    fn lists(&self, name: &str) -> bool {
        self.written.files.contains_key(name)
    }

    /// The table `name` of the result in `dir` if the manifest lists it
    /// (checked already to match), else `None`, whatever the folder holds.
    fn table(&self, dir: &Path, name: &str) -> Result<Option<Csv>, ReportError> {
        self.checked(name, || Csv::read(dir, name))
    }

    /// [`Manifest::table`] streamed.
    fn file(&self, dir: &Path, name: &str) -> Result<Option<CsvFile>, ReportError> {
        self.checked(name, || CsvFile::open(dir, name))
    }

    fn checked<T>(
        &self,
        name: &str,
        open: impl FnOnce() -> Result<Option<T>, ReportError>,
    ) -> Result<Option<T>, ReportError> {
        // Only the files of `Kind::files` are checked against the manifest
        // before the page is drawn: a table read but not listed there
        // would be drawn unchecked.
        assert!(
            self.kind().files().iter().any(|(f, _)| *f == name),
            "{name} is drawn but not in Kind::files, so not checked"
        );
        if !self.lists(name) {
            return Ok(None);
        }
        self.stopped()?;
        let table = open()?;
        static READ: AtomicU64 = AtomicU64::new(0);
        faults::pause_at("report", READ.fetch_add(1, Ordering::Relaxed) + 1);
        Ok(table)
    }

    fn provenance(&self, what: &str) -> Provenance {
        let mut extra = vec![("result".to_string(), self.command.clone())];
        if let Some(r) = self.replications {
            extra.push(("replications".into(), r.to_string()));
        }
        Provenance {
            program: crate::output::manifest::PROGRAM.into(),
            version: self.version.clone(),
            scenario: what.to_string(),
            seed: self.seed,
            date: self.finished.clone(),
            extra,
        }
    }

    /// The first scenario's resolved table.
    fn resolved(&self) -> &serde_json::Value {
        static NULL: serde_json::Value = serde_json::Value::Null;
        self.scenarios.first().map_or(&NULL, |(_, r)| r)
    }
}

/// The focus country of a resolved scenario (`outputs.focus_country`).
fn focus_country(resolved: &serde_json::Value) -> String {
    resolved
        .pointer("/outputs/focus_country")
        .and_then(|v| v.as_str())
        .unwrap_or("KOR")
        .to_string()
}

/// A target as the scenario defines it: what the report needs to label it.
struct TargetInfo {
    metric: String,
    role: String,
}

fn target_infos(resolved: &serde_json::Value) -> HashMap<String, TargetInfo> {
    let Some(t) = resolved.get("targets").and_then(|t| t.as_object()) else {
        return HashMap::new();
    };
    t.iter()
        .map(|(id, v)| {
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
            (
                id.clone(),
                TargetInfo {
                    metric: s("metric"),
                    role: if s("role").is_empty() {
                        "fit".into()
                    } else {
                        s("role")
                    },
                },
            )
        })
        .collect()
}

/// The unit of a target metric, for its axis.
fn metric_unit(metric: &str) -> &'static str {
    match metric {
        "value" => "US$ m",
        "units" => "units",
        "count" => "contracts",
        "share" | "buyer_share" | "delivered_share" => "share",
        "lead_promised" | "lead_actual" => "months",
        _ => "",
    }
}

/// The caption's words for the observed values drawn as diamonds; none
/// when the scenario has no yearly target to draw.
fn diamonds(observed: &[Observation]) -> &'static str {
    if observed.is_empty() {
        ""
    } else {
        "; diamonds: the observed values of the scenario's yearly targets"
    }
}

/// The observed yearly contract values of the focus country: targets on
/// its contract value over one calendar year, for every buyer (no buyer or
/// category filter, and no group but one of every buyer, counted from the
/// start) and every contract (not new builds alone: the series counts
/// second-hand and upgrade contracts too), drawn as diamonds on the yearly
/// series, which is every buyer's.
fn observed_years(resolved: &serde_json::Value, focus: &str) -> Vec<Observation> {
    let Some(t) = resolved.get("targets").and_then(|t| t.as_object()) else {
        return Vec::new();
    };
    let names = |v: Option<&serde_json::Value>| -> BTreeSet<String> {
        match v {
            Some(serde_json::Value::Object(o)) => o.keys().cloned().collect(),
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            _ => BTreeSet::new(),
        }
    };
    let buyers = names(resolved.get("buyers"));
    let of_every_buyer = |group: &str| {
        let g = resolved.get("groups").and_then(|g| g.get(group));
        let nato_only = g
            .and_then(|g| g.get("nato_only"))
            .and_then(|x| x.as_bool())
            .unwrap_or(false);
        !nato_only && names(g.and_then(|g| g.get("buyers"))) == buyers
    };
    let mut out = Vec::new();
    for (id, v) in t {
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("");
        let categories = v
            .get("categories")
            .and_then(|c| c.as_array())
            .is_some_and(|a| !a.is_empty());
        if s("metric") != "value"
            || s("supplier_country") != focus
            || !s("buyer").is_empty()
            || categories
            || v.get("new_builds").and_then(|x| x.as_bool()) == Some(true)
            || (!s("group").is_empty() && !of_every_buyer(s("group")))
        {
            continue;
        }
        let (from, to) = (s("from"), s("to"));
        let (Some(y0), Some(y1)) = (from.strip_suffix("Q1"), to.strip_suffix("Q4")) else {
            continue;
        };
        let (Ok(year), Some(y)) = (
            y0.parse::<i32>(),
            v.get("observed").and_then(|x| x.as_f64()),
        ) else {
            continue;
        };
        if y0 == y1 {
            out.push(Observation {
                x: f64::from(year),
                y,
                note: format!("target {id}"),
            });
        }
    }
    out.sort_by(|a, b| a.x.total_cmp(&b.x));
    out
}

/// A table's columns by name.
trait Columns {
    fn header(&self) -> &[String];

    fn col(&self, name: &str) -> Option<usize> {
        self.header().iter().position(|h| h == name)
    }

    /// The columns named, all of which must exist.
    fn cols<const N: usize>(&self, names: [&str; N]) -> Option<[usize; N]> {
        let mut out = [0; N];
        for (o, n) in out.iter_mut().zip(names) {
            *o = self.col(n)?;
        }
        Some(out)
    }
}

/// A CSV file of the result, its header read and its rows streamed: the
/// tables that grow with replications or runs (a run's `summary.csv`,
/// `contracts.csv` and `market.csv`, `targets.csv`, a sweep's `runs.csv` and
/// `bands.csv`) are
/// folded row by row in one record's memory; held whole, they took some
/// 4.6× their size (1.5 GB for a 2,000-replication europe run).
struct CsvFile {
    path: PathBuf,
    header: Vec<String>,
}

impl Columns for CsvFile {
    fn header(&self) -> &[String] {
        &self.header
    }
}

impl CsvFile {
    /// `dir/name`, or `None` if the result does not hold it.
    fn open(dir: &Path, name: &str) -> Result<Option<CsvFile>, ReportError> {
        let path = dir.join(name);
        if !path.is_file() {
            return Ok(None);
        }
        let mut file = CsvFile {
            path,
            header: Vec::new(),
        };
        let mut rd = csv::Reader::from_path(&file.path).map_err(|e| file.error(e))?;
        file.header = rd
            .headers()
            .map_err(|e| file.error(e))?
            .iter()
            .map(str::to_string)
            .collect();
        // Columns are read by name: of a name given twice (a sweep's
        // target id such as `verdict`, from before such ids were refused,
        // beside `verdict_distance`) the first would be drawn as the other.
        if let Some((i, j, name)) =
            crate::output::repeated_column(file.header.iter().map(String::as_str))
        {
            return Err(ReportError::NoResult {
                dir: file.path.clone(),
                why: format!(
                    "the header names column '{name}' twice (columns {} and {}), so a chart could draw one for the other; a sweep whose target id repeats a column of runs.csv has to run again with another id",
                    i + 1,
                    j + 1
                ),
            });
        }
        Ok(Some(file))
    }

    /// A table that cannot be parsed is a damaged result (the input is at
    /// fault); only a failed read is the machine's.
    fn error(&self, e: csv::Error) -> ReportError {
        if e.is_io_error() {
            ReportError::Io {
                path: self.path.clone(),
                source: crate::output::csv_io(e),
            }
        } else {
            // Located at its line, as a reader of the file would look for it.
            let (dir, what) = match crate::output::csv_row_fault(&self.path, &e) {
                Some((at, what, _)) => (PathBuf::from(at), what),
                None => (self.path.clone(), e.to_string()),
            };
            ReportError::NoResult {
                dir,
                why: format!("{what}: not a table this program wrote"),
            }
        }
    }

    /// Every row in file order, one at a time.
    fn each(&self, mut f: impl FnMut(&csv::StringRecord)) -> Result<(), ReportError> {
        crate::output::each_record(
            &self.path,
            |e| self.error(e),
            |_, r| {
                f(r);
                Ok(())
            },
        )
    }
}

/// A small CSV file of the result read whole, for the tables drawn from
/// more than one pass or by row: a comparison's verdict
/// and scenarios, a sweep's points and analyses, a calibration's tables.
struct Csv {
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl Columns for Csv {
    fn header(&self) -> &[String] {
        &self.header
    }
}

impl Csv {
    /// `dir/name`, or `None` if the result does not hold it.
    fn read(dir: &Path, name: &str) -> Result<Option<Csv>, ReportError> {
        let Some(file) = CsvFile::open(dir, name)? else {
            return Ok(None);
        };
        let mut rows = Vec::new();
        file.each(|r| rows.push(r.clone()))?;
        Ok(Some(Csv {
            header: file.header,
            rows,
        }))
    }
}

fn text(r: &csv::StringRecord, i: usize) -> &str {
    r.get(i).unwrap_or("")
}

/// A cell as a number: empty (undefined) or text is NaN.
fn num(r: &csv::StringRecord, i: usize) -> f64 {
    r.get(i)
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(f64::NAN)
}

/// A p-value to three decimals, or "p < 0.001"; empty if there is none.
fn p_text(p: f64) -> String {
    if !p.is_finite() {
        String::new()
    } else if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {}", format::fixed(p, 3))
    }
}

fn quantiles(xs: &[f64]) -> Quantiles {
    Quantiles {
        q05: quantile(xs, 0.05),
        q25: quantile(xs, 0.25),
        q50: quantile(xs, 0.5),
        q75: quantile(xs, 0.75),
        q95: quantile(xs, 0.95),
    }
}

/// Median and 5–95 % band of `by_year` (year → values over replications).
fn band(name: &str, by_year: &BTreeMap<i32, Vec<f64>>) -> BandSeries {
    BandSeries {
        name: name.to_string(),
        x: by_year.keys().map(|y| f64::from(*y)).collect(),
        lower: by_year.values().map(|v| quantile(v, 0.05)).collect(),
        median: by_year.values().map(|v| quantile(v, 0.5)).collect(),
        upper: by_year.values().map(|v| quantile(v, 0.95)).collect(),
    }
}

fn missing(file: &str, what: &str) -> Block {
    Block::Paragraph(format!(
        "This result holds no {file}, so the report does not draw {what}."
    ))
}

// ---------------------------------------------------------------- run

/// The focus country's contract value per replication and year: from
/// `summary.csv`'s `focus_value_YYYY` columns, else summed from
/// `contracts.csv`.
fn focus_value_by_year(
    summary: Option<&CsvFile>,
    contracts: Option<&CsvFile>,
    focus: &str,
    replications: Option<u64>,
) -> Result<Option<BTreeMap<i32, Vec<f64>>>, ReportError> {
    if let Some(s) = summary {
        let years: Vec<(usize, i32)> = s
            .header
            .iter()
            .enumerate()
            .filter_map(|(i, h)| Some((i, h.strip_prefix("focus_value_")?.parse().ok()?)))
            .collect();
        if !years.is_empty() {
            let mut by_year: Vec<Vec<f64>> = vec![Vec::new(); years.len()];
            s.each(|r| {
                for (v, &(i, _)) in by_year.iter_mut().zip(&years) {
                    v.push(num(r, i));
                }
            })?;
            return Ok(Some(years.iter().map(|&(_, y)| y).zip(by_year).collect()));
        }
    }
    let Some((c, [rep, year, country, value])) = contracts.and_then(|c| {
        Some((
            c,
            c.cols(["replication", "year", "supplier_country", "value"])?,
        ))
    }) else {
        return Ok(None);
    };
    let mut per: BTreeMap<i32, BTreeMap<u64, f64>> = BTreeMap::new();
    let mut reps = 0u64;
    c.each(|r| {
        let (Ok(y), Ok(k)) = (text(r, year).parse::<i32>(), text(r, rep).parse::<u64>()) else {
            return;
        };
        reps = reps.max(k + 1);
        let e = per.entry(y).or_default();
        let v = e.entry(k).or_insert(0.0);
        if text(r, country) == focus {
            *v += num(r, value);
        }
    })?;
    // A replication without a contract that year counts as zero.
    let reps = replications.unwrap_or(reps).max(reps);
    Ok(Some(
        per.into_iter()
            .map(|(y, m)| {
                (
                    y,
                    (0..reps)
                        .map(|k| m.get(&k).copied().unwrap_or(0.0))
                        .collect(),
                )
            })
            .collect(),
    ))
}

/// One row per label of `targets.csv`'s rows, in file order, as target
/// rows against the accepted range; `label` names a row's (`None` leaves
/// the row out).
fn target_rows(
    t: &CsvFile,
    infos: &HashMap<String, TargetInfo>,
    label: impl Fn(&csv::StringRecord) -> Option<String>,
) -> Result<Vec<TargetRow>, ReportError> {
    let Some([target, sim, obs, lo, hi, pass]) =
        t.cols(["target", "simulated", "observed", "lo", "hi", "pass"])
    else {
        return Ok(Vec::new());
    };
    struct Acc {
        values: Vec<f64>,
        passed: usize,
        n: usize,
        observed: f64,
        accepted: (f64, f64),
        target: String,
    }
    let mut order: Vec<String> = Vec::new();
    let mut acc: HashMap<String, Acc> = HashMap::new();
    t.each(|r| {
        let Some(name) = label(r) else {
            return;
        };
        let a = acc.entry(name.clone()).or_insert_with(|| {
            order.push(name);
            Acc {
                values: Vec::new(),
                passed: 0,
                n: 0,
                observed: num(r, obs),
                accepted: (num(r, lo), num(r, hi)),
                target: text(r, target).to_string(),
            }
        });
        a.values.push(num(r, sim));
        a.n += 1;
        a.passed += usize::from(text(r, pass) == "true");
    })?;
    Ok(order
        .into_iter()
        .filter_map(|name| {
            let a = acc.remove(&name)?;
            let info = infos.get(&a.target);
            Some(TargetRow {
                unit: info.map_or("", |i| metric_unit(&i.metric)).to_string(),
                tag: match info.map(|i| i.role.as_str()) {
                    Some("holdout") => "held out".into(),
                    Some(r) => r.to_string(),
                    None => String::new(),
                },
                quantiles: quantiles(&a.values),
                accepted: a.accepted,
                observed: a.observed,
                pass_share: a.passed as f64 / a.n.max(1) as f64,
                defined_share: a.values.iter().filter(|v| v.is_finite()).count() as f64
                    / a.n.max(1) as f64,
                name,
            })
        })
        .collect())
}

/// The numbers behind a target-rows chart, for reading and copying.
fn target_table(rows: &[TargetRow]) -> Table {
    let mut table = Table::new([
        "target",
        "unit",
        "observed",
        "accepted",
        "median",
        "5–95 %",
        "pass",
        "defined",
    ])
    .with_caption("Per target: the observed value, the accepted interval, the simulated median and 5–95 % range over the replications in which the target is defined, the share passing and the share defined.");
    let v = |x: f64| format::significant(x, 4);
    // The observation and the accepted interval as given (six digits): at
    // four, 1319.5 .. 3958.5 read as the narrower 1320 .. 3958.
    let given = |x: f64| format::significant(x, 6);
    for r in rows {
        table = table.row([
            r.name.clone(),
            r.unit.clone(),
            given(r.observed),
            format!("{} .. {}", given(r.accepted.0), given(r.accepted.1)),
            v(r.quantiles.q50),
            format!("{} .. {}", v(r.quantiles.q05), v(r.quantiles.q95)),
            format::percent(r.pass_share, 0),
            format::percent(r.defined_share, 0),
        ]);
    }
    table
}

/// Per group of rows (`group` names a row's, say its scenario) and
/// pattern, the share of replications passing all the pattern's targets,
/// the patterns in the verdict's order (P2 before P10, as `run` and
/// `compare` print them).
fn pattern_pass(
    t: &CsvFile,
    group: impl Fn(&csv::StringRecord) -> String,
) -> Result<BTreeMap<String, Vec<(String, f64)>>, ReportError> {
    let Some([rep, pattern, pass]) = t.cols(["replication", "pattern", "pass"]) else {
        return Ok(BTreeMap::new());
    };
    // group → pattern → replication → all passed
    type Whole = BTreeMap<String, BTreeMap<String, BTreeMap<u64, bool>>>;
    let mut whole: Whole = BTreeMap::new();
    t.each(|r| {
        let Ok(k) = text(r, rep).parse::<u64>() else {
            return;
        };
        let e = whole
            .entry(group(r))
            .or_default()
            .entry(text(r, pattern).to_string())
            .or_default()
            .entry(k)
            .or_insert(true);
        *e &= text(r, pass) == "true";
    })?;
    Ok(whole
        .into_iter()
        .map(|(g, patterns)| {
            let mut shares: Vec<(String, f64)> = patterns
                .into_iter()
                .map(|(p, reps)| {
                    let n = reps.len().max(1) as f64;
                    (p, reps.values().filter(|v| **v).count() as f64 / n)
                })
                .collect();
            shares.sort_by_cached_key(|(p, _)| pattern_order(p));
            (g, shares)
        })
        .collect())
}

/// Leads to first delivery by supplier country: per replication the mean
/// over its contracts, then the median and 5–95 % range over replications.
fn leads_chart(c: &CsvFile) -> Result<Option<String>, ReportError> {
    let Some([rep, country, promised, actual]) = c.cols([
        "replication",
        "supplier_country",
        "lead_first_promised",
        "lead_first_actual",
    ]) else {
        return Ok(None);
    };
    // country → replication → (sum, n) for promised and actual, over the
    // contracts whose first unit came: a contract not yet delivered has a
    // promise and no actual lead, and the two means would be of different
    // contracts.
    type Sums = BTreeMap<String, BTreeMap<u64, [(f64, usize); 2]>>;
    let mut sums: Sums = BTreeMap::new();
    c.each(|r| {
        let Ok(k) = text(r, rep).parse::<u64>() else {
            return;
        };
        if !num(r, actual).is_finite() {
            return;
        }
        let e = sums
            .entry(text(r, country).to_string())
            .or_default()
            .entry(k)
            .or_insert([(0.0, 0); 2]);
        for (slot, i) in e.iter_mut().zip([promised, actual]) {
            let v = num(r, i);
            if v.is_finite() {
                slot.0 += v;
                slot.1 += 1;
            }
        }
    })?;
    let groups = sums
        .into_iter()
        .map(|(country, reps)| {
            let est = |k: usize| {
                let means: Vec<f64> = reps
                    .values()
                    .filter(|s| s[k].1 > 0)
                    .map(|s| s[k].0 / s[k].1 as f64)
                    .collect();
                Estimate::new(
                    quantile(&means, 0.5),
                    quantile(&means, 0.05),
                    quantile(&means, 0.95),
                )
            };
            BarGroup {
                label: country,
                values: vec![est(0), est(1)],
            }
        })
        .collect();
    Ok(Some(charts::bars(&BarChart {
        title: "Lead to first delivery by supplier country".into(),
        description: "Contracts whose first unit was delivered in the run: promised and actual leads of the same contracts.".into(),
        axis: Axis::new("Mean lead to first delivery", "quarters"),
        series: vec!["promised".into(), "actual".into()],
        groups,
        interval_label: "5–95 % over replications".into(),
    })))
}

/// Contracts signed and value delivered per year by the focus country's
/// suppliers, from `market.csv`.
fn deliveries_chart(
    m: &CsvFile,
    focus: &str,
    reps: Option<u64>,
) -> Result<Option<String>, ReportError> {
    let Some([rep, year, country, order, delivered]) = m.cols([
        "replication",
        "year",
        "supplier_country",
        "order_value",
        "delivered_value",
    ]) else {
        return Ok(None);
    };
    let mut per: [BTreeMap<i32, BTreeMap<u64, f64>>; 2] = Default::default();
    let mut n = 0u64;
    m.each(|r| {
        let (Ok(y), Ok(k)) = (text(r, year).parse::<i32>(), text(r, rep).parse::<u64>()) else {
            return;
        };
        n = n.max(k + 1);
        for (p, i) in per.iter_mut().zip([order, delivered]) {
            let v = p.entry(y).or_default().entry(k).or_insert(0.0);
            if text(r, country) == focus {
                *v += num(r, i).max(0.0);
            }
        }
    })?;
    let n = reps.unwrap_or(n).max(n);
    let series = |p: &BTreeMap<i32, BTreeMap<u64, f64>>| -> BTreeMap<i32, Vec<f64>> {
        p.iter()
            .map(|(y, m)| {
                (
                    *y,
                    (0..n).map(|k| m.get(&k).copied().unwrap_or(0.0)).collect(),
                )
            })
            .collect()
    };
    let mut chart = TimeSeriesChart::new(
        format!("{focus}: contracts signed and value delivered per year"),
        Axis::new("Year", ""),
        Axis::new("Value", "US$ m").from_zero(),
    );
    chart.series.push(band("signed", &series(&per[0])));
    chart.series.push(band("delivered", &series(&per[1])));
    Ok(Some(charts::time_series(&chart)))
}

fn run_page(dir: &Path, m: &Manifest) -> Result<Page, ReportError> {
    let name = m.scenarios.first().map_or("run", |(n, _)| n.as_str());
    let resolved = m.resolved();
    let focus = focus_country(resolved);
    let infos = target_infos(resolved);
    let summary = m.file(dir, "summary.csv")?;
    let contracts = m.file(dir, "contracts.csv")?;
    let market = m.file(dir, "market.csv")?;
    let targets = m.file(dir, "targets.csv")?;

    let mut surge = Section::new(format!("{focus} contract value per year"));
    match focus_value_by_year(summary.as_ref(), contracts.as_ref(), &focus, m.replications)? {
        Some(by_year) => {
            let mut chart = TimeSeriesChart::new(
                format!("{focus} contract value per year"),
                Axis::new("Year", ""),
                Axis::new(format!("{focus} contract value"), "US$ m").from_zero(),
            );
            chart.series.push(band(name, &by_year));
            chart.observed = observed_years(resolved, &focus);
            surge = surge.figure(
                charts::time_series(&chart),
                format!(
                    "Contract value signed with {focus}'s suppliers per year: median and 5–95 % band over replications{}.",
                    diamonds(&chart.observed)
                ),
            );
        }
        None => surge = surge.block(missing("summary.csv or contracts.csv", "the yearly series")),
    }

    let mut fit = Section::new("Targets");
    match &targets {
        Some(t) => {
            let tc = t.col("target").unwrap_or(0);
            let rows = target_rows(t, &infos, |r| Some(text(r, tc).to_string()))?;
            fit = fit.figure(
                charts::target_rows(&TargetRowsChart {
                    title: "Simulated targets against their accepted ranges".into(),
                    description: String::new(),
                    rows: rows.clone(),
                    counted: Counted::Replications,
                    row_head: "target".into(),
                    one_scale: false,
                }),
                "Each target on its own scale: box 25–75 %, whiskers 5–95 % over replications, median bar; shaded: the accepted range; diamond: the observed value; right: the share of replications passing.",
            );
            fit = fit.details(
                "The targets in numbers",
                vec![Block::Table(target_table(&rows))],
            );
            let mut table = Table::new(["pattern", "replications passing every target"])
                .with_caption("Share of replications passing each pattern whole.");
            for (p, s) in pattern_pass(t, |_| String::new())?.into_values().flatten() {
                table = table.row([p, format::percent(s, 0)]);
            }
            fit = fit.table(table);
        }
        None => {
            fit = fit.block(missing(
                "targets.csv (the scenario has no targets)",
                "the fit",
            ))
        }
    }

    let mut deliveries = Section::new("Deliveries and leads");
    let drawn = match &market {
        Some(mk) => deliveries_chart(mk, &focus, m.replications)?,
        None => None,
    };
    match drawn {
        Some(svg) => {
            deliveries = deliveries.figure(
                svg,
                format!(
                    "Value of contracts signed with, and deliveries made by, {focus}'s suppliers per year: median and 5–95 % band over replications."
                ),
            );
        }
        None => {
            deliveries = deliveries.block(missing(
                "market.csv (run with --tables market)",
                "the deliveries per year",
            ));
        }
    }
    let drawn = match &contracts {
        Some(c) => leads_chart(c)?,
        None => None,
    };
    match drawn {
        Some(svg) => {
            deliveries = deliveries.figure(
                svg,
                "Promised and actual quarters from signing to first delivery, by supplier country: per replication the mean over its contracts; bars: median over replications, lines: 5–95 %.",
            );
        }
        None => {
            deliveries = deliveries.block(missing(
                "contracts.csv (run with --tables contracts)",
                "the leads",
            ));
        }
    }

    Ok(Page::new(format!("{name}: run report"))
        .subtitle(format!(
            "{}; focus country {focus}",
            m.replications
                .map_or("? replications".into(), |r| count(r, "replication"))
        ))
        .provenance(m.provenance(name))
        .section(surge)
        .section(fit)
        .section(deliveries))
}

// ---------------------------------------------------------------- compare

/// The verdict as `compare` held it when it printed its conclusion, read
/// back from what it wrote: each scenario's headline distance and paired
/// difference (`verdict.csv`'s `verdict` rows, every number written in
/// full) and its targets' summaries (`compare.csv`), with the targets no
/// scenario reaches; enough for [`Verdict::conclusion`] and
/// [`crate::output::report::unreached_line`], the code `compare` prints
/// them with (the robustness rows and pattern shares are left empty), and
/// the best's difference to the runner-up where the file has it.
/// `None` for a `verdict.csv` of an earlier build, without the columns.
fn verdict_of(verdict: &Csv, compare: &Csv) -> Option<Verdict> {
    use crate::analysis::verdict::{Paired, RunnerUp, ScenarioVerdict, TargetSummary};
    // All but the last column, `against`, which earlier builds did not
    // write (read below where there is one).
    let [sc, st, dist, half, diff, lo, hi, p, corr, reps, pairs] = verdict.cols(
        crate::output::report::VERDICT_COLUMNS[..11]
            .try_into()
            .ok()?,
    )?;
    let paired = |r: &csv::StringRecord| Paired {
        mean: num(r, diff),
        lo: num(r, lo),
        hi: num(r, hi),
        p: num(r, p),
        correlation: num(r, corr),
        n: text(r, pairs).parse().unwrap_or(0),
    };
    let [
        c_sc,
        target,
        pattern,
        _observed,
        pass,
        defined,
        median,
        c_lo,
        c_hi,
        distance,
    ] = compare.cols(crate::output::report::COMPARE_COLUMNS)?;
    let scenarios: Vec<ScenarioVerdict> = verdict
        .rows
        .iter()
        .filter(|r| text(r, st) == "verdict")
        .enumerate()
        .map(|(i, r)| ScenarioVerdict {
            scenario: text(r, sc).to_string(),
            replications: text(r, reps).parse().unwrap_or(0),
            targets: compare
                .rows
                .iter()
                .filter(|t| text(t, c_sc) == text(r, sc))
                .map(|t| TargetSummary {
                    id: text(t, target).to_string(),
                    pattern: text(t, pattern).to_string(),
                    pass_share: num(t, pass),
                    defined_share: num(t, defined),
                    median: num(t, median),
                    lo: num(t, c_lo),
                    hi: num(t, c_hi),
                    distance: num(t, distance),
                })
                .collect(),
            pattern_pass: Vec::new(),
            all_pass: f64::NAN,
            distance: (num(r, dist), num(r, half)),
            // Every scenario after the first is paired with it, its cells
            // empty where the pairs gave no number.
            paired: (i > 0).then(|| paired(r)),
        })
        .collect();
    let unreached = crate::analysis::verdict::unreached(&scenarios);
    // Written since the `against` column was added.
    let runner_up = verdict.col("against").and_then(|against| {
        let r = verdict
            .rows
            .iter()
            .find(|r| text(r, st) == crate::output::report::AGAINST_RUNNER_UP)?;
        Some(RunnerUp {
            best: text(r, sc).to_string(),
            runner_up: text(r, against).to_string(),
            paired: paired(r),
            // The conclusion reads the headline's difference alone.
            robustness: Vec::new(),
        })
    });
    Some(Verdict {
        patterns: Vec::new(),
        scenarios,
        robustness: Vec::new(),
        unreached,
        runner_up,
    })
}

/// `line` with its first letter in capitals, to stand as a sentence.
fn sentence_case(line: &str) -> String {
    let mut chars = line.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn compare_page(dir: &Path, m: &Manifest) -> Result<Page, ReportError> {
    let resolved = m.resolved();
    let infos = target_infos(resolved);
    let targets = m.file(dir, "targets.csv")?;
    let verdict = m.table(dir, "verdict.csv")?;
    let compare = m.table(dir, "compare.csv")?;
    // Scenario order: as run (compare.csv's order includes the contested
    // variants, which the manifest names by file).
    let mut scenarios: Vec<String> = Vec::new();
    let mut add = |s: &str| {
        if !scenarios.iter().any(|x| x == s) {
            scenarios.push(s.to_string());
        }
    };
    if let Some(c) = &compare
        && let Some(i) = c.col("scenario")
    {
        c.rows.iter().for_each(|r| add(text(r, i)));
    } else if let Some(t) = &targets
        && let Some(i) = t.col("scenario")
    {
        t.each(|r| add(text(r, i)))?;
    }
    if scenarios.is_empty() {
        scenarios = m.scenarios.iter().map(|(n, _)| n.clone()).collect();
    }

    let mut verdict_section = Section::new("Verdict");
    // The conclusion and the targets no scenario reaches, as `compare`
    // printed them.
    if let (Some(v), Some(c)) = (&verdict, &compare)
        && let Some(v) = verdict_of(v, c)
    {
        verdict_section =
            verdict_section.block(Block::Paragraph(format!("Conclusion: {}.", v.conclusion())));
        if let Some(line) = crate::output::report::unreached_line(&v.unreached) {
            verdict_section =
                verdict_section.block(Block::Paragraph(format!("{}.", sentence_case(&line))));
        }
    }
    match &targets {
        Some(t) if t.col("scenario").is_some() => {
            let sc = t.col("scenario").unwrap_or(0);
            let mut by_scenario = pattern_pass(t, |r| text(r, sc).to_string())?;
            let per: Vec<Vec<(String, f64)>> = scenarios
                .iter()
                .map(|s| by_scenario.remove(s).unwrap_or_default())
                .collect();
            let mut patterns: Vec<String> = per
                .iter()
                .flat_map(|p| p.iter().map(|(k, _)| k.clone()))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            patterns.sort_by_cached_key(|p| pattern_order(p));
            let values = per
                .iter()
                .map(|p| {
                    patterns
                        .iter()
                        .map(|k| {
                            p.iter()
                                .find(|e| e.0 == *k)
                                .map_or(f64::NAN, |(_, share)| *share)
                        })
                        .collect()
                })
                .collect();
            verdict_section =
                verdict_section.block(Block::Markup(charts::heat_table(&HeatTable::shares(
                    "Share of replications passing each pattern whole",
                    "scenario",
                    scenarios.clone(),
                    patterns,
                    values,
                ))));
        }
        _ => {
            verdict_section = verdict_section.block(missing("targets.csv", "the pattern table"));
        }
    }
    match &verdict {
        Some(v) => {
            if let Some([sc, st, dist, diff, lo, hi, p]) = v.cols([
                "scenario",
                "statistic",
                "distance",
                "difference",
                "lo",
                "hi",
                "p",
            ]) {
                let first = scenarios.first().cloned().unwrap_or_default();
                let rows: Vec<IntervalRow> = v
                    .rows
                    .iter()
                    .filter(|r| text(r, st) == "verdict" && !text(r, diff).is_empty())
                    .map(|r| IntervalRow {
                        label: text(r, sc).to_string(),
                        estimate: num(r, diff),
                        lo: num(r, lo),
                        hi: num(r, hi),
                        note: p_text(num(r, p)),
                    })
                    .collect();
                verdict_section = verdict_section.figure(
                    charts::intervals(&IntervalChart {
                        title: format!("Paired difference in distance to {first}"),
                        description: String::new(),
                        axis: Axis::new(format!("Distance minus {first}'s"), ""),
                        rows,
                        reference: 0.0,
                        interval_label: "95 % interval".into(),
                    }),
                    format!(
                        "Mean paired difference of each scenario's distance (patterns weighted equally, capped at 10) to {first}'s, on common random numbers, with its 95 % interval and p-value; left of zero fits better. Filled: the interval excludes zero."
                    ),
                );
                let half_width = v.col("distance_half_width");
                let against = v.col("against");
                let mut table = Table::new([
                    "scenario",
                    "statistic",
                    "distance",
                    "difference",
                    "95 % interval",
                    "p",
                ])
                .with_caption("The verdict and its robustness (verdict.csv).");
                // Numbers as the terminal prints them (3 decimals, signed
                // differences), so that the page and `compare` agree.
                let signed = crate::analysis::verdict::signed;
                for r in &v.rows {
                    let interval = if text(r, lo).is_empty() {
                        String::new()
                    } else {
                        format!("{} .. {}", signed(num(r, lo)), signed(num(r, hi)))
                    };
                    // The runner-up rows' differences are to the scenario
                    // they name, not to the first.
                    let statistic = match against.map(|a| text(r, a)) {
                        Some(to)
                            if text(r, st).ends_with(crate::output::report::RUNNER_UP_SUFFIX) =>
                        {
                            format!("{}, {to}", text(r, st))
                        }
                        _ => text(r, st).to_string(),
                    };
                    table = table.row([
                        text(r, sc).to_string(),
                        statistic,
                        // With the ± of the mean where verdict.csv has it,
                        // as the terminal prints them (results written
                        // before the column show the mean alone).
                        crate::output::report::mean_half_width((
                            num(r, dist),
                            half_width.map_or(f64::NAN, |h| num(r, h)),
                        )),
                        if text(r, diff).is_empty() {
                            String::new()
                        } else {
                            signed(num(r, diff))
                        },
                        interval,
                        if text(r, p).is_empty() {
                            String::new()
                        } else {
                            crate::analysis::verdict::p_value(num(r, p))
                        },
                    ]);
                }
                verdict_section = verdict_section.details(
                    "Robustness: the paired difference under other caps and target sets",
                    vec![Block::Table(table)],
                );
            }
        }
        None => {
            verdict_section =
                verdict_section.block(missing("verdict.csv", "the paired differences"))
        }
    }

    let mut targets_section = Section::new("Targets against their observations");
    if let Some(t) = &targets
        && let (Some(sc), Some(pat)) = (t.col("scenario"), t.col("pattern"))
    {
        let tc = t.col("target").unwrap_or(0);
        // A row per target and scenario, named `target\u{1f}scenario`, by
        // pattern (in one pass over the file).
        let mut by_pattern: BTreeMap<String, Vec<TargetRow>> = BTreeMap::new();
        for mut r in target_rows(t, &infos, |r| {
            Some(format!(
                "{}\u{1f}{}\u{1f}{}",
                text(r, pat),
                text(r, tc),
                text(r, sc)
            ))
        })? {
            let (p, name) = r.name.split_once('\u{1f}').unwrap_or_default();
            let p = p.to_string();
            r.name = name.to_string();
            by_pattern.entry(p).or_default().push(r);
        }
        // In the verdict's order of patterns (P2 before P10).
        let mut by_pattern: Vec<(String, Vec<TargetRow>)> = by_pattern.into_iter().collect();
        by_pattern.sort_by_cached_key(|(p, _)| pattern_order(p));
        for (i, (p, rows)) in by_pattern.iter().enumerate() {
            let target_of = |name: &str| name.split('\u{1f}').next().unwrap_or("").to_string();
            let mut order: Vec<String> = Vec::new();
            for r in rows {
                let t = target_of(&r.name);
                if !order.contains(&t) {
                    order.push(t);
                }
            }
            // One chart per target, its id in the title: the scenarios are
            // the rows (a pattern's rows told their targets apart only by a
            // cut sub-line).
            let mut figures = Vec::new();
            for target in &order {
                let mut per: Vec<TargetRow> = rows
                    .iter()
                    .filter(|r| target_of(&r.name) == *target)
                    .cloned()
                    .collect();
                for r in &mut per {
                    r.name = r
                        .name
                        .split_once('\u{1f}')
                        .map_or("", |(_, sc)| sc)
                        .to_string();
                }
                figures.push(Block::Figure(crate::output::html::Figure {
                    markup: charts::target_rows(&TargetRowsChart {
                        title: format!("Pattern {p}: {target} under each scenario"),
                        description: String::new(),
                        rows: per,
                        counted: Counted::Replications,
                        // The scenarios' rows of one target on one scale,
                        // to be read against each other.
                        row_head: "scenario".into(),
                        one_scale: true,
                    }),
                    caption: format!(
                        "{target} (pattern {p}): per scenario, on one scale, box 25–75 % and whiskers 5–95 % over the replications in which it is defined; shaded: the accepted range; diamond: the observed value; right: the share passing."
                    ),
                }));
            }
            targets_section = targets_section.block(Block::Details {
                summary: format!("Pattern {p}"),
                open: i == 0,
                blocks: figures,
            });
        }
    } else {
        targets_section = targets_section.block(missing("targets.csv", "the targets"));
    }

    Ok(Page::new("Comparison report")
        .subtitle(format!(
            "{}{}, {} each",
            count(scenarios.len() as u64, "scenario"),
            if scenarios.len() == 1 {
                ""
            } else {
                " on common random numbers"
            },
            m.replications
                .map_or("? replications".into(), |r| count(r, "replication"))
        ))
        .provenance(m.provenance(&scenarios.join(", ")))
        .section(verdict_section)
        .section(targets_section))
}

// ---------------------------------------------------------------- sweep

/// What [`point_means`] folds from `runs.csv`.
type PointMeans<const N: usize> = ([HashMap<String, f64>; N], usize, HashSet<String>);

/// Per outcome of `values`, per-point means over finished runs of the
/// outcome (NaN skipped) by point id, in one pass over `runs.csv`; the
/// number of runs; and the points with a finished run.
fn point_means<const N: usize>(
    runs: &CsvFile,
    values: [&dyn Fn(&csv::StringRecord) -> f64; N],
) -> Result<PointMeans<N>, ReportError> {
    let status = runs.col("status");
    let mut acc: [HashMap<String, (f64, usize)>; N] = std::array::from_fn(|_| HashMap::new());
    let mut n_runs = 0;
    let mut finished = HashSet::new();
    runs.each(|r| {
        n_runs += 1;
        if status.is_some_and(|s| text(r, s) != "ok") {
            return;
        }
        if !finished.contains(text(r, 0)) {
            finished.insert(text(r, 0).to_string());
        }
        for (acc, value) in acc.iter_mut().zip(values) {
            let v = value(r);
            if v.is_finite() {
                let e = match acc.get_mut(text(r, 0)) {
                    Some(e) => e,
                    None => acc.entry(text(r, 0).to_string()).or_insert((0.0, 0)),
                };
                e.0 += v;
                e.1 += 1;
            }
        }
    })?;
    let means = acc.map(|acc| {
        acc.into_iter()
            .map(|(k, (s, n))| (k, s / n as f64))
            .collect()
    });
    Ok((means, n_runs, finished))
}

/// A noise share (`noise_share`, `noise_share_of_means`) of `what`, as a
/// per cent; a ratio of two estimated variances, it can come out above 1
/// where the parameters move the metric little, which reads as all noise
/// (README, `sensitivity`): said so, not "108 % of".
fn noise_share(x: f64, what: &str) -> String {
    if x > 1.0 {
        format!(
            "all of {what} (estimated at {}: above 1 reads as all noise)",
            format::significant(x, 3)
        )
    } else {
        format!("{} of {what}", format::percent(x, 0))
    }
}

/// Where a table added to a sweep (`sensitivity.csv`, `discover.csv`)
/// departs from the sweep, its line if one shows it, and how.
type Mismatch = (Option<usize>, String);

/// What shows that `sensitivity.csv` is not `armsmarket sensitivity`'s
/// analysis of this sweep as it stands (another sweep's, cut short or
/// edited), if anything does: an index the sweep's design does not give,
/// a parameter it does not have, a cell that is not a number, metrics
/// other than those the command analyses (`metrics`, in its order), or a
/// metric whose rows stop before their last. A table without the columns
/// is left to [`sensitivity_blocks`], which says so on the page.
fn sensitivity_mismatch(
    s: &Csv,
    kind: DesignKind,
    params: &[&str],
    metrics: &[String],
) -> Option<Mismatch> {
    // An empty file or another table's was drawn as a sentence, exit 0,
    // where a wrong row is refused.
    let Some([metric, parameter, index, estimate, lo, hi]) = s.cols(sensitivity_columns()) else {
        return Some((Some(1), lacks(s, &sensitivity_columns())));
    };
    let vocabulary = crate::sweep::sensitivity::indices(kind);
    let Some(last) = vocabulary.last() else {
        return Some((
            None,
            format!(
                "a {} sweep has no sensitivity indices (`armsmarket sensitivity` analyses saltelli and morris sweeps)",
                kind.name()
            ),
        ));
    };
    // `conf_normal` where the file has it (earlier builds did not write it).
    let numbers: Vec<(usize, &str)> = [(estimate, "estimate"), (lo, "lo"), (hi, "hi")]
        .into_iter()
        .chain(s.col("conf_normal").map(|c| (c, "conf_normal")))
        .collect();
    let mut seen: Vec<&str> = Vec::new();
    for (n, r) in s.rows.iter().enumerate() {
        let line = n + 2;
        let (m, ix, p) = (text(r, metric), text(r, index), text(r, parameter));
        if !vocabulary.contains(&ix) {
            return Some((
                Some(line),
                format!(
                    "index '{ix}' is not one a {} design gives ({})",
                    kind.name(),
                    vocabulary.join(", ")
                ),
            ));
        }
        if !p.is_empty() && !p.split('|').all(|q| params.contains(&q)) {
            return Some((
                Some(line),
                format!(
                    "'{p}' is not a parameter of this sweep ({})",
                    params.join(", ")
                ),
            ));
        }
        for &(c, name) in &numbers {
            let x = text(r, c);
            if !x.is_empty() && x.parse::<f64>().is_err() {
                return Some((Some(line), format!("{name} '{x}' is not a number")));
            }
        }
        if seen.last() != Some(&m) {
            if seen.contains(&m) {
                return Some((Some(line), format!("the rows of {m} are not together")));
            }
            if let Some(&before) = seen.last()
                && text(&s.rows[n - 1], index) != *last
            {
                return Some((
                    Some(line),
                    format!("the rows of {before} stop before its {last}"),
                ));
            }
            seen.push(m);
        }
    }
    if let (Some(&m), Some(r)) = (seen.last(), s.rows.last())
        && text(r, index) != *last
    {
        return Some((None, format!("the rows of {m} stop before its {last}")));
    }
    if seen != metrics {
        let missing: Vec<&str> = metrics
            .iter()
            .map(String::as_str)
            .filter(|m| !seen.contains(m))
            .collect();
        return Some((
            None,
            if missing.is_empty() {
                format!(
                    "it has indices of {}, the sweep's runs.csv the metrics {}",
                    seen.join(", "),
                    metrics.join(", ")
                )
            } else {
                format!(
                    "it has no indices of {} of the sweep's {} metrics ({}{})",
                    missing.len(),
                    metrics.len(),
                    missing[..missing.len().min(3)].join(", "),
                    if missing.len() > 3 { ", …" } else { "" }
                )
            },
        ));
    }
    None
}

/// What a table's header lacks of `columns`.
fn lacks(c: &Csv, columns: &[&str]) -> String {
    let missing: Vec<&str> = columns
        .iter()
        .copied()
        .filter(|name| c.col(name).is_none())
        .collect();
    if c.header.iter().all(String::is_empty) {
        format!(
            "it is empty: no header, where columns {} are read",
            columns.join(", ")
        )
    } else {
        format!("its header lacks column(s) {}", missing.join(", "))
    }
}

/// The columns of `discover.csv` the report reads: the trajectory's, as
/// `discover` writes them (not what was searched, which earlier builds
/// did not write): box, entry, phase, coverage, density, mass, restricted,
/// n, k, chosen, limits.
fn discover_columns() -> [&'static str; 11] {
    crate::analysis::discover::TRAJECTORY_HEADER[..11]
        .try_into()
        .expect("the header has the trajectory's 11 columns first")
}

/// The columns of `sensitivity.csv` the report reads (`conf_normal`,
/// which earlier builds did not write, is drawn where it is there):
/// metric, parameter, index, estimate, lo, hi.
fn sensitivity_columns() -> [&'static str; 6] {
    crate::sweep::sensitivity::HEADER[..6]
        .try_into()
        .expect("the header has its 6 drawn columns first")
}

/// What shows that `discover.csv` is not `armsmarket discover`'s search of
/// this sweep as it stands, if anything does: a cell that does not read as
/// the command writes it, limits on a column that is not a parameter, or
/// a first box that does not start from the `finished` points (those with
/// a finished run, which the command searches), or a header without the
/// columns the report reads.
fn discover_mismatch(d: &Csv, params: &[&str], finished: usize) -> Option<Mismatch> {
    let Some(
        [
            bx,
            entry,
            phase,
            cov,
            den,
            mass,
            restricted,
            n,
            k,
            chosen,
            limits,
        ],
    ) = d.cols(discover_columns())
    else {
        return Some((Some(1), lacks(d, &discover_columns())));
    };
    let numbers = [
        (cov, "coverage"),
        (den, "density"),
        (mass, "mass"),
        (k, "k"),
    ];
    for (i, r) in d.rows.iter().enumerate() {
        let line = i + 2;
        for (c, name) in [
            (bx, "box"),
            (entry, "entry"),
            (restricted, "restricted"),
            (n, "n"),
        ] {
            if text(r, c).parse::<u64>().is_err() {
                return Some((
                    Some(line),
                    format!("{name} '{}' is not a count", text(r, c)),
                ));
            }
        }
        for &(c, name) in &numbers {
            if text(r, c).parse::<f64>().is_err() {
                return Some((
                    Some(line),
                    format!("{name} '{}' is not a number", text(r, c)),
                ));
            }
        }
        if !matches!(text(r, phase), "initial" | "peel" | "paste") {
            return Some((
                Some(line),
                format!("phase '{}' is none of initial, peel, paste", text(r, phase)),
            ));
        }
        if !matches!(text(r, chosen), "true" | "false") {
            return Some((
                Some(line),
                format!("chosen '{}' is neither true nor false", text(r, chosen)),
            ));
        }
        let Some(box_limits) = box_limits(text(r, limits)) else {
            return Some((
                Some(line),
                format!("limits '{}' do not read as limits", text(r, limits)),
            ));
        };
        for l in box_limits {
            let (BoxLimit::Range(name, ..) | BoxLimit::Levels(name, _)) = l;
            if !params.contains(&name) {
                return Some((
                    Some(line),
                    format!(
                        "limits on '{name}', which is not a parameter of this sweep ({})",
                        params.join(", ")
                    ),
                ));
            }
        }
    }
    let first = d.rows.first()?;
    let searched = text(first, n);
    (searched != finished.to_string()).then(|| {
        (None, format!(
            "its first box starts from {searched} points, and {finished} of the sweep's points have a finished run"
        ))
    })
}

fn sensitivity_blocks(s: &Csv) -> Vec<Block> {
    let Some([metric, parameter, index, estimate, lo, hi]) = s.cols(sensitivity_columns()) else {
        return vec![Block::Paragraph(
            "sensitivity.csv lacks the columns metric, parameter, index, estimate, lo, hi; it is not drawn.".into(),
        )];
    };
    let conf = s.col("conf_normal");
    // A cell: (estimate, lo, hi, conf_normal).
    type Cell = (f64, f64, f64, f64);
    let mut order: Vec<String> = Vec::new();
    // metric → (its parameters in file order, (parameter, index) → cell)
    type Cells = HashMap<(String, String), Cell>;
    let mut by: HashMap<String, (Vec<String>, Cells)> = HashMap::new();
    for r in &s.rows {
        let m = text(r, metric).to_string();
        let e = by.entry(m.clone()).or_insert_with(|| {
            order.push(m);
            (Vec::new(), HashMap::new())
        });
        let p = text(r, parameter).to_string();
        // Rows without a parameter are the metric's own figures (noise
        // shares, blocks used), kept under the empty parameter; S2 rows
        // name a pair.
        if p.is_empty() {
            e.1.insert(
                (p, text(r, index).to_string()),
                (num(r, estimate), f64::NAN, f64::NAN, f64::NAN),
            );
            continue;
        }
        if !e.0.contains(&p) && !text(r, index).starts_with("S2") {
            e.0.push(p.clone());
        }
        e.1.insert(
            (p, text(r, index).to_string()),
            (
                num(r, estimate),
                num(r, lo),
                num(r, hi),
                conf.map_or(f64::NAN, |c| num(r, c)),
            ),
        );
    }
    let mut blocks = Vec::new();
    for (i, m) in order.iter().enumerate() {
        let Some((params, cells)) = by.get(m) else {
            continue;
        };
        let get = |p: &str, ix: &str| cells.get(&(p.to_string(), ix.to_string())).copied();
        let mut inner = Vec::new();
        // The indices are read beside the noise in what they decompose.
        let own = |ix: &str| get("", ix).map_or(f64::NAN, |c| c.0);
        let noise = if own("noise_share_of_means").is_finite() {
            format!(
                "; replication noise is {} and {} (noise_share_of_means, noise_share)",
                noise_share(
                    own("noise_share_of_means"),
                    "the variance of the points' means"
                ),
                noise_share(own("noise_share"), "a single run's")
            )
        } else {
            String::new()
        };
        if own("guard_zeros") == 1.0 {
            // SALib's guard wrote every index as 0: bars of 0 would read as
            // a measure that no parameter matters.
            inner.push(Block::Paragraph(format!(
                "No indices: {m} takes one value over the points its indices are worked out from, so SALib's guard writes each as 0 (guard_zeros in sensitivity.csv); they say nothing of the parameters."
            )));
        } else if params
            .iter()
            .any(|p| get(p, "S1").is_some() || get(p, "ST").is_some())
        {
            let nan = (f64::NAN, f64::NAN, f64::NAN, f64::NAN);
            // The total index net of replication noise, where the sweep
            // had the replications to measure it.
            let net = params.iter().any(|p| get(p, "ST_net").is_some());
            let series: &[&str] = if net {
                &["S1", "ST", "ST_net"]
            } else {
                &["S1", "ST"]
            };
            let groups = params
                .iter()
                .map(|p| BarGroup {
                    label: p.clone(),
                    values: series
                        .iter()
                        .map(|ix| {
                            let (e, l, h, _) = get(p, ix).unwrap_or(nan);
                            Estimate::new(e, l, h)
                        })
                        .collect(),
                })
                .collect();
            inner.push(Block::Figure(crate::output::html::Figure {
                markup: charts::bars(&BarChart {
                    title: format!("Sobol' indices of {m}"),
                    description: String::new(),
                    axis: Axis::new("Sobol' index", ""),
                    series: series.iter().map(|s| s.to_string()).collect(),
                    groups,
                    interval_label: "bootstrap interval".into(),
                }),
                caption: format!(
                    "First-order (S1) and total (ST) Sobol' indices of {m} per parameter{}, with their bootstrap intervals (sensitivity.csv){}.",
                    if net {
                        ", and the total index net of the replication noise in the points' means (ST_net)"
                    } else {
                        ""
                    },
                    noise
                ),
            }));
        }
        let points: Vec<LabelledPoint> = params
            .iter()
            .filter_map(|p| {
                let (ms, l, h, c) = get(p, "mu_star")?;
                let (sigma, ..) = get(p, "sigma")?;
                let half = get(p, "mu_star_conf").map_or(c, |x| x.0);
                let x_interval = if l.is_finite() && h.is_finite() {
                    (l, h)
                } else {
                    (ms - half, ms + half)
                };
                Some(LabelledPoint {
                    x: ms,
                    y: sigma,
                    label: p.clone(),
                    x_interval,
                    note: String::new(),
                })
            })
            .collect();
        if !points.is_empty() {
            inner.push(Block::Figure(crate::output::html::Figure {
                markup: charts::scatter(&ScatterChart {
                    title: format!("Morris screening of {m}"),
                    description: String::new(),
                    x_axis: Axis::new("μ*", "").from_zero(),
                    y_axis: Axis::new("σ", "").from_zero(),
                    points,
                    reference_lines: vec![
                        ReferenceLine {
                            slope: 0.1,
                            label: "σ/μ* = 0.1".into(),
                        },
                        ReferenceLine {
                            slope: 0.5,
                            label: "σ/μ* = 0.5".into(),
                        },
                        ReferenceLine {
                            slope: 1.0,
                            label: "σ/μ* = 1".into(),
                        },
                    ],
                }),
                caption: format!(
                    "Morris elementary effects of {m}: mean absolute effect μ* (with its interval) against the spread σ; above the lines, effects depend more on the other parameters{}{noise}.",
                    if own("mu_star_noise").is_finite() {
                        format!(
                            "; replication noise alone gives μ* of about {} (mu_star_noise)",
                            format::significant(own("mu_star_noise"), 3)
                        )
                    } else {
                        String::new()
                    }
                ),
            }));
        }
        if inner.is_empty() {
            // Said, not left out: the metric was analysed and gave none.
            let (used, dropped, unit) = if own("trajectories_used").is_finite() {
                (
                    own("trajectories_used"),
                    own("trajectories_dropped"),
                    "trajectories",
                )
            } else {
                (own("blocks_used"), own("blocks_dropped"), "blocks")
            };
            inner.push(Block::Paragraph(format!(
                "No indices: {} of {} {unit} were usable, {m} being undefined or failed at a point of the others (sensitivity.csv).",
                format::significant(used, 6),
                format::significant(used + dropped, 6)
            )));
        }
        blocks.push(Block::Details {
            summary: m.clone(),
            open: i == 0,
            blocks: inner,
        });
    }
    blocks
}

/// One restricted column of a box as `discover.csv`'s `limits` cell writes
/// it: `name in [lower, upper]` or `name in {a, b}`.
#[derive(Debug, PartialEq)]
enum BoxLimit<'a> {
    /// A numeric column's bounds, as written.
    Range(&'a str, &'a str, &'a str),
    /// A categorical column's levels kept, as written (`{a, b}`).
    Levels(&'a str, &'a str),
}

/// The limits of a `limits` cell (`a in [0.2, 0.8]; b in {x, y}`), in its
/// order; `None` if the cell does not read so.
fn box_limits(cell: &str) -> Option<Vec<BoxLimit<'_>>> {
    let mut out = Vec::new();
    let mut rest = cell.trim();
    while !rest.is_empty() {
        let at = rest.find(" in ")?;
        let (name, tail) = (&rest[..at], &rest[at + 4..]);
        let close = match tail.chars().next()? {
            '[' => ']',
            '{' => '}',
            _ => return None,
        };
        // A set of levels ends at the `}` before the next `; ` (a level may
        // hold a brace).
        let end = match close {
            ']' => tail.find(']')?,
            _ => tail
                .match_indices("}; ")
                .map(|(i, _)| i)
                .next()
                .unwrap_or(tail.rfind('}')?),
        };
        let inside = &tail[1..end];
        out.push(if close == ']' {
            let (lo, hi) = inside.split_once(", ")?;
            BoxLimit::Range(name, lo, hi)
        } else {
            BoxLimit::Levels(name, &tail[..=end])
        });
        rest = tail[end + 1..].trim_start_matches("; ").trim_start();
    }
    Some(out)
}

/// A chosen box's limits in the table, and what a box without one means
/// (the cell was left empty), as `discover` prints it.
fn chosen_limits(cell: &str, extremes: &HashMap<String, (f64, f64)>) -> String {
    let shown = limits_shown(cell, extremes);
    if shown.is_empty() {
        "none: PRIM found no box denser than the whole".to_string()
    } else {
        shown
    }
}

/// The restricted columns of a box as `discover` prints them: numbers to
/// its digits, and a side PRIM did not peel (a bound at the smallest or
/// largest value of the points searched, `extremes`) left out: `>= lower`,
/// `<= upper`, `[lower, upper]`; levels as `{a, b}`. A cell that does not
/// read as limits is shown as written.
fn limits_shown(cell: &str, extremes: &HashMap<String, (f64, f64)>) -> String {
    let Some(limits) = box_limits(cell) else {
        return cell.to_string();
    };
    let number = |t: &str| match t.parse::<i64>() {
        // An integer column's bounds are written as integers, and printed
        // so.
        Ok(_) => t.to_string(),
        Err(_) => t
            .parse::<f64>()
            .map_or(t.to_string(), crate::analysis::discover::printed),
    };
    limits
        .iter()
        .map(|l| match *l {
            BoxLimit::Range(name, lo, hi) => {
                let (min, max) = extremes.get(name).copied().unwrap_or((f64::NAN, f64::NAN));
                let peeled = |t: &str, end: f64| t.parse::<f64>() != Ok(end);
                match (peeled(lo, min), peeled(hi, max)) {
                    (true, false) => format!("{name} >= {}", number(lo)),
                    (false, true) => format!("{name} <= {}", number(hi)),
                    _ => format!("{name} in [{}, {}]", number(lo), number(hi)),
                }
            }
            BoxLimit::Levels(name, levels) => format!("{name} in {levels}"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The PRIM trajectories of `discover.csv`; `extremes` are each
/// parameter's smallest and largest value over the points searched (those
/// with a finished run), the bounds of PRIM's first box.
fn discover_blocks(d: &Csv, extremes: &HashMap<String, (f64, f64)>) -> Vec<Block> {
    let Some([bx, _, _, cov, den, mass, restricted, n, k, chosen, limits]) =
        d.cols(discover_columns())
    else {
        return vec![Block::Paragraph(
            "discover.csv lacks the trajectory columns; it is not drawn.".into(),
        )];
    };
    let mut boxes: Vec<String> = Vec::new();
    for r in &d.rows {
        if !boxes.iter().any(|b| b == text(r, bx)) {
            boxes.push(text(r, bx).to_string());
        }
    }
    // The first box starts from every row: its first entry's k is the sum
    // of the outcomes. Under 1 (a point's outcome is the share of its runs
    // meeting the condition), coverage is k / 1, as `discover` says.
    let total = d.rows.first().map_or(f64::NAN, |r| num(r, k));
    let below_one = total < 1.0;
    const BELOW_ONE: &str = "the outcomes sum to less than 1, so coverage is k / 1 (as in EMA), not a share of all cases";
    let mut out = Vec::new();
    // What was searched, where the file says it (earlier builds did not).
    if let Some([condition, peel, paste, mass_min]) =
        d.cols(["condition", "peel_alpha", "paste_alpha", "mass_min"])
        && let Some(r) = d.rows.first()
    {
        out.push(Block::Paragraph(format!(
            "Cases of interest: runs where {}; peeling alpha {}, pasting alpha {}, smallest box mass {}.{}",
            text(r, condition),
            text(r, peel),
            text(r, paste),
            text(r, mass_min),
            if below_one {
                format!(" Note: {BELOW_ONE}.")
            } else {
                String::new()
            }
        )));
    } else if below_one {
        out.push(Block::Paragraph(format!("Note: {BELOW_ONE}.")));
    }
    let mut table = Table::new(["box", "coverage", "density", "mass", "n", "limits"])
        .with_caption("The chosen boxes (discover.csv), their limits as armsmarket discover prints them: a side PRIM did not peel is left out (>= lower, <= upper), as it keeps the design's own bound.");
    for b in &boxes {
        let rows: Vec<&csv::StringRecord> = d.rows.iter().filter(|r| text(r, bx) == b).collect();
        let points = rows
            .iter()
            .map(|r| LabelledPoint {
                x: num(r, cov),
                y: num(r, den),
                label: String::new(),
                x_interval: (f64::NAN, f64::NAN),
                // As `discover` prints them: the file's k is a sum of
                // shares (5.999999999999999 for 6).
                note: format!(
                    "mass {}, {} restricted, n = {}, k = {}; {}",
                    format::fixed(num(r, mass), 4),
                    text(r, restricted),
                    text(r, n),
                    crate::analysis::discover::printed(num(r, k)),
                    limits_shown(text(r, limits), extremes)
                ),
            })
            .collect();
        let highlight = rows.iter().position(|r| text(r, chosen) == "true");
        if let Some(h) = highlight {
            let r = rows[h];
            // Four decimals, as `discover` prints them (at three, a mass of
            // 1/16 read 0.062).
            table = table.row([
                b.clone(),
                format::fixed(num(r, cov), 4),
                format::fixed(num(r, den), 4),
                format::fixed(num(r, mass), 4),
                text(r, n).to_string(),
                chosen_limits(text(r, limits), extremes),
            ]);
        }
        out.push(Block::Figure(crate::output::html::Figure {
            markup: charts::trajectory(&TrajectoryChart {
                title: format!("PRIM trajectory, box {b}"),
                description: String::new(),
                x_axis: Axis::new("Coverage", "").with_domain(0.0, 1.0),
                y_axis: Axis::new("Density", "").with_domain(0.0, 1.0),
                points,
                highlight,
                step: false,
                highlight_label: "chosen box".into(),
            }),
            caption: format!(
                "Box {b}: coverage ({}) against density (share of the box's cases that are of interest) along the peeling and pasting; hover a point for its limits.",
                if below_one {
                    "k / 1, as in EMA: the outcomes sum to less than 1, so not a share of all cases of interest"
                } else {
                    "share of all cases of interest inside"
                }
            ),
        }));
    }
    out.push(Block::Table(table));
    out
}

/// The parameter columns of `points.csv` (index and name): those after
/// `point_id` and before the design's role columns.
fn parameters(p: &Csv, design: Option<DesignKind>) -> impl Iterator<Item = (usize, &String)> {
    let roles = design.map_or(0, |k| crate::sweep::tables::role_columns(k).len());
    let end = p.header.len().saturating_sub(roles).max(1);
    p.header.iter().enumerate().take(end).skip(1)
}

fn sweep_page(dir: &Path, m: &Manifest) -> Result<Page, ReportError> {
    let name = m.scenarios.first().map_or("sweep", |(n, _)| n.as_str());
    let resolved = m.resolved();
    let focus = focus_country(resolved);
    let bands = m.file(dir, "bands.csv")?;
    let points = m.table(dir, "points.csv")?;
    let runs = m.file(dir, "runs.csv")?;
    // Written into the folder later by `sensitivity` and `discover`, so not
    // in the manifest: read if present.
    let sensitivity = Csv::read(dir, "sensitivity.csv")?;
    let discover = Csv::read(dir, "discover.csv")?;
    // Nothing ties them to the sweep but their content: one copied from
    // another sweep, cut short or edited would be drawn as this one's.
    let params: Vec<&str> = points.as_ref().map_or_else(Vec::new, |p| {
        parameters(p, m.design)
            .map(|(_, name)| name.as_str())
            .collect()
    });
    let foreign = |file: &str, command: &str, (line, why): Mismatch| ReportError::NoResult {
        dir: match line {
            Some(line) => PathBuf::from(format!("{}:{line}", dir.join(file).display())),
            None => dir.join(file),
        },
        why: format!(
            "{why}: not `armsmarket {command}`'s result for this sweep as it stands (another sweep's, cut short or edited); run `armsmarket {command} {}` again, which replaces it, or remove it",
            dir.display()
        ),
    };
    if let (Some(s), Some(kind), Some(r)) = (&sensitivity, m.design, m.replications) {
        let metrics = crate::sweep::sensitivity::analysed_metrics(dir, r as u32).map_err(|e| {
            ReportError::NoResult {
                dir: dir.join("runs.csv"),
                why: e.to_string(),
            }
        })?;
        if let Some(why) = sensitivity_mismatch(s, kind, &params, &metrics) {
            return Err(foreign("sensitivity.csv", "sensitivity", why));
        }
    }

    let mut bands_section = Section::new(format!("{focus} contract value per year"));
    match bands
        .as_ref()
        .and_then(|b| Some((b, b.cols(["year", "p50"])?)))
    {
        Some((b, [year, p50])) => {
            let mut by_year: BTreeMap<i32, Vec<f64>> = BTreeMap::new();
            b.each(|r| {
                if let Ok(y) = text(r, year).parse::<i32>() {
                    by_year.entry(y).or_default().push(num(r, p50));
                }
            })?;
            let mut chart = TimeSeriesChart::new(
                format!("{focus} contract value per year across the sweep"),
                Axis::new("Year", ""),
                Axis::new(format!("{focus} contract value"), "US$ m").from_zero(),
            );
            chart.series.push(band("point medians", &by_year));
            chart.band_label = "5–95 % of points".into();
            chart.observed = observed_years(resolved, &focus);
            bands_section = bands_section.figure(
                charts::time_series(&chart),
                format!(
                    "Each point's median over its replications (bands.csv); line: the median over points, band: 5–95 % of points{}.",
                    diamonds(&chart.observed)
                ),
            );
        }
        None => bands_section = bands_section.block(missing("bands.csv", "the yearly series")),
    }

    let mut params_section = Section::new("Parameters against the outcome");
    let mut n_runs = 0;
    let mut extremes: HashMap<String, (f64, f64)> = HashMap::new();
    if let (Some(p), Some(r)) = (&points, &runs) {
        // The verdict's distance per run, as `compare` ranks by (undefined
        // targets skipped, so it is defined where any target is); a sweep
        // of an older build has none, and is drawn by targets passed.
        let passes: Vec<usize> = r
            .header
            .iter()
            .enumerate()
            .filter(|(_, h)| h.ends_with("_pass") && *h != "all_pass")
            .map(|(i, _)| i)
            .collect();
        let column =
            |c: Option<usize>| move |row: &csv::StringRecord| c.map_or(f64::NAN, |c| num(row, c));
        let verdict_column = r.col("verdict_distance");
        let verdict = column(verdict_column);
        let focus_value = column(r.col("focus_value"));
        let passed = |row: &csv::StringRecord| {
            if passes.is_empty() {
                f64::NAN
            } else {
                passes.iter().filter(|&&i| text(row, i) == "true").count() as f64
            }
        };
        let ([verdict, passed, focus_value], runs, finished) =
            point_means(r, [&verdict, &passed, &focus_value])?;
        n_runs = runs;
        if let Some(why) = discover
            .as_ref()
            .and_then(|d| discover_mismatch(d, &params, finished.len()))
        {
            return Err(foreign("discover.csv", "discover", why));
        }
        // PRIM's first box: each parameter's range over the points with a
        // finished run (`discover` leaves the others out).
        for (i, param) in p.header.iter().enumerate().skip(1) {
            let (lo, hi) = p
                .rows
                .iter()
                .filter(|row| finished.contains(text(row, 0)))
                .map(|row| num(row, i))
                .filter(|v| v.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                    (a.min(v), b.max(v))
                });
            if lo <= hi {
                extremes.insert(param.clone(), (lo, hi));
            }
        }
        // The column decides, not its values: a verdict distance undefined
        // in every run is said so, not replaced by another measure.
        let (means, what, short) = if verdict_column.is_some() {
            (
                Some(verdict),
                "verdict distance (0: every target hit exactly)".to_string(),
                "verdict distance",
            )
        } else if !passes.is_empty() {
            (
                Some(passed),
                format!("targets passed (of {})", passes.len()),
                "targets passed",
            )
        } else if r.col("focus_value").is_some() {
            (
                Some(focus_value),
                format!("{focus} contract value (US$ m)"),
                "contract value",
            )
        } else {
            (None, String::new(), "")
        };
        if let Some(means) = means {
            // One line per role: a point two roles share is one point.
            let mut seen = BTreeSet::new();
            let rows: Vec<&csv::StringRecord> = p
                .rows
                .iter()
                .filter(|row| seen.insert(text(row, 0)))
                .collect();
            // Points without a value (every finished run's undefined, or
            // none finished) are not drawn, and said so: they are often
            // the corner of the space where a target is never met.
            let unvalued = rows
                .iter()
                .filter(|row| !means.contains_key(text(row, 0)))
                .count();
            let left_out = match unvalued {
                0 => String::new(),
                n => format!(
                    " {n} of the {} points have no {short} (undefined in each of their finished runs, or none finished) and are not drawn.",
                    rows.len()
                ),
            };
            if means.is_empty() && !rows.is_empty() {
                params_section = params_section.block(Block::Paragraph(if finished.is_empty() {
                    "No run finished (runs.csv), so nothing is drawn against the parameters."
                        .to_string()
                } else {
                    format!(
                        "No point has a {short}: it is undefined in every finished run (runs.csv), so nothing is drawn against the parameters."
                    )
                }));
            }
            // The scatters draw a fixed sample of the points: a circle
            // with its tooltip per point and parameter made a page of
            // 100 MB at 100,000 points, more than a browser can show.
            let drawn = scatter_sample(&rows, |row| text(row, 0));
            for (i, param) in parameters(p, m.design) {
                let numeric = rows.iter().all(|row| num(row, i).is_finite());
                if !numeric {
                    // Categories (`values = [true, false]`, names): the
                    // points' outcomes by the parameter's value.
                    let mut by: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
                    for row in &rows {
                        if let Some(&y) = means.get(text(row, 0)) {
                            by.entry(text(row, i)).or_default().push(y);
                        }
                    }
                    if by.is_empty() {
                        continue;
                    }
                    let groups = by
                        .into_iter()
                        .map(|(value, ys)| BarGroup {
                            label: value.to_string(),
                            values: vec![Estimate::new(
                                quantile(&ys, 0.5),
                                quantile(&ys, 0.05),
                                quantile(&ys, 0.95),
                            )],
                        })
                        .collect();
                    params_section = params_section.figure(
                        charts::bars(&BarChart {
                            title: format!("{what} by {param}"),
                            description: String::new(),
                            axis: Axis::new(what.clone(), ""),
                            series: vec!["median over points".into()],
                            groups,
                            interval_label: "5–95 % over points".into(),
                        }),
                        format!("The {what} per run, averaged over each point's finished replications, by the value of {param}: the median over the points with that value, with its 5–95 % range.{left_out}"),
                    );
                    continue;
                }
                let pts: Vec<LabelledPoint> = drawn
                    .iter()
                    .filter_map(|row| {
                        let x = num(row, i);
                        let y = *means.get(text(row, 0))?;
                        x.is_finite().then(|| LabelledPoint {
                            x,
                            y,
                            label: String::new(),
                            x_interval: (f64::NAN, f64::NAN),
                            note: format!("point {}", text(row, 0)),
                        })
                    })
                    .collect();
                if pts.is_empty() {
                    continue;
                }
                params_section = params_section.figure(
                    charts::scatter(&ScatterChart {
                        title: format!("{what} against {param}"),
                        description: String::new(),
                        x_axis: Axis::new(param.clone(), ""),
                        y_axis: Axis::new(what.clone(), ""),
                        points: pts,
                        reference_lines: Vec::new(),
                    }),
                    format!(
                        "Per point, the {what} per run, averaged over its finished replications, against {param}{}.{left_out}",
                        if drawn.len() < rows.len() {
                            format!(
                                " ({} of the {} points drawn: a fixed sample by their ids, the same in every chart)",
                                drawn.len(),
                                rows.len()
                            )
                        } else {
                            String::new()
                        }
                    ),
                );
            }
        }
    } else {
        params_section = params_section.block(missing("points.csv and runs.csv", "the points"));
    }

    if let Some(p) = &points {
        let mut table = Table::new(["parameter", "lowest", "highest", "distinct values"])
            .with_caption("The values the design gave each parameter (points.csv).");
        for (i, param) in parameters(p, m.design) {
            let mut values: Vec<&str> = p.rows.iter().map(|r| text(r, i)).collect();
            values.sort_unstable();
            values.dedup();
            let numbers: Vec<f64> = values.iter().filter_map(|v| v.parse().ok()).collect();
            let (lo, hi) = if numbers.len() == values.len() && !numbers.is_empty() {
                let lo = numbers.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (format::significant(lo, 4), format::significant(hi, 4))
            } else {
                (String::new(), String::new())
            };
            table = table.row([param.clone(), lo, hi, values.len().to_string()]);
        }
        params_section = params_section.details("The design", vec![Block::Table(table)]);
    }
    let mut sens_section = Section::new("Sensitivity");
    match &sensitivity {
        Some(s) => {
            for b in sensitivity_blocks(s) {
                sens_section = sens_section.block(b);
            }
        }
        None => {
            sens_section = sens_section.block(missing(
                "sensitivity.csv (armsmarket sensitivity on a Saltelli or Morris sweep writes it)",
                "the sensitivity indices",
            ));
        }
    }
    let mut prim_section = Section::new("Scenario discovery (PRIM)");
    match &discover {
        Some(d) => {
            for b in discover_blocks(d, &extremes) {
                prim_section = prim_section.block(b);
            }
        }
        None => {
            prim_section = prim_section.block(missing(
                "discover.csv (armsmarket discover DIR --where EXPR writes it)",
                "the PRIM trajectory",
            ));
        }
    }
    // Design roles that fall on one point (Saltelli's, Morris's) share a
    // row id: the points are the distinct ids.
    let n_points = points.as_ref().map_or(0, |p| {
        p.col("point_id").map_or(p.rows.len(), |id| {
            p.rows
                .iter()
                .map(|r| text(r, id))
                .collect::<BTreeSet<_>>()
                .len()
        })
    });
    Ok(Page::new(format!("{name}: sweep report"))
        .subtitle(format!("{n_points} points, {n_runs} runs"))
        .provenance(m.provenance(name))
        .section(bands_section)
        .section(params_section)
        .section(sens_section)
        .section(prim_section))
}

// ---------------------------------------------------------------- calibration

/// The model whose probability column of `generations.csv` this is
/// (`p_NAME`; none of the generation's own columns starts with `p_`, so a
/// model may be named anything, `acceptable` or `ess` among them).
fn model_of_column(h: &str) -> Option<&str> {
    h.strip_prefix("p_")
}

fn generations_blocks(g: &Csv) -> Vec<Block> {
    let Some(gen_col) = g.col("generation") else {
        return vec![Block::Paragraph(
            "generations.csv has no generation column; it is not drawn.".into(),
        )];
    };
    let x: Vec<f64> = g.rows.iter().map(|r| num(r, gen_col)).collect();
    let find = |pred: &dyn Fn(&str) -> bool| g.header.iter().position(|h| pred(&h.to_lowercase()));
    let line = |name: &str, c: usize| charts::Line {
        name: name.to_string(),
        x: x.clone(),
        y: g.rows.iter().map(|r| num(r, c)).collect(),
    };
    let mut panels = Vec::new();
    // Generation 0 accepts every proposal: its tolerance is infinite, and
    // is said rather than drawn.
    let mut unbounded = false;
    if let Some(c) = find(&|h| h == "tolerance") {
        let positive = g.rows.iter().all(|r| num(r, c) > 0.0);
        unbounded = g.rows.iter().any(|r| num(r, c) == f64::INFINITY);
        panels.push(charts::Panel {
            axis: if positive {
                Axis::new("Tolerance (log scale)", "").log_scale()
            } else {
                Axis::new("Tolerance", "")
            },
            lines: vec![line("tolerance", c)],
        });
    }
    if let Some(c) = find(&|h| h.contains("accept") && h.contains("rate")) {
        panels.push(charts::Panel {
            axis: Axis::new("Acceptance rate", "").from_zero(),
            lines: vec![line("acceptance rate", c)],
        });
    }
    if let Some(c) = find(&|h| h == "ess") {
        panels.push(charts::Panel {
            axis: Axis::new("Effective sample size", "").from_zero(),
            lines: vec![line("ESS", c)],
        });
    }
    let mut out = Vec::new();
    if !panels.is_empty() {
        out.push(Block::Figure(crate::output::html::Figure {
            markup: charts::panels(&charts::PanelChart {
                title: "Tolerance, acceptance and effective sample size per generation".into(),
                description: String::new(),
                x_axis: Axis::new("Generation", "").whole_numbers(),
                panels,
            }),
            caption: format!(
                "Per generation of the sequential calibration: the distance tolerance, the share of proposals accepted, and the effective sample size of the weighted particles (generations.csv){}.",
                if unbounded {
                    "; a generation that accepts every proposal (generation 0) has no finite tolerance to draw"
                } else {
                    ""
                }
            ),
        }));
    }
    let layers: Vec<charts::Layer> = g
        .header
        .iter()
        .enumerate()
        .filter_map(|(c, h)| Some((c, model_of_column(h)?)))
        .filter(|(c, _)| g.rows.iter().all(|r| num(r, *c).is_finite()))
        .map(|(c, name)| charts::Layer {
            name: name.to_string(),
            values: g.rows.iter().map(|r| num(r, c)).collect(),
        })
        .collect();
    if !layers.is_empty() {
        out.push(Block::Figure(crate::output::html::Figure {
            markup: charts::stacked_area(&charts::StackedAreaChart {
                title: "Model probabilities per generation".into(),
                description: String::new(),
                x_axis: Axis::new("Generation", "").whole_numbers(),
                y_axis: Axis::new("Model probability", "").with_domain(0.0, 1.0),
                x,
                layers,
            }),
            caption: "The probability of each model among the accepted particles, per generation."
                .into(),
        }));
    }
    out
}

/// What posterior_summary.csv says of each parameter: its prior's bounds
/// (the widest over the models) and the truth a recovery test gives.
fn parameter_frames(summary: &Csv) -> HashMap<String, ((f64, f64), f64)> {
    let mut out: HashMap<String, ((f64, f64), f64)> = HashMap::new();
    let Some([parameter, low, high, truth]) =
        summary.cols(["parameter", "prior_low", "prior_high", "truth"])
    else {
        return out;
    };
    for r in &summary.rows {
        let e = out
            .entry(text(r, parameter).to_string())
            .or_insert(((f64::INFINITY, f64::NEG_INFINITY), f64::NAN));
        e.0 = (e.0.0.min(num(r, low)), e.0.1.max(num(r, high)));
        if e.1.is_nan() {
            e.1 = num(r, truth);
        }
    }
    out
}

/// The models in generations.csv's order (its probability columns), which
/// the model probability chart colours them by.
fn model_order(g: &Csv) -> Vec<String> {
    g.header
        .iter()
        .filter_map(|h| model_of_column(h))
        .map(str::to_string)
        .collect()
}

fn posterior_blocks(
    p: &Csv,
    order: &[String],
    frames: &HashMap<String, ((f64, f64), f64)>,
) -> Vec<Block> {
    let model = p.col("model");
    let weight = p.col("weight");
    let params: Vec<(usize, String)> = p
        .header
        .iter()
        .enumerate()
        .filter(|(_, h)| {
            !matches!(
                h.as_str(),
                "model" | "weight" | "distance" | "particle" | "generation" | "id"
            )
        })
        .map(|(i, h)| (i, h.clone()))
        .collect();
    let mut models: Vec<String> = Vec::new();
    for r in &p.rows {
        let m = model.map_or("posterior", |c| text(r, c));
        if !models.iter().any(|x| x == m) {
            models.push(m.to_string());
        }
    }
    // A model keeps its colour from chart to chart: the generations'
    // order, not whichever model's particle comes first.
    models.sort_by_key(|m| order.iter().position(|o| o == m).unwrap_or(usize::MAX));
    let of_model = |m: &str| -> Vec<&csv::StringRecord> {
        p.rows
            .iter()
            .filter(|r| model.map_or("posterior", |c| text(r, c)) == m)
            .collect()
    };
    let weights = |rows: &[&csv::StringRecord]| -> Vec<f64> {
        weight.map_or_else(Vec::new, |w| rows.iter().map(|r| num(r, w)).collect())
    };
    let mut out = Vec::new();
    for (c, name) in &params {
        let samples = models
            .iter()
            .map(|m| {
                let rows = of_model(m);
                // A model without this parameter has empty cells: no values.
                let keep: Vec<&csv::StringRecord> = rows
                    .into_iter()
                    .filter(|r| num(r, *c).is_finite())
                    .collect();
                charts::WeightedSample {
                    name: m.clone(),
                    values: keep.iter().map(|r| num(r, *c)).collect(),
                    weights: weights(&keep),
                }
            })
            .collect();
        let mut chart =
            charts::DensityChart::new(format!("Posterior of {name}"), Axis::new(name.clone(), ""));
        chart.samples = samples;
        let whole = charts::density::whole_numbers(&chart.samples);
        if let Some(&(prior, truth)) = frames.get(name) {
            chart.prior = prior;
            chart.truth = truth;
        }
        out.push(Block::Figure(crate::output::html::Figure {
            markup: charts::density(&chart),
            caption: format!(
                "{} of {name} over the final particles, one line per model{}; tick: the weighted median{}.",
                if whole {
                    "Weighted share of the particles at each value"
                } else {
                    "Weighted kernel density"
                },
                if whole {
                    ""
                } else {
                    ", reflected at the prior's bounds so that it stays inside them (posterior_summary.csv)"
                },
                if chart.truth.is_finite() {
                    "; dashed: the true value"
                } else {
                    ""
                }
            ),
        }));
    }
    if params.len() >= 2 {
        let shown: Vec<&(usize, String)> = params.iter().take(6).collect();
        let sets = models
            .iter()
            .map(|m| {
                let rows = of_model(m);
                charts::ParticleSet {
                    name: m.clone(),
                    rows: rows
                        .iter()
                        .map(|r| shown.iter().map(|(c, _)| num(r, *c)).collect())
                        .collect(),
                    weights: weights(&rows),
                }
            })
            .collect();
        out.push(Block::Details {
            summary: "Pairs of parameters".into(),
            open: true,
            blocks: vec![Block::Figure(crate::output::html::Figure {
                markup: charts::pairs(&charts::PairsChart {
                    title: "Posterior pairs".into(),
                    description: String::new(),
                    parameters: shown
                        .iter()
                        .map(|(_, n)| charts::PairsParameter {
                            name: n.clone(),
                            range: (f64::NAN, f64::NAN),
                        })
                        .collect(),
                    sets,
                    max_points: 0,
                }),
                caption: format!(
                    "Weighted particles by pair of parameters (opacity by weight), their densities on the diagonal and weighted correlations above it; at most six parameters{}.",
                    match &params[shown.len()..] {
                        [] => String::new(),
                        omitted => format!(
                            ", so {} {} left out (drawn one by one above)",
                            omitted
                                .iter()
                                .map(|(_, n)| n.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                            if omitted.len() == 1 { "is" } else { "are" }
                        ),
                    }
                ),
            })],
        });
    }
    out
}

/// The posterior predictive check as `calibrate` writes it: one row per
/// model and target with the pass share and the median and 5–95 % of the
/// particles' mean values (no quartiles, so no box).
fn predictive_summary_blocks(p: &Csv, infos: &HashMap<String, TargetInfo>) -> Option<Vec<Block>> {
    let (target, median, q05, q95) = (
        p.col("target")?,
        p.col("median")?,
        p.col("q05")?,
        p.col("q95")?,
    );
    let model = p.col("model");
    let nan = |c: Option<usize>, r: &csv::StringRecord| c.map_or(f64::NAN, |c| num(r, c));
    let models: std::collections::BTreeSet<&str> = p
        .rows
        .iter()
        .filter_map(|r| model.map(|c| text(r, c)))
        .collect();
    let rows = p
        .rows
        .iter()
        .map(|r| {
            let t = text(r, target);
            let name = match model.map(|c| text(r, c)) {
                Some(m) if models.len() > 1 => format!("{m}: {t}"),
                _ => t.to_string(),
            };
            let tag = match p.col("role").map(|c| text(r, c)) {
                Some("holdout") => "held out".to_string(),
                Some(x) => x.to_string(),
                None => String::new(),
            };
            TargetRow {
                name,
                unit: infos
                    .get(t)
                    .map_or("", |i| metric_unit(&i.metric))
                    .to_string(),
                tag,
                quantiles: Quantiles {
                    q05: num(r, q05),
                    q25: f64::NAN,
                    q50: num(r, median),
                    q75: f64::NAN,
                    q95: num(r, q95),
                },
                accepted: (nan(p.col("lo"), r), nan(p.col("hi"), r)),
                observed: nan(p.col("observed"), r),
                pass_share: nan(p.col("pass_share"), r),
                defined_share: nan(p.col("defined_share"), r),
            }
        })
        .collect();
    Some(vec![Block::Figure(crate::output::html::Figure {
        markup: charts::target_rows(&TargetRowsChart {
            title: "Posterior predictive check".into(),
            description: String::new(),
            rows,
            // predictive.csv's shares are weighted shares of the particles.
            counted: Counted::WeightedParticles,
            row_head: "target".into(),
            one_scale: false,
        }),
        caption: format!(
            "Each target simulated from the posterior{}: median and 5–95 % of the particles' mean values; shaded: the accepted range; diamond: the observed value; tagged fit or held out, held-out targets judged out of sample.",
            if models.len() > 1 {
                " (per model, and all models weighted together)"
            } else {
                ""
            }
        ),
    })])
}

fn predictive_blocks(p: &Csv, infos: &HashMap<String, TargetInfo>) -> Vec<Block> {
    if let Some(blocks) = predictive_summary_blocks(p, infos) {
        return blocks;
    }
    let value = p.col("simulated").or_else(|| p.col("value"));
    let (Some(target), Some(value)) = (p.col("target"), value) else {
        return vec![Block::Paragraph(format!(
            "predictive.csv has the columns {}, not target and simulated; it is not drawn.",
            p.header.join(", ")
        ))];
    };
    let role = p.col("role");
    let (obs, lo, hi, pass) = (p.col("observed"), p.col("lo"), p.col("hi"), p.col("pass"));
    let mut order: Vec<String> = Vec::new();
    let mut by: HashMap<String, Vec<&csv::StringRecord>> = HashMap::new();
    for r in &p.rows {
        let t = text(r, target).to_string();
        by.entry(t.clone())
            .or_insert_with(|| {
                order.push(t);
                Vec::new()
            })
            .push(r);
    }
    let nan = |c: Option<usize>, r: &csv::StringRecord| c.map_or(f64::NAN, |c| num(r, c));
    let rows = order
        .iter()
        .map(|t| {
            let rs = &by[t];
            let first = rs[0];
            let values: Vec<f64> = rs.iter().map(|r| num(r, value)).collect();
            let tag = match role
                .map(|c| text(first, c))
                .or_else(|| infos.get(t).map(|i| i.role.as_str()))
            {
                Some("holdout") => "held out".to_string(),
                Some(r) => r.to_string(),
                None => String::new(),
            };
            let pass_share = pass.map_or(f64::NAN, |c| {
                rs.iter().filter(|r| text(r, c) == "true").count() as f64 / rs.len() as f64
            });
            TargetRow {
                name: t.clone(),
                unit: infos
                    .get(t)
                    .map_or("", |i| metric_unit(&i.metric))
                    .to_string(),
                tag,
                quantiles: quantiles(&values),
                accepted: (nan(lo, first), nan(hi, first)),
                observed: nan(obs, first),
                pass_share,
                defined_share: values.iter().filter(|v| v.is_finite()).count() as f64
                    / values.len().max(1) as f64,
            }
        })
        .collect();
    vec![Block::Figure(crate::output::html::Figure {
        markup: charts::target_rows(&TargetRowsChart {
            title: "Posterior predictive check".into(),
            description: String::new(),
            rows,
            counted: Counted::Replications,
            row_head: "target".into(),
            one_scale: false,
        }),
        caption: "Each target simulated from the posterior: box 25–75 %, whiskers 5–95 %; shaded: the accepted range; diamond: the observed value; tagged fit or held out.".into(),
    })]
}

fn calibration_page(dir: &Path, m: &Manifest) -> Result<Page, ReportError> {
    let name = m
        .scenarios
        .first()
        .map_or("calibration", |(n, _)| n.as_str());
    let infos = target_infos(m.resolved());
    let generations = m.table(dir, "generations.csv")?;
    let posterior = m.table(dir, "posterior.csv")?;
    let predictive = m.table(dir, "predictive.csv")?;
    let mut gens = Section::new("Generations");
    match &generations {
        Some(g) => {
            for b in generations_blocks(g) {
                gens = gens.block(b);
            }
        }
        None => gens = gens.block(missing("generations.csv", "the generations")),
    }
    let summary = m.table(dir, "posterior_summary.csv")?;
    let frames = summary.as_ref().map(parameter_frames).unwrap_or_default();
    let order = generations.as_ref().map(model_order).unwrap_or_default();
    let mut post = Section::new("Posterior");
    match &posterior {
        Some(p) => {
            for b in posterior_blocks(p, &order, &frames) {
                post = post.block(b);
            }
        }
        None => post = post.block(missing("posterior.csv", "the posterior")),
    }
    let mut pred = Section::new("Predictive check");
    match &predictive {
        Some(p) => {
            for b in predictive_blocks(p, &infos) {
                pred = pred.block(b);
            }
        }
        None => pred = pred.block(missing("predictive.csv", "the predictive check")),
    }
    Ok(Page::new(format!("{name}: calibration report"))
        .provenance(m.provenance(name))
        .section(gens)
        .section(post)
        .section(pred))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table as [`Csv::read`] holds it, from its text.
    fn csv_of(text: &str) -> Csv {
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        Csv {
            header: rd.headers().unwrap().iter().map(String::from).collect(),
            rows: rd.records().map(Result::unwrap).collect(),
        }
    }

    /// The blocks drawn, as the page's HTML.
    fn drawn(blocks: Vec<Block>) -> String {
        let section = blocks
            .into_iter()
            .fold(Section::new("s"), |s, b| s.block(b));
        Page::new("t").section(section).render()
    }

    /// Sobol' and Morris rows are drawn as such; the noise beside them, a
    /// metric without indices and SALib's guard zeros are said, not drawn
    /// as bars.
    #[test]
    fn sensitivity_rows_are_drawn_by_their_kind_and_metrics_without_indices_said() {
        let html = drawn(sensitivity_blocks(&csv_of(
            "metric,parameter,index,estimate,lo,hi,conf_normal\n\
             focus_value,preferences.default.delivery,S1,0.42,0.30,0.55,0.12\n\
             focus_value,preferences.default.delivery,ST,0.61,0.50,0.75,0.13\n\
             focus_value,suppliers.korea_land.lines.k2.capacity,S1,0.20,0.10,0.31,0.10\n\
             focus_value,suppliers.korea_land.lines.k2.capacity,ST,0.35,0.22,0.47,0.12\n\
             focus_value,preferences.default.delivery,mu_star,120,90,150,30\n\
             focus_value,preferences.default.delivery,sigma,40,,,\n\
             focus_value,suppliers.korea_land.lines.k2.capacity,mu_star,60,,,20\n\
             focus_value,suppliers.korea_land.lines.k2.capacity,sigma,55,,,\n\
             focus_value,,noise_share,0.9,,,\n\
             focus_value,,noise_share_of_means,0.5,,,\n\
             focus_value,,mu_star_noise,30,,,\n\
             mean_distance,,blocks_used,0,,,\n\
             mean_distance,,blocks_dropped,4,,,\n\
             contracts,preferences.default.delivery,S1,0,0,0,0\n\
             contracts,preferences.default.delivery,ST,0,0,0,0\n\
             contracts,,guard_zeros,1,,,\n",
        )));
        assert!(
            html.contains("Sobol&#39; indices of focus_value")
                || html.contains("Sobol' indices of focus_value")
        );
        assert!(html.contains("Morris screening of focus_value"));
        assert!(html.contains("replication noise is 50 % of the variance of the points"));
        assert!(html.contains("noise alone gives μ* of about 30"));
        assert!(html.contains("No indices: 0 of 4 blocks were usable, mean_distance"));
        assert!(html.contains(
            "No indices: contracts takes one value over the points its indices are worked out from"
        ));
        assert!(
            !html.contains("Sobol&#39; indices of contracts")
                && !html.contains("Sobol' indices of contracts")
        );
    }

    /// A mismatch as `report` says it after the file's name.
    fn shown((line, why): Mismatch) -> String {
        line.map_or(why.clone(), |l| format!("line {l}: {why}"))
    }

    /// `sensitivity.csv` is checked against the sweep: its design's
    /// indices, its parameters, numbers, whole metrics, the metrics the
    /// command analyses.
    #[test]
    fn a_sensitivity_table_that_is_not_the_sweep_s_is_named() {
        let head = "metric,parameter,index,estimate,lo,hi,conf_normal\n";
        let a = "a,x,S1,0.1,0,0.2,0.1\na,x,ST,0.2,0.1,0.3,0.1\na,,noise_share,0.1,,,\na,,guard_zeros,0,,,\n";
        let b = "b,x|y,S2,0.1,0,0.2,0.1\nb,,guard_zeros,0,,,\n";
        let metrics = ["a".to_string(), "b".to_string()];
        let check = |rows: &str, kind| {
            sensitivity_mismatch(
                &csv_of(&format!("{head}{rows}")),
                kind,
                &["x", "y"],
                &metrics,
            )
            .map(shown)
        };
        assert_eq!(check(&format!("{a}{b}"), DesignKind::Saltelli), None);
        assert_eq!(
            check(&format!("{a}{b}"), DesignKind::Morris).unwrap(),
            "line 2: index 'S1' is not one a morris design gives (mu, mu_star, sigma, noise_share, noise_share_of_means, mu_star_noise, trajectories_used, trajectories_dropped, points_failed)"
        );
        assert!(
            check(&format!("{a}{b}"), DesignKind::Lhs)
                .unwrap()
                .starts_with("a lhs sweep has no")
        );
        assert_eq!(
            check(
                &format!("{}{b}", a.replace(",x,", ",z,")),
                DesignKind::Saltelli
            )
            .unwrap(),
            "line 2: 'z' is not a parameter of this sweep (x, y)"
        );
        assert_eq!(
            check(
                &format!("{}{b}", a.replace("0.2,0.1,0.3", "0.2,abc,0.3")),
                DesignKind::Saltelli
            )
            .unwrap(),
            "line 3: lo 'abc' is not a number"
        );
        // An empty file or another table's was drawn as a sentence, exit 0.
        for (text, why) in [
            (
                "",
                "it is empty: no header, where columns metric, parameter, index, estimate, lo, hi are read",
            ),
            (
                "metric,parameter,index,value\n",
                "its header lacks column(s) estimate, lo, hi",
            ),
        ] {
            let lacking =
                sensitivity_mismatch(&csv_of(text), DesignKind::Saltelli, &["x"], &metrics);
            assert_eq!(lacking.map(shown).unwrap(), format!("line 1: {why}"));
        }
        // Cut inside a metric's rows, after a whole one, or out of order.
        let cut: String = a.lines().take(3).map(|l| format!("{l}\n")).collect();
        assert_eq!(
            check(&format!("{cut}{b}"), DesignKind::Saltelli).unwrap(),
            "line 5: the rows of a stop before its guard_zeros"
        );
        assert_eq!(
            check(&cut, DesignKind::Saltelli).unwrap(),
            "the rows of a stop before its guard_zeros"
        );
        assert_eq!(
            check(a, DesignKind::Saltelli).unwrap(),
            "it has no indices of 1 of the sweep's 2 metrics (b)"
        );
        assert_eq!(
            check(&format!("{b}{a}"), DesignKind::Saltelli).unwrap(),
            "it has indices of b, a, the sweep's runs.csv the metrics a, b"
        );
        assert_eq!(
            check(&format!("{a}{b}{a}"), DesignKind::Saltelli).unwrap(),
            "line 8: the rows of a are not together"
        );
    }

    /// `discover.csv` is checked against the sweep: its cells as the
    /// command writes them, limits on parameters, and a first box of the
    /// points with a finished run.
    #[test]
    fn a_trajectory_that_is_not_the_sweep_s_is_named() {
        let head = "box,entry,phase,coverage,density,mass,restricted,n,k,chosen,limits,condition\n";
        let rows = "1,0,initial,1,0.5,1,0,10,5,false,,c > 1\n1,1,peel,0.8,0.6,0.9,1,9,4,true,\"x in [0.1, 0.9]\",c > 1\n";
        let check = |text: &str, finished| {
            discover_mismatch(&csv_of(&format!("{head}{text}")), &["x", "y"], finished).map(shown)
        };
        assert_eq!(check(rows, 10), None);
        assert_eq!(
            check(rows, 12).unwrap(),
            "its first box starts from 10 points, and 12 of the sweep's points have a finished run"
        );
        assert_eq!(
            check(&rows.replace("peel", "peal"), 10).unwrap(),
            "line 3: phase 'peal' is none of initial, peel, paste"
        );
        assert_eq!(
            check(&rows.replace("0.8,0.6", "high,0.6"), 10).unwrap(),
            "line 3: coverage 'high' is not a number"
        );
        assert_eq!(
            check(&rows.replace("x in", "z in"), 10).unwrap(),
            "line 3: limits on 'z', which is not a parameter of this sweep (x, y)"
        );
        assert_eq!(
            check(&rows.replace(",9,4,", ",9.5,4,"), 10).unwrap(),
            "line 3: n '9.5' is not a count"
        );
        // An empty file or another table's was drawn as a sentence, exit 0.
        let other = csv_of(&head.replace("density,", "").replace("box,", "bx,"));
        assert_eq!(
            discover_mismatch(&other, &["x"], 10).map(shown).unwrap(),
            "line 1: its header lacks column(s) box, density"
        );
        assert_eq!(
            discover_mismatch(&csv_of(""), &["x"], 10)
                .map(shown)
                .unwrap(),
            "line 1: it is empty: no header, where columns box, entry, phase, coverage, density, mass, restricted, n, k, chosen, limits are read"
        );
    }

    /// `targets.csv` streamed: per scenario and pattern, the share of
    /// replications passing every target of the pattern, by hand. P1 has
    /// two targets: replication 0 passes both under `a`, 1 fails one;
    /// under `b` both pass in both. P2 (one target) passes once in two
    /// under `a` and never under `b`.
    #[test]
    fn pattern_pass_folds_the_streamed_rows_by_group() {
        let dir = tempfile::tempdir().unwrap();
        let rows = [
            ("a", 0, "P1", true),
            ("a", 0, "P1", true),
            ("a", 0, "P2", true),
            ("a", 1, "P1", true),
            ("a", 1, "P1", false),
            ("a", 1, "P2", false),
            ("b", 0, "P1", true),
            ("b", 0, "P1", true),
            ("b", 0, "P2", false),
            ("b", 1, "P1", true),
            ("b", 1, "P1", true),
            ("b", 1, "P2", false),
        ];
        let mut csv = String::from("scenario,replication,target,pattern,pass\n");
        for (i, (sc, rep, pattern, pass)) in rows.iter().enumerate() {
            csv += &format!("{sc},{rep},t{i},{pattern},{pass}\n");
        }
        std::fs::write(dir.path().join("targets.csv"), csv).unwrap();
        let t = CsvFile::open(dir.path(), "targets.csv").unwrap().unwrap();
        let sc = t.col("scenario").unwrap();
        let by = pattern_pass(&t, |r| text(r, sc).to_string()).unwrap();
        let shares = |g: &str| by[g].clone().into_iter().collect::<Vec<_>>();
        assert_eq!(shares("a"), [("P1".into(), 0.5), ("P2".into(), 0.5)]);
        assert_eq!(shares("b"), [("P1".into(), 1.0), ("P2".into(), 0.0)]);
    }

    /// Yearly value targets of the focus country are drawn on its yearly
    /// series, which counts every contract; one of new builds alone counts
    /// fewer and is not, nor one of another country or of a category.
    #[test]
    fn observed_years_are_like_for_like_with_the_series() {
        let resolved = serde_json::json!({
            "buyers": {"AAA": {}, "BBB": {}},
            "targets": {
                "all_2022": {"metric": "value", "supplier_country": "KOR",
                    "from": "2022Q1", "to": "2022Q4", "observed": 1500.0},
                "new_2023": {"metric": "value", "supplier_country": "KOR",
                    "from": "2023Q1", "to": "2023Q4", "observed": 900.0,
                    "new_builds": true},
                "old_2023": {"metric": "value", "supplier_country": "KOR",
                    "from": "2023Q1", "to": "2023Q4", "observed": 1100.0,
                    "new_builds": false},
                "usa_2022": {"metric": "value", "supplier_country": "USA",
                    "from": "2022Q1", "to": "2022Q4", "observed": 50.0},
                "tanks_2022": {"metric": "value", "supplier_country": "KOR",
                    "categories": ["tank"], "from": "2022Q1", "to": "2022Q4",
                    "observed": 700.0},
            }
        });
        let drawn: Vec<(f64, f64, String)> = observed_years(&resolved, "KOR")
            .into_iter()
            .map(|o| (o.x, o.y, o.note))
            .collect();
        assert_eq!(
            drawn,
            [
                (2022.0, 1500.0, "target all_2022".to_string()),
                (2023.0, 1100.0, "target old_2023".to_string()),
            ]
        );
    }

    /// A table of `csv` text, as [`Csv::read`] would give it.
    fn table(csv: &str) -> Csv {
        let mut rd = csv::Reader::from_reader(csv.as_bytes());
        Csv {
            header: rd.headers().unwrap().iter().map(str::to_string).collect(),
            rows: rd.records().map(Result::unwrap).collect(),
        }
    }

    /// The markup of the figures among `blocks`.
    fn figures(blocks: &[Block]) -> String {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Figure(f) => Some(format!("{}\n{}", f.markup, f.caption)),
                _ => None,
            })
            .collect()
    }

    /// predictive.csv's `defined_share` is a weighted share of particles
    /// (calibrate::tables::predictive_table): the hover said "defined in
    /// 52 % of replications".
    #[test]
    fn the_predictive_check_counts_weighted_particles() {
        let p = table(
            "model,target,pattern,role,observed,lo,hi,pass_share,defined_share,median,q05,q95\n\
             toy,kor_value_2022,P1,fit,2000,1000,3000,0.4,0.52,1800,900,2600\n",
        );
        let html = figures(&predictive_blocks(&p, &HashMap::new()));
        assert!(
            html.contains(
                "defined in 52 % of the particles, by weight (the quantiles are over those)"
            ),
            "{html}"
        );
        assert!(!html.contains("of replications"), "{html}");
    }

    /// A model is any `p_` column of generations.csv: one named
    /// `acceptable` was taken for the generation's acceptance and left out
    /// of the chart and the colour order.
    #[test]
    fn every_model_s_probability_is_drawn_whatever_its_name() {
        let g = table(
            "generation,tolerance,proposed,accepted,acceptance_rate,ess,p_acceptable,p_ess,p_cheap,dead_models\n\
             0,,10,10,1,10,0.35,0.15,0.5,\n\
             1,2.5,20,10,0.5,9.5,0.25,0.05,0.7,\n",
        );
        assert_eq!(model_order(&g), ["acceptable", "ess", "cheap"]);
        let html = figures(&generations_blocks(&g));
        for m in ["acceptable", "ess", "cheap"] {
            assert!(
                html.contains(&format!(">{m}<")),
                "{m} is not in the legend: {html}"
            );
        }
    }

    /// The pairs plot draws six parameters: the caption names those left
    /// out (it said "at most six parameters" and not which).
    #[test]
    fn the_pairs_caption_names_the_parameters_left_out() {
        let names: Vec<String> = (1..=8).map(|i| format!("p{i}")).collect();
        let mut csv = format!("model,weight,{}\n", names.join(","));
        for k in 0..5 {
            let row: Vec<String> = (0..8).map(|j| (k * (j + 1)).to_string()).collect();
            csv += &format!("m,1,{}\n", row.join(","));
        }
        let blocks = posterior_blocks(&table(&csv), &[], &HashMap::new());
        let Some(Block::Details { blocks: pairs, .. }) = blocks.last() else {
            panic!("no pairs plot");
        };
        let caption = figures(pairs);
        assert!(
            caption.contains(
                "at most six parameters, so p7, p8 are left out (drawn one by one above)."
            ),
            "{caption}"
        );
        // Six or fewer: nothing is said left out.
        let six: String = csv
            .lines()
            .map(|l| l.rsplitn(3, ',').nth(2).unwrap().to_string() + "\n")
            .collect();
        let blocks = posterior_blocks(&table(&six), &[], &HashMap::new());
        let Some(Block::Details { blocks: pairs, .. }) = blocks.last() else {
            panic!("no pairs plot");
        };
        assert!(!figures(pairs).contains("left out"));
    }

    /// A noise share is a ratio of two estimated variances: above 1 it
    /// reads as all noise, not "replication noise is 108 % of the
    /// variance".
    #[test]
    fn a_noise_share_above_one_reads_as_all_noise() {
        let s = table(
            "metric,parameter,index,estimate,lo,hi,conf_normal\n\
             m,a,S1,0.1,0,0.2,0.1\n\
             m,a,ST,0.3,0.1,0.5,0.1\n\
             m,,noise_share,0.92,,,\n\
             m,,noise_share_of_means,1.0843,,,\n",
        );
        let html = figures(
            &sensitivity_blocks(&s)
                .into_iter()
                .flat_map(|b| match b {
                    Block::Details { blocks, .. } => blocks,
                    b => vec![b],
                })
                .collect::<Vec<_>>(),
        );
        assert!(
            html.contains("replication noise is all of the variance of the points' means (estimated at 1.08: above 1 reads as all noise) and 92 % of a single run's"),
            "{html}"
        );
        assert!(!html.contains("108 %"), "{html}");
    }

    /// The limits of a box as `discover` prints them: its digits, not
    /// every digit discover.csv keeps, and a side PRIM did not peel (at the
    /// points' extreme) left out, not shown as the data's extreme.
    #[test]
    fn a_box_s_limits_read_as_discover_prints_them() {
        let extremes: HashMap<String, (f64, f64)> = [
            ("a".to_string(), (0.2, 2.0)),
            ("b".to_string(), (3.0, 19.07461860992708)),
            ("n".to_string(), (1.0, 8.0)),
        ]
        .into();
        assert_eq!(
            limits_shown(
                "a in [0.3106692754410381, 0.5065273740369834]; b in [7.413222704246884, 19.07461860992708]; n in [1, 5]; c in {x, y}",
                &extremes
            ),
            "a in [0.3107, 0.5065]; b >= 7.4132; n <= 5; c in {x, y}"
        );
        // Levels before another limit; extremes unknown: both ends.
        assert_eq!(
            limits_shown("c in {x}; z in [1e-7, 2000000.5]", &HashMap::new()),
            "c in {x}; z in [1.000e-7, 2.000e6]"
        );
        assert_eq!(limits_shown("", &extremes), "");
        assert_eq!(limits_shown("not limits", &extremes), "not limits");
        // A chosen box that restricts nothing is said to, as `discover`
        // prints it (its table cell was empty).
        assert_eq!(
            chosen_limits("", &extremes),
            "none: PRIM found no box denser than the whole"
        );
        assert_eq!(chosen_limits("n in [1, 5]", &extremes), "n <= 5");
    }

    /// Outcomes that sum to less than 1 make coverage k / 1, as `discover`
    /// says; the caption defined it as a share of all cases regardless.
    #[test]
    fn coverage_of_outcomes_under_one_is_said_to_be_k() {
        let csv = |k0: &str| {
            table(&format!(
                "box,entry,phase,coverage,density,mass,restricted,n,k,chosen,limits,condition,peel_alpha,paste_alpha,mass_min\n\
                 1,0,initial,{k0},0.05,1,0,12,{k0},false,,x > 1,0.05,0.05,0.05\n\
                 1,1,peel,{k0},0.3,0.1667,1,2,{k0},true,\"a in [0.3106692754410381, 2]\",x > 1,0.05,0.05,0.05\n"
            ))
        };
        let text = |blocks: Vec<Block>| -> String {
            blocks
                .into_iter()
                .map(|b| match b {
                    Block::Paragraph(p) => p,
                    Block::Figure(f) => f.caption,
                    _ => String::new(),
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        let under = text(discover_blocks(&csv("0.6"), &HashMap::new()));
        assert!(
            under.contains("Note: the outcomes sum to less than 1, so coverage is k / 1 (as in EMA), not a share of all cases."),
            "{under}"
        );
        assert!(under.contains("coverage (k / 1, as in EMA"), "{under}");
        assert!(
            !under.contains("share of all cases of interest inside"),
            "{under}"
        );
        let over = text(discover_blocks(&csv("3"), &HashMap::new()));
        assert!(
            over.contains("coverage (share of all cases of interest inside)"),
            "{over}"
        );
        assert!(!over.contains("k / 1"), "{over}");
    }

    /// A streamed table damaged past its first rows is a damaged result
    /// (exit code 2), found when the pass reaches it, not a panic or a
    /// chart of the rows before it.
    #[test]
    fn a_streamed_table_damaged_midway_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("runs.csv"), "point_id,x\np0,1\np1,2,3\n").unwrap();
        let t = CsvFile::open(dir.path(), "runs.csv").unwrap().unwrap();
        let mut seen = 0;
        let e = t.each(|_| seen += 1).unwrap_err();
        assert!(e.is_usage(), "{e}");
        assert!(
            e.to_string().ends_with(
                "runs.csv:3: the row has 3 cells where the header has 2 columns: not a table this program wrote"
            ),
            "{e}"
        );
        assert_eq!(seen, 1);
    }

    /// A sweep's scatter draws a fixed sample of at most
    /// [`SCATTER_POINTS`] points: the same whatever the rows' order, in
    /// the rows' order, and not every k-th row (which on a grid can hold
    /// one value of a parameter).
    #[test]
    fn a_large_sweep_s_scatter_draws_a_fixed_sample() {
        let ids: Vec<String> = (0..10_000).map(|i| format!("{i:016x}")).collect();
        let rows: Vec<&String> = ids.iter().collect();
        let drawn = scatter_sample(&rows, |r: &String| r.as_str());
        assert_eq!(drawn.len(), SCATTER_POINTS);
        let at: Vec<usize> = drawn
            .iter()
            .map(|d| ids.iter().position(|i| i == *d).unwrap())
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "in the rows' order");
        // A grid of 100 x 100: every value of the fast parameter is drawn.
        let fast: BTreeSet<usize> = at.iter().map(|i| i % 100).collect();
        assert_eq!(fast.len(), 100);
        // Reversed rows give the same points.
        let reversed: Vec<&String> = ids.iter().rev().collect();
        let again: BTreeSet<&String> = scatter_sample(&reversed, |r: &String| r.as_str())
            .into_iter()
            .collect();
        assert_eq!(again, drawn.iter().copied().collect::<BTreeSet<_>>());
        // Few rows are all drawn.
        assert_eq!(
            scatter_sample(&rows[..10], |r: &String| r.as_str()).len(),
            10
        );
    }
}
