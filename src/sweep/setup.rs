//! Everything fixed about a sweep before it runs: the resolved base world,
//! the design and its plan for a shard, the tables kept, the sweep's
//! identity, and the compilation of any point's world.

use crate::analysis::Targets;
use crate::engine::overlay::{Overlay, Setting};
use crate::model::World;
use crate::output::report::count;
use crate::scenario::keys;
use crate::scenario::schema::{Sweep, Table};
use crate::scenario::{self, Origin, ScenarioError};
use crate::sweep::SweepError;
use crate::sweep::design::Point;
use crate::sweep::plan::{Plan, Shard, as_run, design_of, fingerprint_of, fingerprinted_text};
use crate::sweep::resume::Identity;
use crate::sweep::settings::{Change, Settings};
use crate::sweep::tables::{point_id_text, runs_header};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// What makes two sweep folders the same sweep: program version, the
/// resolved world, the design and seed, the shard, the tables kept and the
/// number of jobs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepIdentity {
    /// The program's version.
    pub version: String,
    /// xxh64 of the resolved world without `[sweep]` (and the version).
    pub scenario_fingerprint: String,
    /// xxh64 of the `[sweep]` table and its seed.
    pub design_fingerprint: String,
    /// Which slice.
    pub shard: Shard,
    /// The per-run tables kept.
    pub tables: Vec<Table>,
    /// Jobs in the shard.
    pub jobs: u64,
}

impl SweepIdentity {
    /// Whether two shards' identities belong to one sweep (everything but
    /// the shard and its jobs agrees); why not, if they do not.
    pub fn same_sweep(&self, other: &SweepIdentity) -> Option<String> {
        let differs = |what: &str, a: String, b: String| Some(format!("{what} {a} vs {b}"));
        if self.scenario_fingerprint != other.scenario_fingerprint {
            return differs(
                "scenario fingerprint",
                self.scenario_fingerprint.to_string(),
                other.scenario_fingerprint.to_string(),
            );
        }
        if self.design_fingerprint != other.design_fingerprint {
            return differs(
                "design fingerprint",
                self.design_fingerprint.to_string(),
                other.design_fingerprint.to_string(),
            );
        }
        if self.version != other.version {
            return differs("version", self.version.clone(), other.version.clone());
        }
        if self.tables != other.tables {
            return differs(
                "--tables",
                table_names(&self.tables),
                table_names(&other.tables),
            );
        }
        None
    }

    /// Whether `settings` are the texts this identity's fingerprints hash:
    /// only then do they say what a folder was made from (not a damaged or
    /// hand-edited file).
    fn is_hash_of(&self, settings: &Settings) -> bool {
        fingerprint_of(&settings.scenario) == self.scenario_fingerprint
            && fingerprint_of(&settings.design) == self.design_fingerprint
    }

    /// [`SweepIdentity::same_sweep`] for two shards whose manifests record
    /// the resolved scenarios `mine` and `theirs`: where the fingerprints
    /// differ, the keys whose values differ are named instead (`sweep.seed
    /// 1 vs 2`), from the settings worked out again from each resolved
    /// scenario, used only where they hash to that shard's fingerprints
    /// (not from a hand-edited manifest).
    pub fn same_sweep_as_recorded(
        &self,
        other: &SweepIdentity,
        mine: &toml::Table,
        theirs: &toml::Table,
    ) -> Option<String> {
        let plain = self.same_sweep(other)?;
        if self.scenario_fingerprint == other.scenario_fingerprint
            && self.design_fingerprint == other.design_fingerprint
        {
            return Some(plain);
        }
        let kept = |id: &SweepIdentity, resolved: &toml::Table| {
            recorded_settings(resolved, &id.version).filter(|s| id.is_hash_of(s))
        };
        let (Some(a), Some(b)) = (kept(self, mine), kept(other, theirs)) else {
            return Some(plain);
        };
        let Some(compared) = a.compare(&b).filter(|c| !c.keys.is_empty()) else {
            return Some(plain);
        };
        let mut named = crate::sweep::settings::listed_as(&compared.keys, Change::versus);
        if let Some((a, b)) = compared.version {
            named.push(format!("and the program's version {a} vs {b}"));
        }
        Some(named.join("; "))
    }
}

