//! `armsmarket sensitivity`: Sobol' or Morris indices of a finished
//! saltelli or morris sweep, for every numeric summary metric and every
//! target distance of its `runs.csv`, written to `sensitivity.csv`.
//!
//! The sweep's files are read by role, never by row position: each
//! `points.csv` line gives a point id and its role (base row and matrix, or
//! trajectory and step), and each `runs.csv` row a point id and its
//! replication. A role's outputs are its point's replicates, in
//! replication order, with NaN where the run failed or its value is
//! undefined (an empty cell, e.g. a lead time with no contract): such a
//! point fails for that metric, and its base block (its trajectory) is left
//! out of that metric's indices, counted in `blocks_dropped`.

use crate::analysis::sensitivity::{
    BootstrapOptions, Estimate, MIN_COMPLETE, NoiseShare, PointOutputs, morris_analyze_moves,
    sobol_analyze_points,
};
use crate::engine::seeding::design_stream;
use crate::output::manifest::{Manifest, ManifestError};
use crate::output::tables::cell;
use crate::scenario::schema::DesignKind;
use crate::sweep::SweepRecord;
use crate::sweep::design::PointRole;
use crate::sweep::morris::{Direction, MorrisLayout, MorrisMove, MorrisRole};
use crate::sweep::saltelli::{SaltelliLayout, SaltelliMatrix, SaltelliRole};
use crate::sweep::tables::{csv_line, role_columns};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// How to analyse a sweep.
#[derive(Debug, Clone)]
pub struct Options {
    /// Seed of the bootstrap; `None`: the sweep's own seed.
    pub seed: Option<u64>,
    /// Bootstrap resamples (at least 2).
    pub resamples: usize,
    /// Where to write the table; `None`: `SWEEP_DIR/sensitivity.csv`.
    pub out: Option<PathBuf>,
    /// Set (Ctrl-C) to stop before the next metric, writing nothing;
    /// `None`: never stopped.
    pub stop: Option<&'static AtomicBool>,
}

/// Default bootstrap resamples (SALib's default).
pub const DEFAULT_RESAMPLES: usize = 100;

/// The confidence level of the intervals.
pub const CONF_LEVEL: f64 = 0.95;

/// The columns of `sensitivity.csv`.
pub const HEADER: [&str; 7] = [
    "metric",
    "parameter",
    "index",
    "estimate",
    "lo",
    "hi",
    "conf_normal",
];

/// The indices `sensitivity.csv` holds for a design of `kind` (empty for a
/// design it does not analyse): the parameters' own, then each metric's
/// noise and the blocks or trajectories used. The last closes each
/// metric's rows.
pub fn indices(kind: DesignKind) -> &'static [&'static str] {
    match kind {
        DesignKind::Saltelli => &[
            "S1",
            "ST",
            "S2",
            "S1_net",
            "ST_net",
            "S2_net",
            "noise_share",
            "noise_share_of_means",
            "blocks_used",
            "blocks_dropped",
            "points_failed",
            "guard_zeros",
        ],
        DesignKind::Morris => &[
            "mu",
            "mu_star",
            "sigma",
            "noise_share",
            "noise_share_of_means",
            "mu_star_noise",
            "trajectories_used",
            "trajectories_dropped",
            "points_failed",
        ],
        _ => &[],
    }
}