/// Tables as `--tables` names them (`none` for no table).
fn table_names(t: &[Table]) -> String {
    if t.is_empty() {
        "none".to_string()
    } else {
        t.iter().map(|t| t.name()).collect::<Vec<_>>().join(",")
    }
}

/// The settings a finished sweep was made from, worked out again from the
/// resolved scenario its manifest records (`version` its program's), or
/// `None` where that does not read as a sweep's. A refused resume into a
/// finished result then names the keys that changed, as one into a work
/// folder does; [`Identity::differs_in`] uses them only if they hash to
/// the fingerprints the result records.
pub fn recorded_settings(resolved: &toml::Table, version: &str) -> Option<Settings> {
    let mut base = resolved.clone();
    let sw: Sweep = base.remove("sweep")?.try_into().ok()?;
    let seed = u64::try_from(resolved.get("seed")?.as_integer()?).ok()?;
    Some(settings_of(version, &base, &sw, seed))
}

/// The texts a sweep's fingerprints hash (see [`Settings`]): the program
/// `version` with the resolved world without `[sweep]` (`base`), and the
/// `[sweep]` table with its seed (the scenario's `seed` unless it has its
/// own).
fn settings_of(version: &str, base: &toml::Table, sw: &Sweep, seed: u64) -> Settings {
    Settings {
        scenario: fingerprinted_text(&(version, base)),
        // The seed again after the table that holds it now: the text
        // earlier builds hashed, whose fingerprints stay as they were.
        design: fingerprinted_text(&(as_run(sw, seed), sw.seed.unwrap_or(seed))),
    }
}

/// The way out of a refused resume.
const AGAIN: &str = "use another --out, or run without --resume to start over (a Slurm array's tasks always resume: remove that folder before submitting again)";

impl Identity for SweepIdentity {
    fn differs(&self, found: &SweepIdentity) -> Option<String> {
        if found.scenario_fingerprint != self.scenario_fingerprint {
            return Some(format!(
                "it was made from a different scenario (fingerprint {}, this one {}): {AGAIN}",
                found.scenario_fingerprint, self.scenario_fingerprint
            ));
        }
        if found.design_fingerprint != self.design_fingerprint {
            return Some(format!(
                "it was made from a different design (fingerprint {}, this one {}): {AGAIN}",
                found.design_fingerprint, self.design_fingerprint
            ));
        }
        let other = if found.version != self.version {
            Some(("version", found.version.clone(), self.version.clone()))
        } else if found.shard != self.shard {
            Some(("shard", found.shard.to_string(), self.shard.to_string()))
        } else if found.tables != self.tables {
            Some((
                "tables",
                table_names(&found.tables),
                table_names(&self.tables),
            ))
        } else if found.jobs != self.jobs {
            Some(("jobs", found.jobs.to_string(), self.jobs.to_string()))
        } else {
            None
        };
        other.map(|(what, was, now)| other_option(what, &was, &now))
    }

    fn differs_in(&self, found: &SweepIdentity, now: &[u8], was: &[u8]) -> Option<String> {
        let plain = self.differs(found)?;
        let scenario = found.scenario_fingerprint != self.scenario_fingerprint;
        let design = found.design_fingerprint != self.design_fingerprint;
        let (Some(now), Some(was)) = (Settings::parse(now), Settings::parse(was)) else {
            return Some(plain);
        };
        if !(scenario || design) || !found.is_hash_of(&was) {
            return Some(plain);
        }
        let Some(compared) = was.compare(&now) else {
            return Some(plain);
        };
        let what = match (scenario, design) {
            (true, true) => "scenario and design",
            (true, false) => "scenario",
            _ => "design",
        };
        if compared.keys.is_empty() {
            // The world's fingerprint holds the program version.
            return Some(match compared.version {
                Some((was, now)) => other_option("version", &was, &now),
                None => format!(
                    "it was made from a different {what} (fingerprints {} and {}, this one {} and {}), though no setting's value differs (this program writes them otherwise): {AGAIN}",
                    found.scenario_fingerprint,
                    found.design_fingerprint,
                    self.scenario_fingerprint,
                    self.design_fingerprint
                ),
            });
        }
        let mut named = crate::sweep::settings::listed(&compared.keys);
        if let Some((was, now)) = compared.version {
            named.push(format!("and the program's version was {was}, now {now}"));
        }
        Some(format!(
            "it was made from a different {what}: {}: {AGAIN}",
            named.join("; ")
        ))
    }
}

/// "Its `what` was `was`, now `now`", with the way out of a resume made
/// with other options or another program.
fn other_option(what: &str, was: &str, now: &str) -> String {
    let verb = if what.ends_with('s') { "were" } else { "was" };
    format!(
        "its {what} {verb} `{was}`, now `{now}`: resume with the same program and options, or {AGAIN}"
    )
}

/// A sweep ready to run: loaded, its design planned for one shard.
#[derive(Debug)]
pub struct Setup {
    /// The sweep file.
    pub file: PathBuf,
    /// The scenario's name (the result folder's).
    pub name: String,
    /// The resolved world without `[sweep]`, points' values go into.
    base: Overlay,
    /// Where each swept parameter is written, in parameter order.
    origins: Vec<Origin>,
    /// Where the `[sweep]` table is.
    sweep_origin: Origin,
    /// The points and jobs of the shard.
    pub plan: Plan,
    /// The per-run tables kept.
    pub tables: Vec<Table>,
    /// What makes this sweep this sweep.
    pub identity: SweepIdentity,
    /// What its fingerprints hash, kept in the work folder so that a
    /// refused resume names the keys that changed.
    pub settings: Settings,
    /// The columns of `runs.csv`.
    pub header: Vec<String>,
    /// The resolved scenario, `[sweep]` included, for the manifest.
    pub resolved: toml::Table,
    /// The base world, for naming ids in kept tables (a sweep varies
    /// values, never which buyers, suppliers or lines exist).
    pub names: World,
}