/// Why a sweep cannot be analysed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SensitivityError {
    /// The folder is not a finished sweep.
    #[error("{}: not a finished sweep ({source}): give the folder `armsmarket sweep` (or `merge`) wrote{}", dir.display(), source.fix())]
    NotASweep {
        /// The folder.
        dir: PathBuf,
        /// Why.
        source: ManifestError,
    },
    /// The folder holds another command's result.
    #[error("{0}")]
    OtherResult(String),
    /// A shard, not the merged sweep.
    #[error("{}: a shard of a sweep: merge the shards first (`armsmarket merge`) and analyse the merged folder", dir.display())]
    Shard {
        /// The folder.
        dir: PathBuf,
    },
    /// The design has no roles to analyse.
    #[error("{}: its design, {kind}, has no sensitivity indices: sweep with design = \"saltelli\" (Sobol' indices) or \"morris\" (elementary effects)", dir.display())]
    WrongDesign {
        /// The folder.
        dir: PathBuf,
        /// Its design.
        kind: DesignKind,
    },
    /// Fewer than two resamples.
    #[error("--resamples {0}: the bootstrap needs at least 2")]
    Resamples(usize),
    /// Stopped (Ctrl-C) before every metric was analysed.
    #[error("stopped before every metric was analysed; nothing was written")]
    Stopped,
    /// A file of the sweep is not as the sweep writes it.
    #[error("{}: {message}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A row of a file of the sweep is not as the sweep writes it, at
    /// `FILE:LINE:` as every other located message.
    #[error("{}:{line}: {message}", path.display())]
    MalformedRow {
        /// The file.
        path: PathBuf,
        /// The row's line in the file (the header is line 1).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The analysis refused its input.
    #[error("{metric}: {source}")]
    Analysis {
        /// The metric.
        metric: String,
        /// Why.
        source: crate::analysis::sensitivity::SensitivityError,
    },
    /// `--out` names a folder, not the file to write.
    #[error("{}: --out is a folder: name the CSV file to write, e.g. {}", path.display(), path.join("sensitivity.csv").display())]
    OutIsFolder {
        /// The folder.
        path: PathBuf,
    },
    /// `--out` runs through a file.
    #[error("{}: --out runs through {}, which is a file, not a folder", path.display(), file.display())]
    OutThroughFile {
        /// The path given.
        path: PathBuf,
        /// The file on it.
        file: PathBuf,
    },
    /// Files the sweep wrote are missing or changed since.
    #[error("{}: {}", dir.display(), crate::output::manifest::not_as_written_message(files, *command))]
    Changed {
        /// The sweep's folder.
        dir: PathBuf,
        /// The command that wrote it (`sweep` or `merge`).
        command: crate::output::manifest::Command,
        /// The files, by name.
        files: Vec<String>,
    },
    /// `--out` names a file of the sweep itself.
    #[error("{}: --out names a file of the sweep itself, or one another command wrote into its folder; name another file (by default the table goes to DIR/sensitivity.csv)", path.display())]
    OutIsInput {
        /// The path given.
        path: PathBuf,
    },
    /// `--out` names a file in the folder of another result.
    #[error("{}: --out names a file in the folder of another result ({} is there): a table written there would replace or pass for that result's own; name a file outside it", path.display(), folder.join("manifest.json").display())]
    OutInOtherResult {
        /// The path given.
        path: PathBuf,
        /// The other result's folder.
        folder: PathBuf,
    },
    /// The file to write is there and is not a table this command wrote.
    #[error("{}: exists and is not a table `sensitivity` wrote (it has no `{}` header); move or rename it first, or name another file with --out", path.display(), HEADER.join(","))]
    Foreign {
        /// The file.
        path: PathBuf,
    },
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl SensitivityError {
    /// Whether the input or the options are at fault (exit code 2) rather
    /// than the machine (exit code 1).
    pub fn is_usage(&self) -> bool {
        !matches!(
            self,
            SensitivityError::Io { .. } | SensitivityError::Stopped
        )
    }
}

/// A run that did not finish, as `runs.csv` records it.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedRun {
    /// Its point.
    pub point_id: String,
    /// Its replication.
    pub replication: u32,
    /// Its error message.
    pub error: String,
}

/// One parameter's headline index for one metric: ST (Saltelli) or μ*
/// (Morris).
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// The parameter's path.
    pub parameter: String,
    /// The index with its interval.
    pub estimate: Estimate,
    /// A total index net of replication noise (`ST_net`), where there is
    /// one.
    pub net: Option<f64>,
}

/// One metric's result, for the terminal.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSummary {
    /// The `runs.csv` column.
    pub metric: String,
    /// Parameters by decreasing headline index (empty if no block was
    /// complete).
    pub ranked: Vec<Ranked>,
    /// The replication-noise share.
    pub noise: NoiseShare,
    /// Morris: the μ* replication noise alone gives.
    pub noise_mu_star: Option<f64>,
    /// Complete blocks (trajectories) used.
    pub used: usize,
    /// Blocks (trajectories) dropped for a failed or undefined point.
    pub dropped: usize,
    /// The metric took one value in every finished run: no parameter
    /// moves it (its indices are written as 0, as SALib's guard gives
    /// them, but ranking parameters by them would name a top parameter of
    /// nothing).
    pub constant: bool,
    /// Saltelli: the metric took one value in every block used, while it
    /// was undefined (or its run failed) in the blocks dropped: the
    /// indices (0, SALib's guard) measure nothing, and are not ranked.
    pub constant_where_used: bool,
    /// Saltelli: the metric took one value at every A and B point while it
    /// varied at others: SALib's guard makes every index 0, which is no
    /// measure of the parameters, and they are not ranked.
    pub constant_a_and_b: bool,
}

/// What `sensitivity` did.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The design analysed.
    pub kind: DesignKind,
    /// The table written.
    pub file: PathBuf,
    /// The headline index's name: `ST` or `mu_star`.
    pub headline: &'static str,
    /// Per metric, in `runs.csv` order.
    pub metrics: Vec<MetricSummary>,
    /// Columns left out because they are not numbers (e.g. a country code).
    pub skipped: Vec<String>,
    /// Runs that failed.
    pub failed_runs: Vec<FailedRun>,
}