impl Setup {
    /// Load the sweep `file` and plan `shard` of it, keeping `tables`.
    /// Once `stop` is set (Ctrl-C), the check of its points stops with
    /// [`SweepError::Stopped`].
    pub fn new(
        file: &Path,
        shard: Shard,
        tables: &[Table],
        stop: &AtomicBool,
    ) -> Result<Setup, SweepError> {
        let (table, sources) = scenario::load_table(file)?;
        let loaded = scenario::finish(table, sources.clone(), file)?;
        if loaded.scenario.calibrate.is_some() {
            return Err(SweepError::Scenario(ScenarioError::new(
                sources.key_origin("calibrate").error(format!(
                    "this file is a calibration (it has a [calibrate] table), which `sweep` does not run: use `armsmarket calibrate {}`",
                    file.display()
                )),
            )));
        }
        let Some(sw) = loaded.scenario.sweep.clone() else {
            return Err(SweepError::NotASweep {
                file: file.to_path_buf(),
            });
        };
        let tables = kept(tables)?;
        let origins: Vec<Origin> = sw
            .parameters
            .keys()
            .map(|path| {
                sources
                    .key_origin(&format!("sweep.parameters.{path}"))
                    .clone()
            })
            .collect();
        let located = |e: crate::sweep::design::DesignError| {
            let at = e
                .parameter()
                .and_then(|p| sw.parameters.keys().position(|k| k == p))
                .map_or_else(|| sources.key_origin("sweep"), |i| &origins[i]);
            SweepError::Scenario(ScenarioError::new(at.error(format!("`sweep`: {e}"))))
        };
        let design = design_of(&sw, loaded.scenario.seed).map_err(located)?;
        for (p, at) in design.parameters.iter().zip(&origins) {
            let refused = |m: String| SweepError::Scenario(ScenarioError::new(at.error(m)));
            match &p.domain {
                // A listed list would fill a table of named keys by
                // position, as in a scenario file, where it is refused.
                crate::sweep::design::Domain::Values(values) => {
                    for v in values {
                        if let Some(fields) = scenario::shape::list_for_table_at(&p.path, v) {
                            return Err(refused(format!(
                                "`{}`'s value {v} holds a list where a table of named keys belongs: list tables, such as `{}` (its keys: {})",
                                p.path,
                                scenario::shape::table_example(fields),
                                fields.join(", ")
                            )));
                        }
                    }
                }
                // A continuous range would give a key of whole numbers
                // fractions, which its first point would be refused for:
                // say the fix here.
                crate::sweep::design::Domain::Range { .. }
                    if keys::takes_whole_numbers(&p.path) =>
                {
                    return Err(refused(format!(
                        "`{}` takes whole numbers, which a continuous range does not give: add `integer = true` (with whole `min` and `max`), or list its `values`",
                        p.path
                    )));
                }
                _ => {}
            }
        }
        let plan = Plan::new(design, sw.replications, shard).map_err(located)?;
        let mut base = loaded.resolved.clone();
        base.remove("sweep");
        let at_start = |m: String| {
            SweepError::Scenario(ScenarioError::new(
                Origin::new(file.display().to_string(), 1, 1).error(m),
            ))
        };
        let world = World::from_scenario(&loaded.scenario).map_err(|e| at_start(e.0))?;
        let targets = Targets::compile(&loaded.scenario, &world).map_err(at_start)?;
        // The texts hashed are kept as they are (see `Settings`).
        let settings = settings_of(env!("CARGO_PKG_VERSION"), &base, &sw, loaded.scenario.seed);
        let identity = SweepIdentity {
            version: env!("CARGO_PKG_VERSION").into(),
            scenario_fingerprint: fingerprint_of(&settings.scenario),
            design_fingerprint: fingerprint_of(&settings.design),
            shard,
            tables: tables.clone(),
            jobs: plan.n_jobs(),
        };
        let setup = Setup {
            file: file.to_path_buf(),
            name: loaded.name.clone(),
            header: runs_header(&world, &targets),
            base: Overlay::new(sources.clone(), base),
            origins,
            sweep_origin: sources.key_origin("sweep").clone(),
            plan,
            tables,
            identity,
            settings,
            resolved: loaded.resolved,
            names: world,
        };
        // Every parameter path must exist and every point must be a valid
        // world: report it now, located, rather than as failed runs.
        setup.check_extremes(stop)?;
        setup.check_points(stop)?;
        if !setup.plan.points.is_empty() {
            setup.compile(0)?;
        }
        Ok(setup)
    }

    /// The same sweep keeping `tables` instead (a resume keeps those of
    /// the sweep it resumes): nothing is loaded or checked again.
    pub fn keeping(mut self, tables: &[Table]) -> Result<Setup, SweepError> {
        self.tables = kept(tables)?;
        self.identity.tables = self.tables.clone();
        Ok(self)
    }

    /// The swept parameters' paths, in design order.
    pub fn paths(&self) -> Vec<String> {
        self.plan
            .design
            .parameters
            .iter()
            .map(|p| p.path.clone())
            .collect()
    }

    /// Compile the world of point `pi`.
    pub fn compile(&self, pi: usize) -> Result<(World, Targets), ScenarioError> {
        let point = self.plan.points.get(pi);
        let values: Vec<(usize, &toml::Value)> = point.values.iter().enumerate().collect();
        let at = format!("point {}", point_id_text(point.id));
        self.compile_with(&values, &at)
    }

    /// Compile the base world with `values` (parameter index, value) set.
    fn compile_with(
        &self,
        values: &[(usize, &toml::Value)],
        what: &str,
    ) -> Result<(World, Targets), ScenarioError> {
        let parameters = &self.plan.design.parameters;
        let settings: Vec<Setting<'_>> = values
            .iter()
            .map(|&(i, v)| (parameters[i].path.as_str(), v, &self.origins[i]))
            .collect();
        self.base.compile_with(&settings, &self.origins[0], what)
    }

    /// Compile the worlds at the design's extremes: each parameter alone at
    /// each bound of its range (or each of its values; of a long list, the
    /// smallest and largest number, or the first and last name), then every corner of the box of bounds (each parameter
    /// at its lower or upper bound; with more than
    /// [`crate::engine::overlay::CORNER_DIMS`] parameters, only the two
    /// corners of all lower and all upper bounds). Every value of every
    /// point lies between these, so a rule that one of them breaks (one
    /// key's range, or one key against another, such as legacy units at
    /// most the units, which the corner of most legacy and fewest units
    /// breaks first) is reported now, at the parameter, not as failed
    /// runs.
    fn check_extremes(&self, stop: &AtomicBool) -> Result<(), SweepError> {
        use crate::sweep::design::Domain;
        use toml::Value;
        let parameters = &self.plan.design.parameters;
        let bounds: Vec<Vec<Value>> = parameters
            .iter()
            .map(|p| match &p.domain {
                Domain::Range { min, max, .. } => vec![Value::Float(*min), Value::Float(*max)],
                Domain::IntRange { min, max } => vec![Value::Integer(*min), Value::Integer(*max)],
                Domain::Values(v) => extremes_of(v),
            })
            .collect();
        for set in crate::engine::overlay::extreme_sets(&bounds) {
            if stop.load(Ordering::Relaxed) {
                return Err(SweepError::Stopped);
            }
            let shown: Vec<String> = set
                .iter()
                .map(|(i, v)| format!("`{}` = {v}", parameters[*i].path))
                .collect();
            let what = format!("with {}", shown.join(", "));
            if let Err(e) = self.compile_with(&set, &what) {
                let at = if set.len() == 1 {
                    &self.origins[set[0].0]
                } else {
                    &self.sweep_origin
                };
                return Err(refused(at, &what, &e).into());
            }
        }
        Ok(())
    }

    /// Whether [`Setup::check_extremes`] compiles every combination of
    /// values a point can take, as far as a rule between keys goes: at
    /// most [`crate::engine::overlay::CORNER_DIMS`] parameters (all
    /// corners), and no list of names that a corner does not cover. A
    /// list of numbers lies between its smallest and largest, which the
    /// corners take; a name between the first and the last is compiled
    /// alone (up to 16 of them) but never with another key's bound.
    fn extremes_cover_every_point(&self) -> bool {
        use crate::sweep::design::Domain;
        let parameters = &self.plan.design.parameters;
        let alone = parameters.len() == 1;
        parameters.len() <= crate::engine::overlay::CORNER_DIMS
            && parameters.iter().all(|p| match &p.domain {
                Domain::Values(v) if !v.iter().all(|x| scenario::toml_number(x).is_some()) => {
                    if alone {
                        extremes_of(v).len() == v.len()
                    } else {
                        v.len() <= 2
                    }
                }
                _ => true,
            })
    }