/// Analyse the finished sweep in `dir` and write its `sensitivity.csv`.
///
/// # Errors
///
/// A folder that is not a finished, merged saltelli or morris sweep, files
/// not as the sweep writes them, too few resamples, or a write that fails.
pub fn analyse(dir: &Path, options: &Options) -> Result<Report, SensitivityError> {
    if let Some(out) = &options.out {
        if out.is_dir() {
            return Err(SensitivityError::OutIsFolder { path: out.clone() });
        }
        // The nearest part of the path that exists must be a folder (the
        // rest is created); a file there is the user's slip, not the
        // machine's.
        if let Some(file) = out
            .ancestors()
            .skip(1)
            .find(|a| a.exists() && !a.as_os_str().is_empty())
            && !file.is_dir()
        {
            return Err(SensitivityError::OutThroughFile {
                path: out.clone(),
                file: file.to_path_buf(),
            });
        }
    }
    if options.resamples < 2 {
        return Err(SensitivityError::Resamples(options.resamples));
    }

    if let Some(message) = crate::output::publish::not_a_sweep(dir) {
        return Err(SensitivityError::OtherResult(message));
    }
    let manifest =
        Manifest::<SweepRecord>::read(dir).map_err(|source| SensitivityError::NotASweep {
            dir: dir.to_path_buf(),
            source,
        })?;
    let Some(plan) = &manifest.plan else {
        return Err(malformed(&dir.join("manifest.json"), "no sweep plan"));
    };
    if plan.identity.shard.n > 1 && plan.merged_from.is_empty() {
        return Err(SensitivityError::Shard {
            dir: dir.to_path_buf(),
        });
    }
    // The tables read must be the sweep's: a file cut at a line boundary
    // reads as a smaller sweep.
    let files = manifest
        .not_as_written(dir, &["points.csv", "runs.csv"])
        .map_err(|source| SensitivityError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    if !files.is_empty() {
        return Err(SensitivityError::Changed {
            dir: dir.to_path_buf(),
            command: manifest.command,
            files,
        });
    }
    if let Some(out) = &options.out {
        let own = manifest.files.keys().map(String::as_str);
        let of_the_sweep = own
            .clone()
            .chain(["manifest.json"])
            .any(|name| crate::output::same_file(out, &dir.join(name)));
        // In the folder itself, a name the manifest lists (even if the
        // file is gone) or one other commands write there is not the
        // table's either (an earlier `--out` of this command may be
        // written again).
        let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
        let in_folder = crate::output::same_file(parent.unwrap_or(Path::new(".")), dir);
        let taken = own
            .chain(["manifest.json", "discover.csv", "report.html"])
            .any(|n| n == name);
        if of_the_sweep || (in_folder && taken) {
            return Err(SensitivityError::OutIsInput { path: out.clone() });
        }
        // Another result's folder (a run, a comparison, another sweep):
        // its files are its own, and a `sensitivity.csv` there would be
        // read as that sweep's.
        let folder = parent.unwrap_or(Path::new("."));
        if !in_folder && folder.join("manifest.json").exists() {
            return Err(SensitivityError::OutInOtherResult {
                path: out.clone(),
                folder: folder.to_path_buf(),
            });
        }
    }
    let file = options
        .out
        .clone()
        .unwrap_or_else(|| dir.join("sensitivity.csv"));
    let ours = crate::output::ours_to_replace(&file, |head| {
        crate::output::first_line(head) == HEADER.join(",").as_bytes()
    })
    .map_err(|source| SensitivityError::Io {
        path: file.clone(),
        source,
    })?;
    if !ours {
        return Err(SensitivityError::Foreign { path: file });
    }
    let design = &plan.design;
    let kind = design.kind;
    if !matches!(kind, DesignKind::Saltelli | DesignKind::Morris) {
        return Err(SensitivityError::WrongDesign {
            dir: dir.to_path_buf(),
            kind,
        });
    }
    let paths = &design.parameters;
    let roles = read_roles(&dir.join("points.csv"), paths, kind)?;
    let moves = if kind == DesignKind::Morris {
        let ran = crate::sweep::run::recorded_design(&manifest).ok_or_else(|| {
            malformed(
                &dir.join("manifest.json"),
                "no [sweep] table that reads as a design",
            )
        })?;
        morris_moves(&ran).map_err(|e| malformed(&dir.join("manifest.json"), e.to_string()))?
    } else {
        BTreeMap::new()
    };
    let runs = read_runs(&dir.join("runs.csv"), design.replications)?;
    let seed = options.seed.unwrap_or(design.seed);
    let boot = BootstrapOptions {
        resamples: options.resamples,
        conf_level: CONF_LEVEL,
    };
    let dims = paths.len();
    // Roles at one point share its runs (and noise): the point of each
    // Saltelli role, by its id, for every metric.
    let saltelli_points: HashMap<SaltelliRole, u64> = roles
        .iter()
        .filter_map(|(id, role)| match role {
            PointRole::Saltelli(r) => Some((*r, u64::from_str_radix(id, 16).ok()?)),
            PointRole::Morris(_) => None,
        })
        .collect();
    let mut out = csv_line(HEADER);
    let mut metrics = Vec::new();
    let stopped = || options.stop.is_some_and(|s| s.load(Ordering::Relaxed));
    // The failed runs, by (point, replication), which a metric's
    // constancy leaves out.
    let failed: HashSet<(usize, usize)> = runs
        .failed
        .iter()
        .filter_map(|f| Some((*runs.points.get(&f.point_id)?, f.replication as usize)))
        .collect();
    for (m, metric) in runs.metrics.iter().enumerate() {
        if stopped() {
            return Err(SensitivityError::Stopped);
        }
        let replicates = |id: &str| -> Vec<f64> {
            runs.points
                .get(id)
                .map_or_else(Vec::new, |&p| runs.values(m, p).to_vec())
        };
        // Each metric its own stream, so its intervals do not depend on
        // which other metrics the sweep has.
        let mut rng = design_stream(seed, xxhash_rust::xxh64::xxh64(metric.as_bytes(), 0));
        let row = |out: &mut Vec<u8>, parameter: &str, index: &str, cells: [String; 4]| {
            debug_assert!(indices(kind).contains(&index), "{index} is not listed");
            out.extend(csv_line(
                [metric.clone(), parameter.to_string(), index.to_string()]
                    .into_iter()
                    .chain(cells),
            ));
        };
        let full = |e: &Estimate| {
            [
                cell(e.estimate),
                cell(e.lo),
                cell(e.hi),
                cell(e.conf_normal),
            ]
        };
        let only = |x: f64| [cell(x), String::new(), String::new(), String::new()];
        let mut ranked = Vec::new();
        // One value in every finished run: no parameter moves the metric.
        // A run where it is undefined is not that value (a metric defined
        // in 2 runs of 32 was called constant by the 2 alone); a failed
        // run says nothing of it.
        let failed = &failed;
        let mut finished = runs.points.values().flat_map(|&p| {
            runs.values(m, p)
                .iter()
                .enumerate()
                .filter(move |&(rep, _)| !failed.contains(&(p, rep)))
                .map(|(_, &x)| x)
        });
        let constant = finished
            .next()
            .is_some_and(|first| first.is_finite() && finished.all(|x| x == first));
        let (mut constant_where_used, mut constant_a_and_b) = (false, false);
        let mut indices_written = false;
        let (noise, noise_mu_star, used, dropped, failed_points, unit) =
            if kind == DesignKind::Saltelli {
                let outputs = point_outputs(&roles, &replicates, |role| match role {
                    PointRole::Saltelli(r) => *r,
                    PointRole::Morris(_) => unreachable!("read as a saltelli design"),
                });
                let layout = saltelli_layout(&roles, dims);
                let point_of = |r: SaltelliRole| saltelli_points.get(&r).copied();
                let a = sobol_analyze_points(&layout, &outputs, point_of, &boot, &mut rng)
                    .map_err(|source| SensitivityError::Analysis {
                        metric: metric.clone(),
                        source,
                    })?;
                if let Some(ix) = &a.indices {
                    indices_written = true;
                    constant_where_used = ix.constant_output && !constant;
                    constant_a_and_b = ix.constant_a_and_b && !ix.constant_output;
                    for (j, (s1, st)) in ix.s1.iter().zip(&ix.st).enumerate() {
                        row(&mut out, &paths[j], "S1", full(s1));
                        row(&mut out, &paths[j], "ST", full(st));
                        ranked.push(Ranked {
                            parameter: paths[j].clone(),
                            estimate: *st,
                            net: a.net.as_ref().map(|n| n.st[j].estimate),
                        });
                    }
                    for p in &ix.s2 {
                        let pair = format!("{}|{}", paths[p.j], paths[p.k]);
                        row(&mut out, &pair, "S2", full(&p.estimate));
                    }
                }
                // Net of replication noise, after SALib's rows.
                if let Some(net) = &a.net {
                    for (j, (s1, st)) in net.s1.iter().zip(&net.st).enumerate() {
                        row(&mut out, &paths[j], "S1_net", full(s1));
                        row(&mut out, &paths[j], "ST_net", full(st));
                    }
                    for p in &net.s2 {
                        let pair = format!("{}|{}", paths[p.j], paths[p.k]);
                        row(&mut out, &pair, "S2_net", full(&p.estimate));
                    }
                }
                (
                    a.noise,
                    None,
                    a.blocks_used,
                    a.blocks_dropped,
                    failed_points(
                        &roles,
                        a.failures.iter().map(|f| PointRole::Saltelli(f.role)),
                    ),
                    "blocks",
                )
            } else {
                let outputs = point_outputs(&roles, &replicates, |role| match role {
                    PointRole::Morris(r) => *r,
                    PointRole::Saltelli(_) => unreachable!("read as a morris design"),
                });
                let levels = design.levels.ok_or_else(|| {
                    malformed(&dir.join("manifest.json"), "a morris design without levels")
                })?;
                let layout = morris_layout(&roles, dims, levels);
                let a = morris_analyze_moves(&layout, &outputs, &moves, &boot, &mut rng).map_err(
                    |source| SensitivityError::Analysis {
                        metric: metric.clone(),
                        source,
                    },
                )?;
                if let Some(stats) = &a.statistics {
                    for (j, s) in stats.iter().enumerate() {
                        row(&mut out, &paths[j], "mu", only(s.mu));
                        row(&mut out, &paths[j], "mu_star", full(&s.mu_star));
                        row(&mut out, &paths[j], "sigma", only(s.sigma));
                        ranked.push(Ranked {
                            parameter: paths[j].clone(),
                            estimate: s.mu_star,
                            net: None,
                        });
                    }
                }
                (
                    a.noise,
                    a.noise_mu_star,
                    a.trajectories_used,
                    a.trajectories_dropped,
                    failed_points(&roles, a.failures.iter().map(|f| PointRole::Morris(f.role))),
                    "trajectories",
                )
            };
        row(&mut out, "", "noise_share", only(opt(noise.share)));
        let of_means = opt(noise.share_of_means);
        row(&mut out, "", "noise_share_of_means", only(of_means));
        if let Some(x) = noise_mu_star {
            row(&mut out, "", "mu_star_noise", only(x));
        }
        row(&mut out, "", &format!("{unit}_used"), only(used as f64));
        row(
            &mut out,
            "",
            &format!("{unit}_dropped"),
            only(dropped as f64),
        );
        row(&mut out, "", "points_failed", only(failed_points as f64));
        if kind == DesignKind::Saltelli {
            // Whether the S1 and ST written are SALib's guard zeros, not a
            // measure (for a reader of the table, `report` among them).
            let zeros = indices_written && (constant || constant_where_used || constant_a_and_b);
            row(
                &mut out,
                "",
                "guard_zeros",
                only(f64::from(u8::from(zeros))),
            );
        }
        // Largest first; an index the data cannot give (NaN) last.
        ranked.sort_by(|a, b| {
            let (x, y) = (a.estimate.estimate, b.estimate.estimate);
            x.is_nan().cmp(&y.is_nan()).then(y.total_cmp(&x))
        });
        metrics.push(MetricSummary {
            metric: metric.clone(),
            ranked,
            noise,
            noise_mu_star,
            used,
            dropped,
            constant,
            constant_where_used,
            constant_a_and_b,
        });
    }
    if stopped() {
        return Err(SensitivityError::Stopped);
    }
    crate::output::publish::write_whole(&file, &out).map_err(|source| SensitivityError::Io {
        path: file.clone(),
        source,
    })?;
    Ok(Report {
        kind,
        file,
        headline: if kind == DesignKind::Saltelli {
            "ST"
        } else {
            "mu_star"
        },
        metrics,
        skipped: runs.skipped,
        failed_runs: runs.failed,
    })
}

/// Each point's role (as `role` reads it for the design) with its
/// replications' values.
fn point_outputs<R>(
    roles: &[(String, PointRole)],
    replicates: &dyn Fn(&str) -> Vec<f64>,
    role: impl Fn(&PointRole) -> R,
) -> Vec<PointOutputs<R>> {
    roles
        .iter()
        .map(|(id, r)| PointOutputs {
            role: role(r),
            replicates: replicates(id),
        })
        .collect()
}

/// `None` as NaN (an empty cell).
fn opt(x: Option<f64>) -> f64 {
    x.unwrap_or(f64::NAN)
}

/// How many design points the `failed` roles sit on (a role fails once
/// per replication whose value is missing): a point shared by several roles
/// (a Morris point on two trajectories, a Saltelli row that is also
/// another's) counts once, as `points_failed` promises.
fn failed_points(roles: &[(String, PointRole)], failed: impl Iterator<Item = PointRole>) -> usize {
    let failed: HashSet<PointRole> = failed.collect();
    roles
        .iter()
        .filter(|(_, role)| failed.contains(role))
        .map(|(id, _)| id.as_str())
        .collect::<HashSet<_>>()
        .len()
}

fn malformed(path: &Path, message: impl Into<String>) -> SensitivityError {
    SensitivityError::Malformed {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// A CSV error of the file `path`: a failed read is the machine's, a
/// table that does not parse is a damaged input.
fn csv_error(path: &Path, e: csv::Error) -> SensitivityError {
    if e.is_io_error() {
        SensitivityError::Io {
            path: path.to_path_buf(),
            source: crate::output::csv_io(e),
        }
    } else {
        malformed(path, e.to_string())
    }
}

/// The shape of a Saltelli design, from its roles.
fn saltelli_layout(roles: &[(String, PointRole)], dims: usize) -> SaltelliLayout {
    let mut base_rows = 0;
    let mut second_order = false;
    for (_, role) in roles {
        if let PointRole::Saltelli(r) = role {
            base_rows = base_rows.max(r.base_row + 1);
            second_order |= matches!(r.matrix, SaltelliMatrix::BA(_));
        }
    }
    SaltelliLayout {
        dims,
        base_rows,
        second_order,
    }
}

/// The shape of a Morris design, from its roles.
fn morris_layout(roles: &[(String, PointRole)], dims: usize, levels: usize) -> MorrisLayout {
    let trajectories = roles
        .iter()
        .filter_map(|(_, r)| match r {
            PointRole::Morris(m) => Some(m.trajectory + 1),
            PointRole::Saltelli(_) => None,
        })
        .max()
        .unwrap_or(0);
    MorrisLayout {
        dims,
        trajectories,
        levels,
    }
}

/// The Morris steps that moved a parameter of whole numbers or listed
/// values by other than Δ, with the size of their move in unit
/// coordinates: the change of the value's stratum over the number of
/// strata, from the unit coordinates of the design the sweep ran
/// (regenerated from its seed, trajectories and levels). A range of
/// numbers moves by Δ exactly and is left out, as is a step that stayed in
/// its stratum (a list of one value), whose effect keeps Δ.
fn morris_moves(
    design: &crate::sweep::design::Design,
) -> Result<BTreeMap<(usize, usize), f64>, crate::sweep::design::DesignError> {
    use crate::sweep::design::{level_stratum, morris_units};
    let dims = design.parameters.len();
    let units = morris_units(design.seed, design.points, design.levels, dims)?;
    let mut moves = BTreeMap::new();
    for pair in units.windows(2) {
        let [(before, from), (role, to)] = pair else {
            continue;
        };
        let Some(m) = role.moved else { continue };
        if before.trajectory != role.trajectory {
            continue;
        }
        let domain = &design.parameters[m.parameter].domain;
        if let (Some((x, n)), Some((y, _))) = (
            level_stratum(domain, from[m.parameter], design.levels),
            level_stratum(domain, to[m.parameter], design.levels),
        ) && x != y
        {
            moves.insert(
                (role.trajectory, role.step),
                x.abs_diff(y) as f64 / n as f64,
            );
        }
    }
    Ok(moves)
}

/// Every `points.csv` line as (point id, role).
fn read_roles(
    path: &Path,
    paths: &[String],
    kind: DesignKind,
) -> Result<Vec<(String, PointRole)>, SensitivityError> {
    let bad = |m: String| malformed(path, m);
    let mut rd = csv::Reader::from_path(path).map_err(|e| csv_error(path, e))?;
    let header = rd.headers().map_err(|e| csv_error(path, e))?.clone();
    // Role columns follow the parameters, whose paths may be any text.
    let first = 1 + paths.len();
    let column = |name: &str| {
        header
            .iter()
            .skip(first)
            .position(|h| h == name)
            .map(|i| i + first)
            .ok_or_else(|| bad(format!("no `{name}` column")))
    };
    let at: Vec<usize> = role_columns(kind)
        .iter()
        .map(|c| column(c))
        .collect::<Result<_, _>>()?;
    let parameter = |text: &str| -> Result<usize, SensitivityError> {
        paths
            .iter()
            .position(|p| p == text)
            .ok_or_else(|| bad(format!("`{text}` is not a swept parameter")))
    };
    let mut out = Vec::new();
    for rec in rd.records() {
        let rec = rec.map_err(|e| csv_error(path, e))?;
        let line = rec.position().map_or(0, |p| p.line());
        let bad_row = |message: String| SensitivityError::MalformedRow {
            path: path.to_path_buf(),
            line,
            message,
        };
        let get = |i: usize| rec.get(at[i]).unwrap_or("");
        let number = |i: usize| {
            get(i)
                .parse::<usize>()
                .map_err(|_| bad_row(format!("`{}` is not a number", get(i))))
        };
        let role = if kind == DesignKind::Saltelli {
            let column = match get(2) {
                "" => None,
                p => Some(parameter(p)?),
            };
            let matrix =
                SaltelliMatrix::from_label(get(1), column).map_err(|e| bad_row(e.to_string()))?;
            PointRole::Saltelli(SaltelliRole {
                base_row: number(0)?,
                matrix,
            })
        } else {
            let moved = match (get(2), get(3)) {
                ("", "") => None,
                (p, d) => Some(MorrisMove {
                    parameter: parameter(p)?,
                    direction: Direction::from_label(d)
                        .ok_or_else(|| bad_row(format!("direction `{d}` is not up or down")))?,
                }),
            };
            PointRole::Morris(MorrisRole {
                trajectory: number(0)?,
                step: number(1)?,
                moved,
            })
        };
        out.push((rec.get(0).unwrap_or("").to_string(), role));
    }
    Ok(out)
}

/// The numeric outputs of `runs.csv`: per metric, point and replication.
struct Runs {
    /// The metric columns analysed.
    metrics: Vec<String>,
    /// Point id → point index.
    points: HashMap<String, usize>,
    replications: usize,
    /// `[metric][point][replication]`, flattened; NaN where missing.
    values: Vec<f64>,
    skipped: Vec<String>,
    failed: Vec<FailedRun>,
}

impl Runs {
    fn values(&self, metric: usize, point: usize) -> &[f64] {
        let r = self.replications;
        let start = (metric * self.points.len() + point) * r;
        &self.values[start..start + r]
    }
}

/// The first pass over `runs.csv`: its points, the row of each finished
/// run, the failed runs and the metric columns.
struct Scan {
    header: Vec<String>,
    points: HashMap<String, usize>,
    /// Per row, the finished run's (point, replication), `None` if failed.
    rows: Vec<Option<(usize, usize)>>,
    failed: Vec<FailedRun>,
    /// The metric columns analysed and those skipped (text), by index.
    kept: Vec<usize>,
    skipped: Vec<usize>,
}

/// The metrics [`analyse`] writes indices of for the finished sweep in
/// `dir` of `replications` per point, in the order of `sensitivity.csv`
/// (for a reader that checks that table against its sweep: `report`).
pub fn analysed_metrics(dir: &Path, replications: u32) -> Result<Vec<String>, SensitivityError> {
    let scan = scan_runs(&dir.join("runs.csv"), replications)?;
    Ok(scan.kept.iter().map(|&c| scan.header[c].clone()).collect())
}

/// Scan `runs.csv`: the metric columns are the run summary's (after the
/// run's identity, up to the first target) that hold numbers, then every
/// target's `_distance`, `mean_distance` and `verdict_distance`.
fn scan_runs(path: &Path, replications: u32) -> Result<Scan, SensitivityError> {
    let bad = |m: String| malformed(path, m);
    let mut rd = csv::Reader::from_path(path).map_err(|e| csv_error(path, e))?;
    let header: Vec<String> = rd
        .headers()
        .map_err(|e| csv_error(path, e))?
        .iter()
        .map(String::from)
        .collect();
    let identity = crate::sweep::tables::RUN_COLUMNS;
    if header.len() < identity.len() || header[..identity.len()] != identity {
        return Err(bad(format!(
            "the header does not start with {}",
            identity.join(",")
        )));
    }
    // A target whose id repeats a column of the table (`total` gives
    // `total_value`), written before such ids were refused: two metrics
    // of one name, each read as the other.
    if let Some((i, j, name)) = crate::output::repeated_column(header.iter().map(String::as_str)) {
        return Err(bad(format!(
            "the header names column '{name}' twice (columns {} and {}): a target's id repeats a column of runs.csv (scenarios are now refused such ids); give the target a different id and run the sweep again",
            i + 1,
            j + 1
        )));
    }
    let first_target = (identity.len()..header.len())
        .find(|&i| {
            header[i].strip_suffix("_value").is_some_and(|t| {
                header.get(i + 1) == Some(&format!("{t}_distance"))
                    && header.get(i + 2) == Some(&format!("{t}_pass"))
            })
        })
        .unwrap_or(header.len());
    let mut columns: Vec<usize> = (identity.len()..first_target).collect();
    columns.extend(
        (first_target..header.len())
            .filter(|&i| header[i].ends_with("_distance") || (header[i] == "mean_distance")),
    );
    drop(rd);
    let mut points: HashMap<String, usize> = HashMap::new();
    let mut failed = Vec::new();
    let r = replications as usize;
    let mut rows: Vec<Option<(usize, usize)>> = Vec::new();
    let mut seen = HashSet::new();
    // A column is a metric if every non-empty cell of a finished run is a
    // number; a text column (the focus country) is skipped.
    let mut numeric = vec![true; header.len()];
    crate::output::each_record(
        path,
        |e| csv_error(path, e),
        |n, rec| {
            let id = rec.get(0).unwrap_or("");
            let rep: usize = rec
                .get(1)
                .and_then(|x| x.parse().ok())
                .filter(|&x| x < r)
                .ok_or_else(|| bad(format!("row {}: replication is not in 0..{r}", n + 2)))?;
            let p = match points.get(id) {
                Some(&p) => p,
                None => {
                    let p = points.len();
                    points.insert(id.to_string(), p);
                    p
                }
            };
            if !seen.insert((p, rep)) {
                return Err(bad(format!(
                    "row {}: point {id}, replication {rep} appears twice",
                    n + 2
                )));
            }
            if rec.get(3) == Some("ok") {
                rows.push(Some((p, rep)));
                for &c in &columns {
                    if numeric[c]
                        && let Some(x) = rec.get(c).filter(|x| !x.is_empty())
                    {
                        numeric[c] = x.parse::<f64>().is_ok();
                    }
                }
            } else {
                failed.push(FailedRun {
                    point_id: id.to_string(),
                    replication: rep as u32,
                    error: rec.get(4).unwrap_or("").to_string(),
                });
                rows.push(None);
            }
            Ok(())
        },
    )?;
    // Every point the runs name has all its replications, failed or not: a
    // missing row is a cut or unfinished table, not a failed run.
    if points.is_empty() {
        return Err(bad("no runs; the sweep is unfinished".to_string()));
    }
    if seen.len() != points.len() * r {
        let mut count = vec![0usize; points.len()];
        for &(p, _) in &seen {
            count[p] += 1;
        }
        let mut short: Vec<(&String, usize)> = points
            .iter()
            .filter(|&(_, &p)| count[p] < r)
            .map(|(id, &p)| (id, count[p]))
            .collect();
        short.sort();
        let (id, k) = short[0];
        return Err(bad(format!(
            "point {id} has {k} of its {r} replications ({} points are short); the sweep is unfinished or the table was cut",
            short.len()
        )));
    }
    let (kept, skipped) = columns.into_iter().partition(|&c| numeric[c]);
    Ok(Scan {
        header,
        points,
        rows,
        failed,
        kept,
        skipped,
    })
}

/// Read `runs.csv` ([`scan_runs`] first). Values of failed runs, and
/// empty (undefined) cells, stay NaN.
///
/// Two passes over the file, each one record at a time: the first finds
/// the points, the failed runs and the numeric columns, the second fills
/// the values. Only the values are held (held as text rows, the table took
/// some 3.5× its size).
fn read_runs(path: &Path, replications: u32) -> Result<Runs, SensitivityError> {
    let bad = |m: String| malformed(path, m);
    let Scan {
        header,
        points,
        rows,
        failed,
        kept,
        skipped,
    } = scan_runs(path, replications)?;
    let r = replications as usize;
    let np = points.len();
    let mut values = vec![f64::NAN; kept.len() * np * r];
    crate::output::each_record(
        path,
        |e| csv_error(path, e),
        |n, rec| {
            // The file is the one the first pass read (checked against the
            // manifest before): a row beyond it is not.
            let Some(&w) = rows.get(n) else {
                return Err(bad(format!("row {}: the table changed while read", n + 2)));
            };
            let Some((p, rep)) = w else { return Ok(()) };
            for (m, &c) in kept.iter().enumerate() {
                if let Some(x) = rec.get(c).and_then(|x| x.parse::<f64>().ok()) {
                    values[(m * np + p) * r + rep] = x;
                }
            }
            Ok(())
        },
    )?;
    Ok(Runs {
        metrics: kept.iter().map(|&c| header[c].clone()).collect(),
        points,
        replications: r,
        values,
        skipped: skipped.iter().map(|&c| header[c].clone()).collect(),
        failed,
    })
}

impl Report {
    /// The terminal table: per metric, the replication-noise share, the
    /// blocks (trajectories) used of those in the design, and the `top`
    /// parameters by the headline index with its percentile interval; then
    /// the failed runs (at most ten named) and the columns skipped.
    pub fn table(&self, top: usize) -> String {
        let unit = if self.kind == DesignKind::Saltelli {
            "blocks"
        } else {
            "trajectories"
        };
        let width = self
            .metrics
            .iter()
            .map(|m| m.metric.len())
            .max()
            .unwrap_or(6)
            .max(6);
        // The used/all column as wide as its header ("trajectories" is
        // wider than "blocks").
        let used = unit.len().max(9);
        let mut s = format!(
            "{:<width$}  {:>5}  {:>used$}  top parameters by {} (95 % bootstrap interval)\n",
            "metric", "noise", unit, self.headline
        );
        let num = |x: f64| {
            if x.is_nan() {
                "-".to_string()
            } else {
                format!("{x:.3}")
            }
        };
        for m in &self.metrics {
            let tops: Vec<String> = m
                .ranked
                .iter()
                .take(top)
                .map(|r| {
                    let net = r.net.map_or(String::new(), |n| format!(" net {}", num(n)));
                    format!(
                        "{} {} [{}, {}]{net}",
                        r.parameter,
                        num(r.estimate.estimate),
                        num(r.estimate.lo),
                        num(r.estimate.hi)
                    )
                })
                .collect();
            let tops = if m.constant {
                "constant over the design: no parameter moves it".to_string()
            } else if m.constant_where_used {
                format!(
                    "no indices: one value in the {} {unit} used of {}, undefined or failed in the others",
                    m.used,
                    m.used + m.dropped
                )
            } else if m.constant_a_and_b {
                "no indices: one value at every A and B point, though not at the others, which makes every index 0 (SALib's guard); sweep more points".to_string()
            } else if tops.is_empty() {
                let why = if m.dropped > 0 {
                    "the others have a failed run or an undefined value"
                } else {
                    "sweep more points"
                };
                format!(
                    "no indices: {} of the {MIN_COMPLETE} complete {unit} the bootstrap needs ({why})",
                    m.used
                )
            } else {
                let floor = m
                    .noise_mu_star
                    .map_or(String::new(), |x| format!(" (noise alone: {})", num(x)));
                tops.join("; ") + &floor
            };
            s.push_str(&format!(
                "{:<width$}  {:>5}  {:>used$}  {tops}\n",
                m.metric,
                num(opt(m.noise.share)),
                format!("{}/{}", m.used, m.used + m.dropped),
            ));
        }
        s.push_str("(noise: mean within-point variance over total variance of the replications; above 1: all noise)\n");
        if self.metrics.iter().any(|m| m.noise_mu_star.is_some()) {
            s.push_str("(noise alone: the mu_star replication noise gives by itself, mu_star_noise in sensitivity.csv; a parameter near it cannot be told from noise)\n");
        }
        if self
            .metrics
            .iter()
            .any(|m| m.ranked.iter().any(|r| r.net.is_some()))
        {
            s.push_str("(net: the total index net of the replication noise in the points' means, ST_net in sensitivity.csv; - where the variance beyond the noise cannot be told from 0)\n");
        }
        if !self.failed_runs.is_empty() {
            s.push_str(&format!(
                "{} failed; their points' {unit} are left out:\n",
                crate::output::report::count(self.failed_runs.len() as u64, "run")
            ));
            for f in self.failed_runs.iter().take(10) {
                s.push_str(&format!(
                    "  point {} replication {}: {}\n",
                    f.point_id, f.replication, f.error
                ));
            }
            if self.failed_runs.len() > 10 {
                s.push_str(&format!(
                    "  and {} more (status and error in runs.csv)\n",
                    self.failed_runs.len() - 10
                ));
            }
        }
        if !self.skipped.is_empty() {
            s.push_str(&format!(
                "not analysed (not numbers): {}\n",
                self.skipped.join(", ")
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_point_counts_once_whatever_the_roles_on_it() {
        let role = |trajectory, step| {
            PointRole::Morris(MorrisRole {
                trajectory,
                step,
                moved: None,
            })
        };
        // Point "a" starts trajectories 0 and 1; "b" and "c" are their
        // second steps.
        let roles = [
            ("a".to_string(), role(0, 0)),
            ("b".to_string(), role(0, 1)),
            ("a".to_string(), role(1, 0)),
            ("c".to_string(), role(1, 1)),
        ];
        // "a" missing in two replications fails both its roles twice: one
        // point.
        let a = [role(0, 0), role(0, 0), role(1, 0), role(1, 0)];
        assert_eq!(failed_points(&roles, a.into_iter()), 1);
        // With "c" as well: two points, though three roles.
        let ac = [role(0, 0), role(1, 0), role(1, 1)];
        assert_eq!(failed_points(&roles, ac.into_iter()), 2);
        assert_eq!(failed_points(&roles, std::iter::empty()), 0);
    }
}