    /// Where [`Setup::check_extremes`] does not cover every point, check
    /// the scenario of each of this shard's points (its reading's rules,
    /// without compiling a world, which each run compiles anyway), so that
    /// a point that breaks a rule between keys, such as more legacy units
    /// than units, is reported now, located, rather than as runs that fail
    /// whatever `--resume` retries. Once `stop` is set, every thread
    /// stops at its next point.
    fn check_points(&self, stop: &AtomicBool) -> Result<(), SweepError> {
        if self.extremes_cover_every_point() {
            return Ok(());
        }
        use rayon::prelude::*;
        // On the pool the caller runs in (a sweep's, of its `--threads`);
        // the first point in design order that fails, whatever the threads
        // (`Some(None)`: stopped there).
        let failed = self
            .plan
            .shard_points()
            .into_par_iter()
            .find_map_first(|pi| {
                if stop.load(Ordering::Relaxed) {
                    return Some(None);
                }
                let point = self.plan.points.get(pi);
                let settings = self.settings(&point);
                if self.base.validates_with(&settings) {
                    return None;
                }
                // The same checks again, this time to say where they fail.
                let error = self.base.scenario_with(&settings).err()?;
                Some(Some((point, error)))
            });
        let (point, error) = match failed {
            None => return Ok(()),
            Some(None) => return Err(SweepError::Stopped),
            Some(Some(found)) => found,
        };
        let shown: Vec<String> = self
            .plan
            .design
            .parameters
            .iter()
            .zip(&point.values)
            .map(|(p, v)| format!("`{}` = {v}", p.path))
            .collect();
        let what = format!(
            "at point {} (with {})",
            point_id_text(point.id),
            shown.join(", ")
        );
        Err(refused(&self.sweep_origin, &what, &error).into())
    }

    /// The settings of every parameter at `point`, located at its key.
    fn settings<'a>(&'a self, point: &'a Point) -> Vec<Setting<'a>> {
        self.plan
            .design
            .parameters
            .iter()
            .zip(&point.values)
            .zip(&self.origins)
            .map(|((p, v), at)| (p.path.as_str(), v, at))
            .collect()
    }

    /// "N points x R replications = J runs".
    pub fn describe(&self) -> String {
        format!(
            "{} x {} = {}",
            count(self.plan.shard_points().len() as u64, "point"),
            count(self.plan.replications as u64, "replication"),
            count(self.plan.n_jobs(), "run")
        )
    }
}

/// Check a sweep file as `sweep` would before running it (the design,
/// every swept path, the first point's world), touching no folder, until
/// `stop` is set. Returns "sweep of N points x R replications = J runs".
pub fn check(file: &Path, stop: &AtomicBool) -> Result<String, SweepError> {
    let s = Setup::new(file, Shard::WHOLE, &[], stop)?;
    Ok(format!("sweep of {}", s.describe()))
}

/// The per-run tables a sweep may keep, in [`Table::ALL`] order: any but
/// the summary, whose row each run has in `runs.csv` already.
fn kept(tables: &[Table]) -> Result<Vec<Table>, SweepError> {
    if tables.contains(&Table::Summary) {
        return Err(SweepError::SummaryKept);
    }
    Ok(Table::ALL
        .iter()
        .copied()
        .filter(|t| tables.contains(t))
        .collect())
}

/// "The sweep reaches a world that is not valid `what`", with `e`'s
/// errors, at `at`.
fn refused(at: &Origin, what: &str, e: &ScenarioError) -> ScenarioError {
    e.within(
        &at.error(String::new()),
        &format!("the sweep reaches a world that is not valid {what}"),
    )
}

/// The values of a `values` list that [`Setup::check_extremes`] compiles:
/// numbers in ascending order (so that a corner takes the smallest or the
/// largest), all of them up to 16 and the smallest and largest beyond,
/// since a key's valid numbers are an interval; other values (names,
/// switches) as listed, all up to 16 and the first and last beyond.
fn extremes_of(v: &[toml::Value]) -> Vec<toml::Value> {
    let number = crate::scenario::toml_number;
    let mut v = v.to_vec();
    if v.iter().all(|x| number(x).is_some()) {
        v.sort_by(|a, b| {
            number(a)
                .unwrap_or(0.0)
                .total_cmp(&number(b).unwrap_or(0.0))
        });
    }
    if v.len() <= 16 {
        v
    } else {
        vec![v[0].clone(), v[v.len() - 1].clone()]
    }
}
